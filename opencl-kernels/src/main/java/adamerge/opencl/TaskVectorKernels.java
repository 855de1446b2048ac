package adamerge.opencl;

import adamerge.tensor.DType;
import adamerge.tensor.Reduce;
import adamerge.tensor.Tensor;

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
     * contiguous tensor; a tau may be stored as F16.
     */
    Tensor mergeWeighted(Tensor theta0, List<Tensor> taus, float[] lambdas) {
        if (taus.size() != lambdas.length)
            throw new IllegalArgumentException(taus.size() + " task vectors but " + lambdas.length + " coefficients");
        Tensor out = cl.copy(theta0);
        for (int t = 0; t < taus.size(); t++) {
            Tensor tau = taus.get(t);
            requireSameShape(theta0, tau);
            ViewLayout l = ViewLayout.of(tau.shape(), tau.strides());
            if (l.numel() > 0)
                kernel("axpy", tau).layout(l).arg(lambdas[t]).taskVector(tau, l.strides8()[0]).buf(out).arg(0).elementwise(l.numel());
        }
        return out;
    }

    /** The inner products &lt;g, tau_k&gt; for every k (a tau may be F16) as a [K] tensor, reduced on the device and left there. */
    Tensor dotWithEach(Tensor g, List<Tensor> taus) {
        int count = taus.size(), n = g.numel();
        if (count == 0 || n == 0) return cl.fromArray(new float[count], count);
        int ls = Launch.ELEMENTWISE_GROUP, groups = Math.min(Math.ceilDiv(n, ls), Launch.MAX_GRID_GROUPS);
        Tensor partial = cl.empty(count, groups);
        for (int t = 0; t < count; t++) {
            Tensor tau = taus.get(t);
            requireSameShape(g, tau);
            ViewLayout l = ViewLayout.of(g.shape(), g.strides(), tau.strides());
            kernel("dot_partial", tau).layout(l).view(g, l.strides8()[0]).taskVector(tau, l.strides8()[1])
                    .buf(partial).arg(t * groups).local(4L * ls).run(new long[]{(long) groups * ls}, new long[]{ls});
        }
        Tensor sums = cl.reduce(Reduce.SUM, partial, 1);
        cl.storage(partial).release();
        return sums.reshape(count);
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
