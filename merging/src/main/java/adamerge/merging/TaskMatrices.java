package adamerge.merging;

import adamerge.tensor.Tensor;
import adamerge.tensor.cpu.Parallel;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * What the SVD-based merges (TSV-Merge, Iso-C, Iso-CTS) share: which parameters they decompose,
 * what they do with the others, how a merged task vector is applied, and the reassembly of a
 * matrix from stacked singular triplets.
 *
 * <p>As both upstream codes ({@code TSVM_utils.py} and {@code iso.py}): a parameter is decomposed
 * when it is 2-D and its name does not contain {@code text_projection} (so the positional
 * embedding and the projection are, the patch convolution is not); every other parameter (biases,
 * LayerNorms, the class embedding, the 4-D patch convolution) gets the mean of the task vectors;
 * and the merged task vector is applied to every parameter alike, {@code theta_pre + scale tau}.
 * Parameters are those of the checkpoint's own convention: open_clip's packed q/k/v projection is
 * one matrix, as upstream's, a Hugging Face checkpoint's are three.
 */
final class TaskMatrices {
    private TaskMatrices() {
    }

    /** How a method merges the task matrices of one parameter (K of them, float64) into one. */
    @FunctionalInterface
    interface MatrixMerge {
        DoubleMatrix merge(String key, List<DoubleMatrix> taskMatrices);
    }

    static boolean isMatrix(String key, Tensor t) {
        return t.shape().length == 2 && !key.contains("text_projection");
    }

    /** theta_pre + scale * (the merged task matrix, or the mean task vector), parameter by parameter. */
    static Map<String, Tensor> merge(Map<String, Tensor> pretrained, List<Map<String, Tensor>> finetuned, float scale, MatrixMerge method) {
        Models.requireLayoutOf(pretrained, finetuned, "fine-tuned model");
        if (!Float.isFinite(scale)) throw new IllegalArgumentException("scale must be finite, not " + scale);
        Map<String, Tensor> out = Models.ordered();
        pretrained.forEach((key, pre) -> {
            List<Tensor> taus = new ArrayList<>(finetuned.size());
            for (Map<String, Tensor> ft : finetuned) taus.add(ft.get(key).sub(pre));
            Tensor merged;
            if (isMatrix(key, pre)) {
                List<DoubleMatrix> ms = new ArrayList<>(taus.size());
                for (Tensor t : taus) ms.add(DoubleMatrix.of(t));
                merged = method.merge(key, ms).toTensor().to(pre.backend());
            } else {
                merged = Models.sum(taus).div(taus.size());
            }
            out.put(key, pre.add(merged.mul(scale)));
        });
        return out;
    }

    /** f(0), ..., f(k - 1), computed on the cores in parallel (each task's SVD is independent). */
    static <T> List<T> perTask(int k, IntFunction<T> f) {
        List<T> out = new ArrayList<>(java.util.Collections.nCopies(k, null));
        Parallel.forPieces(k, k, (lo, hi) -> {
            for (int i = lo; i < hi; i++) out.set(i, f.apply(i));
        });
        return out;
    }

    /**
     * {@code polar(U) diag(s) polar(V^T)} for stacked triplets, U's columns given as the rows of
     * {@code u} (r x m) and V^T as {@code v} (r x n): the orthogonalisation of TSV-Merge (Gargiulo et
     * al.: the stacked singular vectors, nearly but not exactly orthogonal across tasks, replaced by
     * the nearest matrices with orthonormal columns, {@code P Q^T} from the SVD {@code P S Q^T} of each)
     * that Iso-CTS reuses. Rows left zero (directions no task filled) stay out of the result: their
     * singular value is 0.
     */
    static DoubleMatrix reassemble(DoubleMatrix u, double[] s, DoubleMatrix v) {
        DoubleMatrix[] polar = new DoubleMatrix[2];
        Parallel.forPieces(2, 2, (lo, hi) -> {
            for (int i = lo; i < hi; i++) polar[i] = Svd.of(i == 0 ? u.transpose() : v).orthogonalFactor();
        });
        return polar[0].times(polar[1].scaleRows(s));
    }
}
