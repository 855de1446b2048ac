package adamerge.cli;

import adamerge.training.Heads;
import adamerge.training.Trainer;
import adamerge.vit.ClassificationHead;
import adamerge.vit.ClipCheckpoint;
import adamerge.vit.VitConfig;
import adamerge.vit.data.ImageDataSet;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code adamerge heads}: a frozen classification head of class prototypes (the demo's zero-shot heads). */
@Command(name = "heads", mixinStandardHelpOptions = true,
        description = {"Builds a frozen classification head from an encoder and labelled training images: each class's row is the",
                "mean of its images' L2-normalised features, re-normalised, times the logit scale (bias 0). Written as",
                ".safetensors with weight [classes, out_dim] and bias [classes], the form task_vectors' CLIP heads have."})
public final class HeadsCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "PATH", description = "Encoder checkpoint (normally the pretrained one).")
    Path model;

    @Option(names = "--config", paramLabel = "FILE", description = "Model config: a config.json or a built-in name.")
    Path config;

    @Option(names = "--data", required = true, paramLabel = "DATA",
            description = "Labelled training images: a .safetensors with pixel_values and labels, or a folder of class folders.")
    Path data;

    @Option(names = "--out", required = true, paramLabel = "HEAD.safetensors", description = "Output file (written atomically).")
    Path out;

    @Option(names = "--logit-scale", defaultValue = "0", paramLabel = "S",
            description = "Length of each class row (CLIP's exp(logit_scale) is 100); 0 (default) calibrates it on the given images.")
    float logitScale;

    @Option(names = "--shots", defaultValue = "0", paramLabel = "N",
            description = "Average only the first N images of each class into its prototype (0, the default: all; the scale is still calibrated on all).")
    int shots;

    @Option(names = "--classes", paramLabel = "N", description = "Number of classes (default: the data set's class names, else the largest label + 1).")
    Integer classes;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        if (!(logitScale >= 0)) throw new IllegalArgumentException("--logit-scale must be positive (or 0 to calibrate), got " + logitScale);
        new InputsAndOutputs().input("--model", model).input("--data", data).input("--config", config).output("--out", out)
                .check(spec.commandLine().getErr());
        ClipCheckpoint ck = ClipCheckpoint.load(model, config);
        VitConfig cfg = ck.config();
        ImageDataSet ds = ImageDataSet.open(data, cfg.imageSize());
        if (!ds.hasLabels()) throw new IOException(data + ": the data set has no labels; heads need labelled images");
        int[] labels = ds.labels();
        int k = classes != null ? classes : !ds.classNames().isEmpty() ? ds.classNames().size() : Arrays.stream(labels).max().orElse(-1) + 1;
        String name = out.getFileName().toString().replaceFirst("\\.[^.]*$", "");
        ClassificationHead head = Heads.prototypes(name, cfg, ck.canonical(), Trainer.Examples.of(ds, k).pixels(), labels, k, shots, logitScale);
        Heads.write(head, out);
        spec.commandLine().getOut().printf(Locale.ROOT, "wrote %s: weight [%d, %d] from %d images, logit scale %.2f%s%n", out, k,
                cfg.outputDim(), labels.length, head.weight().get(0, 0) == 0 ? 0f : Math.sqrt(head.weight().mul(head.weight()).sum(1, false).get(0)),
                logitScale > 0 ? "" : " (calibrated on these images)");
        return 0;
    }

}
