package adamerge.merging;

import adamerge.tensor.Tensor;

import java.util.List;
import java.util.Map;

/** Weight averaging: {@code theta = (1/K) sum_k theta_k} over the fine-tuned models (the pretrained one takes no part). */
public final class WeightAveraging {
    private WeightAveraging() {
    }

    public static Map<String, Tensor> merge(List<Map<String, Tensor>> finetuned) {
        Models.requireSameLayout(finetuned, "fine-tuned model");
        Map<String, Tensor> out = Models.ordered();
        for (String key : finetuned.get(0).keySet()) out.put(key, Models.mean(finetuned, key));
        return out;
    }
}
