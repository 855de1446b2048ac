import adamerge.study.data.DemoTasks;
import adamerge.study.data.ImageSet;
import adamerge.study.models.DemoModel;
import adamerge.study.models.Recipe;
import adamerge.tensor.DType;
import adamerge.tensor.Tensor;
import adamerge.vit.io.SafetensorsWriter;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/**
 * Writes the demo's test images of every task (the 1000 per task that `bin/adamerge demo` adapts
 * on and scores, from the shipped recipe's data seed) as OUT/<task>.safetensors with
 * pixel_values [N,3,32,32] (CLIP-normalised, as the study feeds them) and labels, so that
 * `adamerge merge/eval --data` read the same images as the study.
 *
 * java --add-modules jdk.incubator.vector -cp "cli/target/adamerge.jar:cli/target/lib/*" scripts/surgery/ExportDemoTestSets.java OUT [PART]
 *
 * PART is TEST by default; VALIDATION gives the 1000 validation images per task instead (disjoint
 * from the test images; the held-out check of README's surgery section trains on them).
 */
public class ExportDemoTestSets {
    public static void main(String[] args) throws Exception {
        Path out = Path.of(args[0]);
        Files.createDirectories(out);
        DemoTasks.Part part = args.length > 1 ? DemoTasks.Part.valueOf(args[1]) : DemoTasks.Part.TEST;
        DemoTasks tasks = new DemoTasks(DemoTasks.defaultDataDir());
        for (String task : DemoTasks.NAMES) {
            ImageSet set = tasks.part(task, part, DemoTasks.DEFAULT_TEST, Recipe.STANDARD.dataSeed());
            Tensor pixels = DemoModel.input(set);
            long[] labels = Arrays.stream(set.labels()).asLongStream().toArray();
            SafetensorsWriter.write(out.resolve(task + ".safetensors"), Map.of("pixel_values", pixels), Map.of("task", task),
                    Map.of("labels", labels), DType.F32);
            System.out.println("wrote " + out.resolve(task + ".safetensors") + ": " + set.size() + " images");
        }
    }
}
