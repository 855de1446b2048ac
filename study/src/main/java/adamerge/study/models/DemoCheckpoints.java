package adamerge.study.models;

import adamerge.output.Json;
import adamerge.study.data.DemoTasks;
import adamerge.study.data.ImageSet;
import adamerge.study.data.PretrainCorpus;
import adamerge.tensor.DType;
import adamerge.tensor.Tensor;
import adamerge.training.Heads;
import adamerge.training.LinearHead;
import adamerge.training.Trainer;
import adamerge.vit.ClassificationHead;
import adamerge.vit.ClipCheckpoint;
import adamerge.vit.ClipWeights;
import adamerge.vit.VitConfig;
import adamerge.vit.io.SafetensorsWriter;
import com.google.gson.JsonArray;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The demo's models, built by our own stack and cached on disk:
 * <pre>
 *   dir/config.json                  the encoder shape (Hugging Face CLIPVisionConfig)
 *   dir/pretrained.safetensors       pretrained on the PretrainCorpus (theta_pre)
 *   dir/heads/&lt;task&gt;.safetensors     frozen prototype head per task (weight [10, out], bias 0)
 *   dir/finetuned/&lt;task&gt;.safetensors fine-tuned on the task with its head frozen (theta_k)
 *   dir/mtl.safetensors              traditional MTL: fine-tuned on all tasks jointly
 *   exports/&lt;task&gt;-{train,test}.safetensors   the splits as data sets for the CLI
 *                                    (normalised pixel_values F32, labels I64, class_names)
 * </pre>
 * Encoders are open_clip state dicts ({@code visual.} keys, {@code adamerge.config} metadata).
 * {@link #ensure} builds what is missing and skips what exists, so a rerun costs only the data
 * exports' existence checks. Everything is seeded: the same recipe rebuilds the same files, and
 * {@code adamerge heads} / {@code adamerge finetune} on the exports rebuild heads and fine-tuned
 * encoders with the same settings.
 */
public final class DemoCheckpoints {

    /** What one {@link #ensure} call did: files built and skipped (relative names) and seconds per phase. */
    public record Report(List<String> built, List<String> skipped, Map<String, Double> seconds) {}

    private final Recipe recipe;
    private final DemoTasks tasks;
    private final Path exportDir;

    /**
     * @param tasks     source of the task splits (downloads and caches the real data sets)
     * @param exportDir where the data-set exports go (a cache, not the shipped folder)
     */
    public DemoCheckpoints(Recipe recipe, DemoTasks tasks, Path exportDir) {
        this.recipe = recipe;
        this.tasks = tasks;
        this.exportDir = exportDir;
    }

    /** The standard recipe, the default data cache, exports under ~/.cache/adamerge4j/demo-data. */
    public static DemoCheckpoints standard() {
        Path data = DemoTasks.defaultDataDir();
        return new DemoCheckpoints(Recipe.STANDARD, new DemoTasks(data), data.resolveSibling("demo-data"));
    }

    public Recipe recipe() {
        return recipe;
    }

    public Path exportDir() {
        return exportDir;
    }

    /** The export of one task's split ({@code train} or {@code test}). */
    public Path export(String task, String split) {
        return exportDir.resolve(task + "-" + split + ".safetensors");
    }

    /**
     * Builds whatever is missing under {@code dir} (everything when {@code full}), in dependency
     * order: a product rebuilt in this call forces a rebuild of what was made from it.
     *
     * @param progress phase lines and training progress (stderr), or null
     */
    public Report ensure(Path dir, boolean full, PrintWriter progress) throws IOException {
        List<String> built = new ArrayList<>(), skipped = new ArrayList<>();
        Map<String, Double> seconds = new LinkedHashMap<>();
        VitConfig cfg = recipe.config();
        Files.createDirectories(dir.resolve("heads"));
        Files.createDirectories(dir.resolve("finetuned"));
        Files.createDirectories(exportDir);

        Path configFile = dir.resolve("config.json");
        if (Files.exists(configFile) && !full) {
            VitConfig existing = VitConfig.fromHuggingFace(configFile);
            if (!existing.equals(cfg))
                throw new IOException(configFile + " describes " + existing + " but the recipe builds " + cfg
                        + "; remove " + dir + " or rebuild it with --full");
            skipped.add("config.json");
        } else {
            Json.writeAtomically(configFile, cfg.toHuggingFaceJson());
            built.add("config.json");
        }

        Splits splits = new Splits(progress);
        for (String task : recipe.tasks()) {
            for (String split : List.of("train", "test")) {
                Path f = export(task, split);
                if (full || !Files.exists(f)) {
                    DemoTasks.Split s = splits.get(task);
                    long t = System.nanoTime();
                    writeDataSet(f, split.equals("train") ? s.train() : s.test());
                    splits.seconds += secondsSince(t);
                    built.add("exports/" + exportDir.relativize(f));
                }
            }
        }

        // theta_pre
        long t0;
        Path preFile = dir.resolve("pretrained.safetensors");
        boolean rebuilt = full || !Files.exists(preFile);
        Map<String, Tensor> pre;
        if (rebuilt) {
            t0 = System.nanoTime();
            pre = pretrain(progress);
            writeEncoder(preFile, cfg, pre);
            built.add("pretrained.safetensors");
            seconds.put("pretrain", secondsSince(t0));
        } else {
            pre = readEncoder(preFile);
            skipped.add("pretrained.safetensors");
        }

        // Prototype heads from theta_pre
        Map<String, ClassificationHead> heads = new LinkedHashMap<>();
        boolean headsRebuilt = false;
        t0 = System.nanoTime();
        for (String task : recipe.tasks()) {
            Path f = headFile(dir, task);
            if (rebuilt || !Files.exists(f)) {
                ImageSet train = splits.get(task).train();
                ClassificationHead h = Heads.prototypes(task, cfg, pre, DemoModel.input(train), train.labels(), train.numClasses(), recipe.headShots(),
                        recipe.logitScale());
                Heads.write(h, f);
                heads.put(task, h);
                built.add("heads/" + task + ".safetensors");
                headsRebuilt = true;
            } else {
                heads.put(task, ClassificationHead.load(f));
                skipped.add("heads/" + task + ".safetensors");
            }
        }
        if (headsRebuilt) seconds.put("heads", secondsSince(t0));

        // theta_k: each task alone, its head frozen
        t0 = System.nanoTime();
        boolean any = false;
        for (String task : recipe.tasks()) {
            Path f = finetunedFile(dir, task);
            if (rebuilt || headsRebuilt && built.contains("heads/" + task + ".safetensors") || !Files.exists(f)) {
                ImageSet train = splits.get(task).train();
                Trainer t = new Trainer(recipe.finetune(), progress, "finetune " + task);
                Trainer.Result r = t.train(cfg, pre, Trainer.Examples.of(DemoModel.input(train), train.labels()),
                        List.of(Trainer.frozen(heads.get(task))));
                writeEncoder(f, cfg, r.weights());
                built.add("finetuned/" + task + ".safetensors");
                any = true;
            } else {
                skipped.add("finetuned/" + task + ".safetensors");
            }
        }
        if (any) seconds.put("finetune", secondsSince(t0));

        // Traditional MTL: one encoder on all tasks' train data, each example through its own head
        Path mtlFile = dir.resolve("mtl.safetensors");
        if (rebuilt || headsRebuilt || !Files.exists(mtlFile)) {
            t0 = System.nanoTime();
            List<Trainer.Examples> parts = new ArrayList<>();
            List<Trainer.Head> hs = new ArrayList<>();
            for (String task : recipe.tasks()) {
                ImageSet train = splits.get(task).train();
                parts.add(Trainer.Examples.of(DemoModel.input(train), train.labels()));
                hs.add(Trainer.frozen(heads.get(task)));
            }
            Trainer.Result r = new Trainer(recipe.multiTask(), progress, "multi-task").train(cfg, pre, Trainer.Examples.joint(parts), hs);
            writeEncoder(mtlFile, cfg, r.weights());
            built.add("mtl.safetensors");
            seconds.put("mtl", secondsSince(t0));
        } else {
            skipped.add("mtl.safetensors");
        }
        if (splits.seconds > 0) seconds.put("data", splits.seconds);
        return new Report(built, skipped, seconds);
    }

    /** The task splits, generated (or read from the data cache) on first use. */
    private final class Splits {
        private final Map<String, DemoTasks.Split> loaded = new LinkedHashMap<>();
        private final PrintWriter progress;
        double seconds;

        Splits(PrintWriter progress) {
            this.progress = progress;
        }

        DemoTasks.Split get(String task) throws IOException {
            DemoTasks.Split s = loaded.get(task);
            if (s == null) {
                long t = System.nanoTime();
                say(progress, "data: " + task + " (" + recipe.trainPerTask() + " train, " + recipe.testPerTask() + " test)");
                s = tasks.load(task, recipe.trainPerTask(), recipe.testPerTask(), recipe.dataSeed());
                loaded.put(task, s);
                seconds += secondsSince(t);
            }
            return s;
        }
    }

    /**
     * Supervised pretraining from random weights, each source with a trainable {@link LinearHead}
     * of its own (discarded afterwards), in mixed batches: the PretrainCorpus's 12 primitives, and
     * for each task its {@link DemoTasks.Part#PRETRAIN} images under coarse labels (class c as
     * c / {@code pretrainGroup}). The second part plays the role of CLIP's 400M pairs: the encoder
     * meets every domain, but under another label set than the task's.
     */
    public Map<String, Tensor> pretrain(PrintWriter progress) throws IOException {
        PretrainCorpus corpus = new PretrainCorpus();
        ImageSet images = corpus.generate(recipe.pretrainImages(), recipe.pretrainSeed());
        VitConfig cfg = recipe.config();
        List<Trainer.Examples> parts = new ArrayList<>(List.of(Trainer.Examples.of(DemoModel.input(images), images.labels())));
        List<Trainer.Head> heads = new ArrayList<>(List.of(new LinearHead(corpus.classNames().size(), cfg.outputDim(), 10f, recipe.pretrainSeed() + 1)));
        if (recipe.pretrainPerTask() > 0) {
            for (String task : recipe.tasks()) {
                ImageSet part = tasks.part(task, DemoTasks.Part.PRETRAIN, recipe.pretrainPerTask(), recipe.dataSeed());
                int g = recipe.pretrainGroup();
                int[] coarse = java.util.Arrays.stream(part.labels()).map(c -> c / g).toArray();
                parts.add(Trainer.Examples.of(DemoModel.input(part), coarse));
                heads.add(new LinearHead((part.numClasses() + g - 1) / g, cfg.outputDim(), 10f, recipe.pretrainSeed() + 1 + heads.size()));
            }
        }
        say(progress, "pretraining on " + recipe.pretrainImages() + " PretrainCorpus images"
                + (recipe.pretrainPerTask() > 0 ? " and " + recipe.pretrainPerTask() + " coarse-labelled images of each task" : ""));
        Map<String, Tensor> init = ClipWeights.random(cfg, recipe.pretrainSeed());
        return new Trainer(recipe.pretrain(), progress, "pretrain").train(cfg, init, Trainer.Examples.joint(parts), heads).weights();
    }

    public static Path headFile(Path dir, String task) {
        return dir.resolve("heads").resolve(task + ".safetensors");
    }

    public static Path finetunedFile(Path dir, String task) {
        return dir.resolve("finetuned").resolve(task + ".safetensors");
    }

    /** An encoder as open_clip stores it ({@code visual.}-prefixed canonical keys), atomically. */
    public static void writeEncoder(Path file, VitConfig config, Map<String, Tensor> canonical) throws IOException {
        ClipWeights.check(config, canonical);
        Map<String, Tensor> m = new LinkedHashMap<>();
        for (String k : ClipWeights.names(config)) m.put("visual." + k, canonical.get(k));
        SafetensorsWriter.write(file, m, Map.of("format", "pt", "adamerge.config", config.toHuggingFaceJson()));
    }

    /** Canonical weights of an encoder file, copied onto the heap. */
    public static Map<String, Tensor> readEncoder(Path file) throws IOException {
        Map<String, Tensor> m = new LinkedHashMap<>();
        ClipCheckpoint.load(file, null).canonical().forEach((k, v) -> m.put(k, Tensor.of(v.toArray(), v.shape())));
        return m;
    }

    /** A data set ImageDataSet reads: CLIP-normalised pixel_values [N,3,32,32] F32, labels [N] I64, class_names. */
    public static void writeDataSet(Path file, ImageSet set) throws IOException {
        JsonArray names = new JsonArray();
        set.classNames().forEach(names::add);
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("class_names", names.toString());
        meta.put("task", set.task());
        meta.put("normalisation", "CLIP mean/std");
        SafetensorsWriter.write(file, Map.of("pixel_values", DemoModel.input(set)), meta,
                Map.of("labels", Arrays.stream(set.labels()).asLongStream().toArray()), DType.F32);
    }

    private static void say(PrintWriter progress, String line) {
        if (progress != null) {
            progress.println(line);
            progress.flush();
        }
    }

    private static double secondsSince(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    static String formatSeconds(double s) {
        return String.format(Locale.ROOT, "%d:%02d", (long) s / 60, (long) s % 60);
    }
}
