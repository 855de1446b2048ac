package adamerge.vit;

import adamerge.autograd.Var;
import adamerge.tensor.Backend;
import adamerge.tensor.Tensor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

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

    /**
     * Reads a head: a .safetensors file with {@code weight} [classes, dim] and optional
     * {@code bias} [classes], or task_vectors' {@code head_<Task>.pt} (a pickled ClassificationHead,
     * whose state dict holds the same two tensors). The name is the file name without
     * {@code head_} and the extension.
     */
    public static ClassificationHead load(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new IOException(file + ": no such head file");
        Map<String, Tensor> m = adamerge.vit.io.Checkpoints.read(file);
        Tensor weight = m.get("weight"), bias = m.get("bias");
        if (weight == null)
            throw new IOException(file + ": no 'weight' tensor for a classification head (found " + m.keySet() + ")");
        if (weight.rank() != 2)
            throw new IOException(file + ": head weight has shape " + Arrays.toString(weight.shape()) + ", expected [classes, dim]");
        if (bias != null && (bias.rank() != 1 || bias.dim(0) != weight.dim(0)))
            throw new IOException(file + ": head bias has shape " + Arrays.toString(bias.shape()) + ", expected [" + weight.dim(0) + "]");
        String name = file.getFileName().toString().replaceFirst("\\.[^.]*$", "").replaceFirst("^head_", "");
        return new ClassificationHead(name, weight, bias);
    }

    /** The same head with its tensors on {@code backend}. */
    public ClassificationHead to(Backend backend) {
        return new ClassificationHead(name, weight.to(backend), bias == null ? null : bias.to(backend));
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
