package adamerge.cli;

import adamerge.merging.Method;
import adamerge.study.StudyResults;
import adamerge.study.data.DemoTasks;
import adamerge.study.data.FashionMnistSource;
import adamerge.study.data.MnistSource;
import adamerge.study.models.DemoCheckpoints;
import adamerge.study.models.Recipe;
import adamerge.tensor.Tensor;
import adamerge.training.Trainer;
import adamerge.vit.ClassificationHead;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The demo through the command line: its options, and the general commands rebuilding its checkpoints. */
class DemoCommandTest {
    /** The shipped checkpoints, from the module folder Surefire runs in (building them takes minutes). */
    static final Path SHIPPED = Path.of("../models/demo");

    @TempDir
    Path tmp;

    @Test
    void commandIsRegisteredFirstWithItsOptions() {
        StringWriter out = new StringWriter();
        var cl = Main.commandLine();
        cl.setOut(new PrintWriter(out));
        assertEquals(0, cl.execute("demo", "--help"));
        for (String o : List.of("--full", "--steps", "--seeds", "--results", "--models", "--data-dir", "--tiny", "--recipe", "--validation"))
            assertTrue(out.toString().contains(o), o);
        assertEquals("demo", cl.getSubcommands().keySet().iterator().next());
    }

    @Test
    void theCommandsRebuildTheHeadsAndFineTunedEncoders() throws Exception {
        Path dir = tmp.resolve("models");
        DemoCheckpoints dc = new DemoCheckpoints(Recipe.SMOKE, new DemoTasks(tmp.resolve("cache")), tmp.resolve("exports"));
        dc.ensure(dir, false, null);
        String task = "dtd-like";
        Path pre = dir.resolve("pretrained.safetensors"), head = tmp.resolve("head.safetensors"), ft = tmp.resolve("ft.safetensors");
        Path train = dc.export(task, "train");

        assertEquals(0, run("heads", "--model", pre.toString(), "--data", train.toString(), "--out", head.toString(), "--logit-scale", "100"));
        assertArrayEquals(ClassificationHead.load(DemoCheckpoints.headFile(dir, task)).weight().toArray(),
                ClassificationHead.load(head).weight().toArray(), 1e-5f);

        Trainer.Settings s = Recipe.SMOKE.finetune();
        assertEquals(0, run("finetune", "--model", pre.toString(), "--head", DemoCheckpoints.headFile(dir, task).toString(),
                "--data", train.toString(), "--out", ft.toString(), "--epochs", "" + s.epochs(), "--lr", "" + s.learningRate(),
                "--batch", "" + s.batch(), "--weight-decay", "" + s.weightDecay(), "--warmup", "" + s.warmupSteps(), "--seed", "" + s.seed()));
        Map<String, Tensor> want = DemoCheckpoints.readEncoder(DemoCheckpoints.finetunedFile(dir, task)), got = DemoCheckpoints.readEncoder(ft);
        for (String k : want.keySet()) assertArrayEquals(want.get(k).toArray(), got.get(k).toArray(), 1e-6f, k);
    }

    /**
     * {@code demo --tiny --validation} (the recipe search's path: Table 1 alone, on the validation split) on the shipped
     * checkpoints: the table it prints and the table1.json it writes hold every row, the later merges after the paper's.
     */
    @Test
    void validationRunPrintsAndWritesEveryRowOfTable1() throws Exception {
        Path data = DemoTasks.defaultDataDir();
        assumeTrue(new MnistSource(data).isCached() && (Files.isDirectory(FashionMnistSource.SYSTEM_DIR)
                || Files.isDirectory(data.resolve("fashion-mnist-deb"))), "skipped: the real data sets are not cached (run bin/adamerge demo once)");
        Path results = tmp.resolve("results");
        Cli.Result r = Cli.run("demo", "--tiny", "--validation", "--models", SHIPPED.toString(), "--results", results.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("on the validation split"), r.out());
        List<String> printed = r.out().lines().filter(l -> l.startsWith("| ") && !l.startsWith("| Method")).map(l -> l.split("\\|")[1].strip()).toList();
        assertEquals(StudyResults.METHODS, printed);
        for (Method m : StudyResults.LATER_MERGES) assertTrue(printed.contains(m.paperName()), m.paperName());
        JsonObject t1 = JsonParser.parseString(Files.readString(results.resolve("table1.json"))).getAsJsonObject();
        assertEquals(StudyResults.METHODS, List.copyOf(t1.keySet()));
        for (String m : StudyResults.METHODS) {
            double avg = t1.getAsJsonObject(m).get("avg").getAsDouble();
            assertTrue(avg >= 0 && avg <= 100, m + " " + avg);
        }
    }

    static int run(String... args) {
        Cli.Result r = Cli.run(args);
        if (r.exit() != 0) System.err.println(r.err());
        return r.exit();
    }
}
