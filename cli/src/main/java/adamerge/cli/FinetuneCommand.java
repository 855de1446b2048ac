package adamerge.cli;

import adamerge.study.models.Recipe;
import adamerge.training.Trainer;
import adamerge.vit.ClassificationHead;
import adamerge.vit.ClipCheckpoint;
import adamerge.vit.VitConfig;
import adamerge.vit.data.ImageDataSet;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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

    @Option(names = "--checkpoint", paramLabel = "FILE", description = "The checkpoint file (default: beside --out, OUT.checkpoint.safetensors).")
    Path checkpoint;

    @Option(names = "--checkpoint-every", paramLabel = "N", defaultValue = "10", description = {"Steps between checkpoints (default ${DEFAULT-VALUE};",
            "0: only after the last step and when stopped by SIGINT/SIGTERM, which always write one)."})
    int checkpointEvery;

    @Option(names = "--resume", paramLabel = "FILE", description = {"Continue from this checkpoint to the result of the uninterrupted run; the inputs",
            "and settings must be those of the checkpoint."})
    Path resume;

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
                .output("--out", out).output("--checkpoint", checkpointFile()).check(spec.commandLine().getErr());
        // fingerprinted before the long load, so that a refused --resume costs nothing
        RunIdentity identity = identity(s);
        FinetuneCheckpoint resumed = null;
        if (resume != null) {
            resumed = FinetuneCheckpoint.read(resume);
            resumed.run().requireSame(resume, identity, "");
        }
        ClipCheckpoint ck = ClipCheckpoint.load(model, config);
        VitConfig cfg = ck.config();
        List<Trainer.Examples> parts = new ArrayList<>();
        List<Trainer.Head> frozen = new ArrayList<>();
        for (int k = 0; k < heads.size(); k++) {
            ClassificationHead head = ClassificationHead.load(heads.get(k));
            if (head.inputDim() != cfg.outputDim())
                throw new IllegalArgumentException(heads.get(k) + " takes " + head.inputDim() + "-dim features but " + model + " gives " + cfg.outputDim());
            parts.add(Trainer.Examples.of(ImageDataSet.open(data.get(k), cfg.imageSize()), head.classes()));
            frozen.add(Trainer.frozen(head));
        }
        Trainer.Examples examples = parts.size() == 1 ? parts.get(0) : Trainer.Examples.joint(parts);
        PrintWriter err = spec.commandLine().getErr();
        Trainer.Result r;
        try (Checkpointing ckpt = new Checkpointing(checkpointFile(), checkpointEvery, "the fine-tuned model", err)) {
            if (resumed != null) err.printf(Locale.ROOT, "resuming %s after step %d of %d%n", resume, resumed.step(), s.steps(examples.size()));
            r = new Trainer(s, err, parts.size() == 1 ? "finetune" : "multi-task finetune").train(cfg, ck.canonical(), examples, frozen,
                    resumed == null ? null : resumed.state(), (state, last) -> ckpt.record(new FinetuneCheckpoint(identity, state), last));
            if (ckpt.stopped()) return 1; // SIGINT/SIGTERM: the JVM exits with the signal's status; --out stays as it was
        }
        ck.write(out, ck.toSource(r.weights()));
        spec.commandLine().getOut().printf(Locale.ROOT, "wrote %s: %d steps on %d images, loss %.4f -> %.4f (epoch means), %.0f s%n",
                out, r.steps(), examples.size(), r.firstEpochLoss(), r.lastEpochLoss(), r.seconds());
        return 0;
    }

    private Path checkpointFile() {
        return checkpoint != null ? checkpoint : out.resolveSibling(out.getFileName() + ".checkpoint.safetensors");
    }

    /** The settings a resumed run must share with its checkpoint (all of them: the epochs set the schedule) and its input files. */
    private RunIdentity identity(Trainer.Settings s) throws IOException {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("epochs", Integer.toString(s.epochs()));
        settings.put("batch", Integer.toString(s.batch()));
        settings.put("lr", Float.toString(s.learningRate()));
        settings.put("weight_decay", Float.toString(s.weightDecay()));
        settings.put("warmup", Integer.toString(s.warmupSteps()));
        settings.put("seed", Long.toString(s.seed()));
        if (config != null && !Files.exists(config)) settings.put("config", config.toString()); // a built-in name; a file is fingerprinted
        List<RunIdentity.Input> inputs = new ArrayList<>();
        inputs.add(RunIdentity.Input.of("--model", model));
        if (config != null && Files.exists(config)) inputs.add(RunIdentity.Input.of("--config", config));
        for (int k = 0; k < heads.size(); k++) {
            inputs.add(RunIdentity.Input.of("--head", heads.get(k)));
            inputs.add(RunIdentity.Input.of("--data", data.get(k)));
        }
        return new RunIdentity(settings, inputs);
    }
}
