package adamerge.merging;

import adamerge.tensor.Binary;
import adamerge.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * TIES-Merging (Yadav et al. 2023) under two peers' rules, chosen by {@link TrimScope}.
 *
 * <p>{@link TrimScope#GLOBAL}: the official TIES and AdaMerging code (and FusionBench):
 * <ol>
 *   <li><b>Trim</b>: per task, with D entries over the whole task vector, {@code kth = D - (int)(density * D)};
 *   the threshold is the kth smallest |tau| (torch.kthvalue), i.e. the (D - kth + 1)-th largest; entries with
 *   |tau| >= threshold are kept, so ties at the threshold are all kept (the official flattening concatenates
 *   the keys sorted alphabetically; the threshold does not depend on that order).</li>
 *   <li><b>Elect</b>: {@code s = sign(sum_k trimmed_k)}; where s is 0, the majority sign
 *   {@code sign(sum of s over every coordinate of every tensor)} is used, and +1 if that sum is 0
 *   too (the official code would leave 0 there, which selects the negative entries).</li>
 * </ol>
 * {@link TrimScope#PER_TENSOR}: mergekit's {@code ties} (merge_methods/generalized_task_arithmetic.py with
 * sparsify.py's magnitude trim and the "sum" sign consensus):
 * <ol>
 *   <li><b>Trim</b>: per task and tensor of n entries, exactly {@code (int)(density * n)} entries of largest
 *   |tau| are kept; among entries equal at the cut, the lowest flat indices (the order a stable descending
 *   sort gives). Density 1 keeps everything; a count of 0 keeps nothing (mergekit's older trim asserts
 *   there, its build_mask gives an empty mask).</li>
 *   <li><b>Elect</b>, per coordinate: +1 where {@code sum_k trimmed_k >= 0}, else -1 (so +1 where the sum is 0).</li>
 * </ol>
 * Then, for both:
 * <ol start="3">
 *   <li><b>Disjoint select</b>: keep the nonzero entries of trimmed_k that have the elected sign.</li>
 *   <li><b>Aggregate</b>: SUM of the selected entries (AdaMerging's and FusionBench's "dis-sum") or
 *   MEAN, the sum over max(count of selected entries, 1) (the TIES paper's "dis-mean"; mergekit's
 *   {@code normalize: true} with weight 1, which divides by the count of agreeing entries, 0 -> 1).</li>
 *   <li><b>Merge</b>: {@code theta = theta_pre + scale * aggregate}. mergekit's {@code ties} with
 *   {@code normalize: true} is PER_TENSOR, MEAN, scale 1; with {@code normalize: false} and weight w for
 *   every model it is PER_TENSOR, SUM, scale w.</li>
 * </ol>
 * Memory: task vectors are formed and trimmed one tensor at a time; only the global threshold
 * needs one task's whole task vector at once, handed as a list to {@link Tensor#kthLargestAbs}.
 *
 * @param density  the fraction of each task vector (GLOBAL) or tensor (PER_TENSOR) kept by the trim, in (0, 1] (official: 0.2)
 * @param scale    the coefficient of the aggregate (AdaMerging: 0.3)
 */
public record TiesMerge(double density, TrimScope trimScope, Aggregate aggregate, float scale) {

    /** Whose rule: GLOBAL, the official TIES/AdaMerging code's; PER_TENSOR, mergekit's {@code ties} (trim and election). */
    public enum TrimScope {GLOBAL, PER_TENSOR}

    public enum Aggregate {SUM, MEAN}

    public static final double DEFAULT_DENSITY = 0.2;
    public static final float DEFAULT_SCALE = 0.3f;

    public TiesMerge {
        if (!(density > 0 && density <= 1))
            throw new IllegalArgumentException("TIES density (the fraction of entries kept) must be in (0, 1], got " + density);
        if (!Float.isFinite(scale)) throw new IllegalArgumentException("TIES scale must be finite, got " + scale);
        if (trimScope == null || aggregate == null) throw new IllegalArgumentException("TIES trim scope and aggregate must be given");
    }

    /** The official AdaMerging baseline: keep 20% over the whole task vector, dis-sum, scale 0.3. */
    public static TiesMerge defaults() {
        return new TiesMerge(DEFAULT_DENSITY, TrimScope.GLOBAL, Aggregate.SUM, DEFAULT_SCALE);
    }

    public TiesMerge withDensity(double d) {
        return new TiesMerge(d, trimScope, aggregate, scale);
    }

    public TiesMerge withTrimScope(TrimScope t) {
        return new TiesMerge(density, t, aggregate, scale);
    }

    public TiesMerge withAggregate(Aggregate a) {
        return new TiesMerge(density, trimScope, a, scale);
    }

    public TiesMerge withScale(float s) {
        return new TiesMerge(density, trimScope, aggregate, s);
    }

    /** The merged model from the pretrained and the fine-tuned ones. */
    public Map<String, Tensor> merge(Map<String, Tensor> pretrained, List<Map<String, Tensor>> finetuned) {
        Models.requireLayoutOf(pretrained, finetuned, "fine-tuned model");
        return merge(pretrained, Source.fromModels(pretrained, finetuned));
    }

    /** The merged model from the pretrained one and task vectors already formed. */
    public Map<String, Tensor> mergeTaskVectors(Map<String, Tensor> pretrained, List<Map<String, Tensor>> taskVectors) {
        Models.requireLayoutOf(pretrained, taskVectors, "task vector");
        return merge(pretrained, Source.of(List.copyOf(pretrained.keySet()), taskVectors));
    }

    /**
     * Each task's trimmed, sign-filtered task vector (unscaled, not aggregated): the task vectors
     * AdaMerging++ learns its coefficients on. Unselected entries are +0.
     */
    public List<Map<String, Tensor>> selectedTaskVectors(Map<String, Tensor> pretrained, List<Map<String, Tensor>> finetuned) {
        return selectedTaskVectors(pretrained, finetuned, UnaryOperator.identity());
    }

    /**
     * As {@link #selectedTaskVectors(Map, List)}, each selected tensor passed through {@code store}
     * as soon as it is made (AdaMerging++ moves them to native memory or F16), so the K selected
     * task vectors never sit on the heap together.
     */
    public List<Map<String, Tensor>> selectedTaskVectors(Map<String, Tensor> pretrained, List<Map<String, Tensor>> finetuned,
                                                         UnaryOperator<Tensor> store) {
        Models.requireLayoutOf(pretrained, finetuned, "fine-tuned model");
        return selected(Source.fromModels(pretrained, finetuned), store);
    }

    /** {@link #selectedTaskVectors(Map, List)} from task vectors already formed. */
    public List<Map<String, Tensor>> selectedTaskVectors(List<Map<String, Tensor>> taskVectors) {
        Models.requireSameLayout(taskVectors, "task vector");
        return selected(Source.of(List.copyOf(taskVectors.get(0).keySet()), taskVectors), UnaryOperator.identity());
    }

    // ---- the algorithm ----

    /** Where the task vectors come from: tau(k, key) may be computed on demand. */
    private interface Source {
        int tasks();

        List<String> keys();

        Tensor tau(int task, String key);

        static Source of(List<String> keys, List<Map<String, Tensor>> taus) {
            return new Source() {
                public int tasks() { return taus.size(); }
                public List<String> keys() { return keys; }
                public Tensor tau(int k, String key) { return taus.get(k).get(key); }
            };
        }

        static Source fromModels(Map<String, Tensor> pre, List<Map<String, Tensor>> ft) {
            List<String> keys = List.copyOf(pre.keySet());
            return new Source() {
                public int tasks() { return ft.size(); }
                public List<String> keys() { return keys; }
                public Tensor tau(int k, String key) { return ft.get(k).get(key).sub(pre.get(key)); }
            };
        }
    }

    /** Receives, tensor by tensor, the selected entries of every task. */
    private interface SelectionSink {
        void accept(String key, List<Tensor> selectedPerTask, List<Tensor> keptMasks);
    }

    private Map<String, Tensor> merge(Map<String, Tensor> pretrained, Source src) {
        Map<String, Tensor> out = Models.ordered();
        select(src, (key, sel, masks) -> {
            Tensor agg = Models.sum(sel);
            if (aggregate == Aggregate.MEAN) agg = agg.div(Models.sum(masks).binary(Binary.MAX, 1f)); // dis-mean: / max(count, 1)
            out.put(key, pretrained.get(key).add(agg.mul(scale)));
        });
        return out;
    }

    private List<Map<String, Tensor>> selected(Source src, UnaryOperator<Tensor> store) {
        List<Map<String, Tensor>> out = new ArrayList<>();
        for (int k = 0; k < src.tasks(); k++) out.add(Models.ordered());
        select(src, (key, sel, masks) -> {
            for (int k = 0; k < sel.size(); k++) out.get(k).put(key, store.apply(sel.get(k)));
        });
        return out;
    }

    private void select(Source src, SelectionSink sink) {
        List<String> keys = src.keys();
        float[][] thr = trimScope == TrimScope.GLOBAL ? globalThresholds(src) : null;
        // Where the summed sign is 0: GLOBAL takes the majority over all coordinates (a first pass;
        // counts are exact in a long), mergekit +1 per coordinate.
        float zeroSign = 1f;
        if (trimScope == TrimScope.GLOBAL) {
            long signSum = 0;
            for (int i = 0; i < keys.size(); i++) signSum += sumOfSigns(Models.sum(trimmed(src, keys.get(i), thr, i)).sign());
            zeroSign = signSum < 0 ? -1f : 1f; // a zero sum resolves to +1
        }
        for (int i = 0; i < keys.size(); i++) {
            List<Tensor> trimmed = trimmed(src, keys.get(i), thr, i);
            Tensor s = Models.sum(trimmed).sign();
            s = Tensor.where(s.binary(Binary.EQ, 0f), constant(s, zeroSign), s);
            List<Tensor> sel = new ArrayList<>(trimmed.size()), masks = new ArrayList<>(trimmed.size());
            for (Tensor t : trimmed) {
                Tensor agrees = t.mul(s).binary(Binary.GT, 0f); // s > 0 ? t > 0 : t < 0 (zeros never agree)
                masks.add(agrees);
                sel.add(Tensor.where(agrees, t, constant(t, 0f)));
            }
            sink.accept(keys.get(i), sel, masks);
        }
    }

    /** thresholds[task][key index] of GLOBAL trimming: one value per task, the same for every key. */
    private float[][] globalThresholds(Source src) {
        List<String> keys = src.keys();
        float[][] thr = new float[src.tasks()][keys.size()];
        for (int k = 0; k < src.tasks(); k++) {
            List<String> flatOrder = keys.stream().sorted().toList(); // the official flattening order
            List<Tensor> tau = new ArrayList<>(flatOrder.size());
            long n = 0;
            for (String key : flatOrder) {
                Tensor t = src.tau(k, key);
                tau.add(t);
                n += t.numel();
            }
            Arrays.fill(thr[k], threshold(tau, n));
        }
        return thr;
    }

    /** The kth smallest |x| with kth = n - (int)(density n), as the (n - kth + 1)-th largest; 0 (keep all) when kth < 1. */
    private float threshold(List<Tensor> xs, long n) {
        if (n == 0) return 0f;
        long kth = n - (long) (density * n);
        return kth < 1 ? 0f : Tensor.kthLargestAbs(xs, n - kth + 1);
    }

    /** Every task's trimmed tensor {@code key}: GLOBAL by its threshold, PER_TENSOR by mergekit's exact count. */
    private List<Tensor> trimmed(Source src, String key, float[][] thr, int keyIndex) {
        List<Tensor> out = new ArrayList<>(src.tasks());
        for (int k = 0; k < src.tasks(); k++) {
            Tensor t = src.tau(k, key);
            out.add(thr != null ? Tensor.where(t.abs().binary(Binary.GE, thr[k][keyIndex]), t, constant(t, 0f)) : keepLargest(t, density));
        }
        return out;
    }

    /**
     * mergekit's magnitude trim of one tensor: exactly {@code (int)(density n)} entries of largest
     * |x| kept, the rest +0; among entries equal at the cut, the lowest flat indices (a stable
     * descending sort's order). Done on the host: the cut needs a scan in index order.
     */
    static Tensor keepLargest(Tensor t, double density) {
        if (density >= 1) return t;
        int n = t.numel();
        long k = (long) (density * n);
        float[] x = t.toArray(), kept = new float[n];
        if (k > 0) {
            float cut = Tensor.kthLargestAbs(List.of(t), k);
            long atCut = k; // how many entries equal to the cut still fit
            for (float v : x) if (Math.abs(v) > cut) atCut--;
            for (int i = 0; i < n; i++) {
                float a = Math.abs(x[i]);
                if (a > cut || (a == cut && atCut-- > 0)) kept[i] = x[i];
            }
        }
        return Tensor.of(kept, t.shape()).to(t.backend());
    }

    /** Sum of a tensor of -1/0/+1, exact: float partial sums of integers are exact below 2^24. */
    private static long sumOfSigns(Tensor s) {
        Tensor flat = s.flatten();
        int n = flat.numel(), chunk = 1 << 24;
        long total = 0;
        for (int from = 0; from < n; from += chunk)
            total += (long) flat.slice(0, from, Math.min(n, from + chunk)).sum().item();
        return total;
    }

    /** A rank-0 tensor on {@code like}'s backend. */
    private static Tensor constant(Tensor like, float v) {
        return like.backend().fromArray(new float[]{v});
    }

}
