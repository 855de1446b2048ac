package adamerge.cli;

import adamerge.merging.Surgery;
import adamerge.tensor.Tensor;
import adamerge.vit.ClipCheckpoint;
import adamerge.vit.io.Checkpoints;
import adamerge.vit.io.SafetensorsWriter;
import com.google.gson.JsonArray;
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
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code merge --surgery} writes a surgery file beside the merged model, and {@code eval} and
 * {@code encode} read it back with the same numbers; bad combinations are one line naming the
 * culprit. On the PyTorch AdaMerging fixture's tiny encoders (output 48), with labels added.
 */
class SurgeryCommandTest {
    @TempDir
    static Path dir;
    static Map<String, Tensor> f;

    @BeforeAll
    static void files() throws IOException {
        f = Checkpoints.read(MergeCommandTest.FIXTURES.resolve("adamerging.safetensors"));
        Map<String, Tensor> ft = Checkpoints.read(MergeCommandTest.FIXTURES.resolve("adamerging_ft.safetensors"));
        SafetensorsWriter.write(dir.resolve("pre.safetensors"), MergeCommandTest.prefixed(f, "pre.", "visual."));
        for (int k = 0; k < 3; k++) {
            Files.createDirectories(dir.resolve("task" + k));
            SafetensorsWriter.write(dir.resolve("task" + k + "/finetuned.safetensors"), MergeCommandTest.prefixed(ft, "ft" + k + ".", "visual."));
            Tensor w = f.get("head" + k + ".weight");
            SafetensorsWriter.write(dir.resolve("task" + k + ".safetensors"), Map.of("weight", w)); // head named after its task
            long[] labels = new long[6];
            for (int i = 0; i < 6; i++) labels[i] = i % w.dim(0);
            SafetensorsWriter.write(dir.resolve("data" + k + ".safetensors"), Map.of("pixel_values", f.get("batch" + k)), Map.of(),
                    Map.of("labels", labels), adamerge.tensor.DType.F32);
        }
    }

    record Run(int exit, String out, String err) {
    }

    static Run run(List<String> args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args.toArray(new String[0]));
        return new Run(code, out.toString(), err.toString());
    }

    static Run merge(boolean withData, String... extra) {
        List<String> args = new ArrayList<>(List.of("merge", "--pretrained", dir.resolve("pre.safetensors").toString()));
        for (int k = 0; k < 3; k++) {
            args.addAll(List.of("--finetuned", dir.resolve("task" + k + "/finetuned.safetensors").toString()));
            if (withData) args.addAll(List.of("--head", dir.resolve("task" + k + ".safetensors").toString(),
                    "--data", dir.resolve("data" + k + ".safetensors").toString()));
        }
        args.addAll(List.of(extra));
        return run(args);
    }

    @Test
    void mergeWritesTheSurgeryThatEvalAndEncodeApply() throws IOException {
        Path out = dir.resolve("merged.safetensors"), report = dir.resolve("report.json");
        Run m = merge(true, "--method", "task-arithmetic", "--surgery", "--surgery-steps", "20", "--out", out.toString(), "--report", report.toString());
        assertEquals(0, m.exit(), m.err());
        Path file = dir.resolve("merged.surgery.safetensors"); // beside --out
        Surgery s = Surgery.read(file);
        assertEquals(List.of("task0", "task1", "task2"), s.tasks());
        assertEquals(16, s.rank(), "upstream's rank by default");
        assertEquals(48, s.dim());
        assertTrue(s.up().get(1).abs().sum().item() > 0, "20 iterations moved the up projection from zero");

        JsonObject rep = JsonParser.parseString(Files.readString(report)).getAsJsonObject();
        JsonArray plain = rep.getAsJsonArray("tasks"), with = rep.getAsJsonArray("tasks_with_surgery");
        JsonArray l1 = rep.getAsJsonObject("surgery").getAsJsonArray("l1_per_step");
        assertEquals(20, l1.size());
        float first = l1.get(0).getAsJsonArray().get(1).getAsFloat(), last = l1.get(19).getAsJsonArray().get(1).getAsFloat();
        assertTrue(last < first, "the L1 distance to the fine-tuned features falls: " + first + " -> " + last);

        // eval --surgery gives the entropy merge reported with surgery for that task, not the plain one.
        for (int k = 0; k < 3; k++) {
            Run e = run(List.of("eval", "--model", out.toString(), "--head", dir.resolve("task" + k + ".safetensors").toString(),
                    "--data", dir.resolve("data" + k + ".safetensors").toString(), "--surgery", file.toString(), "--json"));
            assertEquals(0, e.exit(), e.err());
            JsonObject j = JsonParser.parseString(e.out()).getAsJsonObject();
            double withSurgery = with.get(k).getAsJsonObject().get("mean_entropy").getAsDouble();
            assertEquals(withSurgery, j.get("mean_entropy").getAsDouble(), 1e-5, "task " + k + " (chosen by the head's name)");
            assertEquals(with.get(k).getAsJsonObject().get("accuracy").getAsDouble(), j.get("accuracy").getAsDouble(), 1e-6);
            assertNotEquals(plain.get(k).getAsJsonObject().get("mean_entropy").getAsDouble(), withSurgery, 1e-6, "the surgery changes task " + k);
        }

        // encode --surgery --task: the merged encoder's features through that task's module.
        Path embeds = dir.resolve("embeds.safetensors");
        Run enc = run(List.of("encode", "--model", out.toString(), "--input", dir.resolve("data2.safetensors").toString(), "--out", embeds.toString(),
                "--surgery", file.toString(), "--task", "task2"));
        assertEquals(0, enc.exit(), enc.err());
        ClipCheckpoint merged = ClipCheckpoint.load(out, null);
        Tensor expected = s.apply(2, merged.encoder().encode(f.get("batch2")));
        float[] e = expected.toArray(), a = Checkpoints.read(embeds).get("image_embeds").toArray();
        for (int i = 0; i < e.length; i++) assertEquals(e[i], a[i], 1e-5f * (1 + Math.abs(e[i])), "embedding " + i);
    }

    @Test
    void badSurgeryInputIsOneLineNamingTheCulprit() throws IOException {
        Path out = dir.resolve("never.safetensors");
        Run noData = merge(false, "--method", "task-arithmetic", "--surgery", "--out", out.toString());
        assertNotEquals(0, noData.exit());
        assertTrue(noData.err().startsWith("adamerge: --surgery") && noData.err().contains("--data"), noData.err());
        assertEquals(1, noData.err().strip().lines().count(), noData.err());
        Run outWithout = merge(true, "--method", "task-arithmetic", "--surgery-out", dir.resolve("s.safetensors").toString(), "--out", out.toString());
        assertTrue(outWithout.exit() != 0 && outWithout.err().contains("without --surgery"), outWithout.err());
        Run badRank = merge(true, "--method", "task-arithmetic", "--surgery", "--surgery-rank", "0", "--out", out.toString());
        assertTrue(badRank.exit() != 0 && badRank.err().contains("rank"), badRank.err());
        assertFalse(Files.exists(out));

        // A surgery of another width, a task the file lacks, and a file of several tasks with no way to choose.
        Path narrow = dir.resolve("narrow.surgery.safetensors");
        Surgery.initial(List.of("task0"), 10, 4, 1).write(narrow);
        Run width = eval(narrow, "task0.safetensors");
        assertTrue(width.exit() != 0 && width.err().contains(narrow.toString()) && width.err().contains("10-dim"), width.err());
        Path three = dir.resolve("three.surgery.safetensors");
        Surgery.initial(List.of("a", "b", "c"), 48, 4, 1).write(three);
        Run unknown = eval(three, "task0.safetensors", "--task", "dtd");
        assertTrue(unknown.exit() != 0 && unknown.err().contains("'dtd'") && unknown.err().contains("[a, b, c]"), unknown.err());
        Run ambiguous = eval(three, "task0.safetensors");
        assertTrue(ambiguous.exit() != 0 && ambiguous.err().contains("--task"), ambiguous.err());
        Run notSurgery = eval(dir.resolve("pre.safetensors"), "task0.safetensors");
        assertTrue(notSurgery.exit() != 0 && notSurgery.err().contains("not a surgery file"), notSurgery.err());
    }

    private static Run eval(Path surgery, String head, String... extra) {
        List<String> args = new ArrayList<>(List.of("eval", "--model", dir.resolve("pre.safetensors").toString(), "--head", dir.resolve(head).toString(),
                "--data", dir.resolve("data0.safetensors").toString(), "--surgery", surgery.toString()));
        args.addAll(List.of(extra));
        return run(args);
    }
}
