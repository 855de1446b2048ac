package adamerge.merging;

import adamerge.autograd.Var;
import adamerge.tensor.Tensor;
import adamerge.vit.ClassificationHead;
import adamerge.vit.ClipVisionEncoder;
import adamerge.vit.VitConfig;
import adamerge.vit.WeightLayout;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.IntConsumer;
import java.util.function.IntFunction;

/**
 * Fisher merging (Matena and Raffel 2022) as FusionBench's clip_fisher_merging computes it: a
 * diagonal empirical Fisher per model from unlabeled data of its task, then an elementwise
 * Fisher-weighted average of the full weights (not of task vectors):
 * <pre>
 *   theta* = sum_k s_k (F_k + eps) theta_k / sum_k s_k (F_k + eps),   eps = 1e-6
 * </pre>
 * with s_k = 1, or with normalisation s_k = (1/K) (1/(n_k + eps)) / sum_j 1/(n_j + eps), where
 * n_k is the global L2 norm of model k's Fisher over all its tensors.
 */
public final class FisherMerge {
    public static final float EPS = 1e-6f;

    private FisherMerge() {
    }

    /**
     * Fisher merging of fine-tuned encoders stored in {@code layout}: each model's diagonal Fisher
     * from its own task's batches ({@code batchesOf.apply(k)}, made one task at a time), the
     * average in the canonical layout, returned in the stored one. {@code taskDone} hears each
     * finished task (progress).
     */
    public static Map<String, Tensor> mergeStored(VitConfig config, WeightLayout layout, List<Map<String, Tensor>> finetuned,
                                                  List<ClassificationHead> heads, IntFunction<List<Tensor>> batchesOf,
                                                  boolean normalize, IntConsumer taskDone) {
        List<Map<String, Tensor>> models = new ArrayList<>(), fishers = new ArrayList<>();
        for (int k = 0; k < finetuned.size(); k++) {
            Map<String, Tensor> canonical = layout.toCanonical(finetuned.get(k));
            models.add(canonical);
            fishers.add(fisher(config, canonical, heads.get(k), batchesOf.apply(k)));
            taskDone.accept(k);
        }
        return layout.toSource(merge(models, fishers, normalize));
    }

    /** The Fisher-weighted average; every model needs a Fisher tensor of the same shape for each of its tensors. */
    public static Map<String, Tensor> merge(List<Map<String, Tensor>> models, List<Map<String, Tensor>> fishers, boolean normalize) {
        Models.requireSameLayout(models, "model");
        if (fishers.size() != models.size())
            throw new IllegalArgumentException(models.size() + " models but " + fishers.size() + " Fisher maps");
        for (int k = 0; k < models.size(); k++)
            Models.requireSameLayout("model " + k, models.get(k), "Fisher " + k, fishers.get(k));
        double[] s = normalize ? normalizationScales(fishers) : null;
        Map<String, Tensor> out = Models.ordered();
        for (String key : models.get(0).keySet()) {
            Tensor num = null, den = null;
            for (int k = 0; k < models.size(); k++) {
                Tensor w = fishers.get(k).get(key).add(EPS);
                if (s != null) w = w.mul((float) s[k]);
                Tensor wt = w.mul(models.get(k).get(key));
                num = num == null ? wt : num.add(wt);
                den = den == null ? w : den.add(w);
            }
            out.put(key, num.div(den));
        }
        return out;
    }

    /**
     * normalize_fisher_weight's scales: s_k = (1/K) (1/(n_k + eps)) / sum_j 1/(n_j + eps), with
     * n_k = sqrt(sum over model k's Fisher tensors of sum F^2).
     */
    public static double[] normalizationScales(List<Map<String, Tensor>> fishers) {
        int kk = fishers.size();
        double[] inv = new double[kk];
        double total = 0;
        for (int k = 0; k < kk; k++) {
            double sq = 0;
            for (Tensor f : fishers.get(k).values()) sq += f.mul(f).sum().item();
            inv[k] = 1 / (Math.sqrt(sq) + EPS);
            total += inv[k];
        }
        double[] s = new double[kk];
        for (int k = 0; k < kk; k++) s[k] = inv[k] / total / kk;
        return s;
    }

    /**
     * The diagonal empirical Fisher of a CLIP image encoder with its task's head, keyed like
     * {@code canonicalWeights} (tensors the loss does not reach get zeros). See
     * {@link #fisher(Map, Function, List)}.
     */
    public static Map<String, Tensor> fisher(VitConfig config, Map<String, Tensor> canonicalWeights, ClassificationHead head,
                                             List<Tensor> batches) {
        Map<String, Var> params = Models.ordered();
        canonicalWeights.forEach((k, v) -> params.put(k, Var.param(v)));
        ClipVisionEncoder encoder = new ClipVisionEncoder(config, params);
        return fisher(params, pixels -> head.logits(encoder.forward(pixels)), batches);
    }

    /**
     * FusionBench's diagonal empirical Fisher of any model {@code logits(batch) -> [B, C]} with
     * parameters {@code params}. Per batch, with the model's own predictive distribution
     * p = softmax(z) held constant:
     * <pre>
     *   loss = sum_b sum_c sqrt(p_bc) log_softmax(z)_bc;   F += (d loss / d theta)^2
     * </pre>
     * (the square of the batch-summed gradient, as FusionBench), and finally F /= number of examples.
     */
    public static Map<String, Tensor> fisher(Map<String, Var> params, Function<Tensor, Var> logits, List<Tensor> batches) {
        if (batches.isEmpty()) throw new IllegalArgumentException("the Fisher needs at least one batch of examples");
        Map<String, Tensor> f = Models.ordered();
        params.forEach((k, v) -> {
            if (!v.requiresGrad()) throw new IllegalArgumentException("Fisher parameter '" + k + "' must be a Var.param");
            f.put(k, Tensor.zeros(v.shape()));
        });
        long examples = 0;
        for (Tensor batch : batches) {
            params.values().forEach(Var::zeroGrad);
            Var z = logits.apply(batch);
            if (z.rank() != 2)
                throw new IllegalArgumentException("the Fisher needs logits [batch, classes], got " + Arrays.toString(z.shape()));
            Tensor sqrtP = z.value().softmax(-1).sqrt();
            z.logSoftmax(-1).mul(Var.constant(sqrtP)).sum().backward();
            params.forEach((k, v) -> {
                Tensor g = v.grad();
                if (g != null) f.put(k, f.get(k).add(g.mul(g)));
            });
            examples += z.dim(0);
        }
        float n = examples;
        f.replaceAll((k, v) -> v.div(n));
        params.values().forEach(Var::zeroGrad);
        return f;
    }
}
