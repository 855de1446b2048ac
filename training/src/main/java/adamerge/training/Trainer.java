package adamerge.training;

import adamerge.autograd.Adam;
import adamerge.autograd.Losses;
import adamerge.autograd.Var;
import adamerge.tensor.Tensor;
import adamerge.vit.ClassificationHead;
import adamerge.vit.ClipVisionEncoder;
import adamerge.vit.VitConfig;
import adamerge.vit.data.ImageDataSet;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Supervised training of a CLIP image encoder on our autograd, as task_vectors fine-tunes:
 * cross-entropy of a head on the encoder's features, AdamW, a cosine learning-rate schedule
 * after a linear warm-up, minibatches from a seeded shuffle per epoch. Every canonical encoder
 * weight is a {@link Var#param}; heads are frozen ({@link #frozen}) unless they bring parameters
 * of their own (pretraining's {@link CosineHead}).
 *
 * <p>Examples may belong to different heads (traditional multi-task learning): a batch is
 * encoded once and each example's loss goes through its own head; the loss is the mean over the
 * batch, so a batch counts every example equally whatever its task.
 */
public final class Trainer {

    /**
     * @param warmupSteps linear warm-up steps before the cosine decay (task_vectors: 500 of ~2000-4000)
     * @param seed        seeds the shuffle of each epoch
     */
    public record Settings(int epochs, int batch, float learningRate, float weightDecay, int warmupSteps, long seed) {
        public Settings {
            if (epochs < 1) throw new IllegalArgumentException("epochs must be at least 1, got " + epochs);
            if (batch < 1) throw new IllegalArgumentException("batch must be at least 1, got " + batch);
            if (!(learningRate > 0)) throw new IllegalArgumentException("learning rate must be positive, got " + learningRate);
            if (weightDecay < 0) throw new IllegalArgumentException("weight decay must be >= 0, got " + weightDecay);
            if (warmupSteps < 0) throw new IllegalArgumentException("warm-up steps must be >= 0, got " + warmupSteps);
        }

        public int steps(int examples) {
            return epochs * ((examples + batch - 1) / batch);
        }
    }

    /** Maps encoder features [B, dim] to logits [B, classes]. */
    public interface Head {
        Var logits(Var features);

        /** Trainable parameters of the head (none for a frozen one). */
        default List<Var> parameters() {
            return List.of();
        }
    }

    /** A frozen head (its weights are constants). */
    public static Head frozen(ClassificationHead head) {
        return head::logits;
    }

    /**
     * Labelled, already normalised images [N, 3, S, S]; {@code heads[i]} picks the head of
     * example i from the list given to {@link #train}.
     */
    public record Examples(Tensor pixels, int[] labels, int[] heads) {
        public Examples {
            if (pixels.rank() != 4 || pixels.dim(0) != labels.length || heads.length != labels.length)
                throw new IllegalArgumentException("examples: pixels " + Arrays.toString(pixels.shape()) + " for "
                        + labels.length + " labels and " + heads.length + " head indices");
        }

        /** Examples of one head. */
        public static Examples of(Tensor pixels, int[] labels) {
            return new Examples(pixels, labels, new int[labels.length]);
        }

        /**
         * Every image of a labelled data set, on the heap (training reads each many times), for a
         * head of {@code classes} classes: a set without labels, or with a label the head has no
         * class for, is an error naming the set.
         */
        public static Examples of(ImageDataSet data, int classes) {
            if (!data.hasLabels()) throw new IllegalArgumentException(data.source() + ": the data set has no labels; training needs labelled images");
            int[] labels = data.labels();
            for (int l : labels)
                if (l < 0 || l >= classes) throw new IllegalArgumentException(data.source() + " has label " + l + " but the head has " + classes + " classes");
            Tensor all = data.batch(0, data.size());
            return of(Tensor.of(all.toArray(), all.shape()), labels);
        }

        /** Examples of several heads, concatenated: part k goes through head k. */
        public static Examples joint(List<Examples> parts) {
            List<Tensor> px = new ArrayList<>();
            int n = 0;
            for (Examples p : parts) n += p.size();
            int[] labels = new int[n], heads = new int[n];
            int at = 0;
            for (int k = 0; k < parts.size(); k++) {
                Examples p = parts.get(k);
                px.add(p.pixels);
                System.arraycopy(p.labels, 0, labels, at, p.size());
                Arrays.fill(heads, at, at + p.size(), k);
                at += p.size();
            }
            return new Examples(Tensor.concat(px, 0), labels, heads);
        }

        public int size() {
            return labels.length;
        }
    }

    /** The trained weights and how the run went. */
    public record Result(Map<String, Tensor> weights, int steps, double firstEpochLoss, double lastEpochLoss, double seconds) {
        public double imagesPerSecond(int examplesPerEpoch, int epochs) {
            return (double) examplesPerEpoch * epochs / seconds;
        }
    }

    /**
     * Where a run stands after {@code step} steps, enough to continue it exactly: every trained
     * parameter (encoder weights by canonical name, head parameters as "head.H.I"), the
     * optimiser's state ({@link Adam#state()}), and the loss bookkeeping. The next batch is batch
     * {@code batchInEpoch} of epoch {@code epoch} (whose shuffle is seeded by its number). The
     * tensors are the run's own, never changed in place, so a state may be written while the run goes on.
     *
     * @param epochLossSum the summed loss of the finished batches of {@code epoch}
     * @param firstEpochLoss the mean loss of epoch 0 once it is finished (NaN before)
     * @param lastEpochLoss  the mean loss of the last finished epoch (NaN before)
     */
    public record State(int step, int epoch, int batchInEpoch, Map<String, Tensor> parameters, Map<String, Tensor> optimizer,
                        double epochLossSum, double firstEpochLoss, double lastEpochLoss) {
    }

    /**
     * Hears the state after every step (to checkpoint it); {@code last} is the run's final step.
     * A state kept past the next step keeps its tensors alive: one more copy of the weights and
     * Adam's moments, the price of a checkpoint that a signal can write at any moment.
     */
    public interface StepHook {
        void afterStep(State state, boolean last) throws IOException;
    }

    private final Settings settings;
    private final PrintWriter progress;
    private final String label;

    /** @param progress where the progress line goes (stderr), or null for silence */
    public Trainer(Settings settings, PrintWriter progress, String label) {
        this.settings = settings;
        this.progress = progress;
        this.label = label;
    }

    /** task_vectors' cosine_lr: linear warm-up to the base rate over (step + 1) / warmup, then a half cosine to 0. */
    public static float learningRate(Settings s, int step, int totalSteps) {
        if (step < s.warmupSteps()) return s.learningRate() * (step + 1) / s.warmupSteps();
        int e = step - s.warmupSteps(), es = Math.max(1, totalSteps - s.warmupSteps());
        return (float) (0.5 * (1 + Math.cos(Math.PI * e / es)) * s.learningRate());
    }

    /** Trains a copy of {@code init} (canonical weights of {@code config}); returns the new weights. */
    public Result train(VitConfig config, Map<String, Tensor> init, Examples data, List<Head> heads) {
        try {
            return train(config, init, data, heads, null, (state, last) -> {});
        } catch (IOException e) {
            throw new UncheckedIOException(e); // unreachable: the hook does no IO
        }
    }

    /**
     * Trains a copy of {@code init}, or continues the run that reached {@code from} (null to
     * start afresh) with the same settings and data, handing the state after every step to {@code hook}.
     */
    public Result train(VitConfig config, Map<String, Tensor> init, Examples data, List<Head> heads, State from, StepHook hook) throws IOException {
        for (int h : data.heads())
            if (h < 0 || h >= heads.size()) throw new IllegalArgumentException("example head index " + h + " but " + heads.size() + " heads");
        Map<String, Var> weights = new LinkedHashMap<>();
        init.forEach((k, v) -> weights.put(k, Var.param(v.contiguous())));
        ClipVisionEncoder encoder = new ClipVisionEncoder(config, weights);
        Map<String, Var> named = new LinkedHashMap<>(weights);
        for (int h = 0; h < heads.size(); h++)
            for (int i = 0; i < heads.get(h).parameters().size(); i++) named.put("head." + h + "." + i, heads.get(h).parameters().get(i));
        List<Var> params = new ArrayList<>(named.values());
        // AdamW with torch's defaults, decay on every parameter as task_vectors does.
        Adam adam = new Adam(params, settings.learningRate(), 0.9f, 0.999f, 1e-8f, settings.weightDecay(), true);

        int n = data.size(), b = settings.batch(), perEpoch = (n + b - 1) / b, total = settings.steps(n);
        double first = Double.NaN, last = Double.NaN, resumedSum = 0;
        int step = 0, startEpoch = 0, startBatch = 0;
        if (from != null) {
            restore(from, named, adam, perEpoch, total);
            step = from.step();
            startEpoch = from.epoch();
            startBatch = from.batchInEpoch();
            resumedSum = from.epochLossSum();
            first = from.firstEpochLoss();
            last = from.lastEpochLoss();
        }
        Line line = new Line(progress, label, total, step);
        long start = System.nanoTime();
        for (int epoch = startEpoch; epoch < settings.epochs(); epoch++) {
            int[] order = shuffle(n, settings.seed() * 1_000_003L + epoch);
            double sum = epoch == startEpoch ? resumedSum : 0;
            for (int k = epoch == startEpoch ? startBatch : 0; k < perEpoch; k++) {
                int[] idx = Arrays.copyOfRange(order, k * b, Math.min(n, (k + 1) * b));
                adam.setLearningRate(learningRate(settings, step, total));
                Var loss = batchLoss(encoder, data, heads, idx);
                loss.backward();
                adam.step();
                adam.zeroGrad();
                float l = loss.value().item();
                if (!Float.isFinite(l))
                    throw new IllegalStateException(label + ": loss became " + l + " at step " + step + "; lower the learning rate");
                sum += l * idx.length;
                step++;
                line.update(step, epoch + 1, sum / Math.min(n, (k + 1) * b));
                boolean epochDone = k == perEpoch - 1;
                if (epochDone) {
                    if (epoch == 0) first = sum / n;
                    last = sum / n;
                }
                Map<String, Tensor> values = new LinkedHashMap<>();
                named.forEach((name, v) -> values.put(name, v.value()));
                hook.afterStep(new State(step, step / perEpoch, step % perEpoch, values, adam.state(), epochDone ? 0 : sum, first, last), step == total);
            }
        }
        line.finish(last);
        Map<String, Tensor> out = new LinkedHashMap<>();
        weights.forEach((k, v) -> out.put(k, v.value()));
        return new Result(out, step, first, last, (System.nanoTime() - start) / 1e9);
    }

    /** Puts a saved state back: parameter values by name (shapes checked) and the optimiser's state. */
    private static void restore(State from, Map<String, Var> named, Adam adam, int perEpoch, int total) {
        if (from.step() < 0 || from.step() > total || from.epoch() != from.step() / perEpoch || from.batchInEpoch() != from.step() % perEpoch)
            throw new IllegalArgumentException("the saved state is at step " + from.step() + " (epoch " + from.epoch() + ", batch " + from.batchInEpoch()
                    + "), not a position of this run (" + perEpoch + " batches an epoch, " + total + " steps)");
        named.forEach((name, v) -> {
            Tensor t = from.parameters().get(name);
            if (t == null || !Arrays.equals(t.shape(), v.value().shape()))
                throw new IllegalArgumentException("the saved state has " + (t == null ? "no parameter " + name : "parameter " + name + " of shape "
                        + Arrays.toString(t.shape()) + " where the model has " + Arrays.toString(v.value().shape())));
            v.setValue(t);
        });
        if (from.parameters().size() != named.size())
            throw new IllegalArgumentException("the saved state has " + from.parameters().size() + " parameters, the model " + named.size());
        adam.loadState(from.optimizer());
    }

    /** Mean cross-entropy over the batch, each example through its own head. */
    static Var batchLoss(ClipVisionEncoder encoder, Examples data, List<Head> heads, int[] idx) {
        int[] labels = new int[idx.length], which = new int[idx.length];
        for (int i = 0; i < idx.length; i++) {
            labels[i] = data.labels()[idx[i]];
            which[i] = data.heads()[idx[i]];
        }
        Var features = encoder.forward(data.pixels().indexSelect(0, idx));
        if (Arrays.stream(which).allMatch(h -> h == which[0]))
            return Losses.crossEntropy(heads.get(which[0]).logits(features), labels);
        Var loss = null;
        for (int h = 0; h < heads.size(); h++) {
            int hh = h;
            int[] rows = java.util.stream.IntStream.range(0, idx.length).filter(i -> which[i] == hh).toArray();
            if (rows.length == 0) continue;
            int[] lb = Arrays.stream(rows).map(i -> labels[i]).toArray();
            Var part = Losses.crossEntropy(heads.get(h).logits(features.indexSelect(0, rows)), lb).mul((float) rows.length / idx.length);
            loss = loss == null ? part : loss.add(part);
        }
        return loss;
    }

    /** A seeded Fisher-Yates permutation of 0..n-1. */
    static int[] shuffle(int n, long seed) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1), t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    /** The progress line: step/total, epoch, running loss, images/s and ETA, redrawn at most every 2 s. */
    private final class Line {
        private final PrintWriter out;
        private final String what;
        private final int total, from;
        private final long start = System.nanoTime();
        private long last = start;
        private boolean shown;

        /** @param from the step the run starts after (a resumed run's), for the rate and ETA */
        Line(PrintWriter out, String what, int total, int from) {
            this.out = out;
            this.what = what;
            this.total = total;
            this.from = from;
        }

        void update(int step, int epoch, double loss) {
            long now = System.nanoTime();
            if (out == null || now - last < 2_000_000_000L) return;
            last = now;
            shown = true;
            double s = (now - start) / 1e9;
            long eta = Math.round(s / (step - from) * (total - step));
            out.printf(Locale.ROOT, "\r%s: step %d/%d  epoch %d/%d  loss %.4f  %.0f img/s  ETA %d:%02d   ", what, step, total,
                    epoch, settings.epochs(), loss, (step - from) * settings.batch() / s, eta / 60, eta % 60);
            out.flush();
        }

        void finish(double loss) {
            if (out == null) return;
            double s = (System.nanoTime() - start) / 1e9;
            out.printf(Locale.ROOT, "%s%s: %d steps, final epoch loss %.4f, %.0f s%n", shown ? "\r" : "", what, total, loss, s);
            out.flush();
        }
    }
}
