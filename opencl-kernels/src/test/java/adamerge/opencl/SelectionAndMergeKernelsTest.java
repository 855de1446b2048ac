package adamerge.opencl;

import adamerge.tensor.DType;
import adamerge.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static adamerge.opencl.ClTesting.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** kthLargestAbs by radix select, and the merging kernels against plain Java loops. */
class SelectionAndMergeKernelsTest {

    @Test
    void kthLargestAbsWithTiesAcrossTensorsAndViews() {
        float[] ties = {3, -3, 3, 0, -0f, 1, -1, 2, 3, -2, 0.5f, 1e-40f, -1e-40f}; // subnormals too
        Both t0 = both(ties, ties.length);
        Both t1 = randn(2, 6, 9).map(Tensor::t);
        Both t2 = randn(3, 4, 1).map(t -> t.expand(4, 5));
        Both t3 = randn(4, 0, 3);
        List<Tensor> cpu = List.of(t0.cpu(), t1.cpu(), t2.cpu(), t3.cpu()), cl = List.of(t0.cl(), t1.cl(), t2.cl(), t3.cl());
        long n = ties.length + 54 + 20;
        for (long k = 1; k <= n; k++)
            assertEquals(CPU.kthLargestAbs(cpu, k), cl().kthLargestAbs(cl, k), "k = " + k);
        List<Tensor> one = List.of(t0.cl());
        for (long k = 1; k <= ties.length; k++)
            assertEquals(CPU.kthLargestAbs(List.of(t0.cpu()), k), cl().kthLargestAbs(one, k), "single tensor, k = " + k);
        assertThrows(IllegalArgumentException.class, () -> cl().kthLargestAbs(one, 0));
    }

    @Test
    void kthLargestAbsOnALargerVector() {
        Both x = both(gaussian(5, 50_000), 50_000);
        for (long k : new long[]{1, 2, 17, 5000, 25_000, 49_999, 50_000})
            assertEquals(CPU.kthLargestAbs(List.of(x.cpu()), k), cl().kthLargestAbs(List.of(x.cl()), k), "k = " + k);
    }

    @Test
    void mergeWeightedIsThetaPlusWeightedTaskVectors() {
        int rows = 7, cols = 13;
        float[] theta = gaussian(10, rows * cols);
        float[][] taus = {gaussian(11, rows * cols), gaussian(12, rows * cols), gaussian(13, rows * cols)};
        float[] lambdas = {0.3f, -1.25f, 0.7f};
        float[] expected = theta.clone();
        for (int t = 0; t < taus.length; t++)
            for (int i = 0; i < expected.length; i++) expected[i] += lambdas[t] * taus[t][i];
        OpenClBackend cl = cl();
        List<Tensor> tv = new ArrayList<>();
        for (float[] tau : taus) tv.add(cl.fromArray(tau, rows, cols));
        Tensor merged = cl.mergeWeighted(cl.fromArray(theta, rows, cols), tv, lambdas);
        assertClose(expected, merged.toArray(), 1e-6, "mergeWeighted");
        // a transposed task vector and theta0 view
        float[] tauT = new float[rows * cols];
        for (int i = 0; i < rows; i++) for (int j = 0; j < cols; j++) tauT[j * rows + i] = taus[0][i * cols + j];
        Tensor m2 = cl.mergeWeighted(cl.fromArray(theta, rows, cols), List.of(cl.fromArray(tauT, cols, rows).t()), new float[]{lambdas[0]});
        float[] e2 = theta.clone();
        for (int i = 0; i < e2.length; i++) e2[i] += lambdas[0] * taus[0][i];
        assertClose(e2, m2.toArray(), 1e-6, "mergeWeighted with a transposed task vector");
        assertClose(theta, cl.mergeWeighted(cl.fromArray(theta, rows, cols), List.of(), new float[0]).toArray(), 0, "no task vectors");
    }

    @Test
    void dotWithEachReducesOnTheDevice() {
        int n = 70_001; // several work-groups and a ragged tail
        float[] g = gaussian(20, n);
        float[][] taus = {gaussian(21, n), gaussian(22, n), new float[n]};
        OpenClBackend cl = cl();
        List<Tensor> tv = new ArrayList<>();
        for (float[] tau : taus) tv.add(cl.fromArray(tau, n));
        float[] dots = cl.dotWithEach(cl.fromArray(g, n), tv).toArray();
        float[] expected = new float[taus.length];
        for (int t = 0; t < taus.length; t++) {
            double s = 0;
            for (int i = 0; i < n; i++) s += (double) g[i] * taus[t][i];
            expected[t] = (float) s;
        }
        assertEquals(taus.length, dots.length);
        for (int t = 0; t < taus.length; t++) assertEquals(expected[t], dots[t], 1e-4 * Math.sqrt(n) * 4, "dot with tau " + t);
        // small strided case: g transposed, tau broadcast
        Both gs = randn(23, 3, 5), ts = randn(24, 5);
        float[] gsa = gs.cpu().t().contiguous().toArray(), tsa = ts.cpu().unsqueeze(1).expand(5, 3).contiguous().toArray();
        double s = 0;
        for (int i = 0; i < gsa.length; i++) s += (double) gsa[i] * tsa[i];
        float[] d = cl.dotWithEach(gs.cl().t(), List.of(ts.cl().unsqueeze(1).expand(5, 3))).toArray();
        assertEquals((float) s, d[0], 1e-5);
    }

    @Test
    void halfStorageRoundsLikeTheCpuF16Storage() {
        // ties to even (1 + 2^-11, 1 + 3 * 2^-11), half subnormals, overflow to infinity, signed zero, NaN
        float[] edge = {1 + 0x1p-11f, 1 + 3 * 0x1p-11f, 1e-6f, -3e-8f, 6.5e-5f, 65504f, 65520f, 1e6f, -0f, Float.NaN, 0.1f, -2.7182817f};
        Both x = both(edge, 3, 4);
        assertClose(CPU.storedAs(x.cpu(), DType.F16).toArray(), cl().storedAs(x.cl(), DType.F16).toArray(), 0, "f16 rounding");
        Both y = randn(40, 6, 9).map(Tensor::t); // a strided source
        Tensor h = cl().storedAs(y.cl(), DType.F16);
        assertEquals(DType.F16, ((DeviceStorage) h.storage()).dtype());
        assertClose(CPU.storedAs(y.cpu(), DType.F16).toArray(), h.toArray(), 0, "f16 of a transposed view");
        assertClose(CPU.storedAs(y.cpu(), DType.F16).toArray(), cl().copy(h.t()).t().toArray(), 0, "f16 widened from a strided view");
        assertThrows(IllegalArgumentException.class, () -> h.add(h), "other kernels refuse half storage");
        assertThrows(IllegalArgumentException.class, () -> cl().storedAs(y.cl(), DType.BF16));
    }

    @Test
    void mergeKernelsReadHalfTaskVectorsLikeTheOracle() {
        int rows = 37, cols = 29; // ragged against the work-group
        Both theta = randn(50, rows, cols), g = randn(51, rows, cols);
        Both tau0 = randn(52, rows, cols), tau1 = randn(53, cols, rows).map(Tensor::t), tau2 = randn(54, rows, cols);
        // two half taus (one from a transposed source, read through a transposed view) and a float one
        List<Tensor> cpu = List.of(CPU.storedAs(tau0.cpu(), DType.F16), CPU.storedAs(tau1.cpu().t(), DType.F16).t(), tau2.cpu());
        List<Tensor> cl = List.of(cl().storedAs(tau0.cl(), DType.F16), cl().storedAs(tau1.cl().t(), DType.F16).t(), tau2.cl());
        float[] lambdas = {0.3f, -1.25f, 0.7f};
        assertMatches(CPU.mergeWeighted(theta.cpu(), cpu, lambdas), cl().mergeWeighted(theta.cl(), cl, lambdas), 1e-6, "mergeWeighted, f16 taus");
        float[] e = CPU.dotWithEach(g.cpu(), cpu).toArray(), a = cl().dotWithEach(g.cl(), cl).toArray();
        for (int t = 0; t < e.length; t++) assertEquals(e[t], a[t], 1e-5 * rows * cols, "dot with f16 tau " + t);
        // the half taus are not the float ones: the oracle above must see the rounding too
        float[] exact = CPU.dotWithEach(g.cpu(), List.of(tau0.cpu())).toArray();
        assertNotEquals(exact[0], a[0], "f16 rounding should show in the dot product");
    }

    /**
     * Nineteen task vectors: launches of eight, eight and three, except where a transposed one (the
     * tenth) starts a run of its own; most are rows of one buffer, so each carries its own offset.
     * Against plain double loops, in the merge's task order.
     */
    @Test
    void moreThanEightTaskVectorsGoInRunsOfEight() {
        int k = 19, rows = 11, cols = 23, n = rows * cols;
        float[] all = gaussian(60, k * n), theta = gaussian(61, n), g = gaussian(62, n), lambdas = gaussian(63, k);
        Tensor stacked = cl().fromArray(all, k * rows, cols);
        List<Tensor> taus = new ArrayList<>();
        for (int t = 0; t < k; t++) {
            if (t == 9) {
                float[] tr = new float[n];
                for (int i = 0; i < rows; i++) for (int j = 0; j < cols; j++) tr[j * rows + i] = all[t * n + i * cols + j];
                taus.add(cl().fromArray(tr, cols, rows).t());
            } else taus.add(stacked.slice(0, t * rows, (t + 1) * rows));
        }
        float[] expected = theta.clone();
        double[] dots = new double[k];
        for (int t = 0; t < k; t++)
            for (int i = 0; i < n; i++) {
                expected[i] += lambdas[t] * all[t * n + i];
                dots[t] += (double) g[i] * all[t * n + i];
            }
        assertClose(expected, cl().mergeWeighted(cl().fromArray(theta, rows, cols), taus, lambdas).toArray(), 1e-5, "merge of 19");
        float[] d = cl().dotWithEach(cl().fromArray(g, rows, cols), taus).toArray();
        for (int t = 0; t < k; t++) assertEquals(dots[t], d[t], 1e-4, "dot with tau " + t);
    }
}
