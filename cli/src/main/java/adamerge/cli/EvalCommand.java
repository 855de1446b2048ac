package adamerge.cli;

import adamerge.autograd.NoGrad;
import adamerge.autograd.Var;
import adamerge.tensor.Tensor;
import adamerge.vit.ClassificationHead;
import adamerge.vit.ClipCheckpoint;
import adamerge.vit.ClipVisionEncoder;
import adamerge.vit.VitConfig;
import adamerge.vit.data.ImageDataSet;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code adamerge eval}: top-1 accuracy and mean prediction entropy of an encoder + head on a data set. */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = {"Evaluates an encoder with a classification head: top-1 accuracy (when the data has labels) and the",
                "mean entropy (nats) of the head's softmax, the quantity AdaMerging minimises."})
public final class EvalCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "PATH", description = "Encoder checkpoint: .safetensors, .pt/.bin, or a HF folder.")
    Path model;

    @Option(names = "--config", paramLabel = "FILE", description = "Model config: a config.json or a built-in name (vit-b-32, vit-b-16, vit-l-14).")
    Path config;

    @Option(names = "--head", required = true, paramLabel = "FILE",
            description = "Head: .safetensors with weight [classes, dim] (+ optional bias), or task_vectors' head_<Task>.pt.")
    Path head;

    @Option(names = "--data", required = true, paramLabel = "DATA",
            description = "Images: a folder of class folders, a flat folder, or a .safetensors file with pixel_values (+ labels).")
    Path data;

    @Option(names = "--batch", defaultValue = "32", paramLabel = "N", description = "Images per forward pass (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--json", description = "Print one JSON object {\"accuracy\", \"mean_entropy\", \"n\"}.")
    boolean json;

    @Mixin
    DeviceOption device;

    @Spec
    CommandSpec spec;

    /** Correct predictions (of the labelled images) and the summed entropy over all images. */
    record Result(int n, int correct, boolean labelled, double entropySum) {
        double accuracy() {
            return (double) correct / n;
        }

        double meanEntropy() {
            return entropySum / n;
        }
    }

    @Override
    public Integer call() throws IOException {
        device.activate();
        if (batch < 1) throw new IllegalArgumentException("--batch must be at least 1, got " + batch);
        ClipCheckpoint ck = ClipCheckpoint.load(model, config);
        VitConfig cfg = ck.config();
        ClassificationHead h = ClassificationHead.load(head);
        adamerge.tensor.Backend backend = adamerge.tensor.Backends.current();
        h = new ClassificationHead(h.name(), h.weight().to(backend), h.bias() == null ? null : h.bias().to(backend));
        if (h.inputDim() != cfg.outputDim())
            throw new IllegalArgumentException(head + ": head takes " + h.inputDim() + "-dim features but " + model + " gives " + cfg.outputDim());
        ImageDataSet ds = ImageDataSet.open(data, cfg.imageSize());
        if (!ds.classNames().isEmpty() && ds.classNames().size() != h.classes())
            throw new IllegalArgumentException(data + " has " + ds.classNames().size() + " classes but " + head + " has " + h.classes());

        Result r = evaluate(ClipVisionEncoder.frozen(cfg, EncodeCommand.onDevice(ck.canonical())), h, ds, batch, new Progress(spec.commandLine().getErr(), "images", ds.size()));
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.printf(Locale.ROOT, "{\"accuracy\":%s,\"mean_entropy\":%.6f,\"n\":%d}%n",
                    r.labelled ? String.format(Locale.ROOT, "%.6f", r.accuracy()) : "null", r.meanEntropy(), r.n);
        } else {
            if (r.labelled) out.printf(Locale.ROOT, "accuracy      %.4f  (%d/%d)%n", r.accuracy(), r.correct, r.n);
            else out.printf("accuracy      n/a (%s has no labels)%n", data);
            out.printf(Locale.ROOT, "mean entropy  %.4f nats over %d images%n", r.meanEntropy(), r.n);
        }
        out.flush();
        return 0;
    }

    static Result evaluate(ClipVisionEncoder encoder, ClassificationHead head, ImageDataSet ds, int batch, Progress progress) {
        int n = ds.size(), c = head.classes(), correct = 0;
        int[] labels = ds.hasLabels() ? ds.labels() : null;
        double entropySum = 0;
        for (int from = 0; from < n; from += batch) {
            int to = Math.min(n, from + batch);
            float[] z;
            try (NoGrad ignored = NoGrad.enter()) {
                z = head.logits(Var.constant(encoder.encode(ds.batch(from, to)))).value().toArray();
            }
            for (int i = from; i < to; i++) {
                int o = (i - from) * c, best = 0;
                double max = Double.NEGATIVE_INFINITY;
                for (int k = 0; k < c; k++)
                    if (z[o + k] > max) {
                        max = z[o + k];
                        best = k;
                    }
                // H(p) = log sum exp(z - max) - sum p (z - max), with p = softmax(z)
                double sum = 0, dot = 0;
                for (int k = 0; k < c; k++) sum += Math.exp(z[o + k] - max);
                for (int k = 0; k < c; k++) dot += Math.exp(z[o + k] - max) / sum * (z[o + k] - max);
                entropySum += Math.log(sum) - dot;
                if (labels != null) {
                    if (labels[i] >= c)
                        throw new IllegalArgumentException("label " + labels[i] + " of image " + i
                                + (ds.file(i) != null ? " (" + ds.file(i) + ")" : "") + " is out of range for a head of " + c + " classes");
                    if (best == labels[i]) correct++;
                }
            }
            progress.update(to);
        }
        progress.finish();
        return new Result(n, correct, labels != null, entropySum);
    }
}
