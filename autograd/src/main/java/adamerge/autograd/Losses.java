package adamerge.autograd;

import adamerge.tensor.Tensor;

/** Objectives, composed from {@link Var} ops. Logits are [batch, classes]. */
public final class Losses {
    private Losses() {
    }

    /**
     * Mean Shannon entropy of softmax(logits) over the batch: H(p) = -sum_c p_c log p_c, the
     * unsupervised surrogate objective of AdaMerging (paper, Eq. 7). Computed from log-softmax so
     * confident rows stay finite.
     */
    public static Var entropy(Var logits) {
        Var logp = logits.logSoftmax(-1);
        return logp.exp().mul(logp).sum(-1, false).mean().neg();
    }

    /** Mean cross-entropy against integer labels, as torch.nn.functional.cross_entropy. */
    public static Var crossEntropy(Var logits, int[] labels) {
        int n = logits.dim(0), c = logits.dim(1);
        if (labels.length != n)
            throw new IllegalArgumentException(labels.length + " labels for a batch of " + n);
        float[] oneHot = new float[n * c];
        for (int i = 0; i < n; i++) {
            if (labels[i] < 0 || labels[i] >= c)
                throw new IllegalArgumentException("label " + labels[i] + " out of range for " + c + " classes");
            oneHot[i * c + labels[i]] = 1;
        }
        return logits.logSoftmax(-1).mul(Var.constant(Tensor.of(oneHot, n, c))).sum(-1, false).mean().neg();
    }
}
