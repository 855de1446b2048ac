package adamerge.merging;

import adamerge.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * DARE, Drop And REscale (Yu et al., ICML 2024): every entry of a task vector is dropped with
 * probability p and the survivors are divided by 1 - p, so the expectation of the sparse vector is
 * the task vector itself. Then the sparse vectors are merged: by task arithmetic ({@link #merge},
 * FusionBench's {@code DareTaskArithmetic}, mergekit's {@code dare_linear}) or by TIES
 * ({@link #mergeTies}, FusionBench's {@code DareTiesMerging}: the whole TIES procedure, trim included,
 * on the dropped vectors).
 *
 * <p>As FusionBench ({@code fusion_bench/method/dare/utils.py}, {@code param_random_drop_} with
 * {@code only_on_linear_weights: false}), every tensor is dropped, biases and embeddings too, and
 * the rescale is exactly {@code 1 / (1 - p)}. mergekit rescales each tensor to its former L1 norm
 * instead, which is not unbiased; this class keeps the paper's rescale.
 *
 * <p>The keep masks are drawn on the host: task k from {@code SplittableRandom(seed + 1000 k)} (the
 * batch samplers' convention), entry by entry through the tensors in the pretrained model's key
 * order, so a seed gives the same masks on every backend.
 *
 * @param dropRate p, the probability of dropping an entry, in [0, 1) (FusionBench: 0.5)
 * @param seed     the seed of the masks
 */
public record Dare(double dropRate, long seed) {
    public static final double DEFAULT_DROP_RATE = 0.5;

    public Dare {
        if (!(dropRate >= 0 && dropRate < 1))
            throw new IllegalArgumentException("DARE drop rate must be in [0, 1), not " + dropRate);
    }

    /** DARE + task arithmetic: {@code theta_pre + scale * sum_k dare(tau_k)}. */
    public Map<String, Tensor> merge(Map<String, Tensor> pretrained, List<Map<String, Tensor>> finetuned, float scale) {
        Models.requireLayoutOf(pretrained, finetuned, "fine-tuned model");
        List<SplittableRandom> rngs = generators(finetuned.size());
        Map<String, Tensor> out = Models.ordered();
        pretrained.forEach((key, pre) -> { // one tensor at a time: only the merged model is allocated
            List<Tensor> dropped = new ArrayList<>(finetuned.size());
            for (int k = 0; k < finetuned.size(); k++) dropped.add(drop(finetuned.get(k).get(key).sub(pre), rngs.get(k)));
            out.put(key, pre.add(Models.sum(dropped).mul(scale)));
        });
        return out;
    }

    /** DARE + TIES: {@code ties} (trim, elect, disjoint merge, scale) applied to the dropped task vectors. */
    public Map<String, Tensor> mergeTies(Map<String, Tensor> pretrained, List<Map<String, Tensor>> finetuned, TiesMerge ties) {
        return ties.mergeTaskVectors(pretrained, dropped(pretrained, finetuned));
    }

    /** Each fine-tuned model's task vector after DARE (the TIES selection needs all of them at once). */
    public List<Map<String, Tensor>> dropped(Map<String, Tensor> pretrained, List<Map<String, Tensor>> finetuned) {
        Models.requireLayoutOf(pretrained, finetuned, "fine-tuned model");
        List<SplittableRandom> rngs = generators(finetuned.size());
        List<Map<String, Tensor>> out = new ArrayList<>(finetuned.size());
        for (int k = 0; k < finetuned.size(); k++) {
            Map<String, Tensor> tau = Models.ordered();
            for (Map.Entry<String, Tensor> e : pretrained.entrySet())
                tau.put(e.getKey(), drop(finetuned.get(k).get(e.getKey()).sub(e.getValue()), rngs.get(k)));
            out.add(tau);
        }
        return out;
    }

    /** {@code tau * keep / (1 - p)}: the drop and rescale, given the keep mask (1 keeps, 0 drops), as FusionBench computes it. */
    public Tensor rescaled(Tensor tau, Tensor keep) {
        return tau.mul(keep).div((float) (1 - dropRate));
    }

    private Tensor drop(Tensor tau, SplittableRandom rng) {
        if (dropRate == 0) return tau;
        float[] keep = new float[tau.numel()];
        for (int i = 0; i < keep.length; i++) keep[i] = rng.nextDouble() < dropRate ? 0f : 1f;
        return rescaled(tau, Tensor.of(keep, tau.shape()).to(tau.backend()));
    }

    private List<SplittableRandom> generators(int tasks) {
        List<SplittableRandom> out = new ArrayList<>(tasks);
        for (int k = 0; k < tasks; k++) out.add(new SplittableRandom(seed + 1000L * k));
        return out;
    }
}
