package adamerge.merging;

/**
 * The eigendecomposition {@code A = V diag(lambda) V^T} of a symmetric float64 matrix, in the two
 * classic steps (Golub and Van Loan, Matrix Computations, 4th ed., 8.3): Householder reduction to
 * a tridiagonal T = Q^T A Q, then the implicit QL iteration with Wilkinson shifts on T, whose plane
 * rotations are applied to Q. Eigenvectors are kept as the rows of {@code vt} (so that a rotation
 * updates two contiguous rows), eigenvalues in descending order.
 *
 * @param values  the eigenvalues, largest first
 * @param vectors n x n, row i the unit eigenvector of {@code values[i]}
 */
record SymmetricEigen(double[] values, DoubleMatrix vectors) {

    /** The decomposition of {@code a}, which must be symmetric (only its values are read; it is not changed). */
    static SymmetricEigen of(DoubleMatrix a) {
        int n = a.rows();
        if (a.cols() != n) throw new IllegalArgumentException("not square: " + n + " x " + a.cols());
        double[] w = a.data().clone(), d = new double[n], e = new double[n];
        double[][] house = new double[Math.max(0, n - 2)][];
        double[] beta = new double[Math.max(0, n - 2)];
        tridiagonalize(w, n, d, e, house, beta);
        double[] vt = transposedQ(n, house, beta);
        ql(d, e, vt, n);
        return sorted(d, vt, n);
    }

    /**
     * Householder reduction: step k maps row/column k below the diagonal onto a multiple of the
     * first unit vector with {@code H = I - beta v v^T}, and updates the trailing block as
     * {@code A <- H A H = A - v w^T - w v^T} with {@code p = beta A v, w = p - (beta/2)(p^T v) v}
     * (Golub and Van Loan, 8.3.1). Both triangles are kept, so every access runs along a row.
     */
    private static void tridiagonalize(double[] a, int n, double[] d, double[] e, double[][] house, double[] beta) {
        for (int k = 0; k < n - 2; k++) {
            int len = n - k - 1, row = k * n + k + 1;
            double x0 = a[row], norm = Math.sqrt(DoubleKernels.dot(a, row, a, row, len));
            d[k] = a[k * n + k];
            if (norm == 0) { // the column is already reduced
                e[k] = 0;
                house[k] = new double[len];
                continue;
            }
            double alpha = x0 > 0 ? -norm : norm; // the sign that avoids cancellation in v0
            double[] v = java.util.Arrays.copyOfRange(a, row, row + len);
            v[0] = x0 - alpha;
            double b = 2 / DoubleKernels.dot(v, 0, v, 0, len);
            double[] p = new double[len];
            for (int i = 0; i < len; i++) p[i] = b * DoubleKernels.dot(a, (k + 1 + i) * n + k + 1, v, 0, len);
            double half = 0.5 * b * DoubleKernels.dot(p, 0, v, 0, len);
            for (int i = 0; i < len; i++) p[i] -= half * v[i]; // p is now w
            for (int i = 0; i < len; i++) {
                int r = (k + 1 + i) * n + k + 1;
                DoubleKernels.axpy(-v[i], p, 0, a, r, len);
                DoubleKernels.axpy(-p[i], v, 0, a, r, len);
            }
            e[k] = alpha;
            house[k] = v;
            beta[k] = b;
        }
        if (n >= 2) {
            d[n - 2] = a[(n - 2) * n + n - 2];
            e[n - 2] = a[(n - 2) * n + n - 1];
        }
        d[n - 1] = a[(n - 1) * n + n - 1];
        e[n - 1] = 0;
    }

    /**
     * Q^T for Q = H_0 H_1 ... H_{n-3}: Q built by backward accumulation (Golub and Van Loan, 5.1.6:
     * H_k only touches the trailing block, which is still the identity outside it), then transposed.
     */
    private static double[] transposedQ(int n, double[][] house, double[] beta) {
        double[] q = new double[n * n];
        for (int i = 0; i < n; i++) q[i * n + i] = 1;
        double[] u = new double[n];
        for (int k = n - 3; k >= 0; k--) {
            if (beta[k] == 0) continue;
            double[] v = house[k];
            int len = n - k - 1, c0 = k + 1;
            java.util.Arrays.fill(u, 0, len, 0);
            for (int i = 0; i < len; i++) DoubleKernels.axpy(v[i], q, (c0 + i) * n + c0, u, 0, len); // u = v^T Q_sub
            for (int i = 0; i < len; i++) DoubleKernels.axpy(-beta[k] * v[i], u, 0, q, (c0 + i) * n + c0, len);
        }
        return new DoubleMatrix(n, n, q).transpose().data();
    }

    /**
     * The implicit QL iteration with Wilkinson shifts on the tridiagonal (d, e), e[i] coupling i and
     * i+1 (Golub and Van Loan, 8.3.3; the QL form of Numerical Recipes' tqli): each sweep chases the
     * bulge from the bottom of the unreduced block up to row l, and each of its rotations is applied
     * to the rows i, i+1 of {@code vt}. On return d holds the eigenvalues, unsorted.
     */
    private static void ql(double[] d, double[] e, double[] vt, int n) {
        // A coupling is negligible below eps times the largest |d| + |e| seen so far (as EISPACK's
        // tql2): absolute accuracy relative to the matrix, which also ends the iteration on clusters
        // of eigenvalues near 0, where a test relative to the neighbouring |d| never would.
        double norm = 0, eps = Math.ulp(1.0);
        for (int l = 0; l < n; l++) {
            int iterations = 0, m;
            norm = Math.max(norm, Math.abs(d[l]) + Math.abs(e[l]));
            do {
                for (m = l; m < n - 1; m++) // the first negligible coupling at or below l ends the block
                    if (Math.abs(e[m]) <= eps * norm) break;
                if (m == l) break;
                if (++iterations > 100) throw new ArithmeticException("the QL iteration did not converge for eigenvalue " + l + " of " + n);
                double g = (d[l + 1] - d[l]) / (2 * e[l]);
                double r = Math.hypot(g, 1);
                g = d[m] - d[l] + e[l] / (g + Math.copySign(r, g)); // the shift, from the trailing 2 x 2 block
                double s = 1, c = 1, p = 0;
                int i;
                boolean underflow = false;
                for (i = m - 1; i >= l; i--) {
                    double f = s * e[i], b = c * e[i];
                    r = Math.hypot(f, g);
                    e[i + 1] = r;
                    if (r == 0) { // the rotation underflowed: deflate and start the sweep again
                        d[i + 1] -= p;
                        e[m] = 0;
                        underflow = true;
                        break;
                    }
                    s = f / r;
                    c = g / r;
                    g = d[i + 1] - p;
                    r = (d[i] - g) * s + 2 * c * b;
                    p = s * r;
                    d[i + 1] = g + p;
                    g = c * r - b;
                    // the eigenvectors: columns i, i+1 of Q Z, rows i, i+1 here: (z_i, z_i+1) <- (c z_i - s z_i+1, s z_i + c z_i+1)
                    DoubleKernels.rotate(vt, i * n, (i + 1) * n, n, c, s);
                }
                if (underflow) continue;
                d[l] -= p;
                e[l] = g;
                e[m] = 0;
            } while (true);
        }
    }

    private static SymmetricEigen sorted(double[] d, double[] vt, int n) {
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        java.util.Arrays.sort(order, (x, y) -> Double.compare(d[y], d[x]));
        double[] values = new double[n], rows = new double[n * n];
        for (int i = 0; i < n; i++) {
            values[i] = d[order[i]];
            System.arraycopy(vt, order[i] * n, rows, i * n, n);
        }
        return new SymmetricEigen(values, new DoubleMatrix(n, n, rows));
    }
}
