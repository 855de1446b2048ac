package adamerge.merging;

import adamerge.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Checks and small reductions over models, i.e. ordered maps of named tensors. */
final class Models {
    private Models() {
    }

    /** Fails unless {@code other} has exactly the tensors of {@code reference}, with the same shapes. */
    static void requireSameLayout(String referenceName, Map<String, Tensor> reference, String otherName, Map<String, Tensor> other) {
        for (Map.Entry<String, Tensor> e : reference.entrySet()) {
            Tensor t = other.get(e.getKey());
            if (t == null)
                throw new IllegalArgumentException(otherName + " has no tensor '" + e.getKey() + "' (present in " + referenceName
                        + "); merge models of the same architecture and key convention");
            requireSameShape(e.getKey(), referenceName, e.getValue(), otherName, t);
        }
        for (String k : other.keySet())
            if (!reference.containsKey(k))
                throw new IllegalArgumentException(otherName + " has tensor '" + k + "' that " + referenceName
                        + " lacks; merge models of the same architecture and key convention");
    }

    static void requireSameShape(String key, String aName, Tensor a, String bName, Tensor b) {
        if (!Arrays.equals(a.shape(), b.shape()))
            throw new IllegalArgumentException("tensor '" + key + "': " + aName + " has shape " + Arrays.toString(a.shape())
                    + " but " + bName + " has " + Arrays.toString(b.shape()));
    }

    /** Every model of {@code models} has the layout of the first; there is at least one. */
    static void requireSameLayout(List<Map<String, Tensor>> models, String what) {
        if (models.isEmpty()) throw new IllegalArgumentException("no " + what + " to merge");
        for (int k = 1; k < models.size(); k++)
            requireSameLayout(what + "[0]", models.get(0), what + "[" + k + "]", models.get(k));
    }

    /** Every model of {@code models} ("what 0", "what 1", ...) has the layout of {@code pretrained}; there is at least one. */
    static void requireLayoutOf(Map<String, Tensor> pretrained, List<Map<String, Tensor>> models, String what) {
        if (models.isEmpty()) throw new IllegalArgumentException("no " + what + "s to merge");
        for (int k = 0; k < models.size(); k++)
            requireSameLayout("the pretrained model", pretrained, what + " " + k, models.get(k));
    }

    /** The tensors named {@code key}, one per model. */
    static List<Tensor> tensors(List<Map<String, Tensor>> models, String key) {
        List<Tensor> out = new ArrayList<>(models.size());
        for (Map<String, Tensor> m : models) out.add(m.get(key));
        return out;
    }

    /** x_0 + x_1 + ... in that order (the order the reference implementations add in, so results match bit for bit). */
    static Tensor sum(List<Tensor> xs) {
        Tensor s = xs.get(0);
        for (int k = 1; k < xs.size(); k++) s = s.add(xs.get(k));
        return s;
    }

    /** (1/K) sum_k models_k[key]. */
    static Tensor mean(List<Map<String, Tensor>> models, String key) {
        return sum(tensors(models, key)).div(models.size());
    }

    static <V> Map<String, V> ordered() {
        return new LinkedHashMap<>();
    }
}
