package adamerge.cli;

import adamerge.bench.DeviceOption;
import adamerge.output.Progress;
import adamerge.tensor.Backend;
import adamerge.tensor.Backends;
import adamerge.tensor.DType;
import adamerge.tensor.Tensor;
import adamerge.vit.ClipCheckpoint;
import adamerge.vit.ClipVisionEncoder;
import adamerge.vit.VitConfig;
import adamerge.vit.data.ImageDataSet;
import adamerge.vit.io.SafetensorsWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.UnaryOperator;

/** {@code adamerge encode}: image embeddings of a data set, written as safetensors. */
@Command(name = "encode", mixinStandardHelpOptions = true,
        description = {"Encodes images with a CLIP image encoder and writes image_embeds [N, out_dim] (F32, after ln_post and the",
                "projection, not normalised) to a .safetensors file, with the data set's labels (I64) when it has them."})
public final class EncodeCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "PATH", description = "Encoder checkpoint: .safetensors, .pt/.bin, or a HF folder.")
    Path model;

    @Option(names = "--config", paramLabel = "FILE", description = "Model config: a config.json or a built-in name (vit-b-32, vit-b-16, vit-l-14).")
    Path config;

    @Option(names = "--input", required = true, paramLabel = "DATA",
            description = "Images: a folder of class folders, a flat folder, or a .safetensors file with pixel_values [N,3,S,S].")
    Path input;

    @Option(names = "--out", required = true, paramLabel = "FILE.safetensors", description = "Output file (written atomically).")
    Path out;

    @Option(names = "--batch", defaultValue = "32", paramLabel = "N", description = "Images per forward pass (default: ${DEFAULT-VALUE}).")
    int batch;

    @Mixin
    DeviceOption device;

    @Mixin
    SurgeryOption surgery;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        new InputsAndOutputs().input("--model", model).input("--input", input).input("--config", config).input("--surgery", surgery.file())
                .output("--out", out)
                .check(spec.commandLine().getErr());
        Backend backend = device.backend();
        if (batch < 1) throw new IllegalArgumentException("--batch must be at least 1, got " + batch);
        try (Backends.Scope onDevice = Backends.use(backend)) {
            ClipCheckpoint ck = ClipCheckpoint.load(model, config);
            VitConfig cfg = ck.config();
            UnaryOperator<Tensor> correction = surgery.correction(model, cfg.outputDim(), null, backend);
            ImageDataSet data = ImageDataSet.open(input, cfg.imageSize());
            Tensor embeds = encodeAll(ck.encoder(), correction, data, batch,
                    new Progress(spec.commandLine().getErr(), "images", data.size()));

            Map<String, String> meta = new LinkedHashMap<>();
            meta.put("model", model.toString());
            meta.put("input", input.toString());
            meta.put("adamerge.config", cfg.toHuggingFaceJson());
            if (surgery.given()) meta.put("surgery", surgery.file().toString());
            Map<String, long[]> longs = new LinkedHashMap<>();
            if (data.hasLabels()) longs.put("labels", java.util.Arrays.stream(data.labels()).asLongStream().toArray());
            SafetensorsWriter.write(out, Map.of("image_embeds", embeds), meta, longs, DType.F32);
            spec.commandLine().getOut().printf("wrote %s: image_embeds [%d, %d]%n", out, embeds.dim(0), embeds.dim(1));
            return 0;
        }
    }


    /** Features [N, out] of every image of {@code data}, in batches, each batch through {@code correction}. */
    static Tensor encodeAll(ClipVisionEncoder encoder, UnaryOperator<Tensor> correction, ImageDataSet data, int batch, Progress progress) {
        int n = data.size(), d = encoder.config().outputDim();
        float[] all = new float[n * d];
        for (int from = 0; from < n; from += batch) {
            int to = Math.min(n, from + batch);
            float[] f = correction.apply(encoder.encode(data.batch(from, to))).toArray();
            System.arraycopy(f, 0, all, from * d, f.length);
            progress.update(to);
        }
        progress.finish();
        return Tensor.of(all, n, d);
    }
}
