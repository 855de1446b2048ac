package adamerge.merging;

import adamerge.tensor.Backend;
import adamerge.tensor.Backends;
import adamerge.tensor.Tensor;
import adamerge.vit.data.ImageDataSet;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
     * Everything a run needs to continue exactly where it stopped, after {@link #step()} steps:
     * the raw coefficients, Adam's state by name ("step", "exp_avg.0", "exp_avg_sq.0") and every
     * step's loss. The batch samplers need only the step count: they replay it.
     */
    public record State(float[][] rawLambdas, Map<String, Tensor> adam, List<Double> lossPerStep) {
        public State {
            lossPerStep = List.copyOf(lossPerStep);
            adam = Collections.unmodifiableMap(new LinkedHashMap<>(adam));
        }

        public int step() {
            return lossPerStep.size();
        }
    }

    /** The run's state now: tensors are values, so it does not change as the run goes on. */
    public State state() {
        return new State(ada.rawLambdas(), ada.adamState(), losses);
    }

    /**
     * Continues, in a fresh run with the same inputs and settings, from {@code s}: coefficients and
     * Adam's state are restored (onto the current backend) and the samplers replay the steps taken,
     * so the next batches, and every later value, are the uninterrupted run's.
     */
    public void resume(State s) {
        if (!losses.isEmpty()) throw new IllegalStateException("resume a fresh run, not one that has taken " + losses.size() + " steps");
        ada.setRawLambdas(s.rawLambdas());
        Backend backend = Backends.current();
        Map<String, Tensor> adam = new LinkedHashMap<>();
        s.adam().forEach((k, t) -> adam.put(k, t.to(backend)));
        ada.loadAdamState(adam);
        for (BatchSampler sampler : samplers) sampler.skip(s.step());
        losses.addAll(s.lossPerStep());
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
