package adamerge.merging;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class SvdTest {

    private static DoubleMatrix random(int m, int n, long seed) {
        Random r = new Random(seed);
        double[] d = new double[m * n];
        for (int i = 0; i < d.length; i++) d[i] = r.nextGaussian();
        return new DoubleMatrix(m, n, d);
    }

    /** A random orthogonal n x n matrix by Gram-Schmidt on Gaussian columns, written here independently of the code under test. */
    private static double[][] orthogonal(int n, long seed) {
        Random r = new Random(seed);
        double[][] q = new double[n][n]; // q[i] is a column
        for (int i = 0; i < n; i++) {
            for (int t = 0; t < n; t++) q[i][t] = r.nextGaussian();
            for (int pass = 0; pass < 2; pass++)
                for (int j = 0; j < i; j++) {
                    double d = 0;
                    for (int t = 0; t < n; t++) d += q[j][t] * q[i][t];
                    for (int t = 0; t < n; t++) q[i][t] -= d * q[j][t];
                }
            double norm = 0;
            for (int t = 0; t < n; t++) norm += q[i][t] * q[i][t];
            for (int t = 0; t < n; t++) q[i][t] /= Math.sqrt(norm);
        }
        return q;
    }

    /** max |U^T diag(s) V - A| / max |A| and max |V V^T - I| within tol, max |U U^T - I| within max(tol, 1e-9); s descending, >= 0. */
    private static void assertDecomposes(DoubleMatrix a, Svd svd, double tol) {
        int m = a.rows(), n = a.cols(), k = svd.s().length;
        double scale = 0, err = 0;
        for (double x : a.data()) scale = Math.max(scale, Math.abs(x));
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++) {
                double x = 0;
                for (int t = 0; t < k; t++) x += svd.u().get(t, i) * svd.s()[t] * svd.v().get(t, j);
                err = Math.max(err, Math.abs(x - a.get(i, j)));
            }
        assertTrue(err <= tol * Math.max(scale, 1e-300), "reconstruction error " + err + " for max |A| " + scale);
        // U = A V / s inherits the Gram matrix's rounding: about eps (s_max / s_i)^2 off orthogonal
        assertOrthonormalRows(svd.u(), Math.max(tol, 1e-9), "U");
        assertOrthonormalRows(svd.v(), tol, "V");
        for (int t = 0; t < k; t++) {
            assertTrue(svd.s()[t] >= 0, "s[" + t + "] = " + svd.s()[t]);
            if (t > 0) assertTrue(svd.s()[t] <= svd.s()[t - 1] * (1 + 1e-12) + 1e-300, "descending at " + t);
        }
    }

    private static void assertOrthonormalRows(DoubleMatrix x, double tol, String what) {
        DoubleMatrix g = x.times(x.transpose());
        for (int i = 0; i < g.rows(); i++)
            for (int j = 0; j < g.cols(); j++)
                assertEquals(i == j ? 1 : 0, g.get(i, j), tol, what + " rows " + i + ", " + j);
    }

    @Test
    void aHandComputedTwoByTwo() {
        // [[1,2],[3,4]]: s^2 are the eigenvalues of A^T A = [[10,14],[14,20]], 15 +- sqrt(221)
        Svd svd = Svd.of(new DoubleMatrix(2, 2, new double[] {1, 2, 3, 4}));
        assertEquals(Math.sqrt(15 + Math.sqrt(221)), svd.s()[0], 1e-14);
        assertEquals(Math.sqrt(15 - Math.sqrt(221)), svd.s()[1], 1e-13);
        assertDecomposes(new DoubleMatrix(2, 2, new double[] {1, 2, 3, 4}), svd, 1e-13);
    }

    @Test
    void tallAndWideRandomMatricesDecompose() {
        for (int[] mn : new int[][] {{37, 23}, {23, 37}, {1, 5}, {5, 1}, {64, 64}, {130, 9}}) {
            DoubleMatrix a = random(mn[0], mn[1], 31L * mn[0] + mn[1]);
            assertDecomposes(a, Svd.of(a), 1e-11);
        }
    }

    @Test
    void knownSingularValuesOverFourDecadesAreFound() {
        int m = 60, n = 40;
        double[][] q1 = orthogonal(m, 1), q2 = orthogonal(n, 2);
        double[] sigma = new double[n];
        for (int i = 0; i < n; i++) sigma[i] = Math.pow(10, -4.0 * i / (n - 1)); // 1 down to 1e-4
        double[] a = new double[m * n];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
                for (int t = 0; t < n; t++) a[i * n + j] += q1[t][i] * sigma[t] * q2[t][j];
        DoubleMatrix am = new DoubleMatrix(m, n, a);
        Svd svd = Svd.of(am);
        for (int i = 0; i < n; i++) assertEquals(sigma[i], svd.s()[i], 1e-12, "sigma " + i);
        // the singular vectors up to sign: |<u_i, q1_i>| = 1
        for (int i = 0; i < n; i++) {
            double d = 0;
            for (int t = 0; t < m; t++) d += svd.u().get(i, t) * q1[i][t];
            assertEquals(1, Math.abs(d), 1e-6, "u " + i);
        }
        assertDecomposes(am, svd, 1e-12);
    }

    @Test
    void rankDeficientMatricesStillGetOrthonormalVectors() {
        DoubleMatrix a = random(30, 12, 5);
        double[] d = a.data().clone();
        for (int i = 0; i < 30; i++) {
            d[i * 12 + 3] = 0; // a zero column
            d[i * 12 + 7] = 2 * d[i * 12 + 1]; // a repeated direction
        }
        DoubleMatrix deficient = new DoubleMatrix(30, 12, d);
        Svd svd = Svd.of(deficient);
        assertDecomposes(deficient, svd, 1e-11);
        assertTrue(svd.s()[11] < 1e-6 && svd.s()[10] < 1e-6 && svd.s()[9] > 1e-2, java.util.Arrays.toString(svd.s()));
        Svd zero = Svd.of(DoubleMatrix.zeros(6, 4));
        assertDecomposes(DoubleMatrix.zeros(6, 4), zero, 1e-12);
        assertArrayEquals(new double[4], zero.s());
    }

    @Test
    void theLeadingTripletsAreThoseOfTheFullDecomposition() {
        DoubleMatrix a = random(50, 20, 9);
        Svd all = Svd.of(a), top = Svd.top(a, 6);
        assertEquals(6, top.s().length);
        for (int i = 0; i < 6; i++) {
            assertEquals(all.s()[i], top.s()[i], 1e-12);
            for (int j = 0; j < 20; j++) assertEquals(all.v().get(i, j), top.v().get(i, j), 1e-12);
            for (int j = 0; j < 50; j++) assertEquals(all.u().get(i, j), top.u().get(i, j), 1e-12);
        }
    }

    @Test
    void theOrthogonalFactorIsUVTransposed() {
        DoubleMatrix a = random(8, 5, 3);
        DoubleMatrix q = Svd.of(a).orthogonalFactor();
        assertOrthonormalRows(q.transpose(), 1e-12, "polar factor columns");
        // the polar factor of A is A (A^T A)^(-1/2): Q^T A is symmetric positive definite
        DoubleMatrix h = q.transpose().times(a);
        for (int i = 0; i < 5; i++)
            for (int j = 0; j < 5; j++) assertEquals(h.get(i, j), h.get(j, i), 1e-12);
    }
}
