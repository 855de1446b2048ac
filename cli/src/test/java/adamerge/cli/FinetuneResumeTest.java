package adamerge.cli;

import adamerge.tensor.DType;
import adamerge.tensor.Tensor;
import adamerge.vit.io.SafetensorsReader;
import adamerge.vit.io.SafetensorsWriter;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Checkpoint and resume of finetune: a child JVM stopped by SIGTERM mid-epoch writes its
 * checkpoint and leaves --out alone; --resume ends with the weights of the uninterrupted run
 * (batch 1, so the position in the epoch's shuffle matters). A resume with another setting or
 * input, or from a corrupt checkpoint, is refused in one line.
 */
class FinetuneResumeTest {
    /** Enough steps (6 an epoch) that the child is still running when its step-2 checkpoint appears. */
    static final int EPOCHS = 20;

    @TempDir
    static Path dir;
    static Path pre, head, data, otherData;

    @BeforeAll
    static void files() throws IOException {
        Map<String, Tensor> f = MergeCommandTest.read(MergeCommandTest.FIXTURES.resolve("adamerging.safetensors"));
        pre = dir.resolve("pre.safetensors");
        SafetensorsWriter.write(pre, MergeCommandTest.prefixed(f, "pre.", "visual."));
        head = dir.resolve("head.safetensors");
        SafetensorsWriter.write(head, Map.of("weight", f.get("head0.weight")));
        data = dir.resolve("data.safetensors");
        SafetensorsWriter.write(data, Map.of("pixel_values", f.get("batch0")), Map.of(), Map.of("labels", new long[]{0, 1, 2, 3, 0, 1}), DType.F32);
        otherData = dir.resolve("other-data.safetensors"); // one label differs
        SafetensorsWriter.write(otherData, Map.of("pixel_values", f.get("batch0")), Map.of(), Map.of("labels", new long[]{0, 1, 2, 3, 0, 2}), DType.F32);
    }

    static List<String> args(String out, int epochs, String... extra) {
        List<String> a = new ArrayList<>(List.of("finetune", "--model", pre.toString(), "--head", head.toString(), "--data", data.toString(),
                "--batch", "1", "--epochs", Integer.toString(epochs), "--lr", "1e-3", "--warmup", "3", "--out", dir.resolve(out).toString()));
        a.addAll(List.of(extra));
        return a;
    }

    static Cli.Result run(List<String> args) {
        return Cli.run(args);
    }

    static int stepOf(Path checkpoint) throws IOException {
        try (SafetensorsReader r = SafetensorsReader.open(checkpoint)) {
            return Integer.parseInt(r.metadata().get("step"));
        }
    }

    /** SIGTERM to a child JVM mid-run: it writes its checkpoint, exits non-zero and leaves --out as it was; --resume finishes the run. */
    @Test
    void sigtermThenResumeEqualsTheUninterruptedRun() throws Exception {
        Path out = dir.resolve("killed.safetensors"), ckpt = dir.resolve("killed.ckpt"), log = dir.resolve("killed.log");
        byte[] earlier = "an earlier file at --out".getBytes();
        Files.write(out, earlier);
        Process p = child(args("killed.safetensors", EPOCHS, "--checkpoint", ckpt.toString(), "--checkpoint-every", "1"), log);
        StoppedRun.Result stop = StoppedRun.sigtermAfterStep(2, p, ckpt, FinetuneResumeTest::stepOf, log);
        assertTrue(stop.said().contains("the fine-tuned model was not written"), stop.said());
        assertArrayEquals(earlier, Files.readAllBytes(out), "--out is untouched when stopped");
        int stopped = stop.step();
        assertTrue(stopped < 6 * EPOCHS, "stopped at step " + stopped);

        Process rest = child(args("killed.safetensors", EPOCHS, "--checkpoint", ckpt.toString(), "--resume", ckpt.toString()), dir.resolve("rest.log"));
        assertEquals(0, rest.waitFor(), Files.readString(dir.resolve("rest.log")));
        assertTrue(Files.readString(dir.resolve("rest.log")).contains("after step " + stopped + " of " + 6 * EPOCHS), Files.readString(dir.resolve("rest.log")));
        Process whole = child(args("whole.safetensors", EPOCHS), dir.resolve("whole.log"));
        assertEquals(0, whole.waitFor(), Files.readString(dir.resolve("whole.log")));
        assertSameWeights(dir.resolve("whole.safetensors"), out);
        assertEquals(6 * EPOCHS, stepOf(ckpt), "the resumed run checkpoints its last step");
    }

    /**
     * {@code adamerge finetune} in a child JVM on the scalar backend, one thread. On the SIMD
     * backend two uninterrupted runs already differ: in the last bit from the summation order of
     * parallel and vector reductions (which also changes when the JIT compiles a kernel, so a
     * fresh JVM resuming at step 40 sums differently from one that ran since step 1), and by far
     * more in the attention's key bias, which has no gradient in exact arithmetic (softmax
     * ignores a shift shared by all keys): its gradient is rounding noise, and Adam, dividing by
     * the gradient's own scale, turns that noise into full-size steps. The scalar backend's plain
     * loops make every run reproducible, so resumed and uninterrupted runs are compared bit for bit.
     */
    static Process child(List<String> args, Path log) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Dadamerge.simd=false", "-Dadamerge.threads=1",
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(args);
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    /** Every tensor of two models is bit for bit the same. */
    static void assertSameWeights(Path expected, Path actual) throws IOException {
        Map<String, Tensor> a = MergeCommandTest.read(expected), b = MergeCommandTest.read(actual);
        assertEquals(a.keySet(), b.keySet());
        for (String key : a.keySet()) assertArrayEquals(a.get(key).toArray(), b.get(key).toArray(), key);
    }

    @Test
    void aResumeWithOtherSettingsOrInputsIsRefusedInOneLine() throws IOException {
        Path ckpt = dir.resolve("base.ckpt");
        Cli.Result base = run(args("base.safetensors", 1, "--checkpoint", ckpt.toString()));
        assertEquals(0, base.exit(), base.err());
        assertEquals(6, stepOf(ckpt));
        CheckpointResumeTest.assertOneLine(run(args("other.safetensors", 1, "--resume", ckpt.toString(), "--seed", "5")), "setting seed was 1");
        CheckpointResumeTest.assertOneLine(run(args("other.safetensors", 2, "--resume", ckpt.toString())), "setting epochs was 1");
        List<String> swapped = args("other.safetensors", 1, "--resume", ckpt.toString());
        swapped.set(swapped.indexOf(data.toString()), otherData.toString());
        CheckpointResumeTest.assertOneLine(run(swapped), "--data " + otherData + " is not the file the checkpoint was made from");
        assertFalse(Files.exists(dir.resolve("other.safetensors")));
    }

    @Test
    void aCorruptOrTruncatedCheckpointIsAClearError() throws IOException {
        Path ckpt = dir.resolve("src.ckpt");
        assertEquals(0, run(args("src.safetensors", 1, "--checkpoint", ckpt.toString())).exit());
        byte[] good = Files.readAllBytes(ckpt);
        Path truncated = dir.resolve("truncated.ckpt"), garbage = dir.resolve("garbage.ckpt"), foreign = dir.resolve("foreign.ckpt");
        Files.write(truncated, Arrays.copyOf(good, good.length / 2));
        Files.write(garbage, new byte[]{0, 1, 2, (byte) 0xff, 'x'});
        Files.copy(pre, foreign); // a safetensors file, but no checkpoint
        for (Path p : List.of(truncated, garbage, foreign))
            CheckpointResumeTest.assertOneLine(run(args("never.safetensors", 1, "--resume", p.toString())), "--resume " + p + ": not a complete fine-tuning checkpoint");
        CheckpointResumeTest.assertOneLine(run(args("never.safetensors", 1, "--resume", dir.resolve("missing.ckpt").toString())), "no such checkpoint");
        assertFalse(Files.exists(dir.resolve("never.safetensors")));
    }
}
