package adamerge.vit;

import adamerge.autograd.NoGrad;
import adamerge.autograd.Var;
import adamerge.tensor.Tensor;
import adamerge.vit.data.ImageDataSet;

import java.util.function.IntConsumer;
import java.util.function.UnaryOperator;

/**
 * A head's logits on every image of a data set, with what is read from them: top-1 accuracy,
 * the Shannon entropy of each softmax (the quantity AdaMerging minimises, Eq. 7 of the paper)
 * and the cross-entropy against the true label. The one evaluation path: {@code adamerge eval},
 * {@code merge --report}, the merging diagnostics and the demo study all read their figures here.
 *
 * @param labels the true classes, or null for unlabeled images
 */
public record Predictions(String task, int classes, float[] logits, int[] labels) {

    /**
     * Runs the encoder and the head over all images (no graph), {@code batch} at a time;
     * {@code progress} (may be null) hears the number of images done after each batch.
     */
    public static Predictions of(ClipVisionEncoder encoder, ClassificationHead head, ImageDataSet images, int batch, IntConsumer progress) {
        return of(encoder, UnaryOperator.identity(), head, images, batch, progress);
    }

    /**
     * The same with {@code afterEncoder} applied to each batch's features before the head: a
     * task-specific module between them, as Representation Surgery's.
     */
    public static Predictions of(ClipVisionEncoder encoder, UnaryOperator<Tensor> afterEncoder, ClassificationHead head, ImageDataSet images,
                                 int batch, IntConsumer progress) {
        int n = images.size(), c = head.classes();
        if (!images.classNames().isEmpty() && images.classNames().size() != c)
            throw new IllegalArgumentException(images.source() + " has " + images.classNames().size() + " classes but head '" + head.name() + "' has " + c);
        int[] labels = images.hasLabels() ? images.labels() : null;
        if (labels != null)
            for (int i = 0; i < n; i++)
                if (labels[i] < 0 || labels[i] >= c)
                    throw new IllegalArgumentException("label " + labels[i] + " of image " + i + (images.file(i) != null ? " (" + images.file(i) + ")" : "")
                            + " is out of range for a head of " + c + " classes");
        float[] z = new float[n * c];
        for (int from = 0; from < n; from += batch) {
            int to = Math.min(n, from + batch);
            try (NoGrad ignored = NoGrad.enter()) {
                float[] part = head.logits(Var.constant(afterEncoder.apply(encoder.encode(images.batch(from, to))))).value().toArray();
                System.arraycopy(part, 0, z, from * c, part.length);
            }
            if (progress != null) progress.accept(to);
        }
        return new Predictions(images.source().toString(), c, z, labels);
    }

    public int size() {
        return logits.length / classes;
    }

    public boolean labelled() {
        return labels != null;
    }

    /** The top-1 class of image {@code i} (the first of equal maxima). */
    public int predicted(int i) {
        int best = 0;
        for (int k = 1; k < classes; k++) if (logits[i * classes + k] > logits[i * classes + best]) best = k;
        return best;
    }

    /** The top-1 class of every image. */
    public int[] predicted() {
        int[] out = new int[size()];
        for (int i = 0; i < out.length; i++) out[i] = predicted(i);
        return out;
    }

    /** How many images are classified correctly. */
    public int correct() {
        requireLabels();
        int right = 0;
        for (int i = 0; i < size(); i++) if (predicted(i) == labels[i]) right++;
        return right;
    }

    /** Top-1 accuracy as a fraction. */
    public double accuracy() {
        return (double) correct() / size();
    }

    /**
     * Top-1 accuracy in percent, as 100 * correct / n (not 100 * accuracy(): that rounds differently,
     * 41.099999999999994 for 411 of 1000, and moves a reported 62.35 average to 62.3).
     */
    public double accuracyPercent() {
        return 100.0 * correct() / size();
    }

    /** H(p) = -sum_c p_c log p_c of softmax(z_i), in nats. */
    public double entropy(int i) {
        double lse = logSumExp(i);
        double h = 0;
        for (int k = 0; k < classes; k++) {
            double logP = logits[i * classes + k] - lse;
            h -= Math.exp(logP) * logP;
        }
        return h;
    }

    /** -log softmax(z_i)[label_i], in nats. */
    public double crossEntropy(int i) {
        requireLabels();
        return logSumExp(i) - logits[i * classes + labels[i]];
    }

    public double meanEntropy() {
        double s = 0;
        for (int i = 0; i < size(); i++) s += entropy(i);
        return s / size();
    }

    private double logSumExp(int i) {
        double max = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < classes; k++) max = Math.max(max, logits[i * classes + k]);
        double s = 0;
        for (int k = 0; k < classes; k++) s += Math.exp(logits[i * classes + k] - max);
        return max + Math.log(s);
    }

    private void requireLabels() {
        if (labels == null) throw new IllegalStateException(task + " has no labels");
    }
}
