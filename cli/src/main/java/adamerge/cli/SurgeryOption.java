package adamerge.cli;

import adamerge.merging.Surgery;
import adamerge.tensor.Backend;
import adamerge.tensor.Tensor;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.util.function.UnaryOperator;

/** {@code --surgery FILE [--task NAME]} of {@code eval} and {@code encode}: a Representation Surgery module after the encoder. */
public final class SurgeryOption {
    @Option(names = "--surgery", paramLabel = "FILE", description = {"A Representation Surgery file (merge --surgery writes it beside --out):",
            "the task's module corrects the encoder's features before the head (eval) or the output (encode)."})
    Path file;

    @Option(names = "--task", paramLabel = "NAME", description = {"The task whose surgery module to apply: needed when the file holds several",
            "and, for eval, the head's name (head_NAME or NAME.safetensors) is not one of them."})
    String task;

    /** True when --surgery was given. */
    boolean given() {
        return file != null;
    }

    /** An input for the pre-flight checks (null when absent). */
    Path file() {
        return file;
    }

    /**
     * The chosen task's correction of features, identity without --surgery. {@code headName} (may
     * be null) is tried when --task is absent and the file holds several tasks; {@code model} and
     * {@code width} name the encoder that must give the features the surgery takes.
     */
    UnaryOperator<Tensor> correction(Path model, int width, String headName, Backend backend) throws IOException {
        if (file == null) {
            if (task != null) throw new IllegalArgumentException("--task " + task + " chooses a surgery module: give --surgery FILE too");
            return UnaryOperator.identity();
        }
        Surgery s = Surgery.read(file);
        if (s.dim() != width)
            throw new IllegalArgumentException("--surgery " + file + " takes " + s.dim() + "-dim features but " + model + " gives " + width
                    + "-dim ones: it was trained on another model");
        String name = task;
        if (name == null) {
            if (s.tasks().size() == 1) name = s.tasks().getFirst();
            else if (headName != null && s.tasks().contains(headName)) name = headName;
            else throw new IllegalArgumentException("--surgery " + file + " holds " + s.tasks() + ": choose one with --task");
        }
        int k;
        try {
            k = s.task(name);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--surgery " + file + ": " + e.getMessage());
        }
        Surgery onDevice = s.to(backend);
        return f -> onDevice.apply(k, f);
    }
}
