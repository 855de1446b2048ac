package adamerge.study.models;

import adamerge.study.data.DemoTasks;
import adamerge.training.Heads;
import adamerge.training.Trainer;
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
     * The candidates in the paper's regime share everything but three knobs. Pretraining already
     * knows the eight domains: 16,000 primitives plus 3,000 held-out images of each task, under
     * coarse labels (class / {@code pretrainGroup}) or the task's own ({@code pretrainGroup} 1).
     * Heads are prototypes of all train images or of the first {@code headShots} per class.
     * Fine-tuning runs at a tenth of pretraining's learning rate, as CLIP's (5e-4 -> 1e-5), for
     * {@code finetuneEpochs} with a tenth of its steps as warm-up; the multi-task model is the same
     * for all.
     */
    private static Recipe clipRegime(String name, int pretrainGroup, int headShots, int finetuneEpochs) {
        return new Recipe(name, DemoModel.CONFIG, DemoTasks.NAMES, 4000, 1000, 2024,
                16_000, 3000, pretrainGroup, 7, new Trainer.Settings(12, 128, 2e-3f, 0.05f, 200, 7), Heads.LOGIT_SCALE, headShots,
                new Trainer.Settings(finetuneEpochs, 64, 2e-4f, 0f, finetuneEpochs * 25 / 4, 1),
                new Trainer.Settings(4, 64, 2e-4f, 0f, 100, 1));
    }

    public static final Recipe COARSE = clipRegime("coarse", 2, 0, 4);
    public static final Recipe COARSE_LONG = clipRegime("coarse-long", 2, 0, 16);
    public static final Recipe COARSE_SHOT2 = clipRegime("coarse-shot2", 2, 2, 4);
    public static final Recipe FINE_SHOT2 = clipRegime("fine-shot2", 1, 2, 4);
    public static final Recipe FINE_SHOT2_LONG = clipRegime("fine-shot2-long", 1, 2, 8);

    /** The recipe of the shipped models/demo, chosen on the validation split (models/demo/README.md). */
    public static final Recipe STANDARD = FINE_SHOT2_LONG;

    /**
     * Every phase in seconds, for smoke tests of the pipeline (two synthetic tasks, a one-layer
     * encoder of width 16, one epoch each): not a model to study.
     */
    public static final Recipe SMOKE = new Recipe("smoke", new VitConfig(32, 16, 16, 1, 1, 32, 8, VitConfig.Activation.QUICK_GELU, 1e-5f),
            List.of("dtd-like", "solids"), 20, 10, 5, 24, 6, 2, 3, new Trainer.Settings(1, 8, 1e-3f, 0.05f, 1, 3), 100f, 0,
            new Trainer.Settings(1, 8, 1e-3f, 0.1f, 1, 1), new Trainer.Settings(1, 8, 1e-3f, 0.1f, 1, 1));

    /** Every recipe by name (the ones tried are recorded in models/demo/README.md). */
    public static final List<Recipe> ALL = List.of(PRIMITIVES, COARSE, COARSE_LONG, COARSE_SHOT2, FINE_SHOT2, FINE_SHOT2_LONG, SMOKE);

    public static Recipe named(String name) {
        for (Recipe r : ALL) if (r.name.equals(name)) return r;
        throw new IllegalArgumentException("no recipe '" + name + "'; recipes are " + ALL.stream().map(Recipe::name).toList());
    }
}
