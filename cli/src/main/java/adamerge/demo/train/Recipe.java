package adamerge.demo.train;

import adamerge.demo.DemoTasks;
import adamerge.vit.VitConfig;

import java.util.List;

/**
 * Everything that determines the demo's checkpoints: the encoder shape, the data (sizes and
 * seeds) and the settings of each training phase. {@link #STANDARD} built the shipped
 * {@code models/demo/}; models/demo/README.md lists the same values as command lines, and every
 * recipe tried on the way, with its validation figures.
 *
 * @param pretrainImages  images drawn from the PretrainCorpus (12 classes of 2-D primitives)
 * @param pretrainPerTask images of each task's {@link DemoTasks.Part#PRETRAIN} part (disjoint from
 *                        its train, validation and test parts) added to pretraining, under coarse labels
 * @param pretrainGroup   task classes merged into one pretraining label (class c gets label
 *                        c / group): the encoder learns each domain under another, coarser label set
 *                        than the task's, as CLIP knows "a dog" but not every breed
 * @param dataSeed        seed of {@link DemoTasks#part} for every task's parts
 * @param logitScale      scale of the prototype heads ({@link Heads})
 * @param headShots       train images per class averaged into each head's prototype (0: all of them)
 */
public record Recipe(String name, VitConfig config, List<String> tasks, int trainPerTask, int testPerTask, long dataSeed,
                     int pretrainImages, int pretrainPerTask, int pretrainGroup, long pretrainSeed, Trainer.Settings pretrain,
                     float logitScale, int headShots, Trainer.Settings finetune, Trainer.Settings multiTask) {

    public Recipe {
        tasks = List.copyOf(tasks);
        if (tasks.isEmpty()) throw new IllegalArgumentException("a recipe needs at least one task");
        if (trainPerTask < 10 || testPerTask < 1 || pretrainImages < 12 || pretrainPerTask < 0)
            throw new IllegalArgumentException("recipe sizes too small: train " + trainPerTask + "/task, test " + testPerTask
                    + "/task, pretraining " + pretrainImages + " + " + pretrainPerTask + "/task");
        if (pretrainGroup < 1) throw new IllegalArgumentException("pretraining label group must be >= 1, got " + pretrainGroup);
    }

    /** The first build (session 1): pretraining on primitives only, fine-tuning at 1.5x pretraining's lr. */
    public static final Recipe PRIMITIVES = new Recipe("primitives", DemoModel.CONFIG, DemoTasks.NAMES, 4000, 1000, 2024,
            40_000, 0, 1, 7, new Trainer.Settings(14, 128, 2e-3f, 0.05f, 200, 7), Heads.LOGIT_SCALE, 0,
            new Trainer.Settings(6, 64, 3e-3f, 0f, 50, 1),
            new Trainer.Settings(6, 64, 3e-3f, 0f, 200, 1));

    /**
     * A candidate in the paper's regime: pretraining that already knows the eight domains
     * (coarse labels, {@link #pretrainGroup}), fine-tuning at a tenth of pretraining's learning
     * rate so that task vectors stay small, as CLIP's fine-tuning at 1e-5 keeps them.
     */
    public static final Recipe COARSE = new Recipe("coarse", DemoModel.CONFIG, DemoTasks.NAMES, 4000, 1000, 2024,
            16_000, 3000, 2, 7, new Trainer.Settings(12, 128, 2e-3f, 0.05f, 200, 7), Heads.LOGIT_SCALE, 0,
            new Trainer.Settings(4, 64, 2e-4f, 0f, 25, 1),
            new Trainer.Settings(4, 64, 2e-4f, 0f, 100, 1));

    /** COARSE's pretraining and heads, fine-tuned 4x longer (16 epochs, ~1000 steps, as task_vectors' 2000-4000 at batch 128). */
    public static final Recipe COARSE_LONG = new Recipe("coarse-long", DemoModel.CONFIG, DemoTasks.NAMES, 4000, 1000, 2024,
            16_000, 3000, 2, 7, new Trainer.Settings(12, 128, 2e-3f, 0.05f, 200, 7), Heads.LOGIT_SCALE, 0,
            new Trainer.Settings(16, 64, 2e-4f, 0f, 100, 1),
            new Trainer.Settings(4, 64, 2e-4f, 0f, 100, 1));

    /** COARSE with few-shot heads: each prototype from 2 train images of its class. */
    public static final Recipe COARSE_SHOT2 = new Recipe("coarse-shot2", DemoModel.CONFIG, DemoTasks.NAMES, 4000, 1000, 2024,
            16_000, 3000, 2, 7, new Trainer.Settings(12, 128, 2e-3f, 0.05f, 200, 7), Heads.LOGIT_SCALE, 2,
            new Trainer.Settings(4, 64, 2e-4f, 0f, 25, 1),
            new Trainer.Settings(4, 64, 2e-4f, 0f, 100, 1));

    /** COARSE_SHOT2 fine-tuned twice as long (8 epochs, 504 steps per task). */
    public static final Recipe COARSE_SHOT2_LONG = new Recipe("coarse-shot2-long", DemoModel.CONFIG, DemoTasks.NAMES, 4000, 1000, 2024,
            16_000, 3000, 2, 7, new Trainer.Settings(12, 128, 2e-3f, 0.05f, 200, 7), Heads.LOGIT_SCALE, 2,
            new Trainer.Settings(8, 64, 2e-4f, 0f, 50, 1),
            new Trainer.Settings(4, 64, 2e-4f, 0f, 100, 1));

    /** Pretraining on each task's held-out images under the task's own labels (group 1), 2-shot heads. */
    public static final Recipe FINE_SHOT2 = new Recipe("fine-shot2", DemoModel.CONFIG, DemoTasks.NAMES, 4000, 1000, 2024,
            16_000, 3000, 1, 7, new Trainer.Settings(12, 128, 2e-3f, 0.05f, 200, 7), Heads.LOGIT_SCALE, 2,
            new Trainer.Settings(4, 64, 2e-4f, 0f, 25, 1),
            new Trainer.Settings(4, 64, 2e-4f, 0f, 100, 1));

    /** FINE_SHOT2 fine-tuned twice as long (8 epochs, 504 steps per task). */
    public static final Recipe FINE_SHOT2_LONG = new Recipe("fine-shot2-long", DemoModel.CONFIG, DemoTasks.NAMES, 4000, 1000, 2024,
            16_000, 3000, 1, 7, new Trainer.Settings(12, 128, 2e-3f, 0.05f, 200, 7), Heads.LOGIT_SCALE, 2,
            new Trainer.Settings(8, 64, 2e-4f, 0f, 50, 1),
            new Trainer.Settings(4, 64, 2e-4f, 0f, 100, 1));

    /** The recipe of the shipped models/demo. */
    public static final Recipe STANDARD = FINE_SHOT2_LONG;

    /** Every recipe by name (the ones tried are recorded in models/demo/README.md). */
    public static final List<Recipe> ALL = List.of(PRIMITIVES, COARSE, COARSE_LONG, COARSE_SHOT2, COARSE_SHOT2_LONG, FINE_SHOT2, FINE_SHOT2_LONG);

    public static Recipe named(String name) {
        for (Recipe r : ALL) if (r.name.equals(name)) return r;
        throw new IllegalArgumentException("no recipe '" + name + "'; recipes are " + ALL.stream().map(Recipe::name).toList());
    }
}
