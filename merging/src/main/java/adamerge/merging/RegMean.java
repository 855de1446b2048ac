package adamerge.merging;

import adamerge.tensor.Tensor;
import adamerge.vit.ClipVisionEncoder;
import adamerge.vit.VitConfig;
import adamerge.vit.WeightLayout;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.CholeskyDecomposition;
import org.apache.commons.math3.linear.DecompositionSolver;
import org.apache.commons.math3.linear.LUDecomposition;
import org.apache.commons.math3.linear.NonPositiveDefiniteMatrixException;
import org.apache.commons.math3.linear.NonSymmetricMatrixException;
import org.apache.commons.math3.linear.RealMatrix;
import org.apache.commons.math3.linear.SingularMatrixException;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;
import java.util.function.IntFunction;

/**
 * RegMean (Jin et al. 2023) as FusionBench computes it. Each linear layer y = x W^T + b, W
 * [out, in], is merged in closed form from the Gram matrices of its inputs, G_k = X_k^T X_k / N_k:
 * <pre>
 *   G~_k = alpha G_k + (1 - alpha) diag(G_k)          (off-diagonals x alpha, default 0.95)
 *   W*   = ((sum_k G~_k)^-1 sum_k G~_k W_k^T)^T
 * </pre>
 * Every other tensor (biases, layer norms, embeddings, the patch conv, proj) is the plain mean of
 * the K models. Which tensors are linear weights is given by the Gram maps: a tensor with a Gram
 * matrix under its own name is one. For the packed attention in_proj_weight [3W, W] the input is
 * shared by q, k and v, so the formula applies to the whole packed matrix.
 */
public final class RegMean {
    public static final double DEFAULT_ALPHA = 0.95;

    private RegMean() {
    }

    /**
     * RegMean of fine-tuned encoders stored in {@code layout}: each model's Gram matrices from its
     * own task's batches ({@code batchesOf.apply(k)}, made one task at a time), solved in the
     * canonical layout, returned in the stored one. {@code taskDone} hears each finished task.
     */
    public static Map<String, Tensor> mergeStored(VitConfig config, WeightLayout layout, List<Map<String, Tensor>> finetuned,
                                                  IntFunction<List<Tensor>> batchesOf, double alpha, IntConsumer taskDone) {
        List<Map<String, Tensor>> models = new ArrayList<>(), grams = new ArrayList<>();
        for (int k = 0; k < finetuned.size(); k++) {
            Map<String, Tensor> canonical = layout.toCanonical(finetuned.get(k));
            models.add(canonical);
            grams.add(grams(config, canonical, batchesOf.apply(k)));
            taskDone.accept(k);
        }
        return layout.toSource(merge(models, grams, alpha));
    }

    public static Map<String, Tensor> merge(List<Map<String, Tensor>> models, List<Map<String, Tensor>> grams) {
        return merge(models, grams, DEFAULT_ALPHA);
    }

    /**
     * The merged model. {@code grams.get(k)} maps the name of each linear weight of model k to the
     * Gram matrix [in, in] of that layer's inputs on task k's data; every model must have Gram
     * matrices for the same weights.
     */
    public static Map<String, Tensor> merge(List<Map<String, Tensor>> models, List<Map<String, Tensor>> grams, double alpha) {
        Models.requireSameLayout(models, "model");
        if (grams.size() != models.size())
            throw new IllegalArgumentException(models.size() + " models but " + grams.size() + " Gram maps");
        if (!(alpha >= 0 && alpha <= 1)) throw new IllegalArgumentException("RegMean alpha must be in [0, 1], got " + alpha);
        Map<String, Tensor> first = models.get(0);
        for (int k = 0; k < grams.size(); k++) {
            if (!grams.get(k).keySet().equals(grams.get(0).keySet()))
                throw new IllegalArgumentException("Gram maps 0 and " + k + " cover different layers: " + grams.get(0).keySet()
                        + " vs " + grams.get(k).keySet());
            for (Map.Entry<String, Tensor> e : grams.get(k).entrySet()) {
                Tensor w = first.get(e.getKey());
                if (w == null)
                    throw new IllegalArgumentException("Gram matrix for '" + e.getKey() + "' but the models have no such tensor");
                int[] g = e.getValue().shape();
                if (w.rank() != 2 || g.length != 2 || g[0] != w.dim(1) || g[1] != w.dim(1))
                    throw new IllegalArgumentException("Gram matrix " + k + " of '" + e.getKey() + "' has shape " + Arrays.toString(g)
                            + " but the weight " + Arrays.toString(w.shape()) + " needs [in, in] = [" + (w.rank() == 2 ? w.dim(1) : "?")
                            + ", same]");
            }
        }
        Map<String, Tensor> out = Models.ordered();
        for (String key : first.keySet()) {
            if (grams.get(0).containsKey(key)) out.put(key, mergeLinear(key, models, grams, alpha));
            else out.put(key, Models.mean(models, key));
        }
        return out;
    }

    /** W* = ((sum_k G~_k)^-1 sum_k G~_k W_k^T)^T for one linear weight. */
    private static Tensor mergeLinear(String key, List<Map<String, Tensor>> models, List<Map<String, Tensor>> grams, double alpha) {
        int in = models.get(0).get(key).dim(1), out = models.get(0).get(key).dim(0);
        double[][] lhs = new double[in][in];
        Tensor rhs = null; // sum_k G~_k W_k^T [in, out], on the backend's GEMM
        for (int k = 0; k < models.size(); k++) {
            float[] g = grams.get(k).get(key).toArray();
            for (int i = 0; i < in; i++)
                for (int j = 0; j < in; j++)
                    if (i != j) g[i * in + j] = (float) (alpha * g[i * in + j]);
            for (int i = 0; i < in; i++)
                for (int j = 0; j < in; j++) lhs[i][j] += g[i * in + j];
            Tensor gw = Tensor.of(g, in, in).matmul(models.get(k).get(key).t());
            rhs = rhs == null ? gw : rhs.add(gw);
        }
        float[] r = rhs.toArray();
        // Solve on a system scaled to a unit mean diagonal (the solution is unchanged), so the
        // decompositions' absolute thresholds mean the same for any input scale.
        double trace = 0;
        for (int i = 0; i < in; i++) trace += lhs[i][i];
        double scale = trace > 0 ? in / trace : 1;
        for (int i = 0; i < in; i++)
            for (int j = 0; j <= i; j++) { // symmetrise: GEMM rounding may differ across the diagonal
                double v = 0.5 * (lhs[i][j] + lhs[j][i]) * scale;
                lhs[i][j] = v;
                lhs[j][i] = v;
            }
        double[][] b = new double[in][out];
        for (int i = 0; i < in; i++)
            for (int o = 0; o < out; o++) b[i][o] = r[i * out + o] * scale;
        RealMatrix x = solve(key, new Array2DRowRealMatrix(lhs, false), new Array2DRowRealMatrix(b, false));
        float[] w = new float[out * in];
        for (int i = 0; i < in; i++)
            for (int o = 0; o < out; o++) w[o * in + i] = (float) x.getEntry(i, o);
        return Tensor.of(w, out, in);
    }

    /** Cholesky (sum of Gram matrices is symmetric positive semi-definite), LU when it is not definite. */
    private static RealMatrix solve(String key, RealMatrix a, RealMatrix b) {
        DecompositionSolver solver;
        try {
            solver = new CholeskyDecomposition(a).getSolver();
        } catch (NonPositiveDefiniteMatrixException | NonSymmetricMatrixException e) {
            solver = new LUDecomposition(a).getSolver();
        }
        try {
            return solver.solve(b);
        } catch (SingularMatrixException e) {
            throw new IllegalArgumentException("RegMean: the summed Gram matrix of '" + key + "' is singular (some input feature is"
                    + " zero on every task's data); use more data or alpha < 1", e);
        }
    }

    /**
     * The input Gram matrices G = X^T X / N of every linear layer of a CLIP image encoder over
     * {@code batches} (N = all rows of all batches: images x tokens), keyed by the layer's
     * canonical weight name. Runs without a graph.
     */
    public static Map<String, Tensor> grams(VitConfig config, Map<String, Tensor> canonicalWeights, List<Tensor> batches) {
        if (batches.isEmpty()) throw new IllegalArgumentException("RegMean needs at least one batch to compute Gram matrices");
        GramAccumulator acc = new GramAccumulator();
        ClipVisionEncoder encoder = ClipVisionEncoder.frozen(config, canonicalWeights).observeLinearInputs(acc::add);
        for (Tensor batch : batches) encoder.encode(batch);
        return acc.grams();
    }

    /**
     * Running Gram matrices of layer inputs: {@link #add} sums X^T X per layer and counts rows;
     * {@link #grams} divides by the count, the same as FusionBench's running average.
     */
    public static final class GramAccumulator {
        private final Map<String, Tensor> sums = Models.ordered();
        private final Map<String, Long> rows = new HashMap<>();

        /** Adds the rows [n, in] of one layer's input. */
        public void add(String layer, Tensor x) {
            if (x.rank() != 2) throw new IllegalArgumentException("layer '" + layer + "' inputs must be rows [n, in], got " + Arrays.toString(x.shape()));
            Tensor xtx = x.t().matmul(x);
            Tensor s = sums.get(layer);
            if (s != null && s.dim(0) != x.dim(1))
                throw new IllegalArgumentException("layer '" + layer + "' had inputs of width " + s.dim(0) + ", now " + x.dim(1));
            sums.put(layer, s == null ? xtx : s.add(xtx));
            rows.merge(layer, (long) x.dim(0), Long::sum);
        }

        /** G = X^T X / N per layer, in the order the layers were first seen. */
        public Map<String, Tensor> grams() {
            Map<String, Tensor> g = Models.ordered();
            sums.forEach((k, s) -> g.put(k, s.div((float) rows.get(k))));
            return g;
        }
    }
}
