package adamerge.merging;

import adamerge.autograd.Adam;
import adamerge.autograd.Losses;
import adamerge.autograd.Var;
import adamerge.tensor.MemoryCapException;
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
 * The gradient needs no K-fold graph: one ordinary backward through the merged encoder gives
 * g_j = dL/dtheta_j, and dL/dlambda_{j,k} = <g_j, tau_{k,j}> (masked by the clamp). All tasks'
 * images of a step go through it together (in passes of a bounded size when memory asks), and
 * each g_j is reduced against the task vectors once per step.
 */
public final class AdaMerging {
    public enum Granularity {TASK_WISE, LAYER_WISE}

    /**
     * The official defaults: prior 0.3, clamp to [0, 1], Adam lr 1e-3, betas (0.9, 0.999), eps 1e-8.
     * {@code imagesPerPass} bounds the images of one forward/backward pass (0: every image of the
     * step in one pass); it changes memory and speed, not the result.
     */
    public record Options(float prior, boolean clamp, float lr, float beta1, float beta2, float eps, int imagesPerPass) {
        public static final Options DEFAULT = new Options(0.3f, true, 1e-3f, 0.9f, 0.999f, 1e-8f, 0);

        public Options {
            if (imagesPerPass < 0) throw new IllegalArgumentException("images per pass must be 0 (all) or more, got " + imagesPerPass);
        }

        public Options withPrior(float p) {
            return new Options(p, clamp, lr, beta1, beta2, eps, imagesPerPass);
        }

        public Options withClamp(boolean c) {
            return new Options(prior, c, lr, beta1, beta2, eps, imagesPerPass);
        }

        public Options withLr(float l) {
            return new Options(prior, clamp, l, beta1, beta2, eps, imagesPerPass);
        }

        public Options withImagesPerPass(int n) {
            return new Options(prior, clamp, lr, beta1, beta2, eps, n);
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
    private int passLimit; // images per pass; 0: all of a step

    private static final System.Logger LOG = System.getLogger(AdaMerging.class.getName());

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
        this.passLimit = options.imagesPerPass();
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
     *
     * <p>Every image of the step goes through the merged encoder in one pass (or in passes of at
     * most {@code imagesPerPass} images), each task's rows through its own head. Image i of a batch
     * of n adds H_i / n to the loss, so a batch split between passes still counts as its mean.
     * The task vectors are read once per pass (once per step when it is one pass), not once per batch.
     * Should a pass not fit under the backend's memory cap, the step starts over in passes of half
     * the size, and later steps keep that size.
     */
    public float step(List<List<Tensor>> batchesPerTask) {
        if (batchesPerTask.size() != tasks())
            throw new IllegalArgumentException(batchesPerTask.size() + " batch lists for " + tasks() + " tasks");
        List<Piece> all = new ArrayList<>();
        for (int t = 0; t < tasks(); t++)
            for (Tensor batch : batchesPerTask.get(t)) all.add(new Piece(t, batch, 0, batch.dim(0), batch.dim(0)));
        int total = all.stream().mapToInt(Piece::size).sum();
        if (total == 0) throw new IllegalArgumentException("no batches to learn from");
        while (true) {
            int perPass = passLimit > 0 ? Math.min(passLimit, total) : total;
            try {
                return stepInPasses(passes(all, perPass));
            } catch (MemoryCapException e) {
                if (perPass == 1) throw e;
                passLimit = perPass / 2;
                LOG.log(System.Logger.Level.INFO, "a pass of {0} images did not fit under the device memory cap: passes of {1} from now on", perPass, passLimit);
            }
        }
    }

    /** The images of one pass, after any halving under a memory cap (0: all of a step). */
    public int imagesPerPass() {
        return passLimit;
    }

    private float stepInPasses(List<List<Piece>> passes) {
        Map<String, Tensor> canonical = layout.toCanonical(merged());
        // Each weight's gradient is reduced to its K dots the moment backward finishes it, so no
        // model-sized set of gradients is ever alive. One pass reads the task vectors once per
        // step; several read them once per pass (summing the gradients over the passes instead
        // would hold one more model and, measured on the CPU, cost more in allocation than it saves).
        // The dots and the entropies stay where they were computed until the step's end, then
        // cross to the host together: on a device one wait per step, not one per tensor.
        List<Tensor> dots = new ArrayList<>(), entropies = new ArrayList<>();
        List<Integer> dotRows = new ArrayList<>(), entropyTasks = new ArrayList<>();
        for (List<Piece> pass : passes) {
            Map<String, Var> params = new LinkedHashMap<>();
            canonical.forEach((name, v) -> params.put(name, Var.param(v, g -> {
                for (Map.Entry<String, Tensor> e : layout.toSource(name, g).entrySet()) {
                    String source = e.getKey();
                    dots.add(e.getValue().backend().dotWithEach(e.getValue(), tausOf(source)));
                    dotRows.add(granularity == Granularity.LAYER_WISE ? layerIndex.get(source) : 0);
                }
            })));
            List<Tensor> images = new ArrayList<>(pass.size());
            for (Piece p : pass) images.add(p.images());
            Var features = new ClipVisionEncoder(config, params).forward(images.size() == 1 ? images.get(0) : Tensor.concat(images, 0));
            Var passLoss = null;
            int at = 0;
            for (Piece p : pass) {
                // mean entropy of the piece x (its share of its batch) = sum of H_i / batch size
                Var term = Losses.entropy(heads.get(p.task()).logits(features.slice(0, at, at + p.size()))).mul((float) p.size() / p.batchSize());
                entropies.add(term.value().reshape(1));
                entropyTasks.add(p.task());
                passLoss = passLoss == null ? term : passLoss.add(term);
                at += p.size();
            }
            passLoss.backward();
        }
        List<Tensor> read = new ArrayList<>(entropies);
        read.addAll(dots);
        float[] values = Tensor.concat(read, 0).toArray(); // entropies first, then K dots per tensor

        float loss = 0;
        float[] taskLoss = new float[tasks()];
        for (int i = 0; i < entropies.size(); i++) {
            float h = values[i];
            int task = entropyTasks.get(i);
            if (!Float.isFinite(h)) throw new NonFiniteException("entropy of task " + task + " is " + h + " at the current coefficients");
            taskLoss[task] += h;
            loss += h;
        }
        int rows = raw.dim(0), k = tasks();
        double[] d = new double[rows * k];
        for (int j = 0, at = entropies.size(); j < dots.size(); j++, at += k)
            for (int q = 0; q < k; q++) d[dotRows.get(j) * k + q] += values[at + q];
        lastTaskLoss = taskLoss;
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

    /**
     * The most images of one pass whose activations fit in {@code bytes} of Java heap, less a
     * 512 MiB margin. Measured on ViT-B/32 (bench adamerging, pretrained and merged models on the
     * heap): 24 images fit in -Xmx2g, 32 do not, about 27 floats per token, channel and layer of an
     * image kept for the backward; 32 are assumed.
     */
    public static int imagesFitting(VitConfig c, long bytes) {
        long perImage = 32L * 4 * c.tokens() * c.width() * c.layers();
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, (bytes - (512L << 20)) / perImage));
    }

    /**
     * The most images of one pass that fit in {@code bytes} of device memory beside the merged
     * model (one {@code modelBytes}) and an eighth of a model for gradients and garbage in flight.
     * Measured on PoCL (ViT-B/32, 2 tasks, bench adamerging --max-device-memory): 8 images ran in
     * 0.69 GiB beyond the models, 4 in 0.44 GiB, that is at most 47 floats per token, channel and
     * layer with the collector reclaiming garbage; 40 are assumed, and a pass that still does not
     * fit is halved ({@link #step}).
     */
    public static int imagesFittingOnDevice(VitConfig c, long modelBytes, long bytes) {
        long perImage = 40L * 4 * c.tokens() * c.width() * c.layers();
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, (bytes - modelBytes - modelBytes / 8) / perImage));
    }

    /** Rows [from, to) of one batch of task {@code task}, whose mean entropy is over {@code batchSize} images. */
    private record Piece(int task, Tensor batch, int from, int to, int batchSize) {
        int size() {
            return to - from;
        }

        Tensor images() {
            return from == 0 && to == batch.dim(0) ? batch : batch.slice(0, from, to);
        }
    }

    /** The pieces in order, cut into passes of at most {@code perPass} images (a batch may span two passes). */
    private static List<List<Piece>> passes(List<Piece> all, int perPass) {
        List<List<Piece>> out = new ArrayList<>();
        List<Piece> pass = new ArrayList<>();
        int room = perPass;
        for (Piece p : all) {
            int from = p.from();
            while (from < p.to()) {
                int take = Math.min(room, p.to() - from);
                pass.add(new Piece(p.task(), p.batch(), from, from + take, p.batchSize()));
                from += take;
                room -= take;
                if (room == 0) {
                    out.add(pass);
                    pass = new ArrayList<>();
                    room = perPass;
                }
            }
        }
        if (!pass.isEmpty()) out.add(pass);
        return out;
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
