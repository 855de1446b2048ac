package adamerge.demo.study;

import adamerge.autograd.NoGrad;
import adamerge.autograd.Var;
import adamerge.cli.Progress;
import adamerge.vit.ClassificationHead;
import adamerge.vit.ClipVisionEncoder;

/**
 * A head's logits on every image of one task, with top-1 accuracy, per-sample Shannon entropy
 * of the softmax and per-sample cross-entropy against the true label.
 */
public record Predictions(String task, int classes, float[] logits, int[] labels) {

    /** Runs the encoder and the task's head over all images (no graph), {@code batch} at a time. */
    public static Predictions of(ClipVisionEncoder encoder, ClassificationHead head, TaskImages images, int batch, Progress progress) {
        int n = images.size(), c = head.classes();
        if (c != images.classes())
            throw new IllegalArgumentException("head '" + head.name() + "' has " + c + " classes but task " + images.task() + " has " + images.classes());
        float[] z = new float[n * c];
        for (int from = 0; from < n; from += batch) {
            int to = Math.min(n, from + batch);
            try (NoGrad ignored = NoGrad.enter()) {
                float[] part = head.logits(Var.constant(encoder.encode(images.batch(from, to)))).value().toArray();
                System.arraycopy(part, 0, z, from * c, part.length);
            }
            if (progress != null) progress.update(to);
        }
        return new Predictions(images.task(), c, z, images.labels());
    }

    public int size() {
        return labels.length;
    }

    public int predicted(int i) {
        int best = 0;
        for (int k = 1; k < classes; k++) if (logits[i * classes + k] > logits[i * classes + best]) best = k;
        return best;
    }

    /** Top-1 accuracy in percent. */
    public double accuracyPercent() {
        int correct = 0;
        for (int i = 0; i < size(); i++) if (predicted(i) == labels[i]) correct++;
        return 100.0 * correct / size();
    }

    /** H(p) = -sum_c p_c log p_c of softmax(z_i), in nats (the quantity AdaMerging minimises, Eq. 7). */
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
}
