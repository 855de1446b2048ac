package adamerge.tensor;

/**
 * The gradients of {@link Tensor#layerNorm} for an output gradient: with respect to the input
 * (its shape), gamma and beta (each [W], summed over every row).
 */
public record LayerNormGradients(Tensor dx, Tensor dgamma, Tensor dbeta) {
}
