package adamerge.merging;

import adamerge.tensor.Tensor;
import adamerge.vit.ClipCheckpoint;
import adamerge.vit.Predictions;
import adamerge.vit.io.SafetensorsWriter;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The Java API on user files made from the PyTorch AdaMerging fixture (scripts/fixtures): open_clip
 * checkpoints with the {@code visual.} prefix, one head and one data set per task.
 */
class MergerTest {
    @TempDir
    static Path dir;
    static Map<String, Tensor> f, ft;
    static Path pre;
    static final List<Path> FINETUNED = new ArrayList<>(), HEADS = new ArrayList<>(), DATA = new ArrayList<>();

    @BeforeAll
    static void files() throws IOException {
        f = MergeFixtures.read("adamerging.safetensors");
        ft = MergeFixtures.read("adamerging_ft.safetensors");
        pre = dir.resolve("pre.safetensors");
        SafetensorsWriter.write(pre, visual(MergeFixtures.group(f, "pre.")));
        for (int k = 0; k < 3; k++) {
            Path model = dir.resolve("ft" + k + ".safetensors"), head = dir.resolve("head" + k + ".safetensors"), data = dir.resolve("data" + k + ".safetensors");
            SafetensorsWriter.write(model, visual(MergeFixtures.group(ft, "ft" + k + ".")));
            SafetensorsWriter.write(head, Map.of("weight", f.get("head" + k + ".weight")));
            SafetensorsWriter.write(data, Map.of("pixel_values", f.get("batch" + k)));
            FINETUNED.add(model);
            HEADS.add(head);
            DATA.add(data);
        }
    }

    static Map<String, Tensor> visual(Map<String, Tensor> m) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        m.forEach((k, v) -> out.put("visual." + k, v));
        return out;
    }

    /** Five layer-wise steps through the API: PyTorch's coefficients and first loss, every step heard, the model written as merged. */
    @Test
    void layerWiseAdaMergingMatchesPyTorchAndReportsEachStep() throws IOException {
        Merger m = Merger.load(pre, FINETUNED).withTasks(HEADS, DATA);
        List<Float> heard = new ArrayList<>();
        List<Integer> steps = new ArrayList<>();
        Merger.Result r = m.merge(Method.ADAMERGING_LAYER, Merger.Settings.DEFAULT.withSteps(5), (step, loss) -> {
            steps.add(step);
            heard.add(loss);
        });
        assertEquals(List.of(1, 2, 3, 4, 5), steps);
        assertEquals(f.get("layerwise.loss.step1").item(), heard.get(0), 1e-4);
        assertEquals(5, r.lossPerStep().size());
        assertEquals(heard.get(4), r.lossPerStep().get(4).floatValue());
        float[] expected = f.get("layerwise.lambdas.step5").toArray();
        assertEquals(expected.length / 3, r.coefficients().length);
        assertEquals(r.coefficients().length, r.coefficientRows().size());
        for (int i = 0; i < expected.length; i++)
            assertEquals(Math.min(1, Math.max(0, expected[i])), r.coefficients()[i / 3][i % 3], 1e-5, "lambda " + i);

        Path out = dir.resolve("merged.safetensors");
        m.write(r.merged(), out);
        Map<String, Tensor> back = ClipCheckpoint.load(out, null).source();
        assertEquals(r.merged().keySet(), back.keySet());
        r.merged().forEach((k, v) -> assertArrayEquals(v.toArray(), back.get(k).toArray(), k));
    }

    /** Task arithmetic by hand: theta_pre + scale * sum_k tau_k. */
    @Test
    void taskArithmeticIsThePretrainedPlusTheScaledSum() throws IOException {
        Merger m = Merger.load(pre, FINETUNED);
        Map<String, Tensor> merged = m.merge(Method.TASK_ARITHMETIC, Merger.Settings.DEFAULT.withScale(0.4f), null).merged();
        float[] p = f.get("pre.ln_post.weight").toArray(), got = merged.get("visual.ln_post.weight").toArray();
        for (int i = 0; i < p.length; i++) {
            float sum = 0;
            for (int k = 0; k < 3; k++) sum += ft.get("ft" + k + ".ln_post.weight").toArray()[i] - p[i];
            assertEquals(p[i] + 0.4f * sum, got[i], 1e-6f, "element " + i);
        }
        assertTrue(m.zeroTaskVectors().isEmpty());
    }

    @Test
    void methodsThatReadDataNeedTasksAndEvaluationCountsEveryImage() throws IOException {
        Merger bare = Merger.load(pre, FINETUNED);
        assertThrows(IllegalArgumentException.class, () -> bare.merge(Method.REGMEAN, Merger.Settings.DEFAULT, null));
        Merger m = bare.withTasks(HEADS, DATA);
        Map<String, Tensor> merged = m.merge(Method.WEIGHT_AVERAGING, Merger.Settings.DEFAULT, null).merged();
        Predictions p = m.evaluate(merged, 1, 3, null);
        assertEquals(f.get("batch1").shape()[0], p.size());
        assertFalse(p.labelled());
        assertThrows(IllegalArgumentException.class, () -> bare.withTasks(HEADS.subList(0, 2), DATA));
    }
}
