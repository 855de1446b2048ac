package adamerge.cli;

import adamerge.demo.train.Recipe;
import adamerge.demo.train.Trainer;
import adamerge.vit.ClassificationHead;
import adamerge.vit.ClipCheckpoint;
import adamerge.vit.VitConfig;
import adamerge.vit.data.ImageDataSet;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code adamerge finetune}: full fine-tuning of an encoder with frozen heads, as task_vectors makes its theta_k. */
@Command(name = "finetune", mixinStandardHelpOptions = true,
        description = {"Fine-tunes every weight of a CLIP image encoder with cross-entropy through a frozen head (AdamW, linear",
                "warm-up then cosine decay, seeded shuffles). Give --head and --data once for one task, or as pairs",
                "(--head A --data A --head B --data B ...) for traditional multi-task learning on the joint data. The output",
                "keeps the input checkpoint's keys and convention. Defaults are the demo's settings."})
public final class FinetuneCommand implements Callable<Integer> {
    private static final Trainer.Settings DEFAULTS = Recipe.STANDARD.finetune();

    @Option(names = "--model", required = true, paramLabel = "PATH", description = "Encoder to start from (the pretrained one).")
    Path model;

    @Option(names = "--config", paramLabel = "FILE", description = "Model config: a config.json or a built-in name.")
    Path config;

    @Option(names = "--head", required = true, paramLabel = "HEAD", description = "Frozen head (.safetensors or task_vectors head_*.pt); repeat for multi-task.")
    List<Path> heads;

    @Option(names = "--data", required = true, paramLabel = "DATA", description = "Labelled training images for the head at the same position.")
    List<Path> data;

    @Option(names = "--out", required = true, paramLabel = "FT.safetensors", description = "Output checkpoint (written atomically).")
    Path out;

    @Option(names = "--epochs", paramLabel = "E", description = "Passes over the data (default: 6).")
    Integer epochs;

    @Option(names = "--lr", paramLabel = "LR", description = "Peak learning rate (default: 3e-3).")
    Float lr;

    @Option(names = "--batch", paramLabel = "B", description = "Images per step (default: 64).")
    Integer batch;

    @Option(names = "--weight-decay", paramLabel = "WD", description = "AdamW decoupled weight decay (default: 0, the demo's).")
    Float weightDecay;

    @Option(names = "--warmup", paramLabel = "W", description = "Linear warm-up steps (default: 50).")
    Integer warmup;

    @Option(names = "--seed", paramLabel = "S", description = "Seed of the minibatch shuffles (default: 1).")
    Long seed;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        if (heads.size() != data.size())
            throw new IllegalArgumentException(heads.size() + " --head but " + data.size() + " --data; give them in pairs, one per task");
        Trainer.Settings s = new Trainer.Settings(epochs != null ? epochs : DEFAULTS.epochs(), batch != null ? batch : DEFAULTS.batch(),
                lr != null ? lr : DEFAULTS.learningRate(), weightDecay != null ? weightDecay : DEFAULTS.weightDecay(),
                warmup != null ? warmup : DEFAULTS.warmupSteps(), seed != null ? seed : DEFAULTS.seed());
        new InputsAndOutputs().input("--model", model).inputs("--head", heads).inputs("--data", data).input("--config", config)
                .output("--out", out).check(spec.commandLine().getErr());
        ClipCheckpoint ck = ClipCheckpoint.load(model, config);
        VitConfig cfg = ck.config();
        List<Trainer.Examples> parts = new ArrayList<>();
        List<Trainer.Head> frozen = new ArrayList<>();
        for (int k = 0; k < heads.size(); k++) {
            ClassificationHead head = ClassificationHead.load(heads.get(k));
            if (head.inputDim() != cfg.outputDim())
                throw new IllegalArgumentException(heads.get(k) + " takes " + head.inputDim() + "-dim features but " + model + " gives " + cfg.outputDim());
            ImageDataSet ds = ImageDataSet.open(data.get(k), cfg.imageSize());
            if (!ds.hasLabels()) throw new IOException(data.get(k) + ": the data set has no labels; fine-tuning needs labelled images");
            int[] labels = ds.labels();
            for (int l : labels)
                if (l >= head.classes())
                    throw new IllegalArgumentException(data.get(k) + " has label " + l + " but " + heads.get(k) + " has " + head.classes() + " classes");
            parts.add(Trainer.Examples.of(HeadsCommand.pixels(ds), labels));
            frozen.add(Trainer.frozen(head));
        }
        Trainer.Examples examples = parts.size() == 1 ? parts.get(0) : Trainer.Examples.joint(parts);
        Trainer.Result r = new Trainer(s, spec.commandLine().getErr(), parts.size() == 1 ? "finetune" : "multi-task finetune")
                .train(cfg, ck.canonical(), examples, frozen);
        ck.write(out, ck.toSource(r.weights()));
        spec.commandLine().getOut().printf(Locale.ROOT, "wrote %s: %d steps on %d images, loss %.4f -> %.4f (epoch means), %.0f s%n",
                out, r.steps(), examples.size(), r.firstEpochLoss(), r.lastEpochLoss(), r.seconds());
        return 0;
    }
}
