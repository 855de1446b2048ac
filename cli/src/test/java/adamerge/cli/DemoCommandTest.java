package adamerge.cli;

import adamerge.study.data.DemoTasks;
import adamerge.study.models.DemoCheckpoints;
import adamerge.study.models.Recipe;
import adamerge.tensor.Tensor;
import adamerge.training.Trainer;
import adamerge.vit.ClassificationHead;
import adamerge.vit.VitConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** The demo through the command line: its options, and the general commands rebuilding its checkpoints. */
class DemoCommandTest {
    static final VitConfig SMALL = new VitConfig(32, 16, 16, 1, 1, 32, 8, VitConfig.Activation.QUICK_GELU, 1e-5f);
    static final Recipe TINY = new Recipe("tiny", SMALL, List.of("dtd-like", "solids"), 20, 10, 5, 24, 6, 2, 3,
            new Trainer.Settings(1, 8, 1e-3f, 0.05f, 1, 3), 100f, 0,
            new Trainer.Settings(1, 8, 1e-3f, 0.1f, 1, 1), new Trainer.Settings(1, 8, 1e-3f, 0.1f, 1, 1));

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
        DemoCheckpoints dc = new DemoCheckpoints(TINY, new DemoTasks(tmp.resolve("cache")), tmp.resolve("exports"));
        dc.ensure(dir, false, null);
        String task = "dtd-like";
        Path pre = dir.resolve("pretrained.safetensors"), head = tmp.resolve("head.safetensors"), ft = tmp.resolve("ft.safetensors");
        Path train = dc.export(task, "train");

        assertEquals(0, run("heads", "--model", pre.toString(), "--data", train.toString(), "--out", head.toString(), "--logit-scale", "100"));
        assertArrayEquals(ClassificationHead.load(DemoCheckpoints.headFile(dir, task)).weight().toArray(),
                ClassificationHead.load(head).weight().toArray(), 1e-5f);

        Trainer.Settings s = TINY.finetune();
        assertEquals(0, run("finetune", "--model", pre.toString(), "--head", DemoCheckpoints.headFile(dir, task).toString(),
                "--data", train.toString(), "--out", ft.toString(), "--epochs", "" + s.epochs(), "--lr", "" + s.learningRate(),
                "--batch", "" + s.batch(), "--weight-decay", "" + s.weightDecay(), "--warmup", "" + s.warmupSteps(), "--seed", "" + s.seed()));
        Map<String, Tensor> want = DemoCheckpoints.readEncoder(DemoCheckpoints.finetunedFile(dir, task)), got = DemoCheckpoints.readEncoder(ft);
        for (String k : want.keySet()) assertArrayEquals(want.get(k).toArray(), got.get(k).toArray(), 1e-6f, k);
    }

    static int run(String... args) {
        Cli.Result r = Cli.run(args);
        if (r.exit() != 0) System.err.println(r.err());
        return r.exit();
    }
}
