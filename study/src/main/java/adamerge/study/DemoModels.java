package adamerge.study;

import adamerge.tensor.Tensor;
import adamerge.vit.ClassificationHead;
import adamerge.vit.ClipCheckpoint;
import adamerge.vit.VitConfig;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The demo's checkpoints, read from a folder laid out as
 * <pre>
 *   config.json                     CLIPVisionConfig of the small ViT
 *   pretrained.safetensors          the pretrained encoder (open_clip keys, visual. prefix)
 *   heads/&lt;task&gt;.safetensors        weight [classes, dim], bias [classes]
 *   finetuned/&lt;task&gt;.safetensors    one fine-tuned encoder per task
 *   mtl.safetensors                 the Traditional-MTL encoder
 * </pre>
 * Weights are kept in the stored layout ("source"), as the merging methods take them; the
 * encoder's canonical layout comes from {@link #canonical}.
 */
public record DemoModels(Path dir, VitConfig config, ClipCheckpoint pretrained, Map<String, Tensor> preSource,
                         Map<String, Map<String, Tensor>> finetuned, Map<String, Tensor> mtlSource,
                         Map<String, ClassificationHead> heads) {

    /** The files of the layout that are missing in {@code dir} (empty when complete). */
    public static List<Path> missing(Path dir, List<String> tasks) {
        List<Path> need = new ArrayList<>(List.of(dir.resolve("config.json"), dir.resolve("pretrained.safetensors"), dir.resolve("mtl.safetensors")));
        for (String t : tasks) {
            need.add(dir.resolve("heads").resolve(t + ".safetensors"));
            need.add(dir.resolve("finetuned").resolve(t + ".safetensors"));
        }
        return need.stream().filter(p -> !Files.isRegularFile(p)).toList();
    }

    public static DemoModels load(Path dir, List<String> tasks) throws IOException {
        List<Path> miss = missing(dir, tasks);
        if (!miss.isEmpty())
            throw new IOException(dir + ": demo checkpoints incomplete, missing " + miss + " (run `adamerge demo` without --models to build them)");
        Path config = dir.resolve("config.json");
        ClipCheckpoint pre = ClipCheckpoint.load(dir.resolve("pretrained.safetensors"), config);
        Map<String, Map<String, Tensor>> ft = new LinkedHashMap<>();
        Map<String, ClassificationHead> heads = new LinkedHashMap<>();
        for (String t : tasks) {
            ft.put(t, pre.sourceOf(ClipCheckpoint.load(dir.resolve("finetuned").resolve(t + ".safetensors"), config)));
            ClassificationHead h = ClassificationHead.load(dir.resolve("heads").resolve(t + ".safetensors"));
            if (h.inputDim() != pre.config().outputDim())
                throw new IOException(dir.resolve("heads").resolve(t + ".safetensors") + ": head takes " + h.inputDim()
                        + "-dim features but the encoder gives " + pre.config().outputDim());
            heads.put(t, h);
        }
        Map<String, Tensor> mtl = pre.sourceOf(ClipCheckpoint.load(dir.resolve("mtl.safetensors"), config));
        return new DemoModels(dir, pre.config(), pre, pre.source(), ft, mtl, heads);
    }

    /** The fine-tuned encoders of {@code tasks}, in that order (stored layout). */
    public List<Map<String, Tensor>> finetuned(List<String> tasks) {
        return tasks.stream().map(finetuned::get).toList();
    }

    public List<ClassificationHead> heads(List<String> tasks) {
        return tasks.stream().map(heads::get).toList();
    }

    /** Encoder weights (stored layout), parameter count. */
    public long parameters() {
        long n = 0;
        for (Tensor t : preSource.values()) n += t.numel();
        return n;
    }
}
