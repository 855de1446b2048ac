package adamerge.cli;

import adamerge.tensor.DType;
import adamerge.tensor.Tensor;
import adamerge.vit.io.SafetensorsReader;
import adamerge.vit.io.SafetensorsWriter;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** encode and eval run in-process on the tiny PyTorch-checked ViT fixtures of the vit module. */
class EncodeEvalCommandTest {
    static final Path FIXTURES = Path.of("../vit/src/test/resources/fixtures");
    static final Path IMAGES = Path.of("../vit/src/test/resources/preprocess");

    @TempDir
    Path tmp;

    record Run(int exit, String out, String err) {
    }

    /** Runs the command line as Main does, with its one-line error reporting. */
    static Run run(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            cmd.getErr().println("adamerge: " + ex.getMessage());
            return 1;
        });
        int exit = cl.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    static float[] read(Path file, String name) throws IOException {
        try (SafetensorsReader r = SafetensorsReader.open(file)) {
            return r.tensor(name).toArray();
        }
    }

    /** pixel_values of vit_io.safetensors (and optional labels) as a data set file. */
    Path dataSet(long[] labels) throws IOException {
        Path f = tmp.resolve("data.safetensors");
        Tensor px = Tensor.of(read(FIXTURES.resolve("vit_io.safetensors"), "pixel_values"), 3, 3, 32, 32);
        SafetensorsWriter.write(f, Map.of("pixel_values", px), Map.of(), labels == null ? Map.of() : Map.of("labels", labels), DType.F32);
        return f;
    }

    static void assertRelClose(float[] expected, float[] actual, double rtol) {
        assertEquals(expected.length, actual.length);
        double scale = 0, worst = 0;
        for (int i = 0; i < expected.length; i++) {
            scale = Math.max(scale, Math.abs(expected[i]));
            worst = Math.max(worst, Math.abs(expected[i] - actual[i]));
        }
        assertTrue(worst <= rtol * scale, "max error " + worst + " for scale " + scale);
    }

    @Test
    void encodeMatchesPyTorchFeaturesForOpenClipAndHuggingFaceLayouts() throws Exception {
        float[] features = read(FIXTURES.resolve("vit_io.safetensors"), "features");
        Path data = dataSet(null);
        for (String model : new String[]{"vit_openclip.safetensors", "vit_hf"}) {
            Path out = tmp.resolve(model + ".embeds.safetensors");
            Run r = run("encode", "--model", FIXTURES.resolve(model).toString(), "--input", data.toString(), "--out", out.toString(), "--batch", "2");
            assertEquals(0, r.exit, r.err);
            try (SafetensorsReader rd = SafetensorsReader.open(out)) {
                assertArrayEquals(new long[]{3, 48}, rd.entry("image_embeds").shape());
                assertFalse(rd.contains("labels"));
            }
            assertRelClose(features, read(out, "image_embeds"), 1e-4);
        }
    }

    @Test
    void encodeOfAnImageFolderKeepsLabels() throws Exception {
        Path root = tmp.resolve("images");
        Files.createDirectories(root.resolve("a"));
        Files.createDirectories(root.resolve("b"));
        Files.copy(IMAGES.resolve("rgb_50x37.png"), root.resolve("a/1.png"));
        Files.copy(IMAGES.resolve("photo_60x45.jpg"), root.resolve("b/2.jpg"));
        Files.copy(IMAGES.resolve("gray_64x80.png"), root.resolve("b/3.png"));
        Path out = tmp.resolve("e.safetensors");
        Run r = run("encode", "--model", FIXTURES.resolve("vit_openclip.safetensors").toString(), "--input", root.toString(), "--out", out.toString());
        assertEquals(0, r.exit, r.err);
        try (SafetensorsReader rd = SafetensorsReader.open(out)) {
            assertArrayEquals(new long[]{3, 48}, rd.entry("image_embeds").shape());
            assertArrayEquals(new long[]{0, 1, 1}, rd.longs("labels"));
        }
    }

    @Test
    void evalAccuracyAndEntropyMatchAnIndependentComputation() throws Exception {
        float[] f = read(FIXTURES.resolve("vit_io.safetensors"), "features");
        float[] w = read(FIXTURES.resolve("vit_io.safetensors"), "head.weight");
        int n = 3, d = 48, c = 5;
        float[] bias = {0.5f, -0.25f, 0f, 1f, -1f};
        // logits = normalize(f) W^T + b, in double from PyTorch's features
        int[] pred = new int[n];
        double entropy = 0;
        for (int i = 0; i < n; i++) {
            double norm = 0;
            for (int j = 0; j < d; j++) norm += (double) f[i * d + j] * f[i * d + j];
            norm = Math.sqrt(norm);
            double[] z = new double[c];
            for (int k = 0; k < c; k++) {
                for (int j = 0; j < d; j++) z[k] += f[i * d + j] / norm * w[k * d + j];
                z[k] += bias[k];
                if (z[k] > z[pred[i]]) pred[i] = k;
            }
            double max = z[pred[i]], sum = 0;
            for (double v : z) sum += Math.exp(v - max);
            for (double v : z) {
                double p = Math.exp(v - max) / sum;
                entropy -= p * Math.log(p);
            }
        }
        long[] labels = {pred[0], (pred[1] + 1) % c, pred[2]}; // 2 of 3 right
        Path data = dataSet(labels);
        Path head = tmp.resolve("head.safetensors");
        SafetensorsWriter.write(head, Map.of("weight", Tensor.of(w, c, d), "bias", Tensor.of(bias, c)));

        Run r = run("eval", "--model", FIXTURES.resolve("vit_hf").toString(), "--head", head.toString(), "--data", data.toString(), "--json");
        assertEquals(0, r.exit, r.err);
        JsonObject o = JsonParser.parseString(r.out.trim()).getAsJsonObject();
        assertEquals(2.0 / 3, o.get("accuracy").getAsDouble(), 1e-6);
        assertEquals(entropy / n, o.get("mean_entropy").getAsDouble(), 1e-4 * Math.max(1, entropy / n));
        assertEquals(3, o.get("n").getAsInt());

        Run text = run("eval", "--model", FIXTURES.resolve("vit_openclip.safetensors").toString(), "--head", head.toString(), "--data", data.toString());
        assertEquals(0, text.exit, text.err);
        assertTrue(text.out.contains("accuracy      0.6667  (2/3)"), text.out);

        Path unlabeled = tmp.resolve("u.safetensors");
        Files.move(dataSet(null), unlabeled);
        Run u = run("eval", "--model", FIXTURES.resolve("vit_hf").toString(), "--head", head.toString(), "--data", unlabeled.toString(), "--json");
        assertEquals(0, u.exit, u.err);
        assertTrue(JsonParser.parseString(u.out.trim()).getAsJsonObject().get("accuracy").isJsonNull(), u.out);
    }

    /** encode and eval on the OpenCL device: PyTorch's features within the CPU test's tolerance, the CPU's accuracy and entropy. */
    @Test
    void encodeAndEvalOnOpenClMatchPyTorchAndTheCpu() throws Exception {
        float[] features = read(FIXTURES.resolve("vit_io.safetensors"), "features");
        String model = FIXTURES.resolve("vit_openclip.safetensors").toString();
        Path embeds = tmp.resolve("cl.embeds.safetensors"), images = dataSet(null);
        Run r = OpenClDevice.run(() -> run("encode", "--device", "opencl", "--model", model, "--input", images.toString(),
                "--out", embeds.toString(), "--batch", "2"));
        assertEquals(0, r.exit, r.err);
        assertRelClose(features, read(embeds, "image_embeds"), 1e-4);

        long[] labels = {0, 3, 1};
        Path data = dataSet(labels), head = tmp.resolve("head.safetensors");
        SafetensorsWriter.write(head, Map.of("weight", Tensor.of(read(FIXTURES.resolve("vit_io.safetensors"), "head.weight"), 5, 48),
                "bias", Tensor.of(new float[]{0.5f, -0.25f, 0f, 1f, -1f}, 5)));
        String[] eval = {"eval", "--model", model, "--head", head.toString(), "--data", data.toString(), "--json"};
        Run cpu = run(eval);
        Run cl = OpenClDevice.run(() -> run(concat(eval, "--device", "opencl")));
        assertEquals(0, cpu.exit, cpu.err);
        assertEquals(0, cl.exit, cl.err);
        JsonObject e = JsonParser.parseString(cpu.out.trim()).getAsJsonObject(), a = JsonParser.parseString(cl.out.trim()).getAsJsonObject();
        assertEquals(e.get("n").getAsInt(), a.get("n").getAsInt());
        assertEquals(e.get("accuracy").getAsDouble(), a.get("accuracy").getAsDouble(), 0);
        assertEquals(e.get("mean_entropy").getAsDouble(), a.get("mean_entropy").getAsDouble(), 1e-4 * Math.max(1, e.get("mean_entropy").getAsDouble()));
    }

    private static String[] concat(String[] a, String... b) {
        String[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    @Test
    void badInputGivesOneLineErrorsAndNoOutputFile() throws Exception {
        Path data = dataSet(null);
        Path out = tmp.resolve("out.safetensors");
        String model = FIXTURES.resolve("vit_openclip.safetensors").toString();

        Run r = run("encode", "--model", tmp.resolve("missing.safetensors").toString(), "--input", data.toString(), "--out", out.toString());
        assertEquals(1, r.exit);
        assertTrue(r.err.startsWith("adamerge: ") && r.err.contains("missing.safetensors") && r.err.strip().lines().count() == 1, r.err);

        r = run("encode", "--model", model, "--input", data.toString(), "--out", out.toString(), "--device", "tpu");
        assertEquals(1, r.exit);
        assertTrue(r.err.contains("unknown device 'tpu'"), r.err);

        Path small = tmp.resolve("small.safetensors");
        SafetensorsWriter.write(small, Map.of("pixel_values", Tensor.zeros(2, 3, 16, 16)));
        r = run("encode", "--model", model, "--input", small.toString(), "--out", out.toString());
        assertEquals(1, r.exit);
        assertTrue(r.err.contains("small.safetensors") && r.err.contains("[2, 3, 16, 16]") && r.err.contains("[N, 3, 32, 32]"), r.err);

        Path head = tmp.resolve("head.safetensors");
        SafetensorsWriter.write(head, Map.of("weight", Tensor.zeros(4, 7)));
        r = run("eval", "--model", model, "--head", head.toString(), "--data", data.toString());
        assertEquals(1, r.exit);
        assertTrue(r.err.contains("7-dim") && r.err.contains("48"), r.err);

        assertFalse(Files.exists(out));
        try (var s = Files.list(tmp)) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().contains(".tmp-")), "a temp file was left behind");
        }
    }
}
