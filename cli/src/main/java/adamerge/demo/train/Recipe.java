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
 */
public record Recipe(String name, VitConfig config, List<String> tasks, int trainPerTask, int testPerTask, long dataSeed,
                     int pretrainImages, int pretrainPerTask, int pretrainGroup, long pretrainSeed, Trainer.Settings pretrain,
                     float logitScale, Trainer.Settings finetune, Trainer.Settings multiTask) {

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
            40_000, 0, 1, 7, new Trainer.Settings(14, 128, 2e-3f, 0.05f, 200, 7), Heads.LOGIT_SCALE,
            new Trainer.Settings(6, 64, 3e-3f, 0f, 50, 1),
            new Trainer.Settings(6, 64, 3e-3f, 0f, 200, 1));

    /**
     * A candidate in the paper's regime: pretraining that already knows the eight domains
     * (coarse labels, {@link #pretrainGroup}), fine-tuning at a tenth of pretraining's learning
     * rate so that task vectors stay small, as CLIP's fine-tuning at 1e-5 keeps them.
     */
    public static final Recipe COARSE = new Recipe("coarse", DemoModel.CONFIG, DemoTasks.NAMES, 4000, 1000, 2024,
            16_000, 3000, 2, 7, new Trainer.Settings(12, 128, 2e-3f, 0.05f, 200, 7), Heads.LOGIT_SCALE,
            new Trainer.Settings(4, 64, 2e-4f, 0f, 25, 1),
            new Trainer.Settings(4, 64, 2e-4f, 0f, 100, 1));

    /** The recipe of the shipped models/demo. */
    public static final Recipe STANDARD = PRIMITIVES;

    /** Every recipe by name (the ones tried are recorded in models/demo/README.md). */
    public static final List<Recipe> ALL = List.of(PRIMITIVES, COARSE);

    public static Recipe named(String name) {
        for (Recipe r : ALL) if (r.name.equals(name)) return r;
        throw new IllegalArgumentException("no recipe '" + name + "'; recipes are " + ALL.stream().map(Recipe::name).toList());
    }
}
