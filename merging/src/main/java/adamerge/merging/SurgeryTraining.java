package adamerge.merging;

import adamerge.autograd.Adam;
import adamerge.autograd.Var;
import adamerge.tensor.Tensor;
import adamerge.vit.ClipVisionEncoder;
import adamerge.vit.data.ImageDataSet;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Learns a {@link Surgery} on unlabeled test images, as upstream's
 * {@code main_*_with_surgery.py} do (Yang et al., ICML 2024, Eq. 5): for every task, the L1
 * distance (mean over batch and feature) between the merged encoder's features after that task's
 * surgery and the task's own fine-tuned encoder's features is minimised with Adam (lr 1e-3,
 * betas (0.9, 0.999), eps 1e-8, no weight decay). Only the surgery modules learn; the merged and
 * fine-tuned encoders are frozen.
 *
 * <p>The loop is upstream's: each of {@code steps} iterations visits the tasks in order and takes
 * one Adam step per batch, {@code batchesPerStep} batches of {@code batch} images per task
 * (upstream: 500 iterations, the first 2 batches of 16 of a fresh shuffle). Each task's modules
 * have Adam state of their own and move only on their task's batches: torch's Adam skips a
 * parameter whose gradient is None, which is what every step's {@code zero_grad()} leaves for the
 * other tasks' modules since torch 2.0 (before it, zero_grad kept zero tensors and those modules
 * kept drifting on their momentum during the other tasks' steps).
 *
 * <p>Both encoders are frozen, so each image's two feature vectors never change: {@link Features}
 * computes them the first time a batch draws the image and keeps them, which gives upstream's
 * numbers while sending each image through the encoders once instead of once per draw.
 */
public final class SurgeryTraining {

    /**
     * @param rank           the modules' inner width (upstream's Linear(dim, 16))
     * @param steps          iterations over all tasks (upstream's {@code iterations = 500})
     * @param batch          images per batch (upstream's {@code batch_size=16})
     * @param batchesPerStep Adam steps per task per iteration, one per batch (upstream breaks after the second)
     * @param lr             Adam's learning rate (upstream's 1e-3)
     */
    public record Options(int rank, int steps, int batch, int batchesPerStep, float lr) {
        public static final Options DEFAULT = new Options(16, 500, 16, 2, 1e-3f);

        public Options {
            if (rank < 1 || steps < 0 || batch < 1 || batchesPerStep < 1 || !(lr > 0))
                throw new IllegalArgumentException("surgery needs rank, batch and batches per step >= 1, steps >= 0 and lr > 0; got rank "
                        + rank + ", steps " + steps + ", batch " + batch + ", batches per step " + batchesPerStep + ", lr " + lr);
        }

        /** For reports: the settings under the names the JSON reports use. */
        public Map<String, Object> asMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("rank", rank);
            m.put("steps", steps);
            m.put("batch", batch);
            m.put("batches_per_step", batchesPerStep);
            m.put("lr", lr);
            return m;
        }

        public Options withRank(int v) {
            return new Options(v, steps, batch, batchesPerStep, lr);
        }

        public Options withSteps(int v) {
            return new Options(rank, v, batch, batchesPerStep, lr);
        }

        public Options withBatch(int v) {
            return new Options(rank, steps, v, batchesPerStep, lr);
        }

        public Options withBatchesPerStep(int v) {
            return new Options(rank, steps, batch, v, lr);
        }

        public Options withLr(float v) {
            return new Options(rank, steps, batch, batchesPerStep, v);
        }
    }

    /** Hears each finished iteration: its number (from 1) and each task's mean L1 loss over its batches. */
    @FunctionalInterface
    public interface Listener {
        void afterStep(int step, float[] taskLoss);
    }

    /**
     * One task's images with their features by the merged encoder and by the task's fine-tuned
     * encoder, each computed on first use and kept (both encoders are frozen).
     */
    public static final class Features {
        private final ClipVisionEncoder merged, individual;
        private final ImageDataSet data;
        private final float[][] mergedRows, individualRows;

        public Features(ClipVisionEncoder merged, ClipVisionEncoder individual, ImageDataSet data) {
            this.merged = merged;
            this.individual = individual;
            this.data = data;
            this.mergedRows = new float[data.size()][];
            this.individualRows = new float[data.size()][];
        }

        public int size() {
            return data.size();
        }

        /** The merged [n, dim] and fine-tuned [n, dim] features of images {@code idx}. */
        Tensor[] of(int[] idx) {
            int[] missing = Arrays.stream(idx).filter(i -> mergedRows[i] == null).distinct().toArray();
            if (missing.length > 0) {
                Tensor pixels = data.batch(missing);
                float[] m = merged.encode(pixels).toArray(), f = individual.encode(pixels).toArray();
                int d = m.length / missing.length;
                for (int j = 0; j < missing.length; j++) {
                    mergedRows[missing[j]] = Arrays.copyOfRange(m, j * d, (j + 1) * d);
                    individualRows[missing[j]] = Arrays.copyOfRange(f, j * d, (j + 1) * d);
                }
            }
            return new Tensor[]{rows(mergedRows, idx), rows(individualRows, idx)};
        }

        private static Tensor rows(float[][] rows, int[] idx) {
            int d = rows[idx[0]].length;
            float[] out = new float[idx.length * d];
            for (int j = 0; j < idx.length; j++) System.arraycopy(rows[idx[j]], 0, out, j * d, d);
            return Tensor.of(out, idx.length, d);
        }
    }

    private final List<String> tasks;
    private final List<Var> down = new ArrayList<>(), up = new ArrayList<>();
    private final List<Adam> adams = new ArrayList<>();

    /** Training that starts from {@code initial}, one Adam per task at learning rate {@code lr}. */
    public SurgeryTraining(Surgery initial, float lr) {
        this.tasks = initial.tasks();
        for (int k = 0; k < tasks.size(); k++) {
            Var d = Var.param(initial.down().get(k)), u = Var.param(initial.up().get(k));
            down.add(d);
            up.add(u);
            adams.add(new Adam(List.of(d, u), lr)); // torch's defaults: betas (0.9, 0.999), eps 1e-8, no weight decay
        }
    }

    /**
     * One Adam step of task k's modules on one batch: {@code merged} and {@code individual} are the
     * merged and fine-tuned encoders' features [n, dim] of the same images. Returns the loss before
     * the step, upstream's {@code L1Loss()(surgery(merged), individual)}: the mean of |difference|
     * over all n x dim entries.
     */
    public float step(int k, Tensor merged, Tensor individual) {
        Adam adam = adams.get(k);
        adam.zeroGrad();
        Var loss = l1(Surgery.corrected(Var.constant(merged), down.get(k), up.get(k)), Var.constant(individual));
        loss.backward();
        adam.step();
        return loss.value().item();
    }

    /**
     * mean |a - b|, with |x| = relu(x) + relu(-x): its gradient is sign(x), 0 at x = 0, as torch's
     * L1Loss, composed of existing ops.
     */
    static Var l1(Var a, Var b) {
        Var x = a.sub(b);
        return x.relu().add(x.neg().relu()).mean();
    }

    /** The modules as they are now. */
    public Surgery surgery() {
        List<Tensor> d = new ArrayList<>(), u = new ArrayList<>();
        for (int k = 0; k < tasks.size(); k++) {
            d.add(down.get(k).value());
            u.add(up.get(k).value());
        }
        return new Surgery(tasks, d, u);
    }

    /**
     * The whole run: {@code o.steps()} iterations of upstream's loop over {@code features} (one per
     * task, in the surgery's task order), task k's batches drawn by a {@link BatchSampler} seeded
     * {@code seed + 1000 k} (as AdaMerging's), the modules initialised by {@link Surgery#initial}
     * from {@code seed}. {@code listener} may be null.
     */
    public static Surgery train(List<String> taskNames, List<Features> features, int dim, Options o, long seed, Listener listener) {
        if (features.size() != taskNames.size())
            throw new IllegalArgumentException(taskNames.size() + " task names but " + features.size() + " tasks' features");
        SurgeryTraining t = new SurgeryTraining(Surgery.initial(taskNames, dim, o.rank(), seed), o.lr());
        List<BatchSampler> samplers = new ArrayList<>();
        for (int k = 0; k < features.size(); k++) samplers.add(new BatchSampler(features.get(k).size(), o.batch(), o.batchesPerStep(), seed + 1000L * k));
        for (int s = 1; s <= o.steps(); s++) {
            float[] taskLoss = new float[features.size()];
            for (int k = 0; k < features.size(); k++) {
                List<int[]> batches = samplers.get(k).nextStep();
                for (int[] idx : batches) {
                    Tensor[] f = features.get(k).of(idx);
                    float loss = t.step(k, f[0], f[1]);
                    if (!Float.isFinite(loss))
                        throw new IllegalStateException("surgery of task '" + taskNames.get(k) + "': the L1 loss is " + loss + " at step " + s);
                    taskLoss[k] += loss / batches.size();
                }
            }
            if (listener != null) listener.afterStep(s, taskLoss);
        }
        return t.surgery();
    }
}
