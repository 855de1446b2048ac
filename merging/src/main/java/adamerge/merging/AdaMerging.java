package adamerge.merging;

import adamerge.autograd.Adam;
import adamerge.autograd.Losses;
import adamerge.autograd.Var;
import adamerge.tensor.Tensor;
import adamerge.vit.ClassificationHead;
import adamerge.vit.ClipVisionEncoder;
import adamerge.vit.VitConfig;
import adamerge.vit.WeightLayout;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * AdaMerging (Yang et al., ICLR 2024): learns merging coefficients without labels by minimising
 * the entropy of the merged model's predictions on unlabeled test batches of every task.
 * <pre>
 *   theta_j = theta_pre_j + sum_k clamp(lambda_{r(j),k}, 0, 1) tau_{k,j}       (Eq. 5 task-wise: r(j) = 0;
 *                                                                              Eq. 6 layer-wise: r(j) = j)
 *   L = sum_tasks sum_batches mean_batch H(softmax(head_task(theta; x)))       (Eq. 7)
 * </pre>
 * A "layer" is every stored parameter tensor of the encoder, as the official code counts them.
 * The gradient needs no K-fold graph: one ordinary backward through the merged encoder per batch
 * gives g_j = dL/dtheta_j, and dL/dlambda_{j,k} = <g_j, tau_{k,j}> (masked by the clamp). The
 * batches of all tasks are processed one after another, so memory holds one batch's activations.
 */
public final class AdaMerging {
    public enum Granularity {TASK_WISE, LAYER_WISE}

    /** The official defaults: prior 0.3, clamp to [0, 1], Adam lr 1e-3, betas (0.9, 0.999), eps 1e-8. */
    public record Options(float prior, boolean clamp, float lr, float beta1, float beta2, float eps) {
        public static final Options DEFAULT = new Options(0.3f, true, 1e-3f, 0.9f, 0.999f, 1e-8f);

        public Options withPrior(float p) {
            return new Options(p, clamp, lr, beta1, beta2, eps);
        }

        public Options withClamp(boolean c) {
            return new Options(prior, c, lr, beta1, beta2, eps);
        }

        public Options withLr(float l) {
            return new Options(prior, clamp, l, beta1, beta2, eps);
        }
    }

    /** Thrown when the loss or a gradient stops being finite; the coefficients are left at their last good values. */
    public static final class NonFiniteException extends RuntimeException {
        public NonFiniteException(String message) {
            super(message);
        }
    }

    private final VitConfig config;
    private final WeightLayout layout;
    private final List<String> layers;
    private final Map<String, Integer> layerIndex = new HashMap<>();
    private final Map<String, Tensor> pretrained;
    private final List<Map<String, Tensor>> taskVectors;
    private final List<ClassificationHead> heads;
    private final Granularity granularity;
    private final Options options;
    private final Var raw; // [rows, K]: the trained, unconstrained coefficients
    private final Adam adam;
    private float[] lastTaskLoss;

    /**
     * @param pretrained  stored-layout pretrained weights, one entry per layer (their order is the row order)
     * @param taskVectors per task, stored-layout tau_k (plain, or TIES-selected for AdaMerging++)
     * @param layout      maps stored tensors to the encoder's canonical layout and gradients back
     */
    public AdaMerging(VitConfig config, WeightLayout layout, Map<String, Tensor> pretrained, List<Map<String, Tensor>> taskVectors,
                      List<ClassificationHead> heads, Granularity granularity, Options options) {
        if (taskVectors.size() != heads.size())
            throw new IllegalArgumentException(taskVectors.size() + " task vectors but " + heads.size() + " heads");
        this.config = config;
        this.layout = layout;
        this.layers = List.copyOf(pretrained.keySet());
        for (int j = 0; j < layers.size(); j++) layerIndex.put(layers.get(j), j);
        this.pretrained = pretrained;
        this.taskVectors = taskVectors;
        this.heads = heads;
        this.granularity = granularity;
        this.options = options;
        Models.requireLayoutOf(pretrained, taskVectors, "task vector");
        int rows = granularity == Granularity.LAYER_WISE ? layers.size() : 1;
        this.raw = Var.param(Tensor.full(options.prior(), rows, taskVectors.size()));
        this.adam = new Adam(List.of(raw), options.lr(), options.beta1(), options.beta2(), options.eps(), 0f, false);
    }

    public List<String> layers() {
        return layers;
    }

    public int tasks() {
        return taskVectors.size();
    }

    public Granularity granularity() {
        return granularity;
    }

    /** What each row of {@link #coefficients} applies to: every stored tensor (layer-wise), or all of them at once (task-wise). */
    public List<String> coefficientRows() {
        return granularity == Granularity.LAYER_WISE ? layers : List.of("all layers");
    }

    /** The trained values, [rows][K] (rows = layers, or 1 task-wise). */
    public float[][] rawLambdas() {
        return rows(raw.value());
    }

    /** Replaces the trained values (resuming from saved coefficients). */
    public void setRawLambdas(float[][] values) {
        int rows = raw.dim(0), k = raw.dim(1);
        if (values.length != rows || values[0].length != k)
            throw new IllegalArgumentException("coefficients of " + values.length + "x" + values[0].length + " for a model needing " + rows + "x" + k);
        float[] flat = new float[rows * k];
        for (int r = 0; r < rows; r++) System.arraycopy(values[r], 0, flat, r * k, k);
        raw.setValue(Tensor.of(flat, rows, k));
    }

    /** The coefficients the merge uses (clamped unless disabled), [rows][K]. */
    public float[][] coefficients() {
        return rows(options.clamp() ? raw.value().clamp(0f, 1f) : raw.value());
    }

    /** Per-task summed entropy of the last step. */
    public float[] lastTaskLoss() {
        return lastTaskLoss.clone();
    }

    public Map<String, Tensor> adamState() {
        return adam.state();
    }

    public void loadAdamState(Map<String, Tensor> s) {
        adam.loadState(s);
    }

    /** The merged model in the stored layout, for the current coefficients. */
    public Map<String, Tensor> merged() {
        float[][] c = coefficients();
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (int j = 0; j < layers.size(); j++) {
            String name = layers.get(j);
            Tensor pre = pretrained.get(name);
            out.put(name, pre.backend().mergeWeighted(pre, tausOf(name), c[granularity == Granularity.LAYER_WISE ? j : 0]));
        }
        return out;
    }

    /**
     * One optimisation step on the given unlabeled batches (per task, in task order). Returns the
     * loss before the update.
     */
    public float step(List<List<Tensor>> batchesPerTask) {
        if (batchesPerTask.size() != tasks())
            throw new IllegalArgumentException(batchesPerTask.size() + " batch lists for " + tasks() + " tasks");
        Map<String, Tensor> canonical = layout.toCanonical(merged());

        // dL/dlambda_{j,k} = <g_j, tau_{k,j}>, summed over every batch of every task (the loss is a
        // plain sum). Each weight's gradient is reduced to its K dot products the moment backward
        // has finished it, so no model-sized set of gradients is ever alive.
        int rows = raw.dim(0), k = tasks();
        double[] d = new double[rows * k];
        float loss = 0;
        float[] taskLoss = new float[tasks()];
        boolean any = false;
        for (int t = 0; t < tasks(); t++) {
            for (Tensor batch : batchesPerTask.get(t)) {
                Map<String, Var> params = new LinkedHashMap<>();
                canonical.forEach((name, v) -> params.put(name, Var.param(v, g -> {
                    for (Map.Entry<String, Tensor> e : layout.toSource(name, g).entrySet()) {
                        int j = layerIndex.get(e.getKey()), r = granularity == Granularity.LAYER_WISE ? j : 0;
                        float[] dots = g.backend().dotWithEach(e.getValue(), tausOf(e.getKey()));
                        for (int q = 0; q < k; q++) d[r * k + q] += dots[q];
                    }
                })));
                Var entropy = Losses.entropy(heads.get(t).logits(new ClipVisionEncoder(config, params).forward(batch)));
                float h = entropy.value().item();
                if (!Float.isFinite(h))
                    throw new NonFiniteException("entropy of task " + t + " is " + h + " at the current coefficients");
                entropy.backward();
                taskLoss[t] += h;
                loss += h;
                any = true;
            }
        }
        lastTaskLoss = taskLoss;
        if (!any) throw new IllegalArgumentException("no batches to learn from");
        float[] df = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            df[i] = (float) d[i];
            if (!Float.isFinite(df[i])) throw new NonFiniteException("a coefficient gradient is " + df[i]);
        }

        // Route the gradient through the clamp with autograd's rule (it passes at 0 and 1, as PyTorch's).
        adam.zeroGrad();
        Var coeff = options.clamp() ? raw.clamp(0f, 1f) : raw;
        coeff.mul(Var.constant(Tensor.of(df, rows, k))).sum().backward();
        adam.step();
        return loss;
    }

    private List<Tensor> tausOf(String name) {
        List<Tensor> ts = new ArrayList<>(taskVectors.size());
        for (Map<String, Tensor> tv : taskVectors) ts.add(tv.get(name));
        return ts;
    }

    private static float[][] rows(Tensor t) {
        int r = t.dim(0), k = t.dim(1);
        float[] a = t.toArray();
        float[][] out = new float[r][k];
        for (int i = 0; i < r; i++) System.arraycopy(a, i * k, out[i], 0, k);
        return out;
    }
}
