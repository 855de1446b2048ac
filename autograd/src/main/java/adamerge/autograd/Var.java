package adamerge.autograd;

import adamerge.tensor.Binary;
import adamerge.tensor.Tensor;
import adamerge.tensor.Unary;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * A tensor value in a computation graph, with its gradient. Operations on vars record a
 * {@link Node} with a backward rule when an input requires a gradient (and no {@link NoGrad}
 * scope is open); otherwise they are plain tensor ops. {@link #backward()} walks the graph in
 * reverse topological order, iteratively, and accumulates gradients into the leaves.
 */
public final class Var {
    private Tensor value;
    private Tensor grad;
    private final boolean requiresGrad;
    private Node node; // null for leaves and for vars that need no gradient

    public Var(Tensor value, boolean requiresGrad) {
        this.value = value;
        this.requiresGrad = requiresGrad;
    }

    /** A leaf whose gradient is wanted (a weight, a merging coefficient). */
    public static Var param(Tensor value) {
        return new Var(value, true);
    }

    /** A value that needs no gradient (data, frozen weights). */
    public static Var constant(Tensor value) {
        return new Var(value, false);
    }

    public Tensor value() {
        return value;
    }

    /** The accumulated gradient, or null if none reached this var. */
    public Tensor grad() {
        return grad;
    }

    public boolean requiresGrad() {
        return requiresGrad;
    }

    /** Replaces a leaf's value (optimisers do this). */
    public void setValue(Tensor v) {
        if (node != null) throw new IllegalStateException("only leaves can be assigned");
        if (!Arrays.equals(v.shape(), value.shape()))
            throw new IllegalArgumentException("new value of shape " + Arrays.toString(v.shape()) + " for a var of shape " + Arrays.toString(value.shape()));
        value = v;
    }

    public void zeroGrad() {
        grad = null;
    }

    public int[] shape() {
        return value.shape();
    }

    public int dim(int axis) {
        return value.dim(axis);
    }

    public int rank() {
        return value.rank();
    }

    // ---- the graph ----

    private static Var record(Tensor value, Node.Rule rule, Var... inputs) {
        if (NoGrad.active()) return new Var(value, false);
        boolean needs = false;
        for (Var in : inputs) needs |= in.requiresGrad;
        if (!needs) return new Var(value, false);
        Var out = new Var(value, true);
        out.node = new Node(inputs, rule);
        return out;
    }

    /** Adds {@code g} to this var's gradient (no-op when it needs none). */
    void accumulate(Tensor g) {
        if (!requiresGrad) return;
        if (!Arrays.equals(g.shape(), value.shape()))
            throw new IllegalStateException("gradient of shape " + Arrays.toString(g.shape()) + " for a var of shape " + Arrays.toString(value.shape()));
        grad = grad == null ? g : grad.add(g);
    }

    /** Backpropagates from a one-element var. */
    public void backward() {
        if (value.numel() != 1)
            throw new IllegalArgumentException("backward() needs a scalar; this var has shape " + Arrays.toString(value.shape()));
        backward(Tensor.full(1f, value.shape()));
    }

    /**
     * Backpropagates {@code gradOut}. Each rule runs once, after every rule that feeds it, then
     * drops its saved activations; gradients of intermediate vars are dropped once consumed.
     */
    public void backward(Tensor gradOut) {
        if (!requiresGrad) throw new IllegalStateException("this var does not depend on anything that requires a gradient");
        List<Var> order = topologicalOrder();
        accumulate(gradOut);
        for (int i = order.size() - 1; i >= 0; i--) {
            Var v = order.get(i);
            Node n = v.node;
            if (n == null) continue;
            Tensor g = v.grad;
            v.grad = null;
            if (g != null) n.rule.backward(g);
            n.release();
            v.node = null;
        }
    }

    /** Vars reachable from this one, each after all of its inputs (iterative DFS, no recursion limit). */
    private List<Var> topologicalOrder() {
        List<Var> order = new ArrayList<>();
        Set<Var> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        ArrayDeque<Var> stack = new ArrayDeque<>();
        ArrayDeque<Integer> next = new ArrayDeque<>(); // index of the next input to visit, per stack entry
        stack.push(this);
        next.push(0);
        seen.add(this);
        while (!stack.isEmpty()) {
            Var v = stack.peek();
            int i = next.pop();
            Var[] ins = v.node == null ? new Var[0] : v.node.inputs;
            if (i < ins.length) {
                next.push(i + 1);
                Var in = ins[i];
                if (in.requiresGrad && seen.add(in)) {
                    stack.push(in);
                    next.push(0);
                }
            } else {
                stack.pop();
                order.add(v);
            }
        }
        return order;
    }

    /** Sums {@code g} over the axes that broadcasting added or stretched, back to {@code shape}. */
    static Tensor unbroadcast(Tensor g, int[] shape) {
        int lead = g.rank() - shape.length;
        for (int i = 0; i < lead; i++) g = g.sum(0, false);
        for (int i = 0; i < shape.length; i++)
            if (shape[i] == 1 && g.dim(i) != 1) g = g.sum(i, true);
        return g;
    }

    // ---- elementwise ----

    public Var add(Var o) {
        Var a = this;
        return record(value.add(o.value), g -> {
            a.accumulate(unbroadcast(g, a.shape()));
            o.accumulate(unbroadcast(g, o.shape()));
        }, a, o);
    }

    public Var sub(Var o) {
        Var a = this;
        return record(value.sub(o.value), g -> {
            a.accumulate(unbroadcast(g, a.shape()));
            if (o.requiresGrad) o.accumulate(unbroadcast(g.neg(), o.shape()));
        }, a, o);
    }

    public Var mul(Var o) {
        Var a = this;
        return record(value.mul(o.value), g -> {
            if (a.requiresGrad) a.accumulate(unbroadcast(g.mul(o.value), a.shape()));
            if (o.requiresGrad) o.accumulate(unbroadcast(g.mul(a.value), o.shape()));
        }, a, o);
    }

    public Var div(Var o) {
        Var a = this;
        return record(value.div(o.value), g -> {
            if (a.requiresGrad) a.accumulate(unbroadcast(g.div(o.value), a.shape()));
            if (o.requiresGrad) o.accumulate(unbroadcast(g.mul(a.value).div(o.value.mul(o.value)).neg(), o.shape()));
        }, a, o);
    }

    public Var add(float c) {
        Var a = this;
        return record(value.add(c), a::accumulate, a);
    }

    public Var mul(float c) {
        Var a = this;
        return record(value.mul(c), g -> a.accumulate(g.mul(c)), a);
    }

    public Var div(float c) {
        return mul(1 / c);
    }

    public Var sub(float c) {
        return add(-c);
    }

    public Var neg() {
        return mul(-1f);
    }

    public Var pow(float p) {
        Var a = this;
        return record(value.pow(p), g -> a.accumulate(g.mul(a.value.pow(p - 1)).mul(p)), a);
    }

    public Var exp() {
        Var a = this;
        Tensor y = value.exp();
        return record(y, g -> a.accumulate(g.mul(y)), a);
    }

    public Var log() {
        Var a = this;
        return record(value.log(), g -> a.accumulate(g.div(a.value)), a);
    }

    public Var sqrt() {
        Var a = this;
        Tensor y = value.sqrt();
        return record(y, g -> a.accumulate(g.div(y.mul(2f))), a);
    }

    public Var tanh() {
        Var a = this;
        Tensor y = value.tanh();
        return record(y, g -> a.accumulate(g.mul(y.mul(y).neg().add(1f))), a);
    }

    public Var sigmoid() {
        Var a = this;
        Tensor y = value.sigmoid();
        return record(y, g -> a.accumulate(g.mul(y.mul(y.neg().add(1f)))), a);
    }

    public Var relu() {
        Var a = this;
        return record(value.relu(), g -> a.accumulate(g.mul(a.value.binary(Binary.GT, 0f))), a);
    }

    /** Exact (erf) GELU, torch.nn.GELU(). */
    public Var gelu() {
        Var a = this;
        return record(value.gelu(), g -> a.accumulate(g.mul(a.value.unary(Unary.GELU_GRAD))), a);
    }

    /** x * sigmoid(1.702 x), OpenAI CLIP's activation. */
    public Var quickGelu() {
        Var a = this;
        return record(value.quickGelu(), g -> a.accumulate(g.mul(a.value.unary(Unary.QUICK_GELU_GRAD))), a);
    }

    /**
     * Clamps to [lo, hi]. The gradient passes where lo <= x <= hi, boundaries included, as
     * PyTorch's clamp does; AdaMerging's clamped coefficients rely on that.
     */
    public Var clamp(float lo, float hi) {
        Var a = this;
        return record(value.clamp(lo, hi), g -> {
            Tensor inside = a.value.binary(Binary.GE, lo).mul(a.value.binary(Binary.LE, hi));
            a.accumulate(g.mul(inside));
        }, a);
    }

    /** cond != 0 ? a : b (cond is data, not differentiated). */
    public static Var where(Tensor cond, Var a, Var b) {
        return record(Tensor.where(cond, a.value, b.value), g -> {
            Tensor zero = Tensor.zeros(1);
            if (a.requiresGrad) a.accumulate(unbroadcast(Tensor.where(cond, g, zero), a.shape()));
            if (b.requiresGrad) b.accumulate(unbroadcast(Tensor.where(cond, zero, g), b.shape()));
        }, a, b);
    }

    // ---- reductions ----

    public Var sum(int axis, boolean keepdim) {
        Var a = this;
        int ax = axis < 0 ? axis + rank() : axis;
        return record(value.sum(ax, keepdim), g -> a.accumulate((keepdim ? g : g.unsqueeze(ax)).expand(a.shape())), a);
    }

    public Var sum() {
        Var a = this;
        return record(value.sum(), g -> a.accumulate(g.reshape(ones(a.rank())).expand(a.shape())), a);
    }

    public Var mean(int axis, boolean keepdim) {
        return sum(axis, keepdim).div(dim(axis));
    }

    public Var mean() {
        return sum().div(Math.max(1, value.numel()));
    }

    /** Maximum along an axis; the gradient goes to the first maximal entry, as torch.max(dim). */
    public Var max(int axis, boolean keepdim) {
        Var a = this;
        int ax = axis < 0 ? axis + rank() : axis;
        return record(value.max(ax, keepdim), g -> {
            Tensor gk = keepdim ? g : g.unsqueeze(ax);
            a.accumulate(oneHot(a.value.argmax(ax, true), a.dim(ax), ax).mul(gk));
        }, a);
    }

    /** [..., 1, ...] indices along {@code axis} -> a 0/1 tensor of size n along that axis. */
    private static Tensor oneHot(Tensor index, int n, int axis) {
        float[] r = new float[n];
        for (int i = 0; i < n; i++) r[i] = i;
        int[] s = ones(index.rank());
        s[axis] = n;
        return Tensor.of(r, s).binary(Binary.EQ, index);
    }

    private static int[] ones(int rank) {
        int[] s = new int[rank];
        Arrays.fill(s, 1);
        return s;
    }

    // ---- linear algebra and fused ops ----

    /**
     * Matrix product with broadcasting, as {@link Tensor#matmul}. A 2-D right operand under a
     * batched left one is done as one big GEMM (and so is its weight gradient).
     */
    public Var matmul(Var b) {
        Var a = this;
        if (a.rank() == 1) return a.unsqueeze(0).matmul(b).squeeze(-2);
        if (b.rank() == 1) return a.matmul(b.unsqueeze(1)).squeeze(-1);
        if (b.rank() == 2 && a.rank() > 2) {
            int[] s = a.shape();
            s[s.length - 1] = b.dim(1);
            return a.reshape(-1, a.dim(-1)).matmul(b).reshape(s);
        }
        return record(value.matmul(b.value), g -> {
            if (a.requiresGrad) a.accumulate(unbroadcast(g.matmul(b.value.t()), a.shape())); // dA = dC B^T
            if (b.requiresGrad) b.accumulate(unbroadcast(a.value.t().matmul(g), b.shape())); // dB = A^T dC
        }, a, b);
    }

    public Var softmax(int axis) {
        Var a = this;
        Tensor y = value.softmax(axis);
        return record(y, g -> a.accumulate(y.mul(g.sub(g.mul(y).sum(axis, true)))), a); // y (g - <g, y>)
    }

    public Var logSoftmax(int axis) {
        Var a = this;
        Tensor y = value.logSoftmax(axis);
        return record(y, g -> a.accumulate(g.sub(y.exp().mul(g.sum(axis, true)))), a); // g - softmax * sum g
    }

    /** Layer normalisation over the last axis (biased variance, as torch.nn.LayerNorm). */
    public Var layerNorm(Var gamma, Var beta, float eps) {
        Var x = this;
        return record(value.layerNorm(gamma.value, beta.value, eps), g -> {
            int w = x.dim(-1);
            Tensor xc = x.value.sub(x.value.mean(-1, true));
            Tensor rstd = xc.mul(xc).mean(-1, true).add(eps).sqrt().pow(-1f);
            Tensor xhat = xc.mul(rstd);
            Tensor g2 = g.reshape(-1, w);
            if (gamma.requiresGrad) gamma.accumulate(g2.mul(xhat.reshape(-1, w)).sum(0, false).reshape(gamma.shape()));
            if (beta.requiresGrad) beta.accumulate(g2.sum(0, false).reshape(beta.shape()));
            if (x.requiresGrad) {
                Tensor dxhat = g.mul(gamma.value.reshape(w));
                // dx = rstd (dxhat - mean(dxhat) - xhat mean(dxhat xhat))
                Tensor dx = dxhat.sub(dxhat.mean(-1, true)).sub(xhat.mul(dxhat.mul(xhat).mean(-1, true))).mul(rstd);
                x.accumulate(dx);
            }
        }, x, gamma, beta);
    }

    // ---- movement (views) ----

    public Var reshape(int... shape) {
        Var a = this;
        return record(value.reshape(shape), g -> a.accumulate(g.reshape(a.shape())), a);
    }

    public Var permute(int... order) {
        Var a = this;
        int[] inverse = new int[order.length];
        for (int i = 0; i < order.length; i++) inverse[order[i] < 0 ? order[i] + order.length : order[i]] = i;
        return record(value.permute(order), g -> a.accumulate(g.permute(inverse)), a);
    }

    public Var transpose(int x, int y) {
        Var a = this;
        return record(value.transpose(x, y), g -> a.accumulate(g.transpose(x, y)), a);
    }

    public Var t() {
        return transpose(-2, -1);
    }

    public Var unsqueeze(int axis) {
        Var a = this;
        return record(value.unsqueeze(axis), g -> a.accumulate(g.reshape(a.shape())), a);
    }

    public Var squeeze(int axis) {
        Var a = this;
        return record(value.squeeze(axis), g -> a.accumulate(g.reshape(a.shape())), a);
    }

    public Var expand(int... shape) {
        Var a = this;
        return record(value.expand(shape), g -> a.accumulate(unbroadcast(g, a.shape())), a);
    }

    /** Entries [from, to) of an axis; the gradient is padded back with zeros. */
    public Var slice(int axis, int from, int to) {
        Var a = this;
        int ax = axis < 0 ? axis + rank() : axis;
        return record(value.slice(ax, from, to), g -> {
            List<Tensor> parts = new ArrayList<>(3);
            int n = a.dim(ax);
            if (from > 0) parts.add(Tensor.zeros(withDim(a.shape(), ax, from)));
            parts.add(g);
            if (to < n) parts.add(Tensor.zeros(withDim(a.shape(), ax, n - to)));
            a.accumulate(parts.size() == 1 ? g : Tensor.concat(parts, ax));
        }, a);
    }

    public Var select(int axis, int index) {
        return slice(axis, index, index + 1).squeeze(axis);
    }

    private static int[] withDim(int[] s, int axis, int d) {
        s[axis] = d;
        return s;
    }

    public static Var concat(List<Var> xs, int axis) {
        List<Tensor> vals = new ArrayList<>(xs.size());
        for (Var x : xs) vals.add(x.value);
        int ax = axis < 0 ? axis + xs.get(0).rank() : axis;
        Var[] ins = xs.toArray(new Var[0]);
        return record(Tensor.concat(vals, ax), g -> {
            int at = 0;
            for (Var x : ins) {
                int n = x.dim(ax);
                if (x.requiresGrad) x.accumulate(g.slice(ax, at, at + n).contiguous());
                at += n;
            }
        }, ins);
    }

    public static Var stack(List<Var> xs, int axis) {
        List<Var> u = new ArrayList<>(xs.size());
        for (Var x : xs) u.add(x.unsqueeze(axis));
        return concat(u, axis);
    }

    /** Picks entries of an axis; the gradient scatter-adds back (as a product with the 0/1 selection matrix). */
    public Var indexSelect(int axis, int... index) {
        Var a = this;
        int ax = axis < 0 ? axis + rank() : axis;
        return record(value.indexSelect(ax, index), g -> {
            int n = a.dim(ax);
            float[] p = new float[index.length * n];
            for (int i = 0; i < index.length; i++) p[i * n + index[i]] = 1;
            Tensor sel = Tensor.of(p, index.length, n);
            a.accumulate(g.transpose(ax, -1).matmul(sel).transpose(ax, -1).contiguous());
        }, a);
    }

    @Override
    public String toString() {
        return "Var(" + value + (requiresGrad ? ", requiresGrad" : "") + ")";
    }
}
