package adamerge.merging;

/**
 * The thin singular value decomposition {@code A = U diag(s) V^T} of a float64 matrix, or its
 * leading k triplets, as the SVD-based merges need them.
 *
 * <p>Method: for m x n with m >= n (else on A^T, with U and V swapped), the eigendecomposition of
 * the Gram matrix {@code A^T A = V diag(s^2) V^T} ({@link SymmetricEigen}), then
 * {@code u_i = A v_i / s_i} with {@code s_i = |A v_i|}. Its cost is two n x n x m products and one
 * n x n eigenproblem, where a bidiagonalising SVD (LAPACK's gesdd, torch.linalg.svd) reads A
 * about as often; it is chosen for speed on our stack, and the price is the Gram matrix's: a
 * singular value below about {@code sqrt(n eps) s_max} (3e-7 s_max for n = 768 in float64) is
 * known only to that absolute accuracy, and its vectors are unreliable. The merges never depend
 * on those directions beyond that accuracy (task matrices are far better conditioned); the tests
 * measure it. A left vector is off orthogonal by about {@code eps (s_max / s_i)^2}, so those of
 * singular values below 1e-3 s_max are orthogonalised against the larger ones explicitly, and where
 * nothing of A v_i is left (a rank-deficient A) completed to an orthonormal set, so that
 * U always has orthonormal columns.
 *
 * @param u the left singular vectors as rows: k x m, row i is u_i
 * @param s the singular values, largest first
 * @param v the right singular vectors as rows: k x n, row i is v_i (that is, V^T)
 */
record Svd(DoubleMatrix u, double[] s, DoubleMatrix v) {

    /** Relative to s_max, below this a singular value's left vector is orthogonalised explicitly. */
    private static final double RESOLVED = 1e-3;

    /** All min(m, n) triplets. */
    static Svd of(DoubleMatrix a) {
        return top(a, Math.min(a.rows(), a.cols()));
    }

    /** The k leading triplets, 0 <= k <= min(m, n). */
    static Svd top(DoubleMatrix a, int k) {
        if (k < 0 || k > Math.min(a.rows(), a.cols())) throw new IllegalArgumentException("k = " + k + " triplets of a " + a.rows() + " x " + a.cols() + " matrix");
        if (a.rows() < a.cols()) {
            Svd t = tall(a.transpose(), a, k);
            return new Svd(t.v, t.s, t.u);
        }
        return tall(a, a.transpose(), k);
    }

    /** {@code a} is m x n with m >= n; {@code at} is its transpose. */
    private static Svd tall(DoubleMatrix a, DoubleMatrix at, int k) {
        int m = a.rows(), n = a.cols();
        SymmetricEigen eig = SymmetricEigen.of(at.times(a)); // A^T A, n x n
        DoubleMatrix v = eig.vectors().rowRange(0, k);
        DoubleMatrix av = v.times(at); // row i: (A v_i)^T, k x m
        double[] s = new double[k], ud = av.data();
        double smax = 0;
        for (int i = 0; i < k; i++) {
            s[i] = Math.sqrt(DoubleKernels.dot(ud, i * m, ud, i * m, m));
            smax = Math.max(smax, s[i]);
        }
        if (k > 0) smax = Math.max(smax, Math.sqrt(Math.max(0, eig.values()[0])));
        for (int i = 0; i < k; i++) {
            if (s[i] > RESOLVED * smax) {
                scale(ud, i * m, m, 1 / s[i]);
            } else { // near the Gram matrix's rounding: keep what A v_i says beyond the larger vectors, or complete
                orthonormalise(ud, i, m);
                if (i > 0) s[i] = Math.min(s[i], s[i - 1]); // at the noise floor |A v_i| may come out of order
            }
        }
        return new Svd(new DoubleMatrix(k, m, ud), s, v);
    }

    /**
     * Row i of {@code u} made a unit vector orthogonal to the rows before it (the larger singular
     * values, already final): Gram-Schmidt twice, from A v_i if enough of it is left, else from the
     * first unit vector of which enough is.
     */
    private static void orthonormalise(double[] u, int i, int m) {
        double[] x = java.util.Arrays.copyOfRange(u, i * m, (i + 1) * m);
        double before = Math.sqrt(DoubleKernels.dot(x, 0, x, 0, m));
        double left = before == 0 ? 0 : project(u, i, x, m) / before;
        for (int e = 0; left < 0.5 && e < m; e++) { // rank-deficient: complete the basis
            java.util.Arrays.fill(x, 0);
            x[e] = 1;
            left = project(u, i, x, m);
        }
        scale(x, 0, m, 1 / Math.sqrt(DoubleKernels.dot(x, 0, x, 0, m)));
        System.arraycopy(x, 0, u, i * m, m);
    }

    /** x minus its components along rows 0 .. i-1 of u, twice ("twice is enough"); returns |x| after. */
    private static double project(double[] u, int i, double[] x, int m) {
        for (int pass = 0; pass < 2; pass++)
            for (int j = 0; j < i; j++) DoubleKernels.axpy(-DoubleKernels.dot(u, j * m, x, 0, m), u, j * m, x, 0, m);
        return Math.sqrt(DoubleKernels.dot(x, 0, x, 0, m));
    }

    private static void scale(double[] x, int off, int n, double f) {
        for (int i = 0; i < n; i++) x[off + i] *= f;
    }

    /** {@code U V^T} over these triplets: the orthogonal (polar) factor of A when all are kept and A has full rank. */
    DoubleMatrix orthogonalFactor() {
        return u.transpose().times(v);
    }
}
