package adamerge.bench;

import adamerge.autograd.Var;
import adamerge.tensor.Tensor;
import adamerge.tensor.cpu.Parallel;
import adamerge.vit.ClipVisionEncoder;
import adamerge.vit.ClipWeights;
import adamerge.vit.VitConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * {@code adamerge bench block}: forward and backward time of one CLIP transformer block at
 * ViT-B/32 training sizes (16 images x 50 tokens, width 768), gradients into every weight and
 * the input. Reports the median of several runs after warm-up.
 */
@Command(name = "block", mixinStandardHelpOptions = true,
        description = "Backward / forward time of one transformer block at ViT-B/32 sizes (target <= 2.5x).")
public final class BlockBench implements Runnable {
    @Option(names = "--batch", defaultValue = "16", description = "Images (default ${DEFAULT-VALUE}).")
    int batch;
    @Option(names = "--tokens", defaultValue = "50", description = "Tokens per image (default ${DEFAULT-VALUE}).")
    int tokens;
    @Option(names = "--width", defaultValue = "768", description = "Width (default ${DEFAULT-VALUE}).")
    int width;
    @Option(names = "--runs", defaultValue = "5", description = "Timed runs (default ${DEFAULT-VALUE}).")
    int runs;
    @Option(names = "--json", description = "One JSON object with forward_s and backward_s.")
    boolean json;

    @Override
    public void run() {
        VitConfig c = new VitConfig(224, 32, width, 1, Math.max(1, width / 64), 4 * width, 512, VitConfig.Activation.QUICK_GELU, 1e-5f);
        Map<String, Tensor> w = ClipWeights.random(c, 1);
        Tensor input = Tensor.randn(2, batch, tokens, width), r = Tensor.randn(3, batch, tokens, width);
        double[] fwd = new double[runs], bwd = new double[runs];
        for (int i = -2; i < runs; i++) { // two warm-up runs for the JIT
            Map<String, Var> params = new LinkedHashMap<>();
            w.forEach((k, v) -> params.put(k, Var.param(v)));
            ClipVisionEncoder enc = new ClipVisionEncoder(c, params);
            Var x = Var.param(input);
            long t0 = System.nanoTime();
            Var loss = enc.block(x, 0).mul(Var.constant(r)).sum();
            long t1 = System.nanoTime();
            loss.backward();
            long t2 = System.nanoTime();
            if (i >= 0) {
                fwd[i] = (t1 - t0) / 1e9;
                bwd[i] = (t2 - t1) / 1e9;
            }
        }
        double f = median(fwd), b = median(bwd);
        if (json) {
            System.out.printf(Locale.ROOT, "{\"batch\":%d,\"tokens\":%d,\"width\":%d,\"threads\":%d,\"forward_s\":%.5f,\"backward_s\":%.5f,\"ratio\":%.3f}%n",
                    batch, tokens, width, Parallel.THREADS, f, b, b / f);
        } else {
            System.out.printf(Locale.ROOT, "transformer block, %d images x %d tokens, width %d, %d threads%n", batch, tokens, width, Parallel.THREADS);
            System.out.printf(Locale.ROOT, "forward   %8.2f ms%nbackward  %8.2f ms%nbackward / forward = %.2f (target <= 2.5)%n", 1e3 * f, 1e3 * b, b / f);
        }
    }

    private static double median(double[] a) {
        double[] s = a.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
