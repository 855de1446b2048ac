package adamerge.study;

import adamerge.study.data.DemoTasks;
import adamerge.study.data.ImageSet;
import adamerge.tensor.Tensor;
import adamerge.vit.ClipWeights;
import adamerge.vit.VitConfig;
import adamerge.vit.io.SafetensorsWriter;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Stand-in demo checkpoints in the shipped layout (config.json, pretrained, heads, fine-tuned,
 * mtl): random CLIP weights, "fine-tuned" ones a small seeded perturbation away, random heads.
 * They exercise every code path of the study without any training.
 */
final class StandInModels {
    private StandInModels() {
    }

    static final VitConfig TINY = new VitConfig(32, 16, 32, 2, 2, 64, 16, VitConfig.Activation.QUICK_GELU, 1e-5f);

    static void write(Path dir, VitConfig cfg) throws IOException {
        Files.createDirectories(dir.resolve("heads"));
        Files.createDirectories(dir.resolve("finetuned"));
        Files.writeString(dir.resolve("config.json"), cfg.toHuggingFaceJson());
        Map<String, Tensor> pre = ClipWeights.random(cfg, 1);
        encoder(dir.resolve("pretrained.safetensors"), pre);
        encoder(dir.resolve("mtl.safetensors"), perturbed(pre, 500, 0.01f));
        int k = 0;
        for (String task : DemoTasks.NAMES) {
            encoder(dir.resolve("finetuned").resolve(task + ".safetensors"), perturbed(pre, 100 + 10L * k, 0.02f));
            SafetensorsWriter.write(dir.resolve("heads").resolve(task + ".safetensors"),
                    Map.of("weight", Tensor.randn(900 + k, 10, cfg.outputDim()).mul(10f), "bias", Tensor.zeros(10)));
            k++;
        }
    }

    private static Map<String, Tensor> perturbed(Map<String, Tensor> pre, long seed, float scale) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        long s = seed;
        for (Map.Entry<String, Tensor> e : pre.entrySet()) out.put(e.getKey(), e.getValue().add(Tensor.randn(s++, e.getValue().shape()).mul(scale)));
        return out;
    }

    private static void encoder(Path file, Map<String, Tensor> canonical) throws IOException {
        Map<String, Tensor> m = new LinkedHashMap<>();
        canonical.forEach((k, v) -> m.put("visual." + k, v));
        SafetensorsWriter.write(file, m);
    }

    /** Offline task data: every task, real ones included, drawn from a synthetic generator and renamed. */
    static DemoTasks.Split syntheticSplit(String task, int train, int test, long seed) {
        String generator = DemoTasks.isSynthetic(task) ? task : task.equals("mnist") ? "svhn-like" : "gtsrb-like";
        var g = DemoTasks.synthetic(generator);
        ImageSet tr = g.generate(train, seed * 2 + 1 + task.hashCode()), te = g.generate(test, seed * 2 + 7 + task.hashCode());
        return new DemoTasks.Split(new ImageSet(task, tr.classNames(), tr.pixels(), tr.labels()),
                new ImageSet(task, te.classNames(), te.pixels(), te.labels()));
    }

    /** Writes stand-ins with the given config into args[0] (for timing the demo before real checkpoints exist). */
    public static void main(String[] args) throws IOException {
        VitConfig cfg = args.length > 1 && args[1].equals("demo")
                ? new VitConfig(32, 8, 128, 4, 4, 512, 64, VitConfig.Activation.QUICK_GELU, 1e-5f) : TINY;
        write(Path.of(args[0]), cfg);
    }
}
