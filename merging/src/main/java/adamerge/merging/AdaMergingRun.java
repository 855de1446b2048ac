package adamerge.merging;

import adamerge.tensor.Tensor;
import adamerge.vit.data.ImageDataSet;

import java.util.ArrayList;
import java.util.List;

/**
 * The loop of one AdaMerging run, as the official code drives it: every step draws
 * {@code batchesPerStep} batches of {@code batch} unlabeled images per task from that task's
 * {@link BatchSampler} and takes one Adam step on the coefficients ({@link AdaMerging#step}).
 * The run keeps the per-step losses and the last coefficients that were finite, so a caller can
 * save them when a step turns non-finite. {@code adamerge merge} and the demo study both run
 * AdaMerging through this class.
 */
public final class AdaMergingRun {

    private final AdaMerging ada;
    private final List<ImageDataSet> data;
    private final List<BatchSampler> samplers = new ArrayList<>();
    private final List<Double> losses = new ArrayList<>();
    private float[][] lastGood;
    private int[] lastBatches;

    /** @param seeds one sampler seed per task */
    public AdaMergingRun(AdaMerging ada, List<ImageDataSet> data, int batch, int batchesPerStep, long[] seeds) {
        if (data.size() != ada.tasks() || seeds.length != data.size())
            throw new IllegalArgumentException(ada.tasks() + " task vectors, " + data.size() + " data sets and " + seeds.length + " seeds");
        this.ada = ada;
        this.data = List.copyOf(data);
        for (int k = 0; k < data.size(); k++) samplers.add(new BatchSampler(data.get(k).size(), batch, batchesPerStep, seeds[k]));
        this.lastGood = ada.rawLambdas();
    }

    public AdaMerging adaMerging() {
        return ada;
    }

    /** Steps taken so far (resumed ones included). */
    public int steps() {
        return losses.size();
    }

    /** The loss of every step taken, in order. */
    public List<Double> losses() {
        return List.copyOf(losses);
    }

    /** The raw coefficients after the last step whose loss was finite. */
    public float[][] lastGoodRawLambdas() {
        return lastGood;
    }

    /**
     * Continues a run stopped after {@code lossesSoFar.size()} steps, whose coefficients and Adam
     * state the caller has restored into the {@link AdaMerging}: the samplers replay those steps,
     * so the next batches are the uninterrupted run's.
     */
    public void resume(List<Double> lossesSoFar) {
        if (!losses.isEmpty()) throw new IllegalStateException("resume a fresh run, not one that has taken " + losses.size() + " steps");
        for (BatchSampler s : samplers) s.skip(lossesSoFar.size());
        losses.addAll(lossesSoFar);
        lastGood = ada.rawLambdas();
    }

    /**
     * One step; returns its loss (the sum over tasks of the mean entropy of each batch).
     *
     * @throws AdaMerging.NonFiniteException when the loss or a gradient is not finite;
     *         {@link #lastGoodRawLambdas} still holds the previous step's coefficients
     */
    public float step() {
        List<List<Tensor>> batches = new ArrayList<>();
        int[] counts = new int[data.size()];
        for (int k = 0; k < data.size(); k++) {
            List<Tensor> bs = new ArrayList<>();
            for (int[] idx : samplers.get(k).nextStep()) bs.add(data.get(k).batch(idx));
            batches.add(bs);
            counts[k] = bs.size();
        }
        float loss = ada.step(batches);
        lastBatches = counts;
        lastGood = ada.rawLambdas();
        losses.add((double) loss);
        return loss;
    }

    /** Each task's mean prediction entropy over its batches in the last step (empty before the first step). */
    public float[] lastTaskEntropy() {
        if (lastBatches == null) return new float[0];
        float[] perTask = ada.lastTaskLoss();
        for (int k = 0; k < perTask.length; k++) perTask[k] /= lastBatches[k];
        return perTask;
    }
}
