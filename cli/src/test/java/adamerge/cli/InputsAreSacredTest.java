package adamerge.cli;

import adamerge.tensor.DType;
import adamerge.tensor.Tensor;
import adamerge.vit.io.SafetensorsWriter;
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
 * Every command that writes refuses an output that is one of its inputs, however spelled, before
 * any work, and leaves the input byte-identical; a missing output folder is named; a file given
 * twice and a zero task vector are warnings.
 */
class InputsAreSacredTest {
    @TempDir
    static Path dir;
    static Path pre, head, data;
    static List<Path> fts = new ArrayList<>();

    @BeforeAll
    static void files() throws IOException {
        Map<String, Tensor> f = MergeCommandTest.read(MergeCommandTest.FIXTURES.resolve("adamerging.safetensors"));
        Map<String, Tensor> ft = MergeCommandTest.read(MergeCommandTest.FIXTURES.resolve("adamerging_ft.safetensors"));
        pre = dir.resolve("pre.safetensors");
        SafetensorsWriter.write(pre, MergeCommandTest.prefixed(f, "pre.", "visual."));
        for (int k = 0; k < 2; k++) {
            Path p = dir.resolve("ft" + k + ".safetensors");
            SafetensorsWriter.write(p, MergeCommandTest.prefixed(ft, "ft" + k + ".", "visual."));
            fts.add(p);
        }
        head = dir.resolve("head.safetensors");
        SafetensorsWriter.write(head, Map.of("weight", f.get("head0.weight")));
        data = dir.resolve("data.safetensors"); // labelled, so that heads and finetune would run to the end without the check
        SafetensorsWriter.write(data, Map.of("pixel_values", f.get("batch0")), Map.of(), Map.of("labels", new long[]{0, 1, 2, 3, 0, 1}), DType.F32);
    }

    record Run(int exit, String err) {
        /** The lines that are not progress or warnings: an error must be exactly one. */
        List<String> errorLines() {
            return err.lines().filter(l -> l.startsWith("adamerge:") && !l.startsWith("adamerge: warning")).toList();
        }
    }

    static Run run(List<String> args) {
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setErr(new PrintWriter(err));
        cl.setOut(new PrintWriter(new StringWriter()));
        int code = cl.execute(args.toArray(new String[0]));
        return new Run(code, err.toString());
    }

    static List<String> merge(String method, List<Path> finetuned, String... extra) {
        List<String> a = new ArrayList<>(List.of("merge", "--method", method, "--steps", "1", "--batch", "2", "--pretrained", pre.toString()));
        for (Path p : finetuned) a.addAll(List.of("--finetuned", p.toString(), "--head", head.toString(), "--data", data.toString()));
        a.addAll(List.of(extra));
        return a;
    }

    /** The command is refused with one error line naming {@code input}, and {@code input} keeps its bytes. */
    static void assertRefusedAndUntouched(List<String> args, Path input) throws IOException {
        byte[] before = Files.readAllBytes(input);
        Run r = run(args);
        assertNotEquals(0, r.exit(), r.err());
        assertEquals(1, r.errorLines().size(), r.err());
        assertTrue(r.errorLines().get(0).contains(input.getFileName().toString()), r.err());
        assertFalse(r.err().contains("step 1/"), "refused before any work: " + r.err());
        assertArrayEquals(before, Files.readAllBytes(input), input + " changed");
    }

    /** The same file spelled four ways: as given, with ./ and .. segments, relative to the working folder, and through a link. */
    static List<Path> spellings(Path file) throws IOException {
        Path link = file.resolveSibling("link-to-" + file.getFileName());
        if (!Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) Files.createSymbolicLink(link, file);
        Path relative = Path.of("").toAbsolutePath().relativize(file);
        return List.of(file, Path.of(file.getParent() + "/./sub/../" + file.getFileName()), Path.of("./" + relative), link);
    }

    @Test
    void mergeRefusesToWriteOverItsPretrainedModelHoweverSpelled() throws IOException {
        Files.createDirectories(dir.resolve("sub"));
        for (Path out : spellings(pre))
            assertRefusedAndUntouched(merge("adamerging-layer", fts, "--out", out.toString()), pre);
    }

    @Test
    void mergeRefusesEveryOutputOptionOnEveryInputOption() throws IOException {
        Path ok = dir.resolve("merged.safetensors");
        assertRefusedAndUntouched(merge("task-arithmetic", fts, "--out", fts.get(1).toString()), fts.get(1));
        assertRefusedAndUntouched(merge("adamerging-task", fts, "--out", ok.toString(), "--report", head.toString()), head);
        assertRefusedAndUntouched(merge("adamerging-task", fts, "--out", ok.toString(), "--lambdas-out", data.toString()), data);
        Path lambdas = dir.resolve("lambdas.json");
        assertEquals(0, run(merge("adamerging-task", fts, "--out", ok.toString(), "--lambdas-out", lambdas.toString())).exit());
        assertRefusedAndUntouched(merge("adamerging-task", fts, "--out", ok.toString(), "--lambdas-in", lambdas.toString(),
                "--lambdas-out", lambdas.toString()), lambdas);
        Path hard = dir.resolve("hard-link.safetensors");
        if (!Files.exists(hard)) Files.createLink(hard, pre);
        assertRefusedAndUntouched(merge("task-arithmetic", fts, "--out", hard.toString()), pre);
    }

    @Test
    void twoOutputsOnOnePathAreRefused() {
        Path same = dir.resolve("both.json");
        Run r = run(merge("adamerging-task", fts, "--out", dir.resolve("m.safetensors").toString(), "--report", same.toString(),
                "--lambdas-out", same.toString()));
        assertNotEquals(0, r.exit());
        assertEquals(1, r.errorLines().size(), r.err());
        assertTrue(r.err().contains("--report") && r.err().contains("--lambdas-out"), r.err());
        assertFalse(Files.exists(same));
    }

    @Test
    void encodeHeadsAndFinetuneRefuseToWriteOverTheirModel() throws IOException {
        assertRefusedAndUntouched(List.of("encode", "--model", pre.toString(), "--input", data.toString(), "--out", pre.toString()), pre);
        assertRefusedAndUntouched(List.of("encode", "--model", pre.toString(), "--input", data.toString(), "--out", data.toString()), data);
        assertRefusedAndUntouched(List.of("heads", "--model", pre.toString(), "--data", data.toString(), "--out", pre.toString()), pre);
        assertRefusedAndUntouched(List.of("finetune", "--model", pre.toString(), "--head", head.toString(), "--data", data.toString(),
                "--epochs", "1", "--batch", "2", "--out", pre.toString()), pre);
        assertRefusedAndUntouched(List.of("finetune", "--model", pre.toString(), "--head", head.toString(), "--data", data.toString(),
                "--epochs", "1", "--batch", "2", "--out", head.toString()), head);
    }

    @Test
    void anOutputInsideAnInputFolderIsRefused() throws IOException {
        Path folder = Files.createDirectories(dir.resolve("images/cls0"));
        Run r = run(List.of("encode", "--model", pre.toString(), "--input", dir.resolve("images").toString(), "--out",
                folder.resolve("embeds.safetensors").toString()));
        assertNotEquals(0, r.exit());
        assertEquals(1, r.errorLines().size(), r.err());
        assertTrue(r.err().contains("inside the --input folder"), r.err());
        assertFalse(Files.exists(folder.resolve("embeds.safetensors")));
    }

    @Test
    void aMissingOutputFolderIsNamed() {
        Path missing = dir.resolve("no-such-folder");
        List<List<String>> commands = List.of(
                merge("task-arithmetic", fts, "--out", missing.resolve("m.safetensors").toString()),
                merge("adamerging-task", fts, "--out", dir.resolve("m.safetensors").toString(), "--report", missing.resolve("r.json").toString()),
                List.of("encode", "--model", pre.toString(), "--input", data.toString(), "--out", missing.resolve("e.safetensors").toString()),
                List.of("heads", "--model", pre.toString(), "--data", data.toString(), "--out", missing.resolve("h.safetensors").toString()),
                List.of("finetune", "--model", pre.toString(), "--head", head.toString(), "--data", data.toString(), "--out",
                        missing.resolve("f.safetensors").toString()));
        for (List<String> c : commands) {
            Run r = run(c);
            assertNotEquals(0, r.exit(), c.toString());
            assertEquals(1, r.errorLines().size(), r.err());
            assertTrue(r.errorLines().get(0).contains(missing + " does not exist"), r.err());
        }
        assertFalse(Files.exists(missing));
    }

    @Test
    void aFineTunedModelGivenTwiceIsAWarningNamingBothSpellings() {
        Path again = Path.of(fts.get(0).getParent() + "/./" + fts.get(0).getFileName());
        Run r = run(merge("task-arithmetic", List.of(fts.get(0), fts.get(1), again), "--out", dir.resolve("twice.safetensors").toString()));
        assertEquals(0, r.exit(), r.err());
        List<String> warnings = r.err().lines().filter(l -> l.startsWith("adamerge: warning")).toList();
        assertEquals(1, warnings.size(), r.err());
        assertTrue(warnings.get(0).contains("--finetuned " + fts.get(0)) && warnings.get(0).contains("--finetuned " + again), warnings.get(0));
    }

    @Test
    void thePretrainedModelGivenAsFineTunedIsAZeroTaskVectorWarning() throws IOException {
        Path copy = dir.resolve("copy-of-pre.safetensors"); // a copy, not the same file: only the task vector tells
        if (!Files.exists(copy)) Files.copy(pre, copy);
        Run r = run(merge("task-arithmetic", List.of(fts.get(0), copy), "--out", dir.resolve("zero.safetensors").toString()));
        assertEquals(0, r.exit(), r.err());
        List<String> warnings = r.err().lines().filter(l -> l.startsWith("adamerge: warning")).toList();
        assertEquals(1, warnings.size(), r.err());
        assertTrue(warnings.get(0).contains(copy.toString()) && warnings.get(0).contains("task vector is zero"), warnings.get(0));
    }
}
