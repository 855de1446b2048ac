package adamerge.merging;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The float64 loops of the SVD-based merges, each in a Vector API form and a plain scalar twin
 * (the oracle; {@code -Dadamerge.simd=false} runs the twins). The SIMD forms keep the scalar
 * order of every sum where they can: {@link #gemm} adds the products of each output entry in k
 * order with fused multiply-adds, as its twin does, so the two agree bit for bit; only {@link #dot}
 * adds in lanes.
 */
final class DoubleKernels {
    static final boolean SIMD = Boolean.parseBoolean(System.getProperty("adamerge.simd", "true"));
    private static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Columns of one GEMM register tile: three vectors; rows: four. */
    private static final int TILE_COLS = 3 * L, TILE_ROWS = 4;
    /** Depth of one GEMM panel: 256 rows of B (3 vectors wide) stay in the L1/L2 cache while every row block of A passes. */
    private static final int DEPTH = 256;

    private DoubleKernels() {
    }

    /** c[p x q] += a[p x n] b[n x q], all row-major and dense. */
    static void gemm(double[] a, double[] b, double[] c, int p, int n, int q) {
        if (SIMD) gemmSimd(a, b, c, p, n, q, 0, p);
        else gemmScalar(a, b, c, p, n, q, 0, p);
    }

    /** Rows [i0, i1) of c += a b: each entry sums its products in k order with fused multiply-adds. */
    static void gemmScalar(double[] a, double[] b, double[] c, int p, int n, int q, int i0, int i1) {
        for (int i = i0; i < i1; i++)
            for (int k = 0; k < n; k++) {
                double x = a[i * n + k];
                for (int j = 0; j < q; j++) c[i * q + j] = Math.fma(x, b[k * q + j], c[i * q + j]);
            }
    }

    static void gemmSimd(double[] a, double[] b, double[] c, int p, int n, int q, int i0, int i1) {
        int jFull = q - q % TILE_COLS;
        for (int k0 = 0; k0 < n; k0 += DEPTH) {
            int k1 = Math.min(n, k0 + DEPTH);
            for (int j = 0; j < jFull; j += TILE_COLS) {
                int i = i0;
                for (; i + TILE_ROWS <= i1; i += TILE_ROWS) tile4x3(a, b, c, n, q, i, j, k0, k1);
                for (; i < i1; i++) tile1x3(a, b, c, n, q, i, j, k0, k1);
            }
            if (jFull < q) // the last columns, fewer than a tile: the scalar loop, same order
                for (int i = i0; i < i1; i++)
                    for (int k = k0; k < k1; k++) {
                        double x = a[i * n + k];
                        for (int jj = jFull; jj < q; jj++) c[i * q + jj] = Math.fma(x, b[k * q + jj], c[i * q + jj]);
                    }
        }
    }

    private static void tile4x3(double[] a, double[] b, double[] c, int n, int q, int i, int j, int k0, int k1) {
        int c0 = i * q + j, c1 = c0 + q, c2 = c1 + q, c3 = c2 + q;
        DoubleVector r00 = DoubleVector.fromArray(S, c, c0), r01 = DoubleVector.fromArray(S, c, c0 + L), r02 = DoubleVector.fromArray(S, c, c0 + 2 * L);
        DoubleVector r10 = DoubleVector.fromArray(S, c, c1), r11 = DoubleVector.fromArray(S, c, c1 + L), r12 = DoubleVector.fromArray(S, c, c1 + 2 * L);
        DoubleVector r20 = DoubleVector.fromArray(S, c, c2), r21 = DoubleVector.fromArray(S, c, c2 + L), r22 = DoubleVector.fromArray(S, c, c2 + 2 * L);
        DoubleVector r30 = DoubleVector.fromArray(S, c, c3), r31 = DoubleVector.fromArray(S, c, c3 + L), r32 = DoubleVector.fromArray(S, c, c3 + 2 * L);
        int a0 = i * n, a1 = a0 + n, a2 = a1 + n, a3 = a2 + n;
        for (int k = k0; k < k1; k++) {
            int bk = k * q + j;
            DoubleVector b0 = DoubleVector.fromArray(S, b, bk), b1 = DoubleVector.fromArray(S, b, bk + L), b2 = DoubleVector.fromArray(S, b, bk + 2 * L);
            DoubleVector x = DoubleVector.broadcast(S, a[a0 + k]);
            r00 = x.fma(b0, r00); r01 = x.fma(b1, r01); r02 = x.fma(b2, r02);
            x = DoubleVector.broadcast(S, a[a1 + k]);
            r10 = x.fma(b0, r10); r11 = x.fma(b1, r11); r12 = x.fma(b2, r12);
            x = DoubleVector.broadcast(S, a[a2 + k]);
            r20 = x.fma(b0, r20); r21 = x.fma(b1, r21); r22 = x.fma(b2, r22);
            x = DoubleVector.broadcast(S, a[a3 + k]);
            r30 = x.fma(b0, r30); r31 = x.fma(b1, r31); r32 = x.fma(b2, r32);
        }
        r00.intoArray(c, c0); r01.intoArray(c, c0 + L); r02.intoArray(c, c0 + 2 * L);
        r10.intoArray(c, c1); r11.intoArray(c, c1 + L); r12.intoArray(c, c1 + 2 * L);
        r20.intoArray(c, c2); r21.intoArray(c, c2 + L); r22.intoArray(c, c2 + 2 * L);
        r30.intoArray(c, c3); r31.intoArray(c, c3 + L); r32.intoArray(c, c3 + 2 * L);
    }

    private static void tile1x3(double[] a, double[] b, double[] c, int n, int q, int i, int j, int k0, int k1) {
        int c0 = i * q + j;
        DoubleVector r0 = DoubleVector.fromArray(S, c, c0), r1 = DoubleVector.fromArray(S, c, c0 + L), r2 = DoubleVector.fromArray(S, c, c0 + 2 * L);
        for (int k = k0; k < k1; k++) {
            int bk = k * q + j;
            DoubleVector x = DoubleVector.broadcast(S, a[i * n + k]);
            r0 = x.fma(DoubleVector.fromArray(S, b, bk), r0);
            r1 = x.fma(DoubleVector.fromArray(S, b, bk + L), r1);
            r2 = x.fma(DoubleVector.fromArray(S, b, bk + 2 * L), r2);
        }
        r0.intoArray(c, c0); r1.intoArray(c, c0 + L); r2.intoArray(c, c0 + 2 * L);
    }

    /** sum_i x[xo + i] y[yo + i], i < n. */
    static double dot(double[] x, int xo, double[] y, int yo, int n) {
        return SIMD ? dotSimd(x, xo, y, yo, n) : dotScalar(x, xo, y, yo, n);
    }

    static double dotScalar(double[] x, int xo, double[] y, int yo, int n) {
        double s = 0;
        for (int i = 0; i < n; i++) s = Math.fma(x[xo + i], y[yo + i], s);
        return s;
    }

    static double dotSimd(double[] x, int xo, double[] y, int yo, int n) {
        DoubleVector acc = DoubleVector.zero(S);
        int i = 0;
        for (int end = S.loopBound(n); i < end; i += L)
            acc = DoubleVector.fromArray(S, x, xo + i).fma(DoubleVector.fromArray(S, y, yo + i), acc);
        double s = acc.reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
        for (; i < n; i++) s = Math.fma(x[xo + i], y[yo + i], s);
        return s;
    }

    /** y[yo + i] += alpha x[xo + i], i < n (one fused multiply-add per entry in both forms: bit for bit the same). */
    static void axpy(double alpha, double[] x, int xo, double[] y, int yo, int n) {
        int i = 0;
        if (SIMD) {
            DoubleVector va = DoubleVector.broadcast(S, alpha);
            for (int end = S.loopBound(n); i < end; i += L)
                va.fma(DoubleVector.fromArray(S, x, xo + i), DoubleVector.fromArray(S, y, yo + i)).intoArray(y, yo + i);
        }
        for (; i < n; i++) y[yo + i] = Math.fma(alpha, x[xo + i], y[yo + i]);
    }

    /**
     * The plane rotation of rows x and y: {@code x' = c x - s y, y' = s x + c y} (the QL step's
     * update of two eigenvectors), the same arithmetic in both forms.
     */
    static void rotate(double[] v, int xo, int yo, int n, double c, double s) {
        int i = 0;
        if (SIMD) {
            for (int end = S.loopBound(n); i < end; i += L) {
                DoubleVector x = DoubleVector.fromArray(S, v, xo + i), y = DoubleVector.fromArray(S, v, yo + i);
                x.mul(c).sub(y.mul(s)).intoArray(v, xo + i);
                x.mul(s).add(y.mul(c)).intoArray(v, yo + i);
            }
        }
        for (; i < n; i++) {
            double x = v[xo + i], y = v[yo + i];
            v[xo + i] = c * x - s * y;
            v[yo + i] = s * x + c * y;
        }
    }
}
