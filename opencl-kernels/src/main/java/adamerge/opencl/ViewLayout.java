package adamerge.opencl;

import java.util.Arrays;

/**
 * A shape with one stride array per operand, prepared for the kernels: size-1 axes dropped,
 * neighbouring axes merged where every operand is contiguous across them, then padded to rank 8
 * with leading 1s (stride 0) to travel as OpenCL {@code int8} arguments.
 */
record ViewLayout(int numel, int[] shape8, int[][] strides8, boolean flat) {
    static final int RANK = 8;

    static ViewLayout of(int[] shape, int[]... strides) {
        int ops = strides.length, rank = 0, n = 1;
        int[] sh = new int[shape.length];
        int[][] st = new int[ops][shape.length];
        for (int d = 0; d < shape.length; d++) {
            n *= shape[d];
            if (shape[d] == 1) continue;
            boolean merge = rank > 0;
            for (int o = 0; merge && o < ops; o++) merge = st[o][rank - 1] == strides[o][d] * shape[d];
            if (merge) {
                sh[rank - 1] *= shape[d];
                for (int o = 0; o < ops; o++) st[o][rank - 1] = strides[o][d];
            } else {
                sh[rank] = shape[d];
                for (int o = 0; o < ops; o++) st[o][rank] = strides[o][d];
                rank++;
            }
        }
        if (rank > RANK)
            throw new IllegalArgumentException("the OpenCL kernels take views of rank <= " + RANK + " after merging axes; shape "
                    + Arrays.toString(shape) + " has " + rank + " unmergeable axes: make the tensor contiguous first");
        int[] sh8 = new int[RANK];
        Arrays.fill(sh8, 1);
        int[][] st8 = new int[ops][RANK];
        for (int d = 0; d < rank; d++) {
            sh8[RANK - rank + d] = sh[d];
            for (int o = 0; o < ops; o++) st8[o][RANK - rank + d] = st[o][d];
        }
        return new ViewLayout(n, sh8, st8, rank <= 1);
    }

    /** Shape and strides without {@code axis}. */
    static int[] without(int[] a, int axis) {
        int[] r = new int[a.length - 1];
        for (int i = 0, j = 0; i < a.length; i++) if (i != axis) r[j++] = a[i];
        return r;
    }
}
