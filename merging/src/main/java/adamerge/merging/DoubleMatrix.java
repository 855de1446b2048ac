package adamerge.merging;

import adamerge.tensor.Tensor;
import adamerge.tensor.cpu.Parallel;

/**
 * A dense row-major float64 matrix: the working precision of the SVD-based merges (TSV-Merge,
 * Iso-C, Iso-CTS), whose float32 task matrices are read into it and whose results are rounded
 * back once at the end.
 */
record DoubleMatrix(int rows, int cols, double[] data) {

    DoubleMatrix {
        if (data.length != (long) rows * cols) throw new IllegalArgumentException(rows + " x " + cols + " matrix with " + data.length + " entries");
    }

    static DoubleMatrix zeros(int rows, int cols) {
        return new DoubleMatrix(rows, cols, new double[rows * cols]);
    }

    /** A 2-D tensor, widened to float64. */
    static DoubleMatrix of(Tensor t) {
        if (t.shape().length != 2) throw new IllegalArgumentException("a matrix needs a 2-D tensor, not shape " + java.util.Arrays.toString(t.shape()));
        float[] x = t.toArray();
        double[] d = new double[x.length];
        for (int i = 0; i < x.length; i++) d[i] = x[i];
        return new DoubleMatrix(t.shape()[0], t.shape()[1], d);
    }

    /** Rounded to float32 as a tensor of shape [rows, cols]. */
    Tensor toTensor() {
        float[] x = new float[data.length];
        for (int i = 0; i < x.length; i++) x[i] = (float) data[i];
        return Tensor.of(x, rows, cols);
    }

    DoubleMatrix transpose() {
        double[] t = new double[data.length];
        int block = 32; // in tiles, so that both sides are read and written a cache line at a time
        for (int i0 = 0; i0 < rows; i0 += block)
            for (int j0 = 0; j0 < cols; j0 += block)
                for (int i = i0; i < Math.min(rows, i0 + block); i++)
                    for (int j = j0; j < Math.min(cols, j0 + block); j++) t[j * rows + i] = data[i * cols + j];
        return new DoubleMatrix(cols, rows, t);
    }

    /** this x other, the rows of the result split over the cores. */
    DoubleMatrix times(DoubleMatrix other) {
        if (cols != other.rows) throw new IllegalArgumentException("cannot multiply " + rows + " x " + cols + " by " + other.rows + " x " + other.cols);
        double[] c = new double[rows * other.cols];
        int n = cols, q = other.cols;
        Parallel.forRange(rows, Math.max(4, (1 << 18) / Math.max(1, n * q)), (i0, i1) -> {
            if (DoubleKernels.SIMD) DoubleKernels.gemmSimd(data, other.data, c, rows, n, q, i0, i1);
            else DoubleKernels.gemmScalar(data, other.data, c, rows, n, q, i0, i1);
        });
        return new DoubleMatrix(rows, q, c);
    }

    /** The rows [from, to) as a matrix of their own. */
    DoubleMatrix rowRange(int from, int to) {
        return new DoubleMatrix(to - from, cols, java.util.Arrays.copyOfRange(data, from * cols, to * cols));
    }

    /** diag(d) x this: row i scaled by d[i]. */
    DoubleMatrix scaleRows(double[] d) {
        double[] out = data.clone();
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++) out[i * cols + j] *= d[i];
        return new DoubleMatrix(rows, cols, out);
    }

    DoubleMatrix minus(DoubleMatrix o) {
        double[] out = data.clone();
        for (int i = 0; i < out.length; i++) out[i] -= o.data[i];
        return new DoubleMatrix(rows, cols, out);
    }

    DoubleMatrix plus(DoubleMatrix o) {
        double[] out = data.clone();
        for (int i = 0; i < out.length; i++) out[i] += o.data[i];
        return new DoubleMatrix(rows, cols, out);
    }

    double get(int i, int j) {
        return data[i * cols + j];
    }
}
