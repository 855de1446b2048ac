package adamerge.demo.train;

import adamerge.demo.DemoTasks;
import adamerge.vit.VitConfig;

import java.util.List;

/**
 * Everything that determines the demo's checkpoints: the encoder shape, the data (sizes and
 * seeds) and the settings of each training phase. {@link #STANDARD} built the shipped
 * {@code models/demo/}; models/demo/README.md lists the same values as command lines.
 *
 * @param pretrainImages images drawn from the PretrainCorpus (12 classes, none of the tasks' data)
 * @param dataSeed       seed of {@link DemoTasks#load} for every task's train and test split
 * @param logitScale     scale of the prototype heads ({@link Heads})
 */
public record Recipe(VitConfig config, List<String> tasks, int trainPerTask, int testPerTask, long dataSeed,
                     int pretrainImages, long pretrainSeed, Trainer.Settings pretrain, float logitScale,
                     Trainer.Settings finetune, Trainer.Settings multiTask) {

    public Recipe {
        tasks = List.copyOf(tasks);
        if (tasks.isEmpty()) throw new IllegalArgumentException("a recipe needs at least one task");
        if (trainPerTask < 10 || testPerTask < 1 || pretrainImages < 12)
            throw new IllegalArgumentException("recipe sizes too small: train " + trainPerTask + "/task, test " + testPerTask
                    + "/task, pretraining " + pretrainImages);
    }

    /**
     * The shipped study: 8 tasks x (4000 train, 1000 test), 40,000 pretraining images. Heads are
     * calibrated on each task's train images ({@link Heads#LOGIT_SCALE}). Fine-tuning uses no
     * weight decay: task_vectors' AdamW decay of 0.1 at lr 1e-5 shrinks weights by ~0.2%, but at
     * our lr of 3e-3 it would shrink every weight by ~6%, a direction shared by all task vectors
     * that task arithmetic then adds eight times.
     */
    public static final Recipe STANDARD = new Recipe(DemoModel.CONFIG, DemoTasks.NAMES, 4000, 1000, 2024,
            40_000, 7, new Trainer.Settings(14, 128, 2e-3f, 0.05f, 200, 7), Heads.LOGIT_SCALE,
            new Trainer.Settings(6, 64, 3e-3f, 0f, 50, 1),
            new Trainer.Settings(6, 64, 3e-3f, 0f, 200, 1));
}
