package adamerge.merging;

import adamerge.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Isotropic merging (Marczak et al., ICML 2025, "No Task Left Behind"), as the upstream code runs
 * it ({@code iso-merging/src/utils/iso.py}), for each decomposed parameter ({@link TaskMatrices}):
 * <ul>
 *   <li><b>Iso-C</b> ({@code iso_c}): the summed task matrix {@code sum_k tau_k = U diag(s) V^T}
 *   with its spectrum flattened, {@code U (mean(s) I) V^T}: every direction of the common
 *   subspace gets the same weight, so tasks with small singular values are not drowned out.</li>
 *   <li><b>Iso-CTS</b> ({@code iso_cts}): of r = min(m, n) directions, the leading {@code c} of the
 *   sum are kept as the common subspace and the other {@code r - c} are shared out among the K tasks:
 *   each task's matrix with the common subspace projected out, {@code tau_k - U_c U_c^T tau_k},
 *   gives its leading {@code (r - c) / K} triplets. Here {@code c = int(r f)} for the common
 *   fraction f, then raised or lowered so that {@code r - c} is a multiple of K:
 *   {@code r - c = K round((r - int(r f)) / K)}, rounding half to even as Python's round. All r
 *   triplets are stacked, the stacked U and V^T orthogonalised as in TSV-Merge
 *   ({@link TaskMatrices#reassemble}) and the spectrum flattened to the mean of the stacked
 *   singular values.</li>
 * </ul>
 * Other parameters get the mean task vector, and {@code theta = theta_pre + scale * merged}. The
 * upstream code picks the scale on validation from 0.1 .. 3.0 and runs Iso-CTS with f = 0.8; the
 * default scale here is 1.0, FusionBench's ({@code config/method/isotropic_merging/iso_c.yaml},
 * {@code iso_cts.yaml}).
 *
 * @param commonSubspace whether task-specific subspaces are added (Iso-CTS) or not (Iso-C)
 * @param scale          alpha, the coefficient of the merged task vector
 * @param commonFraction Iso-CTS: f, the fraction of the r directions kept from the sum, in [0, 1]
 */
public record IsoMerge(boolean commonSubspace, float scale, double commonFraction) {
    public static final float DEFAULT_SCALE = 1f;
    public static final double DEFAULT_COMMON_FRACTION = 0.8;

    public IsoMerge {
        if (!(commonFraction >= 0 && commonFraction <= 1))
            throw new IllegalArgumentException("Iso-CTS common fraction must be in [0, 1], not " + commonFraction);
    }

    public static IsoMerge isoC(float scale) {
        return new IsoMerge(false, scale, DEFAULT_COMMON_FRACTION);
    }

    public static IsoMerge isoCts(float scale, double commonFraction) {
        return new IsoMerge(true, scale, commonFraction);
    }

    public Map<String, Tensor> merge(Map<String, Tensor> pretrained, List<Map<String, Tensor>> finetuned) {
        return TaskMatrices.merge(pretrained, finetuned, scale, (key, taus) -> commonSubspace ? isoCts(key, taus, commonFraction) : isoC(taus));
    }

    static DoubleMatrix isoC(List<DoubleMatrix> taus) {
        Svd svd = Svd.of(sum(taus));
        return scaled(svd.orthogonalFactor(), mean(svd.s()));
    }

    static DoubleMatrix isoCts(String key, List<DoubleMatrix> taus, double fraction) {
        int k = taus.size(), m = taus.get(0).rows(), n = taus.get(0).cols(), r = Math.min(m, n);
        int perTask = (int) Math.rint((r - (int) (r * fraction)) / (double) k), common = r - perTask * k;
        if (common < 0)
            throw new IllegalArgumentException("Iso-CTS: tensor '" + key + "' has " + r + " directions, too few for " + k
                    + " task subspaces of " + perTask + " beside a common one (common fraction " + fraction + "); use a larger common fraction");
        Svd shared = Svd.top(sum(taus), common);
        DoubleMatrix uc = shared.u(); // common x m
        List<Svd> specific = perTask == 0 ? List.of() : TaskMatrices.perTask(k, i -> {
            DoubleMatrix t = taus.get(i);
            return Svd.top(t.minus(uc.transpose().times(uc.times(t))), perTask); // tau_i without its common-subspace part
        });
        DoubleMatrix u = DoubleMatrix.zeros(r, m), v = DoubleMatrix.zeros(r, n);
        double[] s = new double[r];
        for (int i = 0; i < specific.size(); i++) {
            Svd t = specific.get(i);
            System.arraycopy(t.u().data(), 0, u.data(), i * perTask * m, perTask * m);
            System.arraycopy(t.v().data(), 0, v.data(), i * perTask * n, perTask * n);
            System.arraycopy(t.s(), 0, s, i * perTask, perTask);
        }
        int at = k * perTask; // the common subspace after the task-specific ones, as upstream stacks them
        System.arraycopy(uc.data(), 0, u.data(), at * m, common * m);
        System.arraycopy(shared.v().data(), 0, v.data(), at * n, common * n);
        System.arraycopy(shared.s(), 0, s, at, common);
        java.util.Arrays.fill(s, mean(s)); // the flattened spectrum
        return TaskMatrices.reassemble(u, s, v);
    }

    private static DoubleMatrix sum(List<DoubleMatrix> xs) {
        DoubleMatrix s = xs.get(0);
        for (int i = 1; i < xs.size(); i++) s = s.plus(xs.get(i));
        return s;
    }

    private static double mean(double[] x) {
        double s = 0;
        for (double v : x) s += v;
        return s / x.length;
    }

    private static DoubleMatrix scaled(DoubleMatrix a, double f) {
        double[] d = a.data().clone();
        for (int i = 0; i < d.length; i++) d[i] *= f;
        return new DoubleMatrix(a.rows(), a.cols(), d);
    }
}
