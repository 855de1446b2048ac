package adamerge.tensor.cpu;

import adamerge.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/** {@link Sgemm} against the scalar oracle ({@link ScalarBackend#matmul}, double accumulation) on awkward shapes. */
class SgemmTest {
    private static final int[] SIZES = {1, 7, 13, 17, 33, 65, 100, 257};

    @Test
    void allLayoutsOnAwkwardSizes() {
        Random rnd = new Random(42);
        int cases = 0;
        for (int layout = 0; layout < 4; layout++)
            for (int i = 0; i < SIZES.length; i++)
                for (int j = 0; j < SIZES.length; j++) {
                    int m = SIZES[i], n = SIZES[j], k = SIZES[(i + 2 * j + layout) % SIZES.length];
                    check(rnd, (layout & 2) != 0, (layout & 1) != 0, m, n, k, (i + j) % 2 == 0);
                    cases++;
                }
        assertEquals(4 * 64, cases);
    }

    /** Several KC and NC blocks, several MC row blocks, and the thread split along n (n > m) or m (m > n). */
    @Test
    void blockBoundariesAndBothThreadSplits() {
        Random rnd = new Random(7);
        for (int layout = 0; layout < 4; layout++) {
            boolean ta = (layout & 2) != 0, tb = (layout & 1) != 0;
            check(rnd, ta, tb, 130, 64 * Sgemm.NR + 3, 2 * Sgemm.KC + 37, layout % 2 == 0);
            check(rnd, ta, tb, 601, 41, 300, layout % 2 == 1);
        }
    }

    @Test
    void emptyInnerDimensionZeroesOrKeepsC() {
        Random rnd = new Random(3);
        for (boolean acc : new boolean[]{false, true})
            for (int layout = 0; layout < 4; layout++)
                check(rnd, (layout & 2) != 0, (layout & 1) != 0, 5, 19, 0, acc);
    }

    @Test
    void emptyOutputTouchesNothing() {
        float[] c = {1, 2, 3};
        Sgemm.multiply(false, false, 0, 3, 4, new float[0], 0, 4, new float[12], 0, 3, c, 0, 3, false);
        Sgemm.multiply(false, false, 3, 0, 4, new float[12], 0, 4, new float[0], 0, 0, c, 0, 0, false);
        assertEquals(3f, c[2]);
    }

    /**
     * Runs one product with offsets and leading dimensions wider than the rows; the padding of A
     * and B is NaN (so any read outside the matrices shows) and that of C a sentinel that must survive.
     */
    private static void check(Random rnd, boolean transA, boolean transB, int m, int n, int k, boolean accumulate) {
        // Stored shapes: A is [m,k] or [k,m], B is [k,n] or [n,k].
        int aRows = transA ? k : m, aCols = transA ? m : k, bRows = transB ? n : k, bCols = transB ? k : n;
        int aOff = 3, lda = aCols + 5, bOff = 1, ldb = bCols + 2, cOff = 2, ldc = n + 3;
        float[] a = padded(rnd, aOff, aRows, aCols, lda, Float.NaN);
        float[] b = padded(rnd, bOff, bRows, bCols, ldb, Float.NaN);
        float sentinel = -12345f;
        float[] c = padded(rnd, cOff, m, n, ldc, sentinel);
        if (!accumulate) // C's old values must be overwritten, not added to
            for (int i = 0; i < m; i++) java.util.Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, Float.NaN);
        float[] c0 = c.clone();

        Sgemm.multiply(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate);

        float[] expected = CpuBackends.SCALAR.toArray(CpuBackends.SCALAR.matmul(
                view(a, aOff, m, k, transA ? 1 : lda, transA ? lda : 1),
                view(b, bOff, k, n, transB ? 1 : ldb, transB ? ldb : 1)));
        float[] bound = CpuBackends.SCALAR.toArray(CpuBackends.SCALAR.matmul(
                view(abs(a), aOff, m, k, transA ? 1 : lda, transA ? lda : 1),
                view(abs(b), bOff, k, n, transB ? 1 : ldb, transB ? ldb : 1)));
        String where = (transA ? "T" : "N") + (transB ? "T" : "N") + " m=" + m + " n=" + n + " k=" + k
                + " accumulate=" + accumulate;
        for (int x = 0; x < c.length; x++) {
            int rel = x - cOff, i = rel / ldc, j = rel % ldc;
            boolean inside = rel >= 0 && i < m && j < n;
            if (!inside) {
                if (Float.floatToIntBits(c[x]) != Float.floatToIntBits(c0[x]))
                    fail(where + ": wrote outside C at index " + x);
                continue;
            }
            double want = expected[i * n + j] + (accumulate ? c0[x] : 0);
            double tol = 1e-5 * (bound[i * n + j] + (accumulate ? Math.abs(c0[x]) : 0)) + 1e-30;
            if (!(Math.abs(c[x] - want) <= tol))
                fail(where + ": C[" + i + "," + j + "] = " + c[x] + ", expected " + want + " (tolerance " + tol + ")");
        }
    }

    /** rows x cols random values at off with leading dimension ld; everything else is {@code fill}. */
    private static float[] padded(Random rnd, int off, int rows, int cols, int ld, float fill) {
        float[] x = new float[off + rows * ld + 4];
        java.util.Arrays.fill(x, fill);
        for (int r = 0; r < rows; r++)
            for (int q = 0; q < cols; q++) x[off + r * ld + q] = (float) rnd.nextGaussian();
        return x;
    }

    private static float[] abs(float[] x) {
        float[] y = new float[x.length];
        for (int i = 0; i < x.length; i++) y[i] = Math.abs(x[i]);
        return y;
    }

    /** A rank-3 [1, rows, cols] view with the given element strides, as ScalarBackend.matmul takes. */
    private static Tensor view(float[] data, int off, int rows, int cols, int rowStride, int colStride) {
        return new Tensor(new HeapStorage(data), new int[]{1, rows, cols}, new int[]{0, rowStride, colStride}, off);
    }
}
