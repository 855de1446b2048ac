package adamerge.study;

import adamerge.merging.Merger;
import adamerge.merging.Method;
import adamerge.merging.Surgery;
import adamerge.merging.SurgeryTraining;
import adamerge.study.data.DemoTasks;
import adamerge.study.models.DemoModel;
import adamerge.tensor.Tensor;
import adamerge.vit.ClassificationHead;
import adamerge.vit.data.ImageDataSet;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Table 1's rows for the merges published since the paper (DARE, DARE-TIES, TSV-Merge, Iso-C,
 * Iso-CTS, and Representation Surgery on task arithmetic and layer-wise AdaMerging): on the path {@code demo --validation} takes (Table 1 alone) with two seeds, as
 * {@code --full} repeats the seeded rows, every cell equals what {@code adamerge merge --method M}
 * with its defaults ({@link Merger}, the command line's path) and an evaluation of its own give.
 */
class LaterMergesTest {

    @Test
    void laterRowsAreTheCommandLinesMergesWithTheirDefaults(@TempDir Path tmp) throws IOException {
        Path models = tmp.resolve("models"), results = tmp.resolve("results");
        StandInModels.write(models, StandInModels.TINY);
        StudySettings s = StudySettings.tiny().withSeeds(2);
        StudyResults r = Study.runAndWrite(models, s, StandInModels::syntheticSplit, results, 0, true, new PrintWriter(new StringWriter(), true));

        // The rows: the paper's twelve, then the five later merges, in results/table1.json as in the study.
        List<String> later = List.of("DARE", "DARE-TIES", "TSV-Merge", "Iso-C", "Iso-CTS");
        int paper = StudyResults.PAPER_METHODS.size();
        assertEquals(later, StudyResults.METHODS.subList(paper, paper + later.size()));
        assertEquals(List.of("Task Arithmetic + Surgery", "Layer-wise AdaMerging + Surgery"), StudyResults.METHODS.subList(paper + later.size(), StudyResults.METHODS.size()));
        JsonObject t1 = JsonParser.parseString(Files.readString(results.resolve("table1.json"))).getAsJsonObject();
        assertEquals(StudyResults.METHODS, List.copyOf(t1.keySet()));
        String md = Files.readString(results.resolve("table1.md"));
        for (String m : later) {
            String row = md.lines().filter(l -> l.startsWith("| " + m + " |")).findFirst().orElseThrow(() -> new AssertionError("table1.md lacks " + m));
            assertEquals(m.startsWith("DARE"), row.contains("±"), "only DARE's rows vary with the seed: " + row);
            assertEquals(r.mean(m).get("avg"), t1.getAsJsonObject(m).get("avg").getAsDouble(), 1e-9, m);
        }
        assertTrue(md.contains("scale 0.3, drop-rate 0.5") && md.contains("scale 0.5, drop-rate 0.5, ties-k 0.2")
                && md.contains("common-fraction 0.8"), "the note names the defaults:\n" + md);

        // The same merges and accuracies, computed independently through the library's entry point.
        List<String> tasks = DemoTasks.NAMES;
        List<Path> finetuned = new ArrayList<>();
        List<ClassificationHead> heads = new ArrayList<>();
        List<ImageDataSet> test = new ArrayList<>();
        for (String t : tasks) {
            finetuned.add(models.resolve("finetuned").resolve(t + ".safetensors"));
            heads.add(ClassificationHead.load(models.resolve("heads").resolve(t + ".safetensors")));
            test.add(DemoModel.dataSet(StandInModels.syntheticSplit(t, s.trainPool(), s.testPerTask(), s.dataSeed()).test()));
        }
        Merger merger = Merger.load(models.resolve("pretrained.safetensors"), finetuned, models.resolve("config.json")).withTaskData(heads, test);
        for (Method m : StudyResults.LATER_MERGES) {
            List<Map<String, Double>> runs = r.table1.get(m.paperName());
            assertEquals(Study.drawsMasks(m) ? s.seeds() : 1, runs.size(), m.paperName());
            for (int seed = 0; seed < runs.size(); seed++) {
                Merger.Settings cli = Merger.Settings.DEFAULT.withDefaultScaleOf(m).withSeed(seed);
                assertEquals(accuracies(merger, merger.merge(m, cli, null).merged(), tasks, s), runs.get(seed), m.paperName() + ", seed " + seed);
                // The comparison can fail: another scale gives other accuracies on these models.
                Map<String, Double> other = accuracies(merger, merger.merge(m, cli.withScale(3 * cli.scale()).withTies(cli.ties().withScale(3 * cli.scale())), null).merged(), tasks, s);
                assertNotEquals(other, runs.get(seed), m.paperName() + " at three times its scale");
            }
        }
        assertNotEquals(r.table1.get("DARE").get(0), r.table1.get("DARE").get(1), "DARE's seeds draw different masks");

        // Task Arithmetic + Surgery: the surgery merge --surgery trains (upstream's defaults, the seed's), on the test images.
        List<Map<String, Double>> surgeryRuns = r.table1.get(Study.TA_SURGERY);
        assertEquals(s.seeds(), surgeryRuns.size());
        Map<String, Tensor> ta = merger.merge(Method.TASK_ARITHMETIC, Merger.Settings.DEFAULT.withDefaultScaleOf(Method.TASK_ARITHMETIC), null).merged();
        for (int seed = 0; seed < s.seeds(); seed++) {
            Surgery surgery = merger.surgery(ta, tasks, SurgeryTraining.Options.DEFAULT, seed, null);
            Map<String, Double> want = new LinkedHashMap<>();
            for (int k = 0; k < tasks.size(); k++) want.put(tasks.get(k), merger.evaluate(ta, surgery, k, s.evalBatch(), null).accuracyPercent());
            assertEquals(want, surgeryRuns.get(seed), "Task Arithmetic + Surgery, seed " + seed);
        }
        assertNotEquals(r.table1.get("Task Arithmetic").get(0), surgeryRuns.get(0), "the surgery changes the predictions");
        assertEquals(s.seeds(), r.table1.get(Study.LAYERWISE_SURGERY).size());
        assertNotEquals(r.table1.get("Layer-wise AdaMerging").get(0), r.table1.get(Study.LAYERWISE_SURGERY).get(0));
    }

    private static Map<String, Double> accuracies(Merger merger, Map<String, Tensor> merged, List<String> tasks, StudySettings s) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (int k = 0; k < tasks.size(); k++) out.put(tasks.get(k), merger.evaluate(merged, k, s.evalBatch(), null).accuracyPercent());
        return out;
    }
}
