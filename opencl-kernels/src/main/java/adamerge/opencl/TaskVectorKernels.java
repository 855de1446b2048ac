package adamerge.opencl;

import adamerge.tensor.DType;
import adamerge.tensor.Reduce;
import adamerge.tensor.Tensor;

import java.util.Arrays;
import java.util.List;

import static adamerge.opencl.OpenClBackend.requireSameShape;

/**
 * The host side of taskvectors.cl: the merging kernels, which read task vectors stored as float32
 * or half ({@link #storedAs}), and the conversions between the two. A half task vector is read by
 * the kernels' half build; every other kernel takes float32 only.
 */
final class TaskVectorKernels {
    private final OpenClBackend cl;

    TaskVectorKernels(OpenClBackend cl) {
        this.cl = cl;
    }

    /**
     * theta0 + sum_k lambda_k tau_k (task arithmetic with per-task coefficients), as a new
     * contiguous tensor; a tau may be stored as F16. One launch per eight task vectors.
     */
    Tensor mergeWeighted(Tensor theta0, List<Tensor> taus, float[] lambdas) {
        if (taus.size() != lambdas.length)
            throw new IllegalArgumentException(taus.size() + " task vectors but " + lambdas.length + " coefficients");
        for (Tensor tau : taus) requireSameShape(theta0, tau);
        if (taus.isEmpty()) return cl.copy(theta0);
        Tensor out = cl.empty(theta0.shape());
        if (theta0.numel() == 0) return out;
        Tensor x = theta0;
        for (int from = 0, to; from < taus.size(); from = to, x = out) {
            to = chunkEnd(taus, from);
            List<Tensor> chunk = taus.subList(from, to);
            ViewLayout l = ViewLayout.of(theta0.shape(), x.strides(), chunk.getFirst().strides());
            kernel("merge_taus", chunk.getFirst()).layout(l).arg(chunk.size()).float8(Arrays.copyOfRange(lambdas, from, to))
                    .view(x, l.strides8()[0]).taskVectors(chunk, l.strides8()[1]).buf(out).elementwise(l.numel());
        }
        return out;
    }

    /**
     * The inner products &lt;g, tau_k&gt; for every k (a tau may be F16) as a [K] tensor, reduced
     * on the device and left there: one launch per eight task vectors, and one for the sums.
     */
    Tensor dotWithEach(Tensor g, List<Tensor> taus) {
        int count = taus.size(), n = g.numel();
        if (count == 0 || n == 0) return cl.fromArray(new float[count], count);
        for (Tensor tau : taus) requireSameShape(g, tau);
        int ls = Launch.ELEMENTWISE_GROUP, groups = Math.min(Math.ceilDiv(n, ls), Launch.MAX_GRID_GROUPS);
        Tensor partial = cl.empty(count, groups);
        for (int from = 0, to; from < count; from = to) {
            to = chunkEnd(taus, from);
            List<Tensor> chunk = taus.subList(from, to);
            ViewLayout l = ViewLayout.of(g.shape(), g.strides(), chunk.getFirst().strides());
            kernel("dots_partial", chunk.getFirst()).layout(l).arg(chunk.size()).view(g, l.strides8()[0])
                    .taskVectors(chunk, l.strides8()[1]).buf(partial).arg(from * groups).local(4L * ls)
                    .run(new long[]{(long) groups * ls}, new long[]{ls});
        }
        Tensor sums = cl.reduce(Reduce.SUM, partial, 1);
        cl.storage(partial).release();
        return sums.reshape(count);
    }

    /** The end of the run of at most eight task vectors from {@code from} that one launch reads: same element type, same strides. */
    private int chunkEnd(List<Tensor> taus, int from) {
        Tensor first = taus.get(from);
        int to = from + 1;
        while (to < taus.size() && to - from < 8 && cl.storage(taus.get(to)).dtype() == cl.storage(first).dtype()
                && Arrays.equals(taus.get(to).strides(), first.strides())) to++;
        return to;
    }

    /** F16 on the device, converted there (round to nearest even, as the CPU's F16 storage); BF16 is not supported. */
    Tensor storedAs(Tensor x, DType dtype) {
        if (dtype == DType.F32) return cl.copy(x);
        if (dtype != DType.F16)
            throw new IllegalArgumentException("the OpenCL backend stores tensors as F32 or F16, not " + dtype + ": use --tv-dtype f16");
        Tensor out = new Tensor(cl.allocate(x.numel(), DType.F16), x.shape());
        ViewLayout l = ViewLayout.of(x.shape(), x.strides());
        if (l.numel() > 0) cl.kernel("float_to_half").layout(l).view(x, l.strides8()[0]).halfBuf(out).elementwise(l.numel());
        return out;
    }

    /** A half task vector widened to a contiguous float32 tensor. */
    Tensor widen(Tensor x) {
        Tensor out = cl.empty(x.shape());
        ViewLayout l = ViewLayout.of(x.shape(), x.strides());
        if (l.numel() > 0) kernel("tau_to_float", x).layout(l).taskVector(x, l.strides8()[0]).buf(out).elementwise(l.numel());
        return out;
    }

    /** A taskvectors.cl kernel built for the element type of {@code tau}. */
    private Launch kernel(String name, Tensor tau) {
        if (cl.storage(tau).dtype() == DType.F32) return cl.kernel(name);
        return new Launch(cl, cl.programs().halfKernel(name), name + "/f16");
    }
}
