package adamerge.cli;

import adamerge.bench.DeviceOption;
import adamerge.output.Progress;
import adamerge.tensor.Backend;
import adamerge.tensor.Backends;
import adamerge.vit.ClassificationHead;
import adamerge.vit.ClipCheckpoint;
import adamerge.vit.Predictions;
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

    @Mixin
    SurgeryOption surgery;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        Backend backend = device.backend();
        if (batch < 1) throw new IllegalArgumentException("--batch must be at least 1, got " + batch);
        try (Backends.Scope onDevice = Backends.use(backend)) {
            ClipCheckpoint ck = ClipCheckpoint.load(model, config);
            VitConfig cfg = ck.config();
            ClassificationHead h = ClassificationHead.load(head);
            h = h.to(backend);
            if (h.inputDim() != cfg.outputDim())
                throw new IllegalArgumentException(head + ": head takes " + h.inputDim() + "-dim features but " + model + " gives " + cfg.outputDim());
            ImageDataSet ds = ImageDataSet.open(data, cfg.imageSize());
            if (!ds.classNames().isEmpty() && ds.classNames().size() != h.classes())
                throw new IllegalArgumentException(data + " has " + ds.classNames().size() + " classes but " + head + " has " + h.classes());

            var correction = surgery.correction(model, cfg.outputDim(), h.name(), backend);

            Progress progress = new Progress(spec.commandLine().getErr(), "images", ds.size());
            Predictions r = Predictions.of(ck.encoder(), correction, h, ds, batch, progress::update);
            progress.finish();
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                out.printf(Locale.ROOT, "{\"accuracy\":%s,\"mean_entropy\":%.6f,\"n\":%d}%n",
                        r.labelled() ? String.format(Locale.ROOT, "%.6f", r.accuracy()) : "null", r.meanEntropy(), r.size());
            } else {
                if (r.labelled()) out.printf(Locale.ROOT, "accuracy      %.4f  (%d/%d)%n", r.accuracy(), r.correct(), r.size());
                else out.printf("accuracy      n/a (%s has no labels)%n", data);
                out.printf(Locale.ROOT, "mean entropy  %.4f nats over %d images%n", r.meanEntropy(), r.size());
            }
            out.flush();
            return 0;
        }
    }
}
