package adamerge.examples;

import adamerge.merging.Merger;
import adamerge.merging.Method;
import adamerge.study.data.DemoTasks;
import adamerge.study.models.DemoModel;
import adamerge.vit.ClassificationHead;
import adamerge.vit.Predictions;
import adamerge.vit.data.ImageDataSet;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The Java API on the shipped demo models: task arithmetic, then layer-wise AdaMerging learning
 * its coefficients on the tasks' unlabeled test images, each merged model scored per task, the
 * AdaMerging one written to disk.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp ... adamerge.examples.MergeTheDemoModels [MODELS_DIR [OUT]]
 * </pre>
 *
 * MODELS_DIR defaults to {@code models/demo}, OUT to {@code merged.safetensors}. It merges the six
 * synthetic tasks of the demo (the two real ones would need a download first).
 */
public final class MergeTheDemoModels {
    private MergeTheDemoModels() {
    }

    public static void main(String[] args) throws IOException {
        Path models = Path.of(args.length > 0 ? args[0] : "models/demo");
        Path out = Path.of(args.length > 1 ? args[1] : "merged.safetensors");
        List<String> tasks = DemoTasks.NAMES.stream().filter(DemoTasks::isSynthetic).toList();

        // The checkpoints: one pretrained encoder, one fine-tuned copy and one frozen head per task.
        List<Path> finetuned = new ArrayList<>();
        List<ClassificationHead> heads = new ArrayList<>();
        List<ImageDataSet> testImages = new ArrayList<>();
        DemoTasks demo = new DemoTasks(DemoTasks.defaultDataDir());
        for (String task : tasks) {
            finetuned.add(models.resolve("finetuned/" + task + ".safetensors"));
            heads.add(ClassificationHead.load(models.resolve("heads/" + task + ".safetensors")));
            testImages.add(DemoModel.dataSet(demo.part(task, DemoTasks.Part.TEST, 256, 0)));
        }
        Merger merger = Merger.load(models.resolve("pretrained.safetensors"), finetuned).withTaskData(heads, testImages);

        // Task arithmetic needs no data: theta_pre + 0.3 * sum of the task vectors.
        Merger.Result arithmetic = merger.merge(Method.TASK_ARITHMETIC, Merger.Settings.DEFAULT, null);
        printAccuracies("task arithmetic", merger, arithmetic, tasks);

        // AdaMerging reads the same images without their labels: it lowers the entropy of the
        // merged model's predictions by learning one coefficient per task and layer.
        Merger.Settings settings = Merger.Settings.DEFAULT.withSteps(40);
        Merger.Result ada = merger.merge(Method.ADAMERGING_LAYER, settings, (step, loss) -> {
            if (step % 10 == 0) System.out.printf(Locale.ROOT, "  AdaMerging step %d: entropy loss %.4f%n", step, loss);
        });
        printAccuracies("layer-wise AdaMerging", merger, ada, tasks);

        merger.write(ada.merged(), out);
        System.out.println("wrote " + out);
    }

    private static void printAccuracies(String title, Merger merger, Merger.Result result, List<String> tasks) {
        System.out.println(title + ":");
        double sum = 0;
        for (int k = 0; k < tasks.size(); k++) {
            Predictions p = merger.evaluate(result.merged(), k, 64, null);
            System.out.printf(Locale.ROOT, "  %-14s accuracy %5.1f%%  mean entropy %.3f%n", tasks.get(k), 100 * p.accuracy(), p.meanEntropy());
            sum += p.accuracy();
        }
        System.out.printf(Locale.ROOT, "  %-14s accuracy %5.1f%%%n", "average", 100 * sum / tasks.size());
    }
}
