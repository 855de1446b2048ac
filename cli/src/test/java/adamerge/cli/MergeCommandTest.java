package adamerge.cli;

import adamerge.tensor.Tensor;
import adamerge.vit.ClipCheckpoint;
import adamerge.vit.io.Checkpoints;
import adamerge.vit.io.SafetensorsWriter;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

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

/** {@code adamerge merge} end to end on the PyTorch AdaMerging fixture (merging module's test resources). */
class MergeCommandTest {
    static final Path FIXTURES = Path.of("../merging/src/test/resources/fixtures");
    @TempDir
    static Path dir;
    static Map<String, Tensor> f, ft;

    static Map<String, Tensor> read(Path file) throws IOException {
        return Checkpoints.read(file);
    }

    static Map<String, Tensor> prefixed(Map<String, Tensor> all, String prefix, String newPrefix) {
        Map<String, Tensor> m = new LinkedHashMap<>();
        all.forEach((k, v) -> {
            if (k.startsWith(prefix)) m.put(newPrefix + k.substring(prefix.length()), v);
        });
        return m;
    }

    /** Writes the fixture as user files: open_clip checkpoints with the visual. prefix, heads, data sets. */
    @BeforeAll
    static void files() throws IOException {
        f = read(FIXTURES.resolve("adamerging.safetensors"));
        ft = read(FIXTURES.resolve("adamerging_ft.safetensors"));
        SafetensorsWriter.write(dir.resolve("pre.safetensors"), prefixed(f, "pre.", "visual."));
        for (int k = 0; k < 3; k++) {
            Files.createDirectories(dir.resolve("task" + k));
            SafetensorsWriter.write(dir.resolve("task" + k + "/finetuned.safetensors"), prefixed(ft, "ft" + k + ".", "visual."));
            SafetensorsWriter.write(dir.resolve("head" + k + ".safetensors"), Map.of("weight", f.get("head" + k + ".weight")));
            SafetensorsWriter.write(dir.resolve("data" + k + ".safetensors"), Map.of("pixel_values", f.get("batch" + k)));
        }
    }

    record Run(int exit, String err) {
    }

    static Run merge(String... extra) {
        List<String> args = new ArrayList<>(List.of("merge", "--pretrained", dir.resolve("pre.safetensors").toString()));
        for (int k = 0; k < 3; k++) {
            args.addAll(List.of("--finetuned", dir.resolve("task" + k + "/finetuned.safetensors").toString(),
                    "--head", dir.resolve("head" + k + ".safetensors").toString(),
                    "--data", dir.resolve("data" + k + ".safetensors").toString()));
        }
        args.addAll(List.of(extra));
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args.toArray(new String[0]));
        return new Run(code, err.toString());
    }

    @Test
    void layerWiseAdaMergingMatchesPyTorch() throws IOException {
        Path out = dir.resolve("merged.safetensors"), lambdas = dir.resolve("lambdas.json"), report = dir.resolve("report.json");
        Run r = merge("--method", "adamerging-layer", "--steps", "5", "--out", out.toString(), "--lambdas-out", lambdas.toString(),
                "--report", report.toString());
        assertEquals(0, r.exit(), r.err());
        JsonObject j = JsonParser.parseString(Files.readString(lambdas)).getAsJsonObject();
        assertEquals(List.of("task0", "task1", "task2"), j.getAsJsonArray("tasks").asList().stream().map(e -> e.getAsString()).toList());
        float[] expected = f.get("layerwise.lambdas.step5").toArray();
        var rows = j.getAsJsonArray("lambdas");
        assertEquals(32, rows.size());
        for (int i = 0; i < expected.length; i++)
            assertEquals(Math.min(1, Math.max(0, expected[i])), rows.get(i / 3).getAsJsonArray().get(i % 3).getAsFloat(), 1e-5, "lambda " + i);
        assertTrue(Files.exists(dir.resolve("lambdas.png")));
        // the merged model keeps the input's keys and is the merge at the learned coefficients
        ClipCheckpoint merged = ClipCheckpoint.load(out, null);
        assertTrue(merged.sourceNames().get(0).startsWith("visual."));
        Tensor pre = f.get("pre.proj"), got = merged.source().get("visual.proj");
        float[] p = pre.toArray(), g = got.toArray();
        float[][] tau = new float[3][];
        for (int k = 0; k < 3; k++) tau[k] = ft.get("ft" + k + ".proj").sub(pre).toArray();
        var row = rows.get(2).getAsJsonArray(); // proj is layer 2
        for (int i = 0; i < p.length; i++) {
            float e = p[i];
            for (int k = 0; k < 3; k++) e += row.get(k).getAsFloat() * tau[k][i];
            assertEquals(e, g[i], 1e-6f);
        }
        JsonObject rep = JsonParser.parseString(Files.readString(report)).getAsJsonObject();
        assertEquals(5, rep.getAsJsonArray("loss_per_step").size());
        assertEquals(f.get("layerwise.loss.step1").item(), rep.getAsJsonArray("loss_per_step").get(0).getAsFloat(), 1e-4);
        assertEquals(3, rep.getAsJsonArray("tasks").size());
    }

    /** The same five steps with every tensor on the OpenCL device (PoCL in CI, where a missing device fails). */
    @Test
    void layerWiseAdaMergingOnOpenClMatchesPyTorch() throws IOException {
        Path lambdas = dir.resolve("cl.json");
        Run r = mergeOnOpenCl("--method", "adamerging-layer", "--steps", "5", "--out", dir.resolve("cl.safetensors").toString(),
                "--lambdas-out", lambdas.toString());
        assertEquals(0, r.exit(), r.err());
        var rows = JsonParser.parseString(Files.readString(lambdas)).getAsJsonObject().getAsJsonArray("lambdas");
        float[] expected = f.get("layerwise.lambdas.step5").toArray();
        for (int i = 0; i < expected.length; i++)
            assertEquals(Math.min(1, Math.max(0, expected[i])), rows.get(i / 3).getAsJsonArray().get(i % 3).getAsFloat(), 1e-5, "lambda " + i);
    }

    /** merge on --device opencl (skipped without a device, see {@link OpenClDevice}). */
    static Run mergeOnOpenCl(String... extra) {
        List<String> args = new ArrayList<>(List.of("--device", "opencl"));
        args.addAll(List.of(extra));
        return OpenClDevice.run(() -> merge(args.toArray(new String[0])));
    }

    @Test
    void resumesFromSavedCoefficients() throws IOException {
        Path a = dir.resolve("a.json"), b = dir.resolve("b.json");
        assertEquals(0, merge("--method", "adamerging-task", "--steps", "2", "--out", dir.resolve("m1.safetensors").toString(), "--lambdas-out", a.toString()).exit());
        Run r = merge("--method", "adamerging-task", "--steps", "0", "--lambdas-in", a.toString(), "--out", dir.resolve("m2.safetensors").toString(),
                "--lambdas-out", b.toString());
        assertEquals(0, r.exit(), r.err());
        assertEquals(JsonParser.parseString(Files.readString(a)), JsonParser.parseString(Files.readString(b)));
        assertArrayEquals(Files.readAllBytes(dir.resolve("m1.safetensors")), Files.readAllBytes(dir.resolve("m2.safetensors")));
    }

    @Test
    void halfPrecisionTaskVectorsStayClose() throws IOException {
        Path a = dir.resolve("f32.json"), b = dir.resolve("f16.json");
        assertEquals(0, merge("--method", "adamerging-layer", "--steps", "3", "--out", dir.resolve("h1.safetensors").toString(), "--lambdas-out", a.toString()).exit());
        assertEquals(0, merge("--method", "adamerging-layer", "--steps", "3", "--tv-dtype", "f16", "--out", dir.resolve("h2.safetensors").toString(),
                "--lambdas-out", b.toString()).exit());
        var ra = JsonParser.parseString(Files.readString(a)).getAsJsonObject().getAsJsonArray("lambdas");
        var rb = JsonParser.parseString(Files.readString(b)).getAsJsonObject().getAsJsonArray("lambdas");
        for (int i = 0; i < ra.size(); i++)
            for (int k = 0; k < 3; k++)
                assertEquals(ra.get(i).getAsJsonArray().get(k).getAsFloat(), rb.get(i).getAsJsonArray().get(k).getAsFloat(), 1e-4);
    }

    /**
     * A cap that holds the models but not one pass of the step's 18 images: the step starts over in
     * passes of half the size and learns PyTorch's coefficients all the same. (Five models fit; a
     * pass of 18 images needs about 5 MB more on top, a pass of 4 under 3 MB.)
     */
    @Test
    void aPassThatDoesNotFitTheDeviceCapIsHalved() throws IOException {
        Path lambdas = dir.resolve("capped.json"), report = dir.resolve("capped-report.json");
        long model = 4L * prefixed(f, "pre.", "").values().stream().mapToLong(Tensor::numel).sum();
        long cap = 5 * model + 3_000_000;
        Run r = mergeOnOpenCl("--method", "adamerging-layer", "--steps", "5", "--out", dir.resolve("capped.safetensors").toString(),
                "--lambdas-out", lambdas.toString(), "--report", report.toString(), "--images-per-pass", "1000",
                "--max-device-memory", Long.toString(cap));
        assertEquals(0, r.exit(), r.err());
        int used = JsonParser.parseString(Files.readString(report)).getAsJsonObject().get("images_per_pass_used").getAsInt();
        assertTrue(used >= 1 && used < 18, "passes of " + used + " images under a cap of " + cap + " bytes");
        var rows = JsonParser.parseString(Files.readString(lambdas)).getAsJsonObject().getAsJsonArray("lambdas");
        float[] expected = f.get("layerwise.lambdas.step5").toArray();
        for (int i = 0; i < expected.length; i++)
            assertEquals(Math.min(1, Math.max(0, expected[i])), rows.get(i / 3).getAsJsonArray().get(i % 3).getAsFloat(), 1e-5, "lambda " + i);
    }

    /** F16 task vectors on the device: the CPU's f16 coefficients (same rounding), and close to f32. */
    @Test
    void halfPrecisionTaskVectorsOnOpenCl() throws IOException {
        Path f32 = dir.resolve("cpu-f32.json"), f16 = dir.resolve("cpu-f16.json"), cl16 = dir.resolve("cl-f16.json");
        assertEquals(0, merge("--method", "adamerging-layer", "--steps", "3", "--out", dir.resolve("c32.safetensors").toString(), "--lambdas-out", f32.toString()).exit());
        assertEquals(0, merge("--method", "adamerging-layer", "--steps", "3", "--tv-dtype", "f16", "--out", dir.resolve("c16.safetensors").toString(),
                "--lambdas-out", f16.toString()).exit());
        Run r = mergeOnOpenCl("--method", "adamerging-layer", "--steps", "3", "--tv-dtype", "f16", "--out", dir.resolve("cl16.safetensors").toString(),
                "--lambdas-out", cl16.toString());
        assertEquals(0, r.exit(), r.err());
        var a32 = JsonParser.parseString(Files.readString(f32)).getAsJsonObject().getAsJsonArray("lambdas");
        var a16 = JsonParser.parseString(Files.readString(f16)).getAsJsonObject().getAsJsonArray("lambdas");
        var got = JsonParser.parseString(Files.readString(cl16)).getAsJsonObject().getAsJsonArray("lambdas");
        for (int i = 0; i < a32.size(); i++)
            for (int k = 0; k < 3; k++) {
                float g = got.get(i).getAsJsonArray().get(k).getAsFloat();
                assertEquals(a16.get(i).getAsJsonArray().get(k).getAsFloat(), g, 1e-5, "layer " + i + " task " + k + " vs the CPU's f16");
                assertEquals(a32.get(i).getAsJsonArray().get(k).getAsFloat(), g, 1e-4, "layer " + i + " task " + k + " vs f32");
            }
        // ++: TIES selects on f32, then the selected vectors go to F16 on the device.
        Path cpuPP = dir.resolve("cpu-pp.json"), clPP = dir.resolve("cl-pp.json");
        assertEquals(0, merge("--method", "adamerging-task++", "--steps", "2", "--tv-dtype", "f16", "--out", dir.resolve("cpp.safetensors").toString(),
                "--lambdas-out", cpuPP.toString()).exit());
        r = mergeOnOpenCl("--method", "adamerging-task++", "--steps", "2", "--tv-dtype", "f16", "--out", dir.resolve("clpp.safetensors").toString(),
                "--lambdas-out", clPP.toString());
        assertEquals(0, r.exit(), r.err());
        var pc = JsonParser.parseString(Files.readString(cpuPP)).getAsJsonObject().getAsJsonArray("lambdas").get(0).getAsJsonArray();
        var pg = JsonParser.parseString(Files.readString(clPP)).getAsJsonObject().getAsJsonArray("lambdas").get(0).getAsJsonArray();
        for (int k = 0; k < 3; k++) assertEquals(pc.get(k).getAsFloat(), pg.get(k).getAsFloat(), 1e-5, "task-wise ++ f16, task " + k);
    }

    @Test
    void taskArithmeticAndTies() throws IOException {
        Path out = dir.resolve("ta.safetensors");
        assertEquals(0, merge("--method", "task-arithmetic", "--out", out.toString()).exit());
        Tensor pre = f.get("pre.ln_post.weight"), sum = pre.mul(0);
        for (int k = 0; k < 3; k++) sum = sum.add(ft.get("ft" + k + ".ln_post.weight").sub(pre));
        assertArrayEquals(pre.add(sum.mul(0.3f)).toArray(), read(out).get("visual.ln_post.weight").toArray(), 1e-6f);
        for (String m : List.of("ties", "weight-averaging", "regmean", "fisher", "adamerging-layer++"))
            assertEquals(0, merge("--method", m, "--steps", "1", "--out", dir.resolve(m + ".safetensors").toString()).exit(), m);
    }

    @Test
    void dareWithoutDropsIsTaskArithmeticAndABadDropRateIsNamed() throws IOException {
        Path ta = dir.resolve("dare-ta.safetensors"), dare = dir.resolve("dare0.safetensors");
        assertEquals(0, merge("--method", "task-arithmetic", "--out", ta.toString()).exit());
        assertEquals(0, merge("--method", "dare", "--drop-rate", "0", "--out", dare.toString()).exit());
        Map<String, Tensor> a = read(ta), b = read(dare);
        for (String key : a.keySet()) assertArrayEquals(a.get(key).toArray(), b.get(key).toArray(), 0f, key);
        assertEquals(0, merge("--method", "dare-ties", "--seed", "3", "--out", dir.resolve("dare-ties.safetensors").toString()).exit());
        Path never = dir.resolve("never-dare.safetensors");
        Run r = merge("--method", "dare", "--drop-rate", "1.5", "--out", never.toString());
        assertNotEquals(0, r.exit());
        assertTrue(r.err().contains("--drop-rate must be in [0, 1), not 1.5"), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertFalse(Files.exists(never));
    }

    @Test
    void theSvdMergesRunAndABadCommonFractionIsNamed() throws IOException {
        for (String m : List.of("tsv", "iso-c", "iso-cts")) {
            Path out = dir.resolve(m + ".safetensors");
            Run r = merge("--method", m, "--out", out.toString());
            assertEquals(0, r.exit(), m + ": " + r.err());
            Map<String, Tensor> merged = read(out);
            // biases are not decomposed: theta_pre + 1.0 * the mean task vector
            Tensor pre = f.get("pre.ln_post.bias"), mean = pre.mul(0);
            for (int k = 0; k < 3; k++) mean = mean.add(ft.get("ft" + k + ".ln_post.bias").sub(pre));
            assertArrayEquals(pre.add(mean.div(3)).toArray(), merged.get("visual.ln_post.bias").toArray(), 1e-6f, m);
        }
        Path never = dir.resolve("never-iso.safetensors");
        Run r = merge("--method", "iso-cts", "--common-fraction", "1.2", "--out", never.toString());
        assertNotEquals(0, r.exit());
        assertTrue(r.err().contains("--common-fraction must be in [0, 1], not 1.2"), r.err());
        assertFalse(Files.exists(never));
    }

    /** A heatmap that cannot be written (its path is a folder) is one warning line; the model, report and JSON are written. */
    @Test
    void aFigureThatCannotBeDrawnIsAWarningNotAFailure() throws IOException {
        Path out = dir.resolve("fig-fails.safetensors"), lambdas = dir.resolve("blocked.json"), report = dir.resolve("blocked-report.json");
        Files.createDirectories(dir.resolve("blocked.png"));
        Files.writeString(dir.resolve("blocked.png/keep"), "a folder where the PNG would go");
        Run r = merge("--method", "adamerging-task", "--steps", "1", "--out", out.toString(), "--lambdas-out", lambdas.toString(),
                "--report", report.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(Files.size(out) > 0 && Files.size(lambdas) > 0 && Files.size(report) > 0);
        List<String> warnings = r.err().lines().filter(l -> l.contains("warning")).toList();
        assertEquals(1, warnings.size(), r.err());
        assertTrue(warnings.get(0).contains("blocked.png"), warnings.get(0));
    }

    @Test
    void badInputIsOneLineAndWritesNothing() throws IOException {
        Map<String, Tensor> bad = prefixed(f, "pre.", "visual.");
        float[] nan = bad.get("visual.proj").toArray();
        nan[5] = Float.NaN;
        bad.put("visual.proj", Tensor.of(nan, bad.get("visual.proj").shape()));
        SafetensorsWriter.write(dir.resolve("task1/nan.safetensors"), bad);
        Path out = dir.resolve("never.safetensors");
        List<String> args = new ArrayList<>(List.of("merge", "--method", "task-arithmetic", "--pretrained", dir.resolve("pre.safetensors").toString(),
                "--finetuned", dir.resolve("task1/nan.safetensors").toString(), "--out", out.toString()));
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setErr(new PrintWriter(err));
        assertNotEquals(0, cl.execute(args.toArray(new String[0])));
        assertTrue(err.toString().contains("visual.proj") && err.toString().contains("NaN"), err.toString());
        assertFalse(Files.exists(out));

        Run r = merge("--method", "adamerging-task", "--out", out.toString(), "--head", dir.resolve("head0.safetensors").toString());
        assertNotEquals(0, r.exit());
        assertTrue(r.err().contains("one --head and one --data per --finetuned"), r.err());
        Run missing = merge("--method", "ties", "--out", out.toString(), "--finetuned", dir.resolve("nope.safetensors").toString());
        assertNotEquals(0, missing.exit());
        assertTrue(missing.err().contains("nope.safetensors"), missing.err());
        assertFalse(Files.exists(out));
    }
}
