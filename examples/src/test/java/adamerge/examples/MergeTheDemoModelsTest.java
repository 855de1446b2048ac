package adamerge.examples;

import adamerge.vit.ClipCheckpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/** CI runs the example as a user would, on the shipped demo models. */
class MergeTheDemoModelsTest {
    static final Path MODELS = Path.of("../models/demo");

    @Test
    void mergesTheShippedModelsAndWritesTheResult(@TempDir Path dir) throws IOException {
        Path out = dir.resolve("merged.safetensors");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream before = System.out;
        System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try {
            MergeTheDemoModels.main(new String[]{MODELS.toString(), out.toString()});
        } finally {
            System.setOut(before);
        }
        String printed = bytes.toString(StandardCharsets.UTF_8);
        before.print(printed);

        // Six tasks and an average for each of the two methods, every accuracy a percentage.
        Matcher m = Pattern.compile("accuracy\\s+([0-9.]+)%").matcher(printed);
        int lines = 0;
        while (m.find()) {
            double acc = Double.parseDouble(m.group(1));
            assertTrue(acc >= 0 && acc <= 100, printed);
            lines++;
        }
        assertEquals(2 * 7, lines, printed);
        assertTrue(printed.contains("AdaMerging step 40:"), printed);

        // The written model is a checkpoint in the pretrained one's layout.
        ClipCheckpoint pre = ClipCheckpoint.load(MODELS.resolve("pretrained.safetensors"), null);
        ClipCheckpoint merged = ClipCheckpoint.load(out, null);
        assertEquals(pre.sourceNames(), merged.sourceNames());
        assertEquals(pre.config(), merged.config());
    }
}
