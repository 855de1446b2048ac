package adamerge.study;

import adamerge.merging.Method;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Everything the study measured, filled in by {@link Study} and written by {@link Reports}. */
public final class StudyResults {

    /** The paper's Table 1 rows, in its order. */
    public static final List<String> PAPER_METHODS = List.of("Pretrained", "Individual", "Traditional MTL", "Weight Averaging",
            "Fisher Merging", "RegMean", "Task Arithmetic", "TIES-Merging", "Task-wise AdaMerging", "Task-wise AdaMerging++",
            "Layer-wise AdaMerging", "Layer-wise AdaMerging++");

    /**
     * Merges published since the paper, each run as {@code adamerge merge --method M} runs it with its
     * defaults (no data read, nothing tuned): the rows after the paper's. DARE and DARE-TIES draw
     * their drop masks from the seed, so they are repeated over the study's seeds.
     */
    public static final List<Method> LATER_MERGES = List.of(Method.DARE, Method.DARE_TIES, Method.TSV, Method.ISO_C, Method.ISO_CTS);

    /**
     * Representation Surgery (Yang et al., ICML 2024) on the two merges its upstream code applies it
     * to, trained with its defaults on the unlabeled test images; seeded (module init, batches).
     */
    public static final List<String> SURGERY_ROWS = List.of(Study.TA_SURGERY, Study.LAYERWISE_SURGERY);

    /** Table 1's rows (the keys of results/table1.json): the paper's, the later merges, then the surgery rows. */
    public static final List<String> METHODS = rows(PAPER_METHODS, LATER_MERGES.stream().map(Method::paperName).toList(), SURGERY_ROWS);

    @SafeVarargs
    private static List<String> rows(List<String>... parts) {
        List<String> all = new ArrayList<>();
        for (List<String> part : parts) all.addAll(part);
        return List.copyOf(all);
    }

    /** One merge of {@code seen} tasks evaluated on the seen and the {@code unseen} tasks. */
    public record GeneralisationSplit(List<String> seen, List<String> unseen, Map<String, Map<String, Double>> accuracy) {
    }

    /** An AdaMerging run's learned coefficients ([rows][tasks]) and per-step loss. */
    public record Coefficients(List<String> rows, List<String> tasks, float[][] lambdas, List<Double> loss) {
    }

    /**
     * The diagnostics of {@link adamerge.merging.Disentanglement} on the study's task vectors:
     * {@code curves[k][a][t]} accuracy (%) of theta_pre + alphas[a] tau_k on task t, {@code errors}
     * eq. 5's pairwise error averaged over errorAlphas x errorAlphas, on {@code images} test images per task.
     */
    public record Diagnostics(int images, double[] relativeNorms, double[][] cosines, double[] alphas, double[][][] curves,
                              double[] errorAlphas, double[][] errors) {
    }

    public StudySettings settings;
    public Diagnostics diagnostics;
    public List<String> tasks;
    public String model;
    public long parameters;
    /** method -> one map (task -> accuracy %) per seed (one map for methods that sample nothing). */
    public final Map<String, List<Map<String, Double>>> table1 = new LinkedHashMap<>();
    /** method -> per seed, for the AdaMerging variants. */
    public final Map<String, List<Coefficients>> coefficients = new LinkedHashMap<>();
    public final List<GeneralisationSplit> generalisation = new ArrayList<>();
    public List<String> robustnessTasks;
    /** method -> condition (clean, motion-blur, ...) -> task -> accuracy %. */
    public final Map<String, Map<String, Map<String, Double>>> robustness = new LinkedHashMap<>();
    /** Per task, then "all tasks" pooled; for the Task Arithmetic model. */
    public final List<EntropyLoss> entropyLoss = new ArrayList<>();
    /** phase -> seconds. */
    public final Map<String, Double> seconds = new LinkedHashMap<>();
    public double totalSeconds;
    public double modelSeconds;

    /** Mean over seeds per task and "avg" (the mean over tasks), in percent. */
    public Map<String, Double> mean(String method) {
        List<Map<String, Double>> runs = table1.get(method);
        Map<String, Double> out = new LinkedHashMap<>();
        for (String t : tasks) out.put(t, runs.stream().mapToDouble(r -> r.get(t)).average().orElse(Double.NaN));
        out.put("avg", runs.stream().mapToDouble(this::average).average().orElse(Double.NaN));
        return out;
    }

    /** Sample standard deviation over seeds per task and of "avg" (NaN with one run). */
    public Map<String, Double> std(String method) {
        List<Map<String, Double>> runs = table1.get(method);
        Map<String, Double> out = new LinkedHashMap<>();
        for (String t : tasks) out.put(t, std(runs.stream().mapToDouble(r -> r.get(t)).toArray()));
        out.put("avg", std(runs.stream().mapToDouble(this::average).toArray()));
        return out;
    }

    public double average(Map<String, Double> byTask) {
        return tasks.stream().mapToDouble(byTask::get).average().orElse(Double.NaN);
    }

    static double std(double[] xs) {
        if (xs.length < 2) return Double.NaN;
        double m = 0;
        for (double x : xs) m += x;
        m /= xs.length;
        double s = 0;
        for (double x : xs) s += (x - m) * (x - m);
        return Math.sqrt(s / (xs.length - 1));
    }
}
