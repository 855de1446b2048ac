package adamerge.merging;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/** Each SIMD kernel against its scalar twin, on sizes that leave tails everywhere. */
class DoubleKernelsTest {

    private static double[] random(int n, long seed) {
        Random r = new Random(seed);
        double[] x = new double[n];
        for (int i = 0; i < n; i++) x[i] = r.nextGaussian();
        return x;
    }

    @Test
    void gemmIsItsScalarTwinBitForBit() {
        for (int[] s : new int[][] {{7, 300, 29}, {4, 3, 24}, {13, 257, 50}, {1, 1, 1}, {9, 600, 3}}) {
            int p = s[0], n = s[1], q = s[2];
            double[] a = random(p * n, 1), b = random(n * q, 2), c0 = random(p * q, 3), c1 = c0.clone();
            DoubleKernels.gemmSimd(a, b, c0, p, n, q, 0, p);
            DoubleKernels.gemmScalar(a, b, c1, p, n, q, 0, p);
            assertArrayEquals(c1, c0, 0.0, p + "x" + n + "x" + q);
            double[] naive = random(p * q, 3); // and the product it is meant to be
            for (int i = 0; i < p; i++)
                for (int j = 0; j < q; j++)
                    for (int k = 0; k < n; k++) naive[i * q + j] += a[i * n + k] * b[k * q + j];
            assertArrayEquals(naive, c0, 1e-10 * n);
        }
    }

    @Test
    void dotAxpyAndRotateAgreeWithTheirTwins() {
        for (int n : new int[] {1, 7, 8, 33, 1000}) {
            double[] x = random(n + 3, n), y = random(n + 5, n + 1);
            assertEquals(DoubleKernels.dotScalar(x, 3, y, 5, n), DoubleKernels.dotSimd(x, 3, y, 5, n), 1e-12 * n);
            double[] y1 = y.clone(), y2 = y.clone();
            DoubleKernels.axpy(0.7, x, 3, y1, 5, n);
            for (int i = 0; i < n; i++) y2[5 + i] = Math.fma(0.7, x[3 + i], y2[5 + i]);
            assertArrayEquals(y2, y1, 0.0);
            double[] v = random(2 * n + 1, 7), w = v.clone();
            double c = Math.cos(0.3), s = Math.sin(0.3);
            DoubleKernels.rotate(v, 1, n + 1, n, c, s);
            for (int i = 0; i < n; i++) {
                double a = w[1 + i], b = w[n + 1 + i];
                w[1 + i] = c * a - s * b;
                w[n + 1 + i] = s * a + c * b;
            }
            assertArrayEquals(w, v, 0.0);
        }
    }
}
