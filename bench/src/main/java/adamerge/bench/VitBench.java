package adamerge.bench;

import adamerge.autograd.Losses;
import adamerge.autograd.Var;
import adamerge.output.Memory;
import adamerge.tensor.Backend;
import adamerge.tensor.Backends;
import adamerge.tensor.Tensor;
import adamerge.tensor.cpu.Parallel;
import adamerge.vit.ClassificationHead;
import adamerge.vit.ClipVisionEncoder;
import adamerge.vit.ClipWeights;
import adamerge.vit.VitConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code adamerge bench vit}: the CLIP image encoder on random weights and inputs in the real
 * shapes. Inference throughput (no graph), the time of one forward + backward of the entropy loss
 * with a gradient for every weight (AdaMerging's inner step), and the peak resident memory.
 */
@Command(name = "vit", mixinStandardHelpOptions = true,
        description = "Images/s of the ViT forward and seconds per forward+backward (entropy loss, gradients into every weight).")
public final class VitBench implements Callable<Integer> {
    @Option(names = "--config", defaultValue = "vit-b-32", paramLabel = "NAME",
            description = "Built-in model (vit-b-32, vit-b-16, vit-l-14) or a config.json (default: ${DEFAULT-VALUE}).")
    String config;

    @Option(names = "--batch", defaultValue = "16", paramLabel = "N", description = "Images per batch (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--runs", defaultValue = "3", paramLabel = "N", description = "Timed runs of each measurement after one warm-up; the median is reported (default: ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--classes", defaultValue = "10", paramLabel = "C", description = "Classes of the random head (default: ${DEFAULT-VALUE}).")
    int classes;

    @Option(names = "--json", description = "One JSON object with images_per_s, fwd_s, fwd_bwd_s, peak_rss_bytes.")
    boolean json;

    @Mixin
    DeviceOption device;

    @Override
    public Integer call() throws IOException {
        Backend backend = device.backend();
        if (batch < 1 || runs < 1 || classes < 2) throw new IllegalArgumentException("--batch and --runs must be at least 1 and --classes at least 2");
        try (Backends.Scope onDevice = Backends.use(backend)) { // the random weights and inputs are drawn on the device
            measure();
        }
        return 0;
    }

    private void measure() throws IOException {
        VitConfig cfg = VitConfig.named(config);
        Map<String, Tensor> weights = ClipWeights.random(cfg, 1);
        Tensor pixels = Tensor.randn(7, batch, 3, cfg.imageSize(), cfg.imageSize());
        ClassificationHead head = new ClassificationHead("random", Tensor.randn(8, classes, cfg.outputDim()).mul(5f), null);

        ClipVisionEncoder frozen = ClipVisionEncoder.frozen(cfg, weights);
        double fwd = median(runs, () -> frozen.encode(pixels));
        double fwdBwd = median(runs, () -> {
            Map<String, Var> params = new LinkedHashMap<>();
            weights.forEach((k, v) -> params.put(k, Var.param(v)));
            Var loss = Losses.entropy(head.logits(new ClipVisionEncoder(cfg, params).forward(pixels)));
            loss.backward();
            if (params.get("conv1.weight").grad() == null) throw new IllegalStateException("no gradient reached conv1.weight");
        });
        long rss = Memory.peakRssBytes();
        double ips = batch / fwd;
        if (json) {
            System.out.printf(Locale.ROOT, "{\"config\":\"%s\",\"batch\":%d,\"threads\":%d,\"images_per_s\":%.3f,\"fwd_s\":%.4f,"
                    + "\"fwd_bwd_s\":%.4f,\"peak_rss_bytes\":%d}%n", config, batch, Parallel.THREADS, ips, fwd, fwdBwd, rss);
        } else {
            System.out.printf(Locale.ROOT, "%s, batch %d, %d threads, median of %d runs after a warm-up%n", config, batch, Parallel.THREADS, runs);
            System.out.printf(Locale.ROOT, "forward (no grad)         %8.3f s   %8.2f images/s%n", fwd, ips);
            System.out.printf(Locale.ROOT, "forward + backward        %8.3f s   (entropy loss, gradients for %d weights)%n", fwdBwd, weights.size());
            System.out.printf(Locale.ROOT, "peak RSS                  %8.1f MiB%n", rss / 1048576.0);
        }
    }

    /** Median seconds of {@code runs} timed calls after one untimed warm-up call. */
    private static double median(int runs, Runnable body) {
        body.run();
        double[] s = new double[runs];
        for (int r = 0; r < runs; r++) {
            long t0 = System.nanoTime();
            body.run();
            s[r] = (System.nanoTime() - t0) * 1e-9;
        }
        Arrays.sort(s);
        return s[runs / 2];
    }

}
