package adamerge.study;

import adamerge.merging.SurgeryTraining;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The knobs of the demo study. {@link #full()} is the paper's protocol (AdaMerging: prior 0.3,
 * Adam lr 1e-3, clamp, 500 steps of 2 unlabeled test batches of 16 per task; Fisher and
 * RegMean from 256 train samples per task; 3 seeds). {@link #fast()} changes only the step
 * count, the seeds and the test-set size so that the whole study runs in minutes; nothing here
 * is chosen by looking at merged-model accuracy.
 *
 * @param steps          AdaMerging optimisation steps
 * @param seeds          repeats of every method that samples data (AdaMerging, Fisher, RegMean)
 * @param testPerTask    test images per task (adaptation and evaluation data, as the paper)
 * @param trainPool      train images per task from which each seed draws its Fisher/RegMean samples
 * @param fisherSamples  train samples per task for Fisher and RegMean (the paper's N = 256)
 * @param statsBatch     batch size of the Fisher and RegMean passes (FusionBench: 32)
 * @param batch          AdaMerging batch size (16)
 * @param batchesPerStep AdaMerging batches per task per step (2, as the official code)
 * @param evalBatch      images per forward pass when evaluating
 * @param severity       corruption severity 1..5 of the robustness study
 * @param diagnosticImages test images per task for the disentanglement curves and errors
 * @param dataSeed       seed of the task data (train pools and test sets)
 * @param name           how the run is called in reports (fast, full, tiny)
 */
public record StudySettings(int steps, int seeds, int testPerTask, int trainPool, int fisherSamples, int statsBatch,
                            int batch, int batchesPerStep, float prior, float lr, int evalBatch, int severity,
                            int diagnosticImages, long dataSeed, String name) {

    public StudySettings {
        if (steps < 0) throw new IllegalArgumentException("--steps must be >= 0, got " + steps);
        if (seeds < 1) throw new IllegalArgumentException("--seeds must be >= 1, got " + seeds);
        if (severity < 1 || severity > 5) throw new IllegalArgumentException("severity must be 1..5, got " + severity);
        if (fisherSamples > trainPool)
            throw new IllegalArgumentException(fisherSamples + " Fisher/RegMean samples from a pool of only " + trainPool);
    }

    /**
     * AdaMerging steps of the fast demo, chosen so that the whole fast study (19 AdaMerging runs
     * among its merges) stays within 10 minutes on a 2-core machine.
     */
    public static final int FAST_STEPS = 120;

    /** The paper's settings on the demo's full test sets. */
    public static StudySettings full() {
        return new StudySettings(500, 3, 1000, 1024, 256, 32, 16, 2, 0.3f, 1e-3f, 128, 3, 1000, 0, "full");
    }

    /** The default demo: the paper's settings except fewer AdaMerging steps and one seed. */
    public static StudySettings fast() {
        return new StudySettings(FAST_STEPS, 1, 1000, 512, 256, 32, 16, 2, 0.3f, 1e-3f, 128, 3, 250, 0, "fast");
    }

    /** A few images and steps, to prove the pipeline end to end (CI). */
    public static StudySettings tiny() {
        return new StudySettings(2, 1, 24, 24, 16, 8, 8, 2, 0.3f, 1e-3f, 32, 3, 24, 0, "tiny");
    }

    public StudySettings withSteps(int s) {
        return new StudySettings(s, seeds, testPerTask, trainPool, fisherSamples, statsBatch, batch, batchesPerStep, prior, lr,
                evalBatch, severity, diagnosticImages, dataSeed, name);
    }

    public StudySettings withDataSeed(long seed) {
        return new StudySettings(steps, seeds, testPerTask, trainPool, fisherSamples, statsBatch, batch, batchesPerStep, prior, lr,
                evalBatch, severity, diagnosticImages, seed, name);
    }

    public StudySettings withSeeds(int n) {
        return new StudySettings(steps, n, testPerTask, trainPool, fisherSamples, statsBatch, batch, batchesPerStep, prior, lr,
                evalBatch, severity, diagnosticImages, dataSeed, name);
    }

    /** For reports. */
    public Map<String, Object> asMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("configuration", name);
        m.put("adamerging_steps", steps);
        m.put("seeds", seeds);
        m.put("test_images_per_task", testPerTask);
        m.put("fisher_regmean_samples_per_task", fisherSamples);
        m.put("train_pool_per_task", trainPool);
        m.put("fisher_regmean_batch", statsBatch);
        m.put("adamerging_batch", batch);
        m.put("adamerging_batches_per_task_per_step", batchesPerStep);
        m.put("adamerging_prior", prior);
        m.put("adamerging_lr", lr);
        m.put("adamerging_clamp", true);
        m.put("task_arithmetic_ties_scale", 0.3);
        m.put("ties_keep", 0.2);
        Map<String, Object> later = new LinkedHashMap<>();
        for (var method : StudyResults.LATER_MERGES) later.put(method.paperName(), Study.laterMergeSettings(method));
        m.put("later_merges", later);
        m.put("surgery", SurgeryTraining.Options.DEFAULT.asMap());
        m.put("corruption_severity", severity);
        m.put("diagnostic_images_per_task", diagnosticImages);
        m.put("data_seed", dataSeed);
        return m;
    }
}
