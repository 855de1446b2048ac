package adamerge.tensor;

import java.util.Arrays;

/** Shape arithmetic shared by tensors and backends. */
public final class Shape {
    private Shape() {
    }

    public static int numel(int[] shape) {
        long n = 1;
        for (int d : shape) {
            if (d < 0) throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            n *= d;
        }
        if (n > Integer.MAX_VALUE) throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " has more than 2^31-1 elements");
        return (int) n;
    }

    public static int[] contiguousStrides(int[] shape) {
        int[] st = new int[shape.length];
        int s = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            st[i] = s;
            s *= Math.max(shape[i], 1);
        }
        return st;
    }

    /** Resolves a possibly negative axis against a rank. */
    public static int axis(int axis, int rank) {
        int a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank) throw new IllegalArgumentException("axis " + axis + " is out of range for rank " + rank);
        return a;
    }

    /** Numpy broadcasting of two shapes; fails naming both. */
    public static int[] broadcast(int[] a, int[] b) {
        int n = Math.max(a.length, b.length);
        int[] r = new int[n];
        for (int i = 0; i < n; i++) {
            int da = i < n - a.length ? 1 : a[i - (n - a.length)];
            int db = i < n - b.length ? 1 : b[i - (n - b.length)];
            if (da != db && da != 1 && db != 1)
                throw new IllegalArgumentException("shapes " + Arrays.toString(a) + " and " + Arrays.toString(b) + " do not broadcast");
            r[i] = da == 1 ? db : da;
        }
        return r;
    }

    /** Resolves one -1 entry of a reshape target and checks the element count. */
    public static int[] inferReshape(int[] from, int[] to) {
        int[] r = to.clone();
        int unknown = -1;
        long known = 1;
        for (int i = 0; i < r.length; i++) {
            if (r[i] == -1) {
                if (unknown >= 0) throw new IllegalArgumentException("reshape target " + Arrays.toString(to) + " has more than one -1");
                unknown = i;
            } else known *= r[i];
        }
        int n = numel(from);
        if (unknown >= 0) {
            if (known == 0 || n % known != 0)
                throw new IllegalArgumentException("cannot reshape " + Arrays.toString(from) + " to " + Arrays.toString(to));
            r[unknown] = (int) (n / known);
        } else if (known != n) {
            throw new IllegalArgumentException("cannot reshape " + Arrays.toString(from) + " to " + Arrays.toString(to));
        }
        return r;
    }
}
