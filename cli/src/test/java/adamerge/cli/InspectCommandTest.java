package adamerge.cli;

import adamerge.study.models.DemoCheckpoints;
import adamerge.tensor.DType;
import adamerge.tensor.Tensor;
import adamerge.vit.ClipWeights;
import adamerge.vit.VitConfig;
import adamerge.vit.io.SafetensorsWriter;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** {@code adamerge inspect} on hand-made task vectors, and its curves against {@code adamerge eval}. */
class InspectCommandTest {
    static final VitConfig SMALL = new VitConfig(32, 16, 16, 1, 1, 32, 8, VitConfig.Activation.QUICK_GELU, 1e-5f);
    @TempDir
    Path dir;

    static Cli.Result run(String... args) {
        return Cli.run(args);
    }

    private static Map<String, Tensor> plus(Map<String, Tensor> pre, Map<String, Tensor> tau) {
        Map<String, Tensor> m = new LinkedHashMap<>();
        pre.forEach((k, v) -> m.put(k, v.add(tau.get(k))));
        return m;
    }

    private static Map<String, Tensor> scaled(Map<String, Tensor> m, float s) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        m.forEach((k, v) -> out.put(k, v.mul(s)));
        return out;
    }

    @Test
    void normsCosinesAndCurvesOfHandMadeVectors() throws Exception {
        Map<String, Tensor> pre = ClipWeights.random(SMALL, 11);
        // tau_0 = 0.1 pre, tau_1 = -0.2 pre (anti-parallel), tau_2 = r minus its projection on pre (orthogonal to both)
        Map<String, Tensor> r = new LinkedHashMap<>();
        int s = 0;
        for (Map.Entry<String, Tensor> e : pre.entrySet()) r.put(e.getKey(), Tensor.randn(++s, e.getValue().shape()).mul(0.05f));
        double rp = 0, pp = 0;
        for (String k : pre.keySet()) {
            float[] a = r.get(k).toArray(), b = pre.get(k).toArray();
            for (int i = 0; i < a.length; i++) {
                rp += (double) a[i] * b[i];
                pp += (double) b[i] * b[i];
            }
        }
        Map<String, Tensor> orth = new LinkedHashMap<>();
        float c = (float) (rp / pp);
        r.forEach((k, v) -> orth.put(k, v.sub(pre.get(k).mul(c))));
        List<Map<String, Tensor>> taus = List.of(scaled(pre, 0.1f), scaled(pre, -0.2f), orth);

        Path preFile = dir.resolve("pre.safetensors");
        DemoCheckpoints.writeEncoder(preFile, SMALL, pre);
        List<String> args = new ArrayList<>(List.of("inspect", "--pretrained", preFile.toString(), "--images", "30", "--alphas", "0,0.5,1",
                "--error-alphas", "1", "--json", dir.resolve("report.json").toString()));
        int n = 30;
        long[] labels = new long[n];
        for (int i = 0; i < n; i++) labels[i] = i % 4;
        for (int k = 0; k < 3; k++) {
            Path ft = dir.resolve("t" + k + ".safetensors"), head = dir.resolve("h" + k + ".safetensors"), data = dir.resolve("d" + k + ".safetensors");
            DemoCheckpoints.writeEncoder(ft, SMALL, plus(pre, taus.get(k)));
            SafetensorsWriter.write(head, Map.of("weight", Tensor.randn(40 + k, 4, 8).mul(20)));
            SafetensorsWriter.write(data, Map.of("pixel_values", Tensor.randn(50 + k, n, 3, 32, 32)), Map.of(), Map.of("labels", labels), DType.F32);
            args.addAll(List.of("--finetuned", ft.toString(), "--head", head.toString(), "--data", data.toString()));
        }
        Cli.Result run = run(args.toArray(new String[0]));
        assertEquals(0, run.exit(), run.err());
        JsonObject j = JsonParser.parseString(Files.readString(dir.resolve("report.json"))).getAsJsonObject();
        JsonArray norms = j.getAsJsonArray("relative_norms"), cos = j.getAsJsonArray("cosines");
        assertEquals(0.1, norms.get(0).getAsDouble(), 1e-6);
        assertEquals(0.2, norms.get(1).getAsDouble(), 1e-6);
        assertEquals(-1, cos.get(0).getAsJsonArray().get(1).getAsDouble(), 1e-6, "anti-parallel");
        assertEquals(0, cos.get(0).getAsJsonArray().get(2).getAsDouble(), 1e-5, "orthogonal");
        assertEquals(0, cos.get(1).getAsJsonArray().get(2).getAsDouble(), 1e-5, "orthogonal");
        assertTrue(run.out().contains("cosine between task vectors"), run.out());

        // a = 0 is the pretrained model, a = 1 the fine-tuned one: compare with `adamerge eval` (6 decimals; one image is 0.033).
        JsonArray curves = j.getAsJsonArray("accuracy_curves");
        for (int k = 0; k < 3; k++)
            for (int t = 0; t < 3; t++) {
                double atZero = curves.get(k).getAsJsonArray().get(0).getAsJsonArray().get(t).getAsDouble();
                double atOne = curves.get(k).getAsJsonArray().get(2).getAsJsonArray().get(t).getAsDouble();
                assertEquals(evalAccuracy(preFile, t), atZero, 1e-6, "a = 0, vector " + k + ", task " + t);
                assertEquals(evalAccuracy(dir.resolve("t" + k + ".safetensors"), t), atOne, 1e-6, "a = 1, vector " + k + ", task " + t);
            }
        JsonArray xi = j.getAsJsonArray("disentanglement_error");
        assertEquals(0, xi.get(1).getAsJsonArray().get(1).getAsDouble(), 0);
        assertEquals(xi.get(0).getAsJsonArray().get(2).getAsDouble(), xi.get(2).getAsJsonArray().get(0).getAsDouble(), 0);
    }

    private double evalAccuracy(Path model, int task) {
        Cli.Result r = run("eval", "--model", model.toString(), "--head", dir.resolve("h" + task + ".safetensors").toString(),
                "--data", dir.resolve("d" + task + ".safetensors").toString(), "--json");
        assertEquals(0, r.exit(), r.err());
        return JsonParser.parseString(r.out().strip()).getAsJsonObject().get("accuracy").getAsDouble();
    }

    @Test
    void theJsonReportNeverReplacesAnInput() throws Exception {
        Path pre = dir.resolve("pre.safetensors"), ft = dir.resolve("ft.safetensors");
        DemoCheckpoints.writeEncoder(pre, SMALL, ClipWeights.random(SMALL, 1));
        DemoCheckpoints.writeEncoder(ft, SMALL, ClipWeights.random(SMALL, 2));
        byte[] before = Files.readAllBytes(ft);
        Cli.Result r = run("inspect", "--pretrained", pre.toString(), "--finetuned", ft.toString(), "--json", dir.resolve("./ft.safetensors").toString());
        assertNotEquals(0, r.exit());
        assertTrue(r.err().contains("--json") && r.err().contains("destroy an input"), r.err());
        assertArrayEquals(before, Files.readAllBytes(ft));
    }

    @Test
    void curvesNeedAHeadAndDataPerModel() throws Exception {
        Path pre = dir.resolve("pre.safetensors");
        DemoCheckpoints.writeEncoder(pre, SMALL, ClipWeights.random(SMALL, 1));
        Cli.Result r = run("inspect", "--pretrained", pre.toString(), "--finetuned", pre.toString(), "--data", pre.toString());
        assertNotEquals(0, r.exit());
        assertTrue(r.err().contains("one --head and one --data per --finetuned"), r.err());
    }
}
