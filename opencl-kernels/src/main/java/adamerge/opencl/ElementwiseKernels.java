package adamerge.opencl;

import adamerge.tensor.Binary;
import adamerge.tensor.Shape;
import adamerge.tensor.Tensor;
import adamerge.tensor.Unary;
import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.cl_mem;

import java.util.List;

import static adamerge.opencl.OpenClBackend.requireSameShape;

/**
 * The host side of elementwise.cl: one work-item per output element, reading float32 views of any
 * strides (copy, unary, binary, where) and the movement ops built on the same view reads (concat,
 * index-select). Every result is a new contiguous tensor.
 */
final class ElementwiseKernels {
    private final OpenClBackend cl;

    ElementwiseKernels(OpenClBackend cl) {
        this.cl = cl;
    }

    Tensor copy(Tensor x) {
        int[] shape = x.shape();
        Tensor out = cl.empty(shape);
        ViewLayout l = ViewLayout.of(shape, x.strides(), Shape.contiguousStrides(shape));
        if (l.numel() > 0)
            cl.kernel("copy_view").layout(l).view(x, l.strides8()[0]).buf(out).int8(l.strides8()[1]).arg(0).elementwise(l.numel());
        return out;
    }

    Tensor unary(Unary op, Tensor x) {
        Tensor out = cl.empty(x.shape());
        ViewLayout l = ViewLayout.of(x.shape(), x.strides());
        if (l.numel() > 0)
            cl.kernel("unary").layout(l).arg(OpCodes.of(op)).view(x, l.strides8()[0]).buf(out).elementwise(l.numel());
        return out;
    }

    Tensor binary(Binary op, Tensor a, Tensor b) {
        requireSameShape(a, b);
        Tensor out = cl.empty(a.shape());
        ViewLayout l = ViewLayout.of(a.shape(), a.strides(), b.strides());
        if (l.numel() > 0)
            cl.kernel("binary").layout(l).arg(OpCodes.of(op)).view(a, l.strides8()[0]).view(b, l.strides8()[1])
                    .buf(out).elementwise(l.numel());
        return out;
    }

    /** {@code b} travels as a kernel argument: no upload. */
    Tensor binary(Binary op, Tensor a, float b) {
        Tensor out = cl.empty(a.shape());
        ViewLayout l = ViewLayout.of(a.shape(), a.strides());
        if (l.numel() > 0)
            cl.kernel("binary_scalar").layout(l).arg(OpCodes.of(op)).view(a, l.strides8()[0]).arg(b).buf(out).elementwise(l.numel());
        return out;
    }

    Tensor where(Tensor cond, Tensor a, Tensor b) {
        requireSameShape(cond, a);
        requireSameShape(a, b);
        Tensor out = cl.empty(a.shape());
        ViewLayout l = ViewLayout.of(a.shape(), cond.strides(), a.strides(), b.strides());
        if (l.numel() > 0)
            cl.kernel("where_select").layout(l).view(cond, l.strides8()[0]).view(a, l.strides8()[1]).view(b, l.strides8()[2])
                    .buf(out).elementwise(l.numel());
        return out;
    }

    /** Each input copied into its slice of the output (copy_view with the slice's strides and offset). */
    Tensor concat(List<Tensor> xs, int axis) {
        int[] shape = xs.get(0).shape();
        shape[axis] = 0;
        for (Tensor x : xs) shape[axis] += x.dim(axis);
        Tensor out = cl.empty(shape);
        int at = 0;
        for (Tensor x : xs) {
            Tensor dst = out.slice(axis, at, at + x.dim(axis));
            ViewLayout l = ViewLayout.of(x.shape(), x.strides(), dst.strides());
            if (l.numel() > 0)
                cl.kernel("copy_view").layout(l).view(x, l.strides8()[0]).buf(out).int8(l.strides8()[1]).arg(dst.offset())
                        .elementwise(l.numel());
            at += x.dim(axis);
        }
        return out;
    }

    Tensor indexSelect(Tensor x, int axis, int[] index) {
        int[] shape = x.shape();
        shape[axis] = index.length;
        Tensor out = cl.empty(shape);
        if (out.numel() == 0) return out;
        int[] st = x.strides();
        int axisStride = st[axis];
        st[axis] = 0; // the kernel adds index[] * axisStride
        int inner = 1;
        for (int d = axis + 1; d < shape.length; d++) inner *= shape[d];
        ViewLayout l = ViewLayout.of(shape, st);
        cl_mem idx = CL.clCreateBuffer(cl.context(), CL.CL_MEM_READ_ONLY | CL.CL_MEM_COPY_HOST_PTR, 4L * index.length, Pointer.to(index), null);
        try {
            cl.kernel("index_select").layout(l).view(x, l.strides8()[0]).arg(axisStride).arg(inner).arg(index.length)
                    .arg(idx).buf(out).elementwise(l.numel());
        } finally {
            CL.clReleaseMemObject(idx); // freed once the kernel is done
        }
        return out;
    }
}
