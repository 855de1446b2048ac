package adamerge.merging;

import adamerge.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Task arithmetic: {@code theta = theta_pre + scale * sum_k tau_k}, with the official AdaMerging
 * and FusionBench scale 0.3. Task vectors are formed one tensor at a time, so only the merged
 * model is allocated.
 */
public final class TaskArithmetic {
    public static final float DEFAULT_SCALE = 0.3f;

    private TaskArithmetic() {
    }

    public static Map<String, Tensor> merge(Map<String, Tensor> pretrained, List<Map<String, Tensor>> finetuned) {
        return merge(pretrained, finetuned, DEFAULT_SCALE);
    }

    public static Map<String, Tensor> merge(Map<String, Tensor> pretrained, List<Map<String, Tensor>> finetuned, float scale) {
        Models.requireLayoutOf(pretrained, finetuned, "fine-tuned model");
        Map<String, Tensor> out = Models.ordered();
        pretrained.forEach((key, pre) -> {
            List<Tensor> taus = new ArrayList<>(finetuned.size());
            for (Map<String, Tensor> ft : finetuned) taus.add(ft.get(key).sub(pre));
            out.put(key, pre.add(Models.sum(taus).mul(scale)));
        });
        return out;
    }
}
