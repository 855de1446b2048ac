package adamerge.bench;

import adamerge.merging.IsoMerge;
import adamerge.merging.TsvMerge;
import adamerge.output.Memory;
import adamerge.tensor.DType;
import adamerge.tensor.Tensor;
import adamerge.tensor.cpu.Parallel;
import adamerge.vit.ClipWeights;
import adamerge.vit.VitConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code adamerge bench svd-merge}: seconds of one TSV-Merge, Iso-C or Iso-CTS merge of K random
 * fine-tuned models in the real shapes (a random pretrained encoder plus task vectors of small
 * Gaussian perturbations, kept off the heap as {@code merge} keeps loaded checkpoints mapped), and
 * the peak resident set. {@code bench/svd_merges_pytorch.py} times upstream's algorithms in PyTorch
 * on the same shapes and runs this for the comparison.
 */
@Command(name = "svd-merge", mixinStandardHelpOptions = true,
        description = "Seconds of one TSV-Merge / Iso-C / Iso-CTS merge of K random fine-tuned models, and peak memory.")
public final class SvdMergeBench implements Callable<Integer> {
    @Option(names = "--method", defaultValue = "tsv", description = "tsv, iso-c or iso-cts (default: ${DEFAULT-VALUE}).")
    String method;

    @Option(names = "--config", defaultValue = "vit-b-32", paramLabel = "NAME",
            description = "Built-in model (vit-b-32, vit-b-16, vit-l-14) or a config.json (default: ${DEFAULT-VALUE}).")
    String config;

    @Option(names = "--tasks", defaultValue = "8", paramLabel = "K", description = "Fine-tuned models merged (default: ${DEFAULT-VALUE}).")
    int tasks;

    @Option(names = "--layers", defaultValue = "0", paramLabel = "L",
            description = "Transformer blocks of the model (default: 0, all of --config's): a shorter run with the same matrix shapes.")
    int layers;

    @Option(names = "--json", description = "One JSON object: merge_s, peak_rss_bytes, model_bytes.")
    boolean json;

    @Override
    public Integer call() throws java.io.IOException {
        if (tasks < 1) throw new IllegalArgumentException("--tasks must be at least 1");
        VitConfig named = VitConfig.named(config);
        VitConfig cfg = layers <= 0 ? named : new VitConfig(named.imageSize(), named.patchSize(), named.width(), layers, named.heads(),
                named.mlpWidth(), named.outputDim(), named.activation(), named.layerNormEps());
        Map<String, Tensor> pre = ClipWeights.random(cfg, 1);
        List<Map<String, Tensor>> finetuned = new ArrayList<>();
        long seed = 1000;
        for (int k = 0; k < tasks; k++) {
            Map<String, Tensor> ft = new LinkedHashMap<>();
            for (Map.Entry<String, Tensor> e : pre.entrySet()) // fine-tuning moves weights by about 1e-3
                ft.put(e.getKey(), e.getValue().add(Tensor.randn(seed++, e.getValue().shape()).mul(1e-3f)).storedAs(DType.F32));
            finetuned.add(ft);
        }
        long t0 = System.nanoTime();
        Map<String, Tensor> merged = switch (method) {
            case "tsv" -> new TsvMerge(TsvMerge.DEFAULT_SCALE).merge(pre, finetuned);
            case "iso-c" -> IsoMerge.isoC(IsoMerge.DEFAULT_SCALE).merge(pre, finetuned);
            case "iso-cts" -> IsoMerge.isoCts(IsoMerge.DEFAULT_SCALE, IsoMerge.DEFAULT_COMMON_FRACTION).merge(pre, finetuned);
            default -> throw new IllegalArgumentException("--method must be tsv, iso-c or iso-cts, not '" + method + "'");
        };
        double seconds = (System.nanoTime() - t0) * 1e-9;
        long modelBytes = 4L * pre.values().stream().mapToLong(Tensor::numel).sum(), rss = Memory.peakRssBytes();
        float check = merged.get("ln_post.bias").sum().item(); // the result is used
        if (json) {
            System.out.printf(Locale.ROOT, "{\"method\":\"%s\",\"config\":\"%s\",\"layers\":%d,\"tasks\":%d,\"threads\":%d,\"merge_s\":%.3f,\"model_bytes\":%d,\"peak_rss_bytes\":%d,\"check\":%.6g}%n",
                    method, config, cfg.layers(), tasks, Parallel.THREADS, seconds, modelBytes, rss, check);
        } else {
            System.out.printf(Locale.ROOT, "%s, %s (%d blocks), %d tasks, cpu (%d threads)%n", method, config, cfg.layers(), tasks, Parallel.THREADS);
            System.out.printf(Locale.ROOT, "merge             %9.2f s%n", seconds);
            System.out.printf(Locale.ROOT, "peak RSS          %9.1f MiB  (model %.1f MiB; target (K+2) x model + 1.5 GiB = %.1f MiB)%n",
                    rss / 1048576.0, modelBytes / 1048576.0, ((tasks + 2) * modelBytes + 1.5 * (1L << 30)) / 1048576.0);
        }
        return 0;
    }
}
