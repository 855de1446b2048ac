package adamerge.training;

import adamerge.tensor.Tensor;
import adamerge.vit.ClassificationHead;
import adamerge.vit.ClipVisionEncoder;
import adamerge.vit.VitConfig;
import adamerge.vit.io.SafetensorsWriter;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The demo's analogue of CLIP's zero-shot heads. CLIP's head for a task is {@code 100 x} the
 * normalised text embeddings of its class names; our pretrained encoder has no text tower, so a
 * class is represented by the prototype of its train images instead:
 * <pre>
 *   p_c = mean over train images x of class c of  f(x) / |f(x)|      (f = pretrained encoder)
 *   W[c] = logitScale * p_c / |p_c|,   bias = 0
 * </pre>
 * Logits are then {@code logitScale x} the cosine between an image and each prototype, as CLIP's
 * are between an image and each class text.
 */
public final class Heads {
    private Heads() {
    }

    /**
     * A logit scale of 0 asks for calibration: the scale that minimises the pretrained model's
     * cross-entropy on the task's TRAIN images (temperature scaling). CLIP's fixed 100 fits
     * cosines between images and text; between an image and prototypes of the same feature space
     * the cosine gaps are several times larger, and 100 made every softmax nearly one-hot (mean
     * entropy 0.24 nats at 38% accuracy on mnist): entropy then says nothing about correctness,
     * which is the premise of AdaMerging. No test data is used.
     */
    public static final float LOGIT_SCALE = 0f;
    /** Images per encoder forward pass when only features are needed. */
    public static final int EVAL_BATCH = 250;

    public static ClassificationHead prototypes(String name, VitConfig config, Map<String, Tensor> encoder, Tensor pixels,
                                                int[] labels, int classes, float logitScale) {
        return prototypes(name, config, encoder, pixels, labels, classes, 0, logitScale);
    }

    /**
     * As above, with each prototype the mean of only the first {@code shots} images of its class
     * (0: all of them); the logit scale is still calibrated on every image. Few-shot prototypes
     * are the demo's analogue of CLIP's text heads: built without the task's training set, they
     * point roughly, not exactly, where the pretrained features of a class lie, so the zero-shot
     * model is weaker than its features allow and fine-tuning gains much by small moves.
     */
    public static ClassificationHead prototypes(String name, VitConfig config, Map<String, Tensor> encoder, Tensor pixels,
                                                int[] labels, int classes, int shots, float logitScale) {
        if (classes < 1) throw new IllegalArgumentException("head '" + name + "' needs at least one class");
        if (shots < 0) throw new IllegalArgumentException("head '" + name + "': shots must be >= 0 (0 = all images), got " + shots);
        float[] f = normalisedRows(features(config, encoder, pixels)).toArray();
        int d = config.outputDim();
        float[] w = new float[classes * d];
        int[] count = new int[classes];
        for (int i = 0; i < labels.length; i++) {
            int c = labels[i];
            if (c < 0 || c >= classes) throw new IllegalArgumentException("head '" + name + "': label " + c + " outside 0.." + (classes - 1));
            if (shots > 0 && count[c] == shots) continue;
            count[c]++;
            for (int j = 0; j < d; j++) w[c * d + j] += f[i * d + j];
        }
        for (int c = 0; c < classes; c++) {
            if (count[c] == 0)
                throw new IllegalArgumentException("head '" + name + "': class " + c + " has no training images, so it has no prototype");
            double norm = 0;
            for (int j = 0; j < d; j++) norm += (double) w[c * d + j] * w[c * d + j];
            float s = (float) (1 / Math.sqrt(norm));
            for (int j = 0; j < d; j++) w[c * d + j] *= s;
        }
        float scale = logitScale > 0 ? logitScale : calibratedScale(f, labels, w, classes, d);
        for (int i = 0; i < w.length; i++) w[i] *= scale;
        return new ClassificationHead(name, Tensor.of(w, classes, d), Tensor.zeros(classes));
    }

    /**
     * The scale s minimising the mean cross-entropy of softmax(s cos(f, p)) on the given
     * (normalised) features: the NLL is convex in s, so a golden-section search over log s in
     * [0.1, 1000] finds it.
     */
    static float calibratedScale(float[] f, int[] labels, float[] unitPrototypes, int classes, int d) {
        int n = labels.length;
        double[] cos = new double[n * classes];
        for (int i = 0; i < n; i++)
            for (int c = 0; c < classes; c++) {
                double dot = 0;
                for (int j = 0; j < d; j++) dot += (double) f[i * d + j] * unitPrototypes[c * d + j];
                cos[i * classes + c] = dot;
            }
        java.util.function.DoubleUnaryOperator nll = logS -> {
            double s = Math.exp(logS), total = 0;
            for (int i = 0; i < n; i++) {
                double max = Double.NEGATIVE_INFINITY, sum = 0;
                for (int c = 0; c < classes; c++) max = Math.max(max, s * cos[i * classes + c]);
                for (int c = 0; c < classes; c++) sum += Math.exp(s * cos[i * classes + c] - max);
                total += max + Math.log(sum) - s * cos[i * classes + labels[i]];
            }
            return total / n;
        };
        double lo = Math.log(0.1), hi = Math.log(1000), g = (Math.sqrt(5) - 1) / 2;
        double a = hi - g * (hi - lo), b = lo + g * (hi - lo), fa = nll.applyAsDouble(a), fb = nll.applyAsDouble(b);
        for (int it = 0; it < 60; it++) {
            if (fa < fb) {
                hi = b; b = a; fb = fa; a = hi - g * (hi - lo); fa = nll.applyAsDouble(a);
            } else {
                lo = a; a = b; fa = fb; b = lo + g * (hi - lo); fb = nll.applyAsDouble(b);
            }
        }
        return (float) Math.exp((lo + hi) / 2);
    }

    /** Writes {@code weight} [classes, dim] and {@code bias} [classes] (F32), atomically; {@link ClassificationHead#load} reads it. */
    public static void write(ClassificationHead head, Path file) throws IOException {
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("weight", head.weight());
        m.put("bias", head.bias() != null ? head.bias() : Tensor.zeros(head.classes()));
        SafetensorsWriter.write(file, m, Map.of("format", "pt", "adamerge.head", "class prototypes x " + head.weight()
                .mul(head.weight()).sum(1, false).sqrt().get(0)));
    }

    /** Encoder features [N, outputDim] of normalised images [N, 3, S, S], in batches without a graph. */
    public static Tensor features(VitConfig config, Map<String, Tensor> encoder, Tensor pixels) {
        ClipVisionEncoder enc = ClipVisionEncoder.frozen(config, encoder);
        int n = pixels.dim(0), d = config.outputDim();
        float[] all = new float[n * d];
        for (int from = 0; from < n; from += EVAL_BATCH) {
            int to = Math.min(n, from + EVAL_BATCH);
            float[] f = enc.encode(pixels.slice(0, from, to).contiguous()).toArray();
            System.arraycopy(f, 0, all, from * d, f.length);
        }
        return Tensor.of(all, n, d);
    }

    private static Tensor normalisedRows(Tensor f) {
        return f.div(f.mul(f).sum(1, true).sqrt());
    }
}
