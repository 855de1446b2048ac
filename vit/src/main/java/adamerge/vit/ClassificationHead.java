package adamerge.vit;

import adamerge.autograd.Var;
import adamerge.tensor.Tensor;

import java.util.Arrays;

/**
 * A frozen linear classifier on L2-normalised image features, task_vectors' convention:
 * {@code logits = W (f / |f|) + b}, with W = logit scale x normalised class embeddings.
 */
public record ClassificationHead(String name, Tensor weight, Tensor bias) {

    public ClassificationHead {
        if (weight.rank() != 2)
            throw new IllegalArgumentException("head '" + name + "' weight must be [classes, dim], got " + Arrays.toString(weight.shape()));
        if (bias != null && (bias.rank() != 1 || bias.dim(0) != weight.dim(0)))
            throw new IllegalArgumentException("head '" + name + "' bias " + Arrays.toString(bias.shape()) + " does not fit weight " + Arrays.toString(weight.shape()));
    }

    public int classes() {
        return weight.dim(0);
    }

    public int inputDim() {
        return weight.dim(1);
    }

    public Var logits(Var features) {
        if (features.dim(-1) != inputDim())
            throw new IllegalArgumentException("head '" + name + "' takes " + inputDim() + "-dim features but the encoder gives " + features.dim(-1));
        Var f = features.div(features.mul(features).sum(-1, true).sqrt());
        Var z = f.matmul(Var.constant(weight.t()));
        return bias == null ? z : z.add(Var.constant(bias));
    }
}
