package adamerge.tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * An n-dimensional float32 array: a view (shape, strides, offset) over a {@link Storage}.
 * Movement ops (reshape, permute, slice, expand) make views without copying; compute ops run on
 * the backend that owns the storage and return new contiguous tensors.
 */
public final class Tensor {
    private final Storage storage;
    private final int[] shape;
    private final int[] strides;
    private final int offset;

    public Tensor(Storage storage, int[] shape, int[] strides, int offset) {
        this.storage = storage;
        this.shape = shape;
        this.strides = strides;
        this.offset = offset;
    }

    /** A contiguous row-major tensor over the whole storage. */
    public Tensor(Storage storage, int... shape) {
        this(storage, shape.clone(), Shape.contiguousStrides(shape), 0);
        if (Shape.numel(shape) != storage.size())
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " needs " + Shape.numel(shape)
                    + " elements but the storage holds " + storage.size());
    }

    // ---- creation (on the default backend, see Backends) ----

    public static Tensor of(float[] data, int... shape) {
        if (Shape.numel(shape) != data.length)
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " needs " + Shape.numel(shape)
                    + " elements but " + data.length + " were given");
        return Backends.current().fromArray(data, shape);
    }

    public static Tensor scalar(float value) {
        return of(new float[]{value});
    }

    public static Tensor zeros(int... shape) {
        return of(new float[Shape.numel(shape)], shape);
    }

    public static Tensor full(float value, int... shape) {
        float[] a = new float[Shape.numel(shape)];
        Arrays.fill(a, value);
        return of(a, shape);
    }

    /** Standard normal samples, reproducible from {@code seed} on every backend. */
    public static Tensor randn(long seed, int... shape) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] a = new float[Shape.numel(shape)];
        for (int i = 0; i < a.length; i += 2) { // Box-Muller gives two samples per pair of uniforms
            double u1 = 1 - r.nextDouble(), u2 = r.nextDouble();
            double rad = Math.sqrt(-2 * Math.log(u1));
            a[i] = (float) (rad * Math.cos(2 * Math.PI * u2));
            if (i + 1 < a.length) a[i + 1] = (float) (rad * Math.sin(2 * Math.PI * u2));
        }
        return of(a, shape);
    }

    /** Uniform samples in [lo, hi), reproducible from {@code seed}. */
    public static Tensor rand(long seed, float lo, float hi, int... shape) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] a = new float[Shape.numel(shape)];
        for (int i = 0; i < a.length; i++) a[i] = lo + (hi - lo) * (float) r.nextDouble();
        return of(a, shape);
    }

    // ---- metadata ----

    public Storage storage() {
        return storage;
    }

    public Backend backend() {
        return storage.backend();
    }

    public int[] shape() {
        return shape.clone();
    }

    public int[] strides() {
        return strides.clone();
    }

    public int offset() {
        return offset;
    }

    public int rank() {
        return shape.length;
    }

    /** Size of {@code axis}; negative axes count from the end. */
    public int dim(int axis) {
        return shape[Shape.axis(axis, shape.length)];
    }

    public int stride(int axis) {
        return strides[Shape.axis(axis, shape.length)];
    }

    public int numel() {
        return Shape.numel(shape);
    }

    public boolean isContiguous() {
        return Arrays.equals(strides, Shape.contiguousStrides(shape)) || numel() <= 1;
    }

    /** True when this view covers its whole storage in row-major order. */
    public boolean isDense() {
        return offset == 0 && isContiguous() && numel() == storage.size();
    }

    // ---- views ----

    public Tensor reshape(int... newShape) {
        int[] s = Shape.inferReshape(shape, newShape);
        Tensor c = isContiguous() ? this : contiguous();
        return new Tensor(c.storage, s, Shape.contiguousStrides(s), c.offset);
    }

    public Tensor flatten() {
        return reshape(numel());
    }

    public Tensor permute(int... order) {
        if (order.length != shape.length)
            throw new IllegalArgumentException("permute order " + Arrays.toString(order) + " does not fit shape " + Arrays.toString(shape));
        int[] s = new int[order.length], st = new int[order.length];
        boolean[] seen = new boolean[order.length];
        for (int i = 0; i < order.length; i++) {
            int a = Shape.axis(order[i], shape.length);
            if (seen[a]) throw new IllegalArgumentException("permute order " + Arrays.toString(order) + " repeats an axis");
            seen[a] = true;
            s[i] = shape[a];
            st[i] = strides[a];
        }
        return new Tensor(storage, s, st, offset);
    }

    public Tensor transpose(int a, int b) {
        int[] order = new int[shape.length];
        for (int i = 0; i < order.length; i++) order[i] = i;
        a = Shape.axis(a, shape.length);
        b = Shape.axis(b, shape.length);
        order[a] = b;
        order[b] = a;
        return permute(order);
    }

    /** Swaps the last two axes. */
    public Tensor t() {
        return transpose(-2, -1);
    }

    /** Entries [from, to) of {@code axis}. */
    public Tensor slice(int axis, int from, int to) {
        axis = Shape.axis(axis, shape.length);
        if (from < 0 || to > shape[axis] || from > to)
            throw new IllegalArgumentException("slice [" + from + ", " + to + ") is out of range for axis " + axis + " of shape " + Arrays.toString(shape));
        int[] s = shape.clone();
        s[axis] = to - from;
        return new Tensor(storage, s, strides, offset + from * strides[axis]);
    }

    /** Entry {@code index} of {@code axis}, with that axis removed. */
    public Tensor select(int axis, int index) {
        return slice(axis, index, index + 1).squeeze(axis);
    }

    public Tensor unsqueeze(int axis) {
        axis = Shape.axis(axis, shape.length + 1);
        int[] s = new int[shape.length + 1], st = new int[shape.length + 1];
        for (int i = 0, j = 0; i < s.length; i++) {
            if (i == axis) {
                s[i] = 1;
                st[i] = j < shape.length ? strides[j] * shape[j] : 1;
            } else {
                s[i] = shape[j];
                st[i] = strides[j++];
            }
        }
        return new Tensor(storage, s, st, offset);
    }

    public Tensor squeeze(int axis) {
        axis = Shape.axis(axis, shape.length);
        if (shape[axis] != 1)
            throw new IllegalArgumentException("cannot squeeze axis " + axis + " of shape " + Arrays.toString(shape));
        int[] s = new int[shape.length - 1], st = new int[shape.length - 1];
        for (int i = 0, j = 0; i < shape.length; i++) {
            if (i == axis) continue;
            s[j] = shape[i];
            st[j++] = strides[i];
        }
        return new Tensor(storage, s, st, offset);
    }

    /** Broadcasts size-1 axes (and missing leading axes) to {@code target} with zero strides. */
    public Tensor expand(int... target) {
        if (target.length < shape.length)
            throw new IllegalArgumentException("cannot expand shape " + Arrays.toString(shape) + " to " + Arrays.toString(target));
        int lead = target.length - shape.length;
        int[] st = new int[target.length];
        for (int i = 0; i < target.length; i++) {
            if (i < lead) continue;
            int d = shape[i - lead];
            if (d == target[i]) st[i] = strides[i - lead];
            else if (d != 1)
                throw new IllegalArgumentException("cannot expand shape " + Arrays.toString(shape) + " to " + Arrays.toString(target));
        }
        return new Tensor(storage, target.clone(), st, offset);
    }

    public Tensor contiguous() {
        return isContiguous() ? this : backend().copy(this);
    }

    /**
     * A contiguous copy stored as {@code dtype} on this tensor's backend (see
     * {@link Backend#storedAs}): on the CPU in native memory outside the Java heap, F16/BF16 at
     * half the size, converted by the kernels on read.
     */
    public Tensor storedAs(DType dtype) {
        return backend().storedAs(this, dtype);
    }

    /** A contiguous copy on {@code target}. */
    public Tensor to(Backend target) {
        return target == backend() ? this : target.fromArray(toArray(), shape);
    }

    // ---- elementwise ----

    public Tensor unary(Unary op) {
        return backend().unary(op, this);
    }

    public Tensor neg() { return unary(Unary.NEG); }
    public Tensor exp() { return unary(Unary.EXP); }
    public Tensor log() { return unary(Unary.LOG); }
    public Tensor sqrt() { return unary(Unary.SQRT); }
    public Tensor tanh() { return unary(Unary.TANH); }
    public Tensor sigmoid() { return unary(Unary.SIGMOID); }
    public Tensor abs() { return unary(Unary.ABS); }
    public Tensor sign() { return unary(Unary.SIGN); }
    public Tensor relu() { return unary(Unary.RELU); }
    public Tensor gelu() { return unary(Unary.GELU); }
    public Tensor quickGelu() { return unary(Unary.QUICK_GELU); }

    /** Applies {@code op} after broadcasting both operands to a common shape. */
    public Tensor binary(Binary op, Tensor other) {
        if (other.backend() != backend())
            throw new IllegalArgumentException("operands live on different backends: " + backend().name() + " and " + other.backend().name());
        int[] s = Shape.broadcast(shape, other.shape);
        return backend().binary(op, expand(s), other.expand(s));
    }

    public Tensor binary(Binary op, float other) {
        return backend().binary(op, this, other);
    }

    public Tensor add(Tensor o) { return binary(Binary.ADD, o); }
    public Tensor sub(Tensor o) { return binary(Binary.SUB, o); }
    public Tensor mul(Tensor o) { return binary(Binary.MUL, o); }
    public Tensor div(Tensor o) { return binary(Binary.DIV, o); }
    public Tensor pow(Tensor o) { return binary(Binary.POW, o); }
    public Tensor add(float o) { return binary(Binary.ADD, o); }
    public Tensor sub(float o) { return binary(Binary.SUB, o); }
    public Tensor mul(float o) { return binary(Binary.MUL, o); }
    public Tensor div(float o) { return binary(Binary.DIV, o); }
    public Tensor pow(float o) { return binary(Binary.POW, o); }
    public Tensor maximum(Tensor o) { return binary(Binary.MAX, o); }
    public Tensor minimum(Tensor o) { return binary(Binary.MIN, o); }

    public Tensor clamp(float lo, float hi) {
        return binary(Binary.MAX, lo).binary(Binary.MIN, hi);
    }

    /** cond != 0 ? a : b, broadcasting all three. */
    public static Tensor where(Tensor cond, Tensor a, Tensor b) {
        int[] s = Shape.broadcast(Shape.broadcast(cond.shape, a.shape), b.shape);
        return cond.backend().where(cond.expand(s), a.expand(s), b.expand(s));
    }

    // ---- reductions ----

    public Tensor sum(int axis, boolean keepdim) {
        return reduce(Reduce.SUM, axis, keepdim);
    }

    public Tensor max(int axis, boolean keepdim) {
        return reduce(Reduce.MAX, axis, keepdim);
    }

    public Tensor mean(int axis, boolean keepdim) {
        return sum(axis, keepdim).div(dim(axis));
    }

    /** Sum of all elements, as a rank-0 tensor. */
    public Tensor sum() {
        return flatten().sum(0, false);
    }

    public Tensor mean() {
        return sum().div(numel());
    }

    public Tensor argmax(int axis, boolean keepdim) {
        axis = Shape.axis(axis, shape.length);
        if (shape[axis] == 0) throw new IllegalArgumentException("argmax over an empty axis of shape " + Arrays.toString(shape));
        Tensor r = backend().argmax(this, axis);
        return keepdim ? r : r.squeeze(axis);
    }

    private Tensor reduce(Reduce op, int axis, boolean keepdim) {
        axis = Shape.axis(axis, shape.length);
        if (op == Reduce.MAX && shape[axis] == 0)
            throw new IllegalArgumentException("max over an empty axis of shape " + Arrays.toString(shape));
        Tensor r = backend().reduce(op, this, axis);
        return keepdim ? r : r.squeeze(axis);
    }

    // ---- linear algebra and fused ops ----

    /**
     * Matrix product with numpy broadcasting: [..., m, k] @ [..., k, n] -> [..., m, n]. A 1-D
     * operand is treated as a row (left) or column (right) vector and that axis is dropped.
     * Transposed operands are free: pass {@code b.t()}.
     */
    public Tensor matmul(Tensor b) {
        Tensor a = this;
        boolean vecA = a.rank() == 1, vecB = b.rank() == 1;
        if (vecA) a = a.unsqueeze(0);
        if (vecB) b = b.unsqueeze(1);
        if (a.rank() == 0 || b.rank() == 0 || a.dim(-1) != b.dim(-2))
            throw new IllegalArgumentException("matmul shapes " + Arrays.toString(shape) + " and " + Arrays.toString(b.shape) + " do not fit");
        int m = a.dim(-2), k = a.dim(-1), n = b.dim(-1);
        int[] batch = Shape.broadcast(Arrays.copyOf(a.shape, a.rank() - 2), Arrays.copyOf(b.shape, b.rank() - 2));
        int nb = Shape.numel(batch);
        Tensor c;
        if (b.rank() == 2 && a.rank() > 2 && a.isContiguous()) { // [..., m, k] @ [k, n]: one big GEMM
            c = backend().matmul(a.reshape(1, nb * m, k), b.unsqueeze(0));
        } else {
            c = backend().matmul(flattenBatch(a.expand(concat(batch, m, k)), nb, m, k),
                    flattenBatch(b.expand(concat(batch, k, n)), nb, k, n));
        }
        int[] out = concat(batch, vecA ? new int[0] : new int[]{m});
        if (!vecB) out = concat(out, n);
        return c.reshape(out);
    }

    /** A linear layer on the rows of this [M, K] matrix: this w^T + bias, w [N, K], bias [N]. See {@link Backend#linear}. */
    public Tensor linear(Tensor w, Tensor bias) {
        if (rank() != 2 || w.rank() != 2 || w.dim(1) != dim(1) || bias.rank() != 1 || bias.dim(0) != w.dim(0))
            throw new IllegalArgumentException("linear needs x [M, K], w [N, K] and bias [N], got " + Arrays.toString(shape)
                    + ", " + Arrays.toString(w.shape) + " and " + Arrays.toString(bias.shape));
        return backend().linear(this, w, bias);
    }

    /** Views [..., r, c] as [nb, r, c] without copying where the batch axes allow it. */
    private static Tensor flattenBatch(Tensor x, int nb, int r, int c) {
        int rank = x.rank();
        if (rank == 3) return x;
        if (rank == 2) return x.unsqueeze(0);
        // Batch axes merge into one stride when each is the product of the next (or all are broadcast).
        boolean allZero = true, merges = true;
        for (int i = 0; i < rank - 2; i++) allZero &= x.strides[i] == 0 || x.shape[i] == 1;
        for (int i = 0; i < rank - 3; i++)
            merges &= x.shape[i] == 1 || x.strides[i] == x.strides[i + 1] * x.shape[i + 1];
        if (allZero) return new Tensor(x.storage, new int[]{nb, r, c}, new int[]{0, x.strides[rank - 2], x.strides[rank - 1]}, x.offset);
        if (merges) return new Tensor(x.storage, new int[]{nb, r, c}, new int[]{nb == 1 ? 0 : x.strides[rank - 3], x.strides[rank - 2], x.strides[rank - 1]}, x.offset);
        return x.contiguous().reshape(nb, r, c);
    }

    private static int[] concat(int[] a, int... b) {
        int[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    public Tensor softmax(int axis) {
        return softmaxAlong(axis, false);
    }

    public Tensor logSoftmax(int axis) {
        return softmaxAlong(axis, true);
    }

    private Tensor softmaxAlong(int axis, boolean log) {
        axis = Shape.axis(axis, shape.length);
        if (axis == shape.length - 1) return backend().softmax(this, log);
        return transpose(axis, -1).softmaxAlong(-1, log).transpose(axis, -1);
    }

    /** This times op(x), elementwise (x of this shape): an activation's backward in one pass. See {@link Backend#mulUnary}. */
    public Tensor mulUnary(Unary op, Tensor x) {
        if (!Arrays.equals(shape, x.shape))
            throw new IllegalArgumentException("mulUnary of shapes " + Arrays.toString(shape) + " and " + Arrays.toString(x.shape));
        return backend().mulUnary(this, op, x);
    }

    /** Layer normalisation over the last axis: (x - mean) / sqrt(var + eps) * gamma + beta. */
    public Tensor layerNorm(Tensor gamma, Tensor beta, float eps) {
        int w = dim(-1);
        if (gamma.numel() != w || beta.numel() != w)
            throw new IllegalArgumentException("layerNorm of shape " + Arrays.toString(shape) + " needs gamma and beta of " + w
                    + " elements, got " + Arrays.toString(gamma.shape) + " and " + Arrays.toString(beta.shape));
        return backend().layerNorm(this, gamma, beta, eps);
    }

    /** The gradients of {@link #layerNorm} at this input for the output gradient {@code g}. */
    public LayerNormGradients layerNormBackward(Tensor gamma, Tensor g, float eps) {
        int w = dim(-1);
        if (gamma.numel() != w || !Arrays.equals(g.shape, shape))
            throw new IllegalArgumentException("layerNorm backward of shape " + Arrays.toString(shape) + " needs gamma of " + w
                    + " elements and a gradient of the same shape, got " + Arrays.toString(gamma.shape) + " and " + Arrays.toString(g.shape));
        return backend().layerNormBackward(this, gamma, g, eps);
    }

    /**
     * Multi-head self-attention of this packed [B, T, 3W] q;k;v tensor: softmax(q k^T / sqrt(d)) v
     * per head (d = W / heads), heads side by side, [B, T, W]. See {@link Backend#attention}.
     */
    public Tensor attention(int heads) {
        checkPackedQkv(heads);
        return backend().attention(this, heads);
    }

    /** The gradient with respect to this packed q;k;v tensor of {@link #attention}, given the output's gradient. */
    public Tensor attentionBackward(int heads, Tensor gradOut) {
        checkPackedQkv(heads);
        int[] out = {shape[0], shape[1], shape[2] / 3};
        if (!Arrays.equals(gradOut.shape, out))
            throw new IllegalArgumentException("attention of q;k;v " + Arrays.toString(shape) + " has output " + Arrays.toString(out)
                    + ", but the gradient given has shape " + Arrays.toString(gradOut.shape));
        return backend().attentionBackward(this, heads, gradOut);
    }

    private void checkPackedQkv(int heads) {
        if (shape.length != 3 || heads < 1 || shape[2] % (3 * heads) != 0)
            throw new IllegalArgumentException("attention takes packed q;k;v [batch, tokens, 3 x heads x headDim]; got shape "
                    + Arrays.toString(shape) + " with " + heads + " heads");
    }

    public static Tensor concat(List<Tensor> xs, int axis) {
        if (xs.isEmpty()) throw new IllegalArgumentException("concat of no tensors");
        Tensor first = xs.get(0);
        axis = Shape.axis(axis, first.rank());
        for (Tensor x : xs) {
            boolean ok = x.rank() == first.rank();
            for (int i = 0; ok && i < x.rank(); i++) ok = i == axis || x.shape[i] == first.shape[i];
            if (!ok) throw new IllegalArgumentException("concat along axis " + axis + " of shapes "
                    + Arrays.toString(first.shape) + " and " + Arrays.toString(x.shape));
        }
        return first.backend().concat(xs, axis);
    }

    public static Tensor stack(List<Tensor> xs, int axis) {
        List<Tensor> u = new ArrayList<>(xs.size());
        for (Tensor x : xs) u.add(x.unsqueeze(axis));
        return concat(u, axis);
    }

    public Tensor indexSelect(int axis, int... index) {
        axis = Shape.axis(axis, shape.length);
        for (int i : index)
            if (i < 0 || i >= shape[axis])
                throw new IllegalArgumentException("index " + i + " out of range for axis " + axis + " of shape " + Arrays.toString(shape));
        return backend().indexSelect(this, axis, index);
    }

    /** The k-th largest magnitude over all elements of {@code xs} (k from 1), see {@link Backend#kthLargestAbs}. */
    public static float kthLargestAbs(List<Tensor> xs, long k) {
        long n = 0;
        for (Tensor x : xs) n += x.numel();
        if (k < 1 || k > n) throw new IllegalArgumentException("k = " + k + " is out of range for " + n + " elements");
        return xs.get(0).backend().kthLargestAbs(xs, k);
    }

    // ---- host access ----

    public float[] toArray() {
        return backend().toArray(this);
    }

    /** The only element of a one-element tensor. */
    public float item() {
        if (numel() != 1) throw new IllegalArgumentException("item() of a tensor of shape " + Arrays.toString(shape));
        return toArray()[0];
    }

    /** One element by index (slow; for tests and small reads). */
    public float get(int... index) {
        if (index.length != shape.length)
            throw new IllegalArgumentException("index " + Arrays.toString(index) + " does not fit shape " + Arrays.toString(shape));
        Tensor v = this;
        for (int i = index.length - 1; i >= 0; i--) v = v.select(i, index[i]);
        return v.item();
    }

    @Override
    public String toString() {
        float[] a = numel() <= 16 ? toArray() : null;
        return "Tensor" + Arrays.toString(shape) + (a != null ? Arrays.toString(a) : "");
    }
}
