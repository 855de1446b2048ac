package adamerge.merging;

import adamerge.tensor.Tensor;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * The merging methods, each under the name the command line takes and the name of the paper's
 * Table 1. The four AdaMerging variants differ in two ways: one coefficient per task or per
 * layer, and learning on plain task vectors or on TIES-selected ones ({@code ++}).
 */
public enum Method {
    WEIGHT_AVERAGING("weight-averaging", "Weight Averaging"),
    TASK_ARITHMETIC("task-arithmetic", "Task Arithmetic"),
    TIES("ties", "TIES-Merging"),
    FISHER("fisher", "Fisher Merging"),
    REGMEAN("regmean", "RegMean"),
    DARE("dare", "DARE"),
    DARE_TIES("dare-ties", "DARE-TIES"),
    TSV("tsv", "TSV-Merge"),
    ISO_C("iso-c", "Iso-C"),
    ISO_CTS("iso-cts", "Iso-CTS"),
    ADAMERGING_TASK("adamerging-task", "Task-wise AdaMerging"),
    ADAMERGING_TASK_PLUS("adamerging-task++", "Task-wise AdaMerging++"),
    ADAMERGING_LAYER("adamerging-layer", "Layer-wise AdaMerging"),
    ADAMERGING_LAYER_PLUS("adamerging-layer++", "Layer-wise AdaMerging++");

    private final String cliName, paperName;

    Method(String cliName, String paperName) {
        this.cliName = cliName;
        this.paperName = paperName;
    }

    public String cliName() {
        return cliName;
    }

    /** The row name of the paper's Table 1. */
    public String paperName() {
        return paperName;
    }

    /**
     * The coefficient of the merged task vector when none is given: 0.3 for task arithmetic, TIES and
     * DARE (the official AdaMerging code, FusionBench's {@code dare/task_arithmetic.yaml}), 0.5 for
     * DARE-TIES (FusionBench's {@code dare/ties_merging.yaml}); 1 for TSV-Merge, Iso-C and Iso-CTS
     * (FusionBench's; their upstream codes choose it on validation) and for the rest, which take no scale.
     */
    public float defaultScale() {
        return switch (this) {
            case TASK_ARITHMETIC, TIES, DARE -> 0.3f;
            case DARE_TIES -> 0.5f;
            default -> 1f;
        };
    }

    public boolean isAdaMerging() {
        return name().startsWith("ADAMERGING");
    }

    /** Methods that read data: the AdaMerging variants (unlabeled), Fisher and RegMean (train samples). */
    public boolean needsData() {
        return isAdaMerging() || this == FISHER || this == REGMEAN;
    }

    /** AdaMerging's {@code ++}: coefficients on each task's TIES-trimmed, sign-filtered vector. */
    public boolean plusPlus() {
        return this == ADAMERGING_TASK_PLUS || this == ADAMERGING_LAYER_PLUS;
    }

    public AdaMerging.Granularity granularity() {
        if (!isAdaMerging()) throw new IllegalStateException(cliName + " learns no coefficients");
        return this == ADAMERGING_LAYER || this == ADAMERGING_LAYER_PLUS ? AdaMerging.Granularity.LAYER_WISE : AdaMerging.Granularity.TASK_WISE;
    }

    /** The four AdaMerging variants in Table 1's order. */
    public static List<Method> adaMergingVariants() {
        return List.of(ADAMERGING_TASK, ADAMERGING_TASK_PLUS, ADAMERGING_LAYER, ADAMERGING_LAYER_PLUS);
    }

    public static Method byCliName(String name) {
        for (Method m : values()) if (m.cliName.equals(name)) return m;
        throw new IllegalArgumentException("unknown method '" + name + "': use one of " + Arrays.stream(values()).map(Method::cliName).toList());
    }

    /**
     * The task vectors an AdaMerging variant learns its coefficients on, each tensor passed through
     * {@code store} as it is made (so that K of them need not sit on the heap together): plain
     * {@code theta_k - theta_pre}, or for {@code ++} the vectors {@code ties} selects.
     */
    public List<Map<String, Tensor>> taskVectors(Map<String, Tensor> pretrained, List<Map<String, Tensor>> finetuned, TiesMerge ties,
                                                 UnaryOperator<Tensor> store) {
        if (plusPlus()) return ties.selectedTaskVectors(pretrained, finetuned, store);
        Models.requireLayoutOf(pretrained, finetuned, "fine-tuned model");
        List<Map<String, Tensor>> taus = new java.util.ArrayList<>();
        for (Map<String, Tensor> model : finetuned) { // one task vector on the heap at a time
            Map<String, Tensor> tau = new LinkedHashMap<>();
            TaskVector.of(pretrained, model).forEach((k, v) -> tau.put(k, store.apply(v)));
            taus.add(tau);
        }
        return taus;
    }
}
