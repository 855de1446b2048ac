package adamerge.merging;

import adamerge.tensor.Tensor;

import java.util.List;
import java.util.Map;

/**
 * TSV-Merge, Task Singular Vectors Merge (Gargiulo et al., CVPR 2025), as the upstream code runs it
 * ({@code task_singular_vectors/src/utils/TSVM_utils.py}, {@code compute_and_sum_svd_mem_reduction}).
 * For each decomposed parameter ({@link TaskMatrices}) of rank bound r = min(m, n) and K tasks:
 * <ol>
 *   <li>each task matrix's SVD, truncated to its {@code int(r * (1/K))} leading triplets (the
 *   low-rank approximation of each task);</li>
 *   <li>the triplets stacked side by side, task i in block i of r slots (slots past K blocks stay
 *   zero);</li>
 *   <li>the stacked U and V^T replaced by their nearest orthonormal matrices and the matrix
 *   reassembled with the stacked singular values ({@link TaskMatrices#reassemble}): the
 *   interference between tasks' singular vectors removed.</li>
 * </ol>
 * Other parameters get the mean task vector, and {@code theta = theta_pre + scale * merged}. The
 * upstream code picks the scale on validation from 0.1 .. 3.0; the default here is 1.0, FusionBench's
 * ({@code config/method/task_singular_vector/TaskSingularVectorMerging.yaml}).
 *
 * @param scale alpha, the coefficient of the merged task vector
 */
public record TsvMerge(float scale) {
    public static final float DEFAULT_SCALE = 1f;

    public Map<String, Tensor> merge(Map<String, Tensor> pretrained, List<Map<String, Tensor>> finetuned) {
        return TaskMatrices.merge(pretrained, finetuned, scale, (key, taus) -> merged(taus));
    }

    /** The merged task matrix of K task matrices. */
    static DoubleMatrix merged(List<DoubleMatrix> taus) {
        int k = taus.size(), m = taus.get(0).rows(), n = taus.get(0).cols(), r = Math.min(m, n);
        int keep = (int) (r * (1.0 / k)); // upstream's int(s.shape[0] * sv_reduction), sv_reduction = 1 / K
        List<Svd> svds = TaskMatrices.perTask(k, i -> Svd.top(taus.get(i), keep));
        DoubleMatrix u = DoubleMatrix.zeros(r, m), v = DoubleMatrix.zeros(r, n);
        double[] s = new double[r];
        for (int i = 0; i < k; i++) {
            Svd t = svds.get(i);
            System.arraycopy(t.u().data(), 0, u.data(), i * keep * m, keep * m);
            System.arraycopy(t.v().data(), 0, v.data(), i * keep * n, keep * n);
            System.arraycopy(t.s(), 0, s, i * keep, keep);
        }
        return TaskMatrices.reassemble(u, s, v);
    }
}
