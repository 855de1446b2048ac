package adamerge.opencl;

import adamerge.tensor.Reduce;
import adamerge.tensor.Tensor;
import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.cl_mem;

import java.util.Arrays;
import java.util.List;

/**
 * The host side of rows.cl: a view read as rows along one axis (reductions, argmax) or the last
 * axis (softmax, layer norm), one work-group per row; and the radix select of
 * {@link #kthLargestAbs}, whose histogram kernel lives there too.
 */
final class RowKernels {
    /** Rows up to this long are reduced by one work-item each, where a work-group would idle. */
    private static final int SERIAL_ROW_LIMIT = 64;
    private static final int MAX_ROW_GROUP = 256;

    private final OpenClBackend cl;

    RowKernels(OpenClBackend cl) {
        this.cl = cl;
    }

    Tensor reduce(Reduce op, Tensor x, int axis) {
        int n = x.dim(axis);
        Tensor out = cl.empty(keptAsOne(x.shape(), axis));
        ViewLayout rows = rowsAlong(x, axis);
        if (rows.numel() == 0) return out;
        if (n <= SERIAL_ROW_LIMIT) {
            cl.kernel("reduce_serial").arg(rows.numel()).arg(n).shape(rows)
                    .view(x, rows.strides8()[0]).arg(x.stride(axis)).arg(OpCodes.of(op)).buf(out).elementwise(rows.numel());
        } else {
            int ls = rowGroup(n);
            cl.kernel("reduce_group").arg(n).shape(rows).view(x, rows.strides8()[0]).arg(x.stride(axis)).arg(OpCodes.of(op))
                    .buf(out).local(4L * ls).rows(rows.numel(), ls);
        }
        return out;
    }

    Tensor argmax(Tensor x, int axis) {
        int n = x.dim(axis);
        Tensor out = cl.empty(keptAsOne(x.shape(), axis));
        ViewLayout rows = rowsAlong(x, axis);
        if (rows.numel() == 0) return out;
        int ls = rowGroup(n);
        cl.kernel("argmax_group").arg(n).shape(rows).view(x, rows.strides8()[0]).arg(x.stride(axis))
                .buf(out).local(4L * ls).local(4L * ls).rows(rows.numel(), ls);
        return out;
    }

    Tensor softmax(Tensor x, boolean log) {
        int last = x.rank() - 1, n = x.dim(-1);
        Tensor out = cl.empty(x.shape());
        ViewLayout rows = rowsAlong(x, last);
        if (rows.numel() == 0 || n == 0) return out;
        int ls = rowGroup(n);
        cl.kernel("softmax_rows").arg(n).shape(rows).view(x, rows.strides8()[0]).arg(x.stride(last)).arg(log ? 1 : 0)
                .buf(out).local(4L * ls).rows(rows.numel(), ls);
        return out;
    }

    Tensor layerNorm(Tensor x, Tensor gamma, Tensor beta, float eps) {
        int last = x.rank() - 1, n = x.dim(-1);
        Tensor out = cl.empty(x.shape());
        ViewLayout rows = rowsAlong(x, last);
        if (rows.numel() == 0 || n == 0) return out;
        Tensor g = gamma.contiguous(), b = beta.contiguous();
        int ls = rowGroup(n);
        cl.kernel("layer_norm_rows").arg(n).shape(rows).view(x, rows.strides8()[0]).arg(x.stride(last))
                .buf(g).arg(g.offset()).buf(b).arg(b.offset()).arg(eps)
                .buf(out).local(4L * ls).rows(rows.numel(), ls);
        return out;
    }

    /**
     * Radix select on the bit patterns of |x| (non-negative floats order like their bits): four
     * passes over 8-bit digits, most significant first; each pass histograms the current digit of
     * the elements matching the digits chosen so far, and only the 256 counts reach the host.
     */
    float kthLargestAbs(List<Tensor> xs, long k) {
        long total = 0;
        for (Tensor x : xs) total += x.numel();
        if (k < 1 || k > total) throw new IllegalArgumentException("k = " + k + " is out of range for " + total + " elements");
        long rank = total - k; // 0-based, ascending
        int prefix = 0, mask = 0;
        int[] hist = new int[256];
        cl_mem h = CL.clCreateBuffer(cl.context(), CL.CL_MEM_READ_WRITE, 4L * 256, null, null);
        try {
            for (int shift = 24; shift >= 0; shift -= 8) {
                Arrays.fill(hist, 0);
                cl.queue().write(h, 4L * 256, Pointer.to(hist));
                for (Tensor x : xs) {
                    ViewLayout l = ViewLayout.of(x.shape(), x.strides());
                    if (l.numel() == 0) continue;
                    cl.kernel("radix_histogram").layout(l).view(x, l.strides8()[0]).arg(prefix).arg(mask).arg(shift)
                            .arg(h).local(4L * 256).grid(l.numel(), Launch.ELEMENTWISE_GROUP);
                }
                cl.queue().read(h, 0, 4L * 256, Pointer.to(hist));
                int digit = 0;
                long below = 0;
                while (digit < 255 && rank >= below + Integer.toUnsignedLong(hist[digit])) below += Integer.toUnsignedLong(hist[digit++]);
                rank -= below;
                prefix |= digit << shift;
                mask |= 0xff << shift;
            }
        } finally {
            CL.clReleaseMemObject(h);
        }
        return Float.intBitsToFloat(prefix);
    }

    /** A power-of-two work-group for rows of n elements. */
    private int rowGroup(int n) {
        int cap = (int) Math.min(MAX_ROW_GROUP, cl.maxGroup()), ls = 1;
        while (ls < n && ls * 2 <= cap) ls *= 2;
        return ls;
    }

    /** The shape with {@code axis} kept as 1: the output of a reduction along it. */
    private static int[] keptAsOne(int[] shape, int axis) {
        int[] kept = shape.clone();
        kept[axis] = 1;
        return kept;
    }

    /** One row per index of every axis but {@code axis}: the launch layout of a reduction along it. */
    private static ViewLayout rowsAlong(Tensor x, int axis) {
        return ViewLayout.of(ViewLayout.without(x.shape(), axis), ViewLayout.without(x.strides(), axis));
    }
}
