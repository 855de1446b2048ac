package adamerge.autograd;

/**
 * The record of one operation in the graph: its inputs and the rule that turns the output's
 * gradient into input gradients. The rule's closure holds whatever activations it saved; both
 * are dropped as soon as the rule has run, so a backward pass frees memory as it goes.
 */
final class Node {
    /** Adds the input gradients for the given output gradient (via {@link Var#accumulate}). */
    @FunctionalInterface
    interface Rule {
        void backward(adamerge.tensor.Tensor gradOut);
    }

    Var[] inputs;
    Rule rule;

    Node(Var[] inputs, Rule rule) {
        this.inputs = inputs;
        this.rule = rule;
    }

    void release() {
        inputs = null;
        rule = null;
    }
}
