package adamerge.tensor.cpu;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every micro-kernel on this machine's vectors, whichever tile {@link Sgemm} chose, against the
 * product of its packed panels summed in double: panel layouts, the stride of C, adding to or
 * overwriting the old C, and tiles that leave C's neighbours alone.
 */
class MicroKernelsTest {
    private interface Kernel {
        void run(int kc, float[] pa, int ia, float[] pb, int ib, float[] c, int ci, int ldc, boolean add);
    }

    @Test
    void nineAccumulatorTile() {
        check("3x3", MicroKernels::kernel3x3, 3, MicroKernels.W3);
    }

    @Test
    void twelveAccumulatorTile() {
        check("6x2", MicroKernels::kernel6x2, 6, MicroKernels.W2);
    }

    @Test
    void eighteenAccumulatorTile() {
        check("6x3", MicroKernels::kernel6x3, 6, MicroKernels.W3);
    }

    /** The one-vector edge kernel reads the first vector of a wider panel into the first vector of each tile row. */
    @Test
    void oneVectorEdgeOfEitherPanelWidth() {
        Random rnd = new Random(5);
        for (int width : new int[]{MicroKernels.W2, MicroKernels.W3}) {
            int kc = 37, ia = 4, ib = 3 * width;
            float[] pa = random(rnd, ia + 6 * kc + 2), pb = random(rnd, ib + width * kc + 2);
            float[] tile = new float[6 * width];
            java.util.Arrays.fill(tile, 99f);
            MicroKernels.kernel6x1(kc, pa, ia, pb, ib, width, tile);
            for (int r = 0; r < 6; r++)
                for (int j = 0; j < width; j++) {
                    float got = tile[r * width + j];
                    if (j >= MicroKernels.L) {
                        assertEquals(99f, got, "6x1 width " + width + " wrote past its vector in row " + r);
                        continue;
                    }
                    double[] ref = reference(0, kc, pa, ia, 6, r, pb, ib, width, j);
                    double want = ref[0], bound = ref[1];
                    if (!(Math.abs(got - want) <= 1e-5 * bound))
                        fail("6x1 width " + width + ": tile[" + r + "," + j + "] = " + got + ", expected " + want);
                }
        }
    }

    private static void check(String name, Kernel kernel, int rows, int width) {
        Random rnd = new Random(11);
        for (int kc : new int[]{1, 2, 17, 300})
            for (boolean add : new boolean[]{false, true}) {
                int ia = 5, ib = 2 * width + 1, ci = 7, ldc = width + 9;
                float[] pa = random(rnd, ia + rows * kc + 3), pb = random(rnd, ib + width * kc + 3);
                float[] c = random(rnd, ci + rows * ldc + 4), c0 = c.clone();
                kernel.run(kc, pa, ia, pb, ib, c, ci, ldc, add);
                for (int x = 0; x < c.length; x++) {
                    int rel = x - ci, r = rel / ldc, j = rel % ldc;
                    if (rel < 0 || r >= rows || j >= width) {
                        assertEquals(c0[x], c[x], name + " kc=" + kc + " wrote outside its tile at " + x);
                        continue;
                    }
                    double[] ref = reference(add ? c0[x] : 0, kc, pa, ia, rows, r, pb, ib, width, j);
                    double want = ref[0], bound = ref[1];
                    if (!(Math.abs(c[x] - want) <= 1e-5 * bound))
                        fail(name + " kc=" + kc + " add=" + add + ": C[" + r + "," + j + "] = " + c[x] + ", expected " + want);
                }
            }
    }

    /**
     * {start + sum over p of A[p, r] * B[p, j]} in double from packed panels (A: {@code rows}
     * values per p; B: {@code width} per p), and the same sum of absolute values as the scale of
     * float rounding.
     */
    private static double[] reference(double start, int kc, float[] pa, int ia, int rows, int r,
                                      float[] pb, int ib, int width, int j) {
        double sum = start, bound = Math.abs(start);
        for (int p = 0; p < kc; p++) {
            double term = (double) pa[ia + p * rows + r] * pb[ib + p * width + j];
            sum += term;
            bound += Math.abs(term);
        }
        return new double[]{sum, bound};
    }

    private static float[] random(Random rnd, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) rnd.nextGaussian();
        return x;
    }
}
