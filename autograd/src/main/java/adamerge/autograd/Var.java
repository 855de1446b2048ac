package adamerge.autograd;

import adamerge.tensor.Binary;
import adamerge.tensor.LayerNormGradients;
import adamerge.tensor.Tensor;
import adamerge.tensor.Unary;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.Set;

/**
 * A tensor value in a computation graph, with its gradient. Operations on vars record a
 * {@link Node} with a backward rule when an input requires a gradient (and no {@link NoGrad}
 * scope is open); otherwise they are plain tensor ops. {@link #backward()} walks the graph in
 * reverse topological order, iteratively, and accumulates gradients into the leaves.
 */
public final class Var {
    private Tensor value;
    private final Node node; // null when no gradient is needed

    private Var(Tensor value, Node node) {
        this.value = value;
        this.node = node;
    }

    public Var(Tensor value, boolean requiresGrad) {
        this(value, requiresGrad ? new Node(value.shape(), null, null) : null);
    }

    /** A leaf whose gradient is wanted (a weight, a merging coefficient). */
    public static Var param(Tensor value) {
        return new Var(value, true);
    }

    /**
     * A leaf whose gradient goes to {@code sink} as soon as backward has finished it, instead of
     * being kept: the caller can reduce it (AdaMerging takes {@code <g, tau_k>}) and let it go,
     * so a model's gradients need not all be alive at once. A leaf no gradient reaches gets no call.
     */
    public static Var param(Tensor value, Consumer<Tensor> sink) {
        return new Var(value, new Node(value.shape(), null, null, Objects.requireNonNull(sink)));
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
        return node == null ? null : node.grad;
    }

    public boolean requiresGrad() {
        return node != null;
    }

    /** Replaces a leaf's value (optimisers do this). */
    public void setValue(Tensor v) {
        if (node != null && !node.isLeaf()) throw new IllegalStateException("only leaves can be assigned");
        if (!Arrays.equals(v.shape(), value.shape()))
            throw new IllegalArgumentException("new value of shape " + Arrays.toString(v.shape()) + " for a var of shape " + Arrays.toString(value.shape()));
        value = v;
    }

    public void zeroGrad() {
        if (node != null) node.grad = null;
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

    /** The output of an op: it records {@code rule} when an input needs a gradient and no NoGrad scope is open. */
    private static Var record(Tensor value, Node.Rule rule, Var... inputs) {
        if (NoGrad.active()) return new Var(value, null);
        Node[] ins = new Node[inputs.length];
        boolean needs = false;
        for (int i = 0; i < inputs.length; i++) {
            ins[i] = inputs[i].node;
            needs |= ins[i] != null;
        }
        return new Var(value, needs ? new Node(value.shape(), ins, rule) : null);
    }

    /** Backpropagates from a one-element var. */
    public void backward() {
        if (value.numel() != 1)
            throw new IllegalArgumentException("backward() needs a scalar; this var has shape " + Arrays.toString(value.shape()));
        backward(Tensor.full(1f, value.shape()));
    }

    /**
     * Backpropagates {@code gradOut}. Each rule runs once, after every rule that feeds it, then
     * drops what it saved; gradients of intermediate nodes are dropped once consumed. A leaf
     * with a sink gets its gradient the moment the last rule feeding it has run (each node
     * counts its pending consumers).
     */
    public void backward(Tensor gradOut) {
        if (node == null) throw new IllegalStateException("this var does not depend on anything that requires a gradient");
        List<Node> order = topologicalOrder(node);
        for (Node n : order) n.pending = 0;
        for (Node n : order)
            if (n.inputs != null) for (Node in : n.inputs) if (in != null) in.pending++;
        Node.accumulate(node, gradOut);
        if (node.isLeaf() && node.sink != null) { // backward of a bare leaf: its gradient is gradOut
            node.sink.accept(node.grad);
            node.grad = null;
        }
        for (int i = order.size() - 1; i >= 0; i--) {
            Node n = order.get(i);
            if (n.isLeaf()) continue;
            Tensor g = n.grad;
            n.grad = null;
            if (g != null && n.rule != null) n.rule.backward(g);
            if (n.inputs != null)
                for (Node in : n.inputs)
                    if (in != null && --in.pending == 0 && in.sink != null && in.grad != null) { // nothing else feeds it: final
                        in.sink.accept(in.grad);
                        in.grad = null;
                    }
            n.release();
        }
    }

    /** Nodes reachable from {@code root}, each after all of its inputs (iterative DFS, no recursion limit). */
    private static List<Node> topologicalOrder(Node root) {
        List<Node> order = new ArrayList<>();
        Set<Node> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        ArrayDeque<Node> stack = new ArrayDeque<>();
        ArrayDeque<Integer> next = new ArrayDeque<>(); // index of the next input to visit, per stack entry
        stack.push(root);
        next.push(0);
        seen.add(root);
        while (!stack.isEmpty()) {
            Node v = stack.peek();
            int i = next.pop();
            Node[] ins = v.inputs == null ? new Node[0] : v.inputs;
            if (i < ins.length) {
                next.push(i + 1);
                Node in = ins[i];
                if (in != null && seen.add(in)) {
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

    private static void acc(Node n, Tensor g) {
        Node.accumulate(n, g);
    }

    // ---- elementwise ----
    // Rules capture input nodes (na, nb), shapes and only the tensors their formula reads.

    public Var add(Var o) {
        Node na = node, nb = o.node;
        int[] sa = shape(), sb = o.shape();
        return record(value.add(o.value), g -> {
            acc(na, unbroadcast(g, sa));
            acc(nb, unbroadcast(g, sb));
        }, this, o);
    }

    public Var sub(Var o) {
        Node na = node, nb = o.node;
        int[] sa = shape(), sb = o.shape();
        return record(value.sub(o.value), g -> {
            acc(na, unbroadcast(g, sa));
            if (nb != null) acc(nb, unbroadcast(g.neg(), sb));
        }, this, o);
    }

    public Var mul(Var o) {
        Node na = node, nb = o.node;
        Tensor a = nb != null ? value : null, b = na != null ? o.value : null; // each gradient reads the other factor
        int[] sa = shape(), sb = o.shape();
        return record(value.mul(o.value), g -> {
            if (na != null) acc(na, unbroadcast(g.mul(b), sa));
            if (nb != null) acc(nb, unbroadcast(g.mul(a), sb));
        }, this, o);
    }

    public Var div(Var o) {
        Node na = node, nb = o.node;
        Tensor a = nb != null ? value : null, b = o.value;
        int[] sa = shape(), sb = o.shape();
        return record(value.div(o.value), g -> {
            if (na != null) acc(na, unbroadcast(g.div(b), sa));
            if (nb != null) acc(nb, unbroadcast(g.mul(a).div(b.mul(b)).neg(), sb));
        }, this, o);
    }

    public Var add(float c) {
        Node na = node;
        return record(value.add(c), g -> acc(na, g), this);
    }

    public Var mul(float c) {
        Node na = node;
        return record(value.mul(c), g -> acc(na, g.mul(c)), this);
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
        Node na = node;
        Tensor x = value;
        return record(value.pow(p), g -> acc(na, g.mul(x.pow(p - 1)).mul(p)), this);
    }

    public Var exp() {
        Node na = node;
        Tensor y = value.exp();
        return record(y, g -> acc(na, g.mul(y)), this);
    }

    public Var log() {
        Node na = node;
        Tensor x = value;
        return record(value.log(), g -> acc(na, g.div(x)), this);
    }

    public Var sqrt() {
        Node na = node;
        Tensor y = value.sqrt();
        return record(y, g -> acc(na, g.div(y.mul(2f))), this);
    }

    public Var tanh() {
        Node na = node;
        Tensor y = value.tanh();
        return record(y, g -> acc(na, g.mul(y.mul(y).neg().add(1f))), this);
    }

    public Var sigmoid() {
        Node na = node;
        Tensor y = value.sigmoid();
        return record(y, g -> acc(na, g.mul(y.mul(y.neg().add(1f)))), this);
    }

    public Var relu() {
        Node na = node;
        Tensor x = value;
        return record(value.relu(), g -> acc(na, g.mul(x.binary(Binary.GT, 0f))), this);
    }

    /** Exact (erf) GELU, torch.nn.GELU(). */
    public Var gelu() {
        Node na = node;
        Tensor x = value;
        return record(value.gelu(), g -> acc(na, g.mulUnary(Unary.GELU_GRAD, x)), this);
    }

    /** x * sigmoid(1.702 x), OpenAI CLIP's activation. */
    public Var quickGelu() {
        Node na = node;
        Tensor x = value;
        return record(value.quickGelu(), g -> acc(na, g.mulUnary(Unary.QUICK_GELU_GRAD, x)), this);
    }

    /**
     * Clamps to [lo, hi]. The gradient passes where lo <= x <= hi, boundaries included, as
     * PyTorch's clamp does; AdaMerging's clamped coefficients rely on that.
     */
    public Var clamp(float lo, float hi) {
        Node na = node;
        Tensor x = value;
        return record(value.clamp(lo, hi), g -> {
            Tensor inside = x.binary(Binary.GE, lo).mul(x.binary(Binary.LE, hi));
            acc(na, g.mul(inside));
        }, this);
    }

    /** cond != 0 ? a : b (cond is data, not differentiated). */
    public static Var where(Tensor cond, Var a, Var b) {
        Node na = a.node, nb = b.node;
        int[] sa = a.shape(), sb = b.shape();
        return record(Tensor.where(cond, a.value, b.value), g -> {
            Tensor zero = Tensor.zeros(1);
            if (na != null) acc(na, unbroadcast(Tensor.where(cond, g, zero), sa));
            if (nb != null) acc(nb, unbroadcast(Tensor.where(cond, zero, g), sb));
        }, a, b);
    }

    // ---- reductions ----

    public Var sum(int axis, boolean keepdim) {
        Node na = node;
        int[] sa = shape();
        int ax = axis < 0 ? axis + rank() : axis;
        return record(value.sum(ax, keepdim), g -> acc(na, (keepdim ? g : g.unsqueeze(ax)).expand(sa)), this);
    }

    public Var sum() {
        Node na = node;
        int[] sa = shape();
        return record(value.sum(), g -> acc(na, g.reshape(ones(sa.length)).expand(sa)), this);
    }

    public Var mean(int axis, boolean keepdim) {
        return sum(axis, keepdim).div(dim(axis));
    }

    public Var mean() {
        return sum().div(Math.max(1, value.numel()));
    }

    /** Maximum along an axis; the gradient goes to the first maximal entry, as torch.max(dim). */
    public Var max(int axis, boolean keepdim) {
        Node na = node;
        Tensor x = value;
        int ax = axis < 0 ? axis + rank() : axis;
        return record(value.max(ax, keepdim), g -> {
            Tensor gk = keepdim ? g : g.unsqueeze(ax);
            acc(na, oneHot(x.argmax(ax, true), x.dim(ax), ax).mul(gk));
        }, this);
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
        Node na = a.node, nb = b.node;
        Tensor av = nb != null ? a.value : null, bv = na != null ? b.value : null; // each gradient needs the other operand
        int[] sa = a.shape(), sb = b.shape();
        boolean aT = storedTransposed(a.value), bT = storedTransposed(b.value);
        return record(a.value.matmul(b.value), g -> {
            // dA = dC B^T and dB = A^T dC. An operand that is a transposed view (a weight used as
            // w.t()) gets its gradient as (B dC^T)^T or (dC^T A)^T: the same numbers, computed in
            // the weight's own memory order, so the transpose's rule hands the weight a
            // contiguous gradient instead of a strided one every later use must copy.
            if (na != null) acc(na, unbroadcast(aT ? bv.matmul(g.t()).t() : g.matmul(bv.t()), sa));
            if (nb != null) acc(nb, unbroadcast(bT ? g.t().matmul(av).t() : av.t().matmul(g), sb));
        }, a, b);
    }

    /**
     * A linear layer over the last axis, x w^T + b, as torch.nn.functional.linear: w [N, K] as
     * stored, b [N]. Its rule gives w its gradient g^T x in w's own layout, as {@link #matmul}
     * does for a w.t() operand, so the numbers are the same as x.matmul(w.t()).add(b)'s.
     */
    public Var linear(Var w, Var b) {
        int[] s = shape();
        s[s.length - 1] = w.dim(0);
        Var x = rank() == 2 ? this : reshape(-1, dim(-1));
        Node nx = x.node, nw = w.node, nb = b.node;
        Tensor xv = nw != null ? x.value : null, wv = nx != null ? w.value : null;
        return record(x.value.linear(w.value, b.value), g -> {
            if (nx != null) acc(nx, g.matmul(wv));
            if (nw != null) acc(nw, g.t().matmul(xv));
            if (nb != null) acc(nb, g.sum(0, false));
        }, x, w, b).reshape(s);
    }

    /** A matrix (or batch of them) whose last two axes are swapped in memory: column-major. */
    private static boolean storedTransposed(Tensor x) {
        return x.rank() >= 2 && x.stride(-2) == 1 && x.stride(-1) != 1 && x.dim(-2) > 1;
    }

    public Var softmax(int axis) {
        Node na = node;
        Tensor y = value.softmax(axis);
        return record(y, g -> acc(na, y.mul(g.sub(g.mul(y).sum(axis, true)))), this); // y (g - <g, y>)
    }

    public Var logSoftmax(int axis) {
        Node na = node;
        Tensor y = value.logSoftmax(axis);
        return record(y, g -> acc(na, g.sub(y.exp().mul(g.sum(axis, true)))), this); // g - softmax * sum g
    }

    /** Layer normalisation over the last axis (biased variance, as torch.nn.LayerNorm). */
    public Var layerNorm(Var gamma, Var beta, float eps) {
        Node nx = node, ng = gamma.node, nb = beta.node;
        Tensor x = value, gv = gamma.value;
        int[] sg = gamma.shape(), sb = beta.shape();
        return record(value.layerNorm(gamma.value, beta.value, eps), g -> {
            LayerNormGradients d = x.layerNormBackward(gv, g, eps);
            if (ng != null) acc(ng, d.dgamma().reshape(sg));
            if (nb != null) acc(nb, d.dbeta().reshape(sb));
            if (nx != null) acc(nx, d.dx());
        }, this, gamma, beta);
    }

    /**
     * Multi-head self-attention of this packed q;k;v var [B, T, 3W] (see {@link Tensor#attention}).
     * The rule keeps only q;k;v and recomputes the probabilities in backward, so training holds no
     * [B, H, T, T] scores between forward and backward.
     */
    public Var attention(int heads) {
        Node na = node;
        Tensor qkv = value;
        return record(value.attention(heads), g -> acc(na, qkv.attentionBackward(heads, g)), this);
    }

    // ---- movement (views) ----

    public Var reshape(int... shape) {
        Node na = node;
        int[] sa = shape();
        return record(value.reshape(shape), g -> acc(na, g.reshape(sa)), this);
    }

    public Var permute(int... order) {
        Node na = node;
        int[] inverse = new int[order.length];
        for (int i = 0; i < order.length; i++) inverse[order[i] < 0 ? order[i] + order.length : order[i]] = i;
        return record(value.permute(order), g -> acc(na, g.permute(inverse)), this);
    }

    public Var transpose(int x, int y) {
        Node na = node;
        return record(value.transpose(x, y), g -> acc(na, g.transpose(x, y)), this);
    }

    public Var t() {
        return transpose(-2, -1);
    }

    public Var unsqueeze(int axis) {
        Node na = node;
        int[] sa = shape();
        return record(value.unsqueeze(axis), g -> acc(na, g.reshape(sa)), this);
    }

    public Var squeeze(int axis) {
        Node na = node;
        int[] sa = shape();
        return record(value.squeeze(axis), g -> acc(na, g.reshape(sa)), this);
    }

    public Var expand(int... shape) {
        Node na = node;
        int[] sa = shape();
        return record(value.expand(shape), g -> acc(na, unbroadcast(g, sa)), this);
    }

    /** Entries [from, to) of an axis; the gradient is padded back with zeros. */
    public Var slice(int axis, int from, int to) {
        Node na = node;
        int[] sa = shape();
        int ax = axis < 0 ? axis + rank() : axis;
        return record(value.slice(ax, from, to), g -> {
            List<Tensor> parts = new ArrayList<>(3);
            int n = sa[ax];
            if (from > 0) parts.add(Tensor.zeros(withDim(sa.clone(), ax, from)));
            parts.add(g);
            if (to < n) parts.add(Tensor.zeros(withDim(sa.clone(), ax, n - to)));
            acc(na, parts.size() == 1 ? g : Tensor.concat(parts, ax));
        }, this);
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
        Node[] nodes = new Node[xs.size()];
        int[] sizes = new int[xs.size()];
        for (int i = 0; i < nodes.length; i++) {
            nodes[i] = xs.get(i).node;
            sizes[i] = xs.get(i).dim(ax);
        }
        return record(Tensor.concat(vals, ax), g -> {
            int at = 0;
            for (int i = 0; i < nodes.length; i++) {
                if (nodes[i] != null) acc(nodes[i], g.slice(ax, at, at + sizes[i]).contiguous());
                at += sizes[i];
            }
        }, xs.toArray(new Var[0]));
    }

    public static Var stack(List<Var> xs, int axis) {
        List<Var> u = new ArrayList<>(xs.size());
        for (Var x : xs) u.add(x.unsqueeze(axis));
        return concat(u, axis);
    }

    /** Picks entries of an axis; the gradient scatter-adds back (as a product with the 0/1 selection matrix). */
    public Var indexSelect(int axis, int... index) {
        Node na = node;
        int ax = axis < 0 ? axis + rank() : axis;
        int n = dim(ax);
        return record(value.indexSelect(ax, index), g -> {
            float[] p = new float[index.length * n];
            for (int i = 0; i < index.length; i++) p[i * n + index[i]] = 1;
            Tensor sel = Tensor.of(p, index.length, n);
            acc(na, g.transpose(ax, -1).matmul(sel).transpose(ax, -1).contiguous());
        }, this);
    }

    @Override
    public String toString() {
        return "Var(" + value + (node != null ? ", requiresGrad" : "") + ")";
    }
}
