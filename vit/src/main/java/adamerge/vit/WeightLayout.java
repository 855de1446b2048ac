package adamerge.vit;

import adamerge.tensor.Tensor;

import java.util.Map;

/**
 * How a model's stored tensors map onto the encoder's canonical layout. Both directions are
 * re-layouts (renames, row splits, transposes), so they map gradients the same way as weights.
 */
public interface WeightLayout {
    Map<String, Tensor> toCanonical(Map<String, Tensor> stored);

    Map<String, Tensor> toSource(Map<String, Tensor> canonical);

    /** The stored tensors (views) that one canonical tensor, or its gradient, is made of. */
    Map<String, Tensor> toSource(String canonicalName, Tensor canonical);

    /** Stored tensors that already use canonical names. */
    WeightLayout CANONICAL = new WeightLayout() {
        @Override
        public Map<String, Tensor> toCanonical(Map<String, Tensor> stored) {
            return stored;
        }

        @Override
        public Map<String, Tensor> toSource(Map<String, Tensor> canonical) {
            return canonical;
        }

        @Override
        public Map<String, Tensor> toSource(String canonicalName, Tensor canonical) {
            return Map.of(canonicalName, canonical);
        }
    };
}
