package adamerge.training;

import adamerge.autograd.Var;
import adamerge.tensor.Tensor;

import java.util.List;

/**
 * The trainable head of pretraining: the same form as the frozen heads ({@code W (f / |f|) + b}
 * on L2-normalised features), so the encoder learns features that are good under cosine
 * similarity, as CLIP's contrastive objective makes them. The rows of W start as random
 * directions of length {@code initialScale} (a CLIP-like temperature); it is discarded after
 * pretraining.
 */
public final class LinearHead implements Trainer.Head {
    private final Var weight, bias;

    public LinearHead(int classes, int dim, float initialScale, long seed) {
        Tensor w = Tensor.randn(seed, classes, dim);
        Tensor norm = w.mul(w).sum(1, true).sqrt();
        this.weight = Var.param(w.div(norm).mul(initialScale));
        this.bias = Var.param(Tensor.zeros(classes));
    }

    @Override
    public Var logits(Var features) {
        Var f = features.div(features.mul(features).sum(-1, true).sqrt());
        return f.matmul(weight.t()).add(bias);
    }

    @Override
    public List<Var> parameters() {
        return List.of(weight, bias);
    }
}
