package adamerge.cli;

import adamerge.tensor.Tensor;
import adamerge.vit.io.SafetensorsWriter;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Checkpoint and resume of AdaMerging: a run stopped (by its step count, or by SIGTERM in a child
 * JVM) and resumed ends with the coefficients and model of the uninterrupted run. Batch 1 with two
 * batches a step, so the samplers' order matters.
 */
class CheckpointResumeTest {
    @TempDir
    static Path dir;
    static List<String> inputs = new ArrayList<>();

    @BeforeAll
    static void files() throws IOException {
        Map<String, Tensor> f = MergeCommandTest.read(MergeCommandTest.FIXTURES.resolve("adamerging.safetensors"));
        Map<String, Tensor> ft = MergeCommandTest.read(MergeCommandTest.FIXTURES.resolve("adamerging_ft.safetensors"));
        SafetensorsWriter.write(dir.resolve("pre.safetensors"), MergeCommandTest.prefixed(f, "pre.", "visual."));
        inputs.addAll(List.of("--pretrained", dir.resolve("pre.safetensors").toString()));
        for (int k = 0; k < 3; k++) {
            SafetensorsWriter.write(dir.resolve("task" + k + ".safetensors"), MergeCommandTest.prefixed(ft, "ft" + k + ".", "visual."));
            SafetensorsWriter.write(dir.resolve("head" + k + ".safetensors"), Map.of("weight", f.get("head" + k + ".weight")));
            SafetensorsWriter.write(dir.resolve("data" + k + ".safetensors"), Map.of("pixel_values", f.get("batch" + k)));
            inputs.addAll(List.of("--finetuned", dir.resolve("task" + k + ".safetensors").toString(), "--head",
                    dir.resolve("head" + k + ".safetensors").toString(), "--data", dir.resolve("data" + k + ".safetensors").toString()));
        }
    }

    /** merge adamerging-layer with batch 1, 2 batches a step, writing NAME.safetensors and NAME.json. */
    static List<String> args(String name, int steps, String... extra) {
        List<String> a = new ArrayList<>(List.of("merge", "--method", "adamerging-layer", "--batch", "1", "--batches-per-step", "2",
                "--steps", Integer.toString(steps), "--out", dir.resolve(name + ".safetensors").toString(),
                "--lambdas-out", dir.resolve(name + ".json").toString()));
        a.addAll(inputs);
        a.addAll(List.of(extra));
        return a;
    }

    static Cli.Result run(List<String> args) {
        return Cli.run(args);
    }

    static JsonObject json(Path p) throws IOException {
        return JsonParser.parseString(Files.readString(p)).getAsJsonObject();
    }

    /** The coefficients and every tensor of two runs agree within 1e-6. */
    static void assertSameResult(String expected, String actual) throws IOException {
        JsonArray a = json(dir.resolve(expected + ".json")).getAsJsonArray("lambdas"), b = json(dir.resolve(actual + ".json")).getAsJsonArray("lambdas");
        assertEquals(a.size(), b.size());
        for (int r = 0; r < a.size(); r++)
            for (int k = 0; k < 3; k++)
                assertEquals(a.get(r).getAsJsonArray().get(k).getAsFloat(), b.get(r).getAsJsonArray().get(k).getAsFloat(), 1e-6, "layer " + r + " task " + k);
        Map<String, Tensor> ma = MergeCommandTest.read(dir.resolve(expected + ".safetensors")), mb = MergeCommandTest.read(dir.resolve(actual + ".safetensors"));
        assertEquals(ma.keySet(), mb.keySet());
        for (String key : ma.keySet()) assertArrayEquals(ma.get(key).toArray(), mb.get(key).toArray(), 1e-6f, key);
    }

    @Test
    void aRunResumedFromItsCheckpointEndsAsTheUninterruptedRun() throws IOException {
        Cli.Result whole = run(args("whole", 6, "--report", dir.resolve("whole-report.json").toString()));
        assertEquals(0, whole.exit(), whole.err());
        // three steps, then three more from the checkpoint written beside --out after the last step
        assertEquals(0, run(args("first", 3, "--checkpoint-every", "2")).exit());
        Path ckpt = dir.resolve("first.safetensors.checkpoint.json");
        assertEquals(3, json(ckpt).get("step").getAsInt());
        Cli.Result rest = run(args("resumed", 6, "--resume", ckpt.toString(), "--checkpoint", dir.resolve("resumed.ckpt.json").toString(),
                "--report", dir.resolve("resumed-report.json").toString()));
        assertEquals(0, rest.exit(), rest.err());
        assertTrue(rest.err().contains("after step 3 of 6"), rest.err());
        assertSameResult("whole", "resumed");
        // the loss history in the report: the first three steps from the checkpoint, the rest from the resumed run.
        // Not bit for bit: two runs of the same merge differ in the last bits (the parallel kernels' summation order).
        JsonArray la = json(dir.resolve("whole-report.json")).getAsJsonArray("loss_per_step"), lb = json(dir.resolve("resumed-report.json")).getAsJsonArray("loss_per_step");
        assertEquals(6, lb.size());
        for (int i = 0; i < 6; i++) assertEquals(la.get(i).getAsDouble(), lb.get(i).getAsDouble(), 1e-5, "loss of step " + (i + 1));
        assertEquals(6, json(dir.resolve("resumed.ckpt.json")).get("step").getAsInt());
    }

    /** SIGTERM to a child JVM mid-run: it writes its checkpoint and exits non-zero without a model; --resume finishes the run. */
    @Test
    void sigtermThenResumeEqualsTheUninterruptedRun() throws Exception {
        Path ckpt = dir.resolve("killed.ckpt.json"), log = dir.resolve("killed.log");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                Main.class.getName()));
        cmd.addAll(args("killed", 1_000_000, "--checkpoint", ckpt.toString(), "--checkpoint-every", "1"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        StoppedRun.Result stop = StoppedRun.sigtermAfterStep(2, p, ckpt, c -> json(c).get("step").getAsInt(), log);
        assertFalse(Files.exists(dir.resolve("killed.safetensors")), "the merged model is not written when stopped");
        int stopped = stop.step();

        Cli.Result rest = run(args("killed", stopped + 2, "--checkpoint", ckpt.toString(), "--resume", ckpt.toString()));
        assertEquals(0, rest.exit(), rest.err());
        Cli.Result whole = run(args("unkilled", stopped + 2));
        assertEquals(0, whole.exit(), whole.err());
        assertSameResult("unkilled", "killed");
    }

    @Test
    void aResumeWithOtherSettingsOrInputsIsRefusedInOneLine() throws IOException {
        assertEquals(0, run(args("base", 2, "--checkpoint", dir.resolve("base.ckpt.json").toString())).exit());
        String ckpt = dir.resolve("base.ckpt.json").toString();
        Cli.Result lr = run(args("other", 4, "--resume", ckpt, "--lr", "2e-3"));
        assertNotEquals(0, lr.exit());
        assertOneLine(lr, "setting lr was 0.001");
        assertOneLine(run(args("other", 4, "--resume", ckpt, "--seed", "5")), "setting seed was 0");
        // task 0 and task 1 swapped: the fingerprints name the file
        List<String> swapped = args("other", 4, "--resume", ckpt);
        int a = swapped.indexOf(dir.resolve("task0.safetensors").toString()), b = swapped.indexOf(dir.resolve("task1.safetensors").toString());
        swapped.set(a, dir.resolve("task1.safetensors").toString());
        swapped.set(b, dir.resolve("task0.safetensors").toString());
        assertOneLine(run(swapped), "task1.safetensors is not the file the checkpoint was made from");
        Cli.Result beyond = run(args("other", 1, "--resume", ckpt));
        assertOneLine(beyond, "beyond --steps 1");
        assertFalse(Files.exists(dir.resolve("other.safetensors")));
    }

    @Test
    void aCorruptOrTruncatedCheckpointIsAClearError() throws IOException {
        assertEquals(0, run(args("src", 1, "--checkpoint", dir.resolve("src.ckpt.json").toString())).exit());
        byte[] good = Files.readAllBytes(dir.resolve("src.ckpt.json"));
        Path truncated = dir.resolve("truncated.json"), garbage = dir.resolve("garbage.json"), foreign = dir.resolve("foreign.json");
        Files.write(truncated, java.util.Arrays.copyOf(good, good.length / 2));
        Files.write(garbage, new byte[]{0, 1, 2, (byte) 0xff, 'x'});
        Files.writeString(foreign, "{\"layers\": [], \"lambdas\": []}");
        for (Path p : List.of(truncated, garbage, foreign))
            assertOneLine(run(args("never", 3, "--resume", p.toString())), "--resume " + p + ": not a complete");
        assertOneLine(run(args("never", 3, "--resume", dir.resolve("missing.json").toString())), "no such checkpoint");
        assertFalse(Files.exists(dir.resolve("never.safetensors")));
    }

    static void assertOneLine(Cli.Result r, String expected) {
        assertNotEquals(0, r.exit(), r.err());
        List<String> errors = r.err().lines().filter(l -> l.startsWith("adamerge:")).toList();
        assertEquals(1, errors.size(), r.err());
        assertTrue(errors.get(0).contains(expected), r.err());
    }
}
