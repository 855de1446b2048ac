package adamerge.opencl;

import adamerge.tensor.Tensor;
import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_kernel;
import org.jocl.cl_mem;

import java.lang.ref.Reference;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One kernel launch on a backend: sets the kernel's arguments in order, then enqueues it. Kernel
 * arguments are state of the kernel object, so a launch must be enqueued before the next one of
 * the same kernel starts (the backend serialises its calls).
 */
final class Launch {
    /** Work-group size of the elementwise and grid-stride kernels, and the most groups of a grid-stride loop. */
    static final int ELEMENTWISE_GROUP = 256, MAX_GRID_GROUPS = 256;

    private final OpenClBackend backend;
    private final cl_kernel kernel;
    private final String name;
    private final List<Tensor> keep = new ArrayList<>(4);
    private int index;

    /** {@code name} labels the kernel in the profile. */
    Launch(OpenClBackend backend, cl_kernel kernel, String name) {
        this.backend = backend;
        this.kernel = kernel;
        this.name = name;
    }

    Launch arg(int v) {
        CL.clSetKernelArg(kernel, index++, Sizeof.cl_int, Pointer.to(new int[]{v}));
        return this;
    }

    Launch arg(float v) {
        CL.clSetKernelArg(kernel, index++, Sizeof.cl_float, Pointer.to(new float[]{v}));
        return this;
    }

    /** A tensor's buffer; the tensor stays reachable until the kernel is enqueued, so its cleaner cannot free the buffer first. */
    Launch buf(Tensor t) {
        keep.add(t);
        return arg(backend.mem(t));
    }

    Launch arg(cl_mem m) {
        CL.clSetKernelArg(kernel, index++, Sizeof.cl_mem, Pointer.to(m));
        return this;
    }

    Launch int8(int[] v) {
        CL.clSetKernelArg(kernel, index++, Sizeof.cl_int8, Pointer.to(v));
        return this;
    }

    /** Up to eight floats as a float8 (the rest zero). */
    Launch float8(float[] v) {
        CL.clSetKernelArg(kernel, index++, Sizeof.cl_float * 8, Pointer.to(Arrays.copyOf(v, 8)));
        return this;
    }

    Launch local(long bytes) {
        CL.clSetKernelArg(kernel, index++, bytes, null);
        return this;
    }

    /** Element count, padded shape and the flat flag: the leading arguments of the elementwise kernels. */
    Launch layout(ViewLayout l) {
        return arg(l.numel()).shape(l);
    }

    /** Padded shape and the flat flag (row kernels put the row length before them). */
    Launch shape(ViewLayout l) {
        return int8(l.shape8()).arg(l.flat() ? 1 : 0);
    }

    /** Buffer, strides and offset of one operand. */
    Launch view(Tensor t, int[] strides8) {
        return buf(t).int8(strides8).arg(t.offset());
    }

    /** A view of a task vector, float or half (the kernel must be built for its type: {@link TaskVectorKernels}). */
    Launch taskVector(Tensor t, int[] strides8) {
        keep.add(t);
        return arg(backend.storage(t).mem()).int8(strides8).arg(t.offset());
    }

    /**
     * Up to eight task vectors of one element type and one set of strides: eight buffers (the
     * first repeated for the unused), the shared strides, and their offsets as an int8.
     */
    Launch taskVectors(List<Tensor> ts, int[] strides8) {
        if (ts.isEmpty() || ts.size() > 8) throw new IllegalArgumentException("1 to 8 task vectors per launch, not " + ts.size());
        keep.addAll(ts);
        int[] offsets = new int[8];
        for (int k = 0; k < 8; k++) {
            Tensor t = ts.get(k < ts.size() ? k : 0);
            arg(backend.storage(t).mem());
            offsets[k] = t.offset();
        }
        return int8(strides8).int8(offsets);
    }

    /** The buffer of a half tensor being written. */
    Launch halfBuf(Tensor t) {
        keep.add(t);
        return arg(backend.storage(t).mem());
    }

    /** One work-item per element. */
    void elementwise(int n) {
        int ls = (int) Math.min(ELEMENTWISE_GROUP, backend.maxGroup());
        run(new long[]{(long) Math.ceilDiv(n, ls) * ls}, new long[]{ls});
    }

    /** One work-group of ls per row. */
    void rows(int rows, int ls) {
        run(new long[]{(long) rows * ls}, new long[]{ls});
    }

    /** A grid-stride loop over n elements with a bounded number of groups. */
    void grid(int n, int ls) {
        run(new long[]{(long) Math.min(Math.ceilDiv(n, ls), MAX_GRID_GROUPS) * ls}, new long[]{ls});
    }

    void run(long[] global, long[] local) {
        backend.queue().run(kernel, name, global, local);
        Reference.reachabilityFence(keep); // enqueued commands keep their buffers alive from here on
    }
}
