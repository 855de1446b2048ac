package adamerge.autograd;

import adamerge.tensor.Tensor;

import java.util.function.Consumer;

/**
 * The graph side of a {@link Var} that needs a gradient: the nodes of its inputs, the rule that
 * turns its gradient into theirs, and the gradient accumulated so far. A node holds no values
 * of its own: the rule's closure captures exactly the tensors its formula needs, so an
 * intermediate value nobody saved is freed as soon as the forward pass moves on. Rule and
 * inputs are dropped once the rule has run.
 */
final class Node {
    /** Adds the input gradients for the given output gradient (via {@link #accumulate}). */
    @FunctionalInterface
    interface Rule {
        void backward(Tensor gradOut);
    }

    final int[] shape;
    Node[] inputs;
    Rule rule;
    Tensor grad;
    /** A leaf's receiver of its finished gradient (null: keep it in {@link #grad}). */
    final Consumer<Tensor> sink;
    /** During backward: rules that feed this node and have not run yet. */
    int pending;

    Node(int[] shape, Node[] inputs, Rule rule) {
        this(shape, inputs, rule, null);
    }

    Node(int[] shape, Node[] inputs, Rule rule, Consumer<Tensor> sink) {
        this.shape = shape;
        this.inputs = inputs;
        this.rule = rule;
        this.sink = sink;
    }

    boolean isLeaf() {
        return inputs == null && rule == null;
    }

    void release() {
        inputs = null;
        rule = null;
    }

    /** Adds {@code g} to the gradient of {@code n}; a null node needs no gradient. */
    static void accumulate(Node n, Tensor g) {
        if (n == null) return;
        if (!java.util.Arrays.equals(g.shape(), n.shape))
            throw new IllegalStateException("gradient of shape " + java.util.Arrays.toString(g.shape()) + " for a var of shape "
                    + java.util.Arrays.toString(n.shape));
        n.grad = n.grad == null ? g : n.grad.add(g);
    }
}
