package adamerge.merging;

import adamerge.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Task vectors (Ilharco et al. 2023): {@code tau_k = theta_k - theta_pre}, one tensor per
 * parameter, and the merge they all build on, {@code theta = theta_pre + sum_k lambda_k tau_k}.
 * A model or a task vector is an ordered map of named tensors in any key convention; results
 * keep the pretrained model's key order.
 */
public final class TaskVector {
    private TaskVector() {
    }

    /** tau = finetuned - pretrained per tensor; both must have the same keys and shapes. */
    public static Map<String, Tensor> of(Map<String, Tensor> pretrained, Map<String, Tensor> finetuned) {
        Models.requireSameLayout("the pretrained model", pretrained, "the fine-tuned model", finetuned);
        Map<String, Tensor> tau = Models.ordered();
        pretrained.forEach((k, pre) -> tau.put(k, finetuned.get(k).sub(pre)));
        return tau;
    }

    /** One task vector per fine-tuned model. */
    public static List<Map<String, Tensor>> of(Map<String, Tensor> pretrained, List<Map<String, Tensor>> finetuned) {
        Models.requireLayoutOf(pretrained, finetuned, "fine-tuned model");
        List<Map<String, Tensor>> taus = new ArrayList<>(finetuned.size());
        for (Map<String, Tensor> ft : finetuned) taus.add(of(pretrained, ft));
        return taus;
    }

    /**
     * Whether the fine-tuned model equals the pretrained one in every tensor (a zero task vector:
     * the pretrained file given as fine-tuned). Stops at the first tensor that differs.
     */
    public static boolean isZero(Map<String, Tensor> pretrained, Map<String, Tensor> finetuned) {
        Models.requireSameLayout("the pretrained model", pretrained, "the fine-tuned model", finetuned);
        for (Map.Entry<String, Tensor> e : pretrained.entrySet())
            if (finetuned.get(e.getKey()).sub(e.getValue()).abs().sum().item() != 0) return false;
        return true;
    }

    /** theta_pre + sum_k lambdas[k] tau_k (Eq. 1 of the task-arithmetic paper, lambda per task). */
    public static Map<String, Tensor> apply(Map<String, Tensor> pretrained, List<Map<String, Tensor>> taus, float[] lambdas) {
        if (taus.size() != lambdas.length)
            throw new IllegalArgumentException(taus.size() + " task vectors but " + lambdas.length + " coefficients");
        Models.requireLayoutOf(pretrained, taus, "task vector");
        Map<String, Tensor> out = Models.ordered();
        pretrained.forEach((key, pre) -> out.put(key, pre.backend().mergeWeighted(pre, Models.tensors(taus, key), lambdas))); // one fused pass per tensor
        return out;
    }
}
