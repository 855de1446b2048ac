package adamerge.study;

import adamerge.study.data.DemoTasks;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

import static org.junit.jupiter.api.Assertions.*;

/** The whole demo study end to end on the tiny configuration with stand-in checkpoints and offline data. */
class DemoStudyTest {

    @Test
    void tinyStudyWritesEveryTableFigureAndReport(@TempDir Path tmp) throws IOException {
        Path models = tmp.resolve("models"), results = tmp.resolve("results");
        StandInModels.write(models, StandInModels.TINY);
        StringWriter log = new StringWriter();
        StudyResults r = Study.runAndWrite(models, StudySettings.tiny(), StandInModels::syntheticSplit, results, 0, false, new PrintWriter(log, true));

        JsonObject t1 = JsonParser.parseString(Files.readString(results.resolve("table1.json"))).getAsJsonObject();
        assertEquals(StudyResults.METHODS, List.copyOf(t1.keySet()));
        assertEquals(19, t1.size()); // the paper's 12 rows, the 5 later merges and 2 with Representation Surgery
        for (String m : StudyResults.METHODS) {
            JsonObject row = t1.getAsJsonObject(m);
            assertEquals(9, row.size(), m);
            for (String task : DemoTasks.NAMES) {
                double a = row.get(task).getAsDouble();
                assertTrue(a >= 0 && a <= 100, m + " " + task + " " + a);
            }
            assertTrue(row.has("avg"), m);
        }
        for (String png : List.of("table1_average.png", "layerwise_coefficients.png", "taskwise_coefficients.png", "entropy_vs_loss.png",
                "robustness.png", "disentanglement.png")) {
            BufferedImage img = ImageIO.read(results.resolve(png).toFile());
            assertNotNull(img, png + " does not decode");
            assertTrue(img.getWidth() > 100 && img.getHeight() > 100, png);
        }
        String readme = Files.readString(results.resolve("README.md"));
        for (String m : StudyResults.METHODS) assertTrue(readme.contains("| " + m + " |"), "README lacks " + m);
        for (String md : List.of("table1.md", "generalisation.md", "robustness.md", "entropy_vs_loss.md", "disentanglement.md"))
            assertTrue(Files.size(results.resolve(md)) > 100, md);
        JsonObject d = JsonParser.parseString(Files.readString(results.resolve("disentanglement.json"))).getAsJsonObject();
        assertEquals(8, d.getAsJsonArray("relativeNorms").size());
        assertEquals(8, d.getAsJsonArray("cosines").size());
        assertEquals(8, d.getAsJsonArray("curves").size());
        assertEquals(Study.CURVE_ALPHAS.length, d.getAsJsonArray("curves").get(0).getAsJsonArray().size());
        assertTrue(readme.contains("disentanglement.png"), "README lacks the disentanglement figure");
        assertEquals(2, r.generalisation.size());
        assertEquals(8, r.robustness.get("Layer-wise AdaMerging").size()); // clean + 7 corruptions
        assertEquals(9, r.entropyLoss.size());
        try (Stream<Path> files = Files.list(results)) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")), "temp files left behind");
        }
        // The layer-wise coefficients have one row per stored encoder tensor.
        assertEquals(6 + 12 * StandInModels.TINY.layers() + 2, r.coefficients.get("Layer-wise AdaMerging").get(0).rows().size());
    }

    @Test
    void incompleteModelFolderIsNamed(@TempDir Path tmp) {
        var e = assertThrows(IOException.class, () -> DemoModels.load(tmp, DemoTasks.NAMES));
        assertTrue(e.getMessage().contains("pretrained.safetensors"), e.getMessage());
    }
}
