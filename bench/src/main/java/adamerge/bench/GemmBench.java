package adamerge.bench;

import adamerge.opencl.DeviceStorage;
import adamerge.opencl.OpenClBackend;
import adamerge.tensor.Backend;
import adamerge.tensor.Tensor;
import adamerge.tensor.cpu.Parallel;
import adamerge.tensor.cpu.Sgemm;
import jdk.incubator.vector.FloatVector;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * {@code adamerge bench gemm}: GFLOP/s of {@link Sgemm} (or, with {@code --device opencl}, of the
 * OpenCL backend's matmul on device tensors) on the GEMMs of a ViT-B/32 linear layer during
 * training (800 tokens = a batch of 16 images x 50 tokens).
 */
@Command(name = "gemm", mixinStandardHelpOptions = true,
        description = "GFLOP/s of the GEMM (CPU, or --device opencl) on the ViT-B/32 training shapes (forward and backward of y = x W).")
public final class GemmBench implements Runnable {
    private static final int TOKENS = 800;
    /** (in, out) of the ViT-B/32 linears: MLP up, MLP down, fused QKV. */
    private static final int[][] LINEARS = {{768, 3072}, {3072, 768}, {768, 2304}};

    @Option(names = "--json", description = "One JSON object per line per shape.")
    boolean json;

    @Option(names = "--threads", description = "Worker threads (default: all cores, or -Dadamerge.threads).")
    Integer threads;

    @Option(names = "--runs", description = "Timed runs per shape after warm-up (median is reported); default ${DEFAULT-VALUE}.")
    int runs = 7;

    @Option(names = "--peer", paramLabel = "LIB", arity = "0..1", fallbackValue = "/usr/lib/x86_64-linux-gnu/libopenblas.so.0",
            description = {"Also time OpenBLAS's cblas_sgemm from LIB (default ${FALLBACK-VALUE}) in this process, in turns with ours,",
                    "and print the ratio per shape, its geometric mean and its worst. Set OPENBLAS_CORETYPE for the peer's best",
                    "kernels (bench/gemm_openblas.py does)."})
    Path peer;

    @Mixin
    DeviceOption device;

    /** One GEMM: layout names whether A, then B, is stored transposed. */
    record Shape(String layout, int m, int k, int n) {
        boolean transA() { return layout.charAt(0) == 'T'; }
        boolean transB() { return layout.charAt(1) == 'T'; }
    }

    /**
     * For y = x W with x [800,in], W [in,out]: forward y = x W is NN; dX = dY W^T reads W [in,out]
     * as B stored [n,k] (NT, k = out, n = in); dW = x^T dY reads x [800,in] as A stored [k,m]
     * (TN, m = in, k = 800).
     */
    static List<Shape> shapes() {
        return Arrays.stream(LINEARS).flatMap(l -> List.of(
                new Shape("NN", TOKENS, l[0], l[1]),
                new Shape("NT", TOKENS, l[1], l[0]),
                new Shape("TN", l[0], TOKENS, l[1])).stream()).toList();
    }

    @Override
    public void run() {
        // Both paths hand the kernels their operands directly: no scope is needed for new tensors.
        Backend backend = device.backend();
        if (backend instanceof OpenClBackend cl) {
            runOpenCl(cl);
            return;
        }
        if (threads != null) {
            // Parallel sizes its pool once, from this property, when the class is first used.
            System.setProperty("adamerge.threads", Integer.toString(threads));
            if (Parallel.THREADS != threads)
                throw new IllegalStateException("--threads " + threads + " came too late (the pool already has "
                        + Parallel.THREADS + " threads); pass -Dadamerge.threads=" + threads + " instead");
        }
        if (peer != null) {
            runAgainstPeer();
            return;
        }
        int lanes = FloatVector.SPECIES_PREFERRED.length();
        if (!json) {
            double[] ghz = clockGhz();
            double peak = Parallel.THREADS * lanes * 2 * 2 * ghz[0];
            System.out.printf(Locale.ROOT, "FP32 FMA peak estimate: %d threads x %d lanes x 2 FMA units x 2 flops x %.2f GHz (%s) = %.0f GFLOP/s%n",
                    Parallel.THREADS, lanes, ghz[0], ghz[1] > 0 ? "max clock from cpufreq" : "\"cpu MHz\" in /proc/cpuinfo, may be below boost", peak);
            System.out.printf(Locale.ROOT, "%-6s %6s %6s %6s %10s%n", "layout", "m", "k", "n", "GFLOP/s");
        }
        warmUp();
        for (Shape s : shapes()) {
            double gflops = measure(s);
            if (json)
                System.out.printf(Locale.ROOT, "{\"m\": %d, \"k\": %d, \"n\": %d, \"layout\": \"%s\", \"gflops\": %.2f, \"threads\": %d, \"device\": \"cpu\"}%n",
                        s.m, s.k, s.n, s.layout, gflops, Parallel.THREADS);
            else
                System.out.printf(Locale.ROOT, "%-6s %6d %6d %6d %10.1f%n", s.layout, s.m, s.k, s.n, gflops);
        }
    }

    /**
     * Ours and OpenBLAS in alternating turns of about {@link #TURN_SECONDS} each, {@code runs}
     * turns per side and shape: each ratio is the median over turns of ours / OpenBLAS in the
     * same round, so a drift of the machine's speed moves both sides alike.
     */
    private void runAgainstPeer() {
        try (OpenBlasPeer blas = new OpenBlasPeer(peer, Parallel.THREADS)) {
            if (!json)
                System.out.printf(Locale.ROOT, "ours: %d-lane vectors, %s tile, %d threads; peer: OpenBLAS %s%n%-6s %6s %6s %6s %10s %10s %7s%n",
                        FloatVector.SPECIES_PREFERRED.length(), Sgemm.registerTile(), Parallel.THREADS, blas.config(), "layout", "m", "k", "n", "ours", "OpenBLAS", "ratio");
            warmUp();
            double logSum = 0, worst = Double.MAX_VALUE;
            for (Shape s : shapes()) {
                double[] r = measureAgainst(blas, s);
                logSum += Math.log(r[2]);
                worst = Math.min(worst, r[2]);
                if (json)
                    System.out.printf(Locale.ROOT, "{\"m\": %d, \"k\": %d, \"n\": %d, \"layout\": \"%s\", \"gflops\": %.2f, \"peer_gflops\": %.2f, "
                                    + "\"ratio\": %.4f, \"max_rel_diff\": %.2e, \"threads\": %d, \"peer\": \"%s\"}%n",
                            s.m, s.k, s.n, s.layout, r[0], r[1], r[2], r[3], Parallel.THREADS, blas.config().replace("\"", "'"));
                else
                    System.out.printf(Locale.ROOT, "%-6s %6d %6d %6d %10.1f %10.1f %7.2f%n", s.layout, s.m, s.k, s.n, r[0], r[1], r[2]);
            }
            double geo = Math.exp(logSum / shapes().size());
            if (json)
                System.out.printf(Locale.ROOT, "{\"geomean_ratio\": %.4f, \"worst_ratio\": %.4f}%n", geo, worst);
            else
                System.out.printf(Locale.ROOT, "ours / OpenBLAS: geometric mean %.2f, worst %.2f (GFLOP/s medians over %d alternating turns)%n", geo, worst, runs);
        }
    }

    private static final double TURN_SECONDS = 0.2;
    /**
     * OpenBLAS's threads spin for 2^28 time-stamp-counter ticks after a call (its THREAD_TIMEOUT):
     * 128 ms on a VM whose counter runs at 2.1 GHz, longer than the 100 ms this was. On such a
     * Zen 5 VM, 600 ms instead of 100 raised our side's ratios by about 0.03 (two runs each).
     */
    private static final long PAUSE_MS = 300;

    /** {ours GFLOP/s, OpenBLAS GFLOP/s (medians), median of the per-round ratios, max |ours - OpenBLAS| / max |OpenBLAS|}. */
    private double[] measureAgainst(OpenBlasPeer blas, Shape s) {
        Random rnd = new Random(1);
        float[] a = random(rnd, s.m * s.k), b = random(rnd, s.k * s.n), c = new float[s.m * s.n];
        int lda = s.transA() ? s.m : s.k, ldb = s.transB() ? s.k : s.n;
        var na = blas.copy(a);
        var nb = blas.copy(b);
        var nc = blas.copy(c);
        double flops = 2.0 * s.m * s.n * s.k;
        Runnable ours = () -> Sgemm.multiply(s.transA(), s.transB(), s.m, s.n, s.k, a, 0, lda, b, 0, ldb, c, 0, s.n, false);
        Runnable theirs = () -> blas.multiply(s.transA(), s.transB(), s.m, s.n, s.k, na, lda, nb, ldb, nc, s.n);
        int reps = Math.max(1, (int) (TURN_SECONDS / (flops / 300e9)));
        turn(ours, 2);
        turn(theirs, 2);
        int n = Math.max(1, runs);
        double[] mine = new double[n], peers = new double[n], ratios = new double[n];
        for (int r = 0; r < n; r++) {
            mine[r] = flops * reps / turn(ours, reps) * 1e-9;
            peers[r] = flops * reps / turn(theirs, reps) * 1e-9;
            ratios[r] = mine[r] / peers[r];
        }
        float[] ref = nc.toArray(java.lang.foreign.ValueLayout.JAVA_FLOAT);
        double maxDiff = 0, maxRef = 0;
        for (int i = 0; i < ref.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(c[i] - ref[i]));
            maxRef = Math.max(maxRef, Math.abs(ref[i]));
        }
        return new double[]{median(mine), median(peers), median(ratios), maxDiff / maxRef};
    }

    /**
     * Seconds for {@code reps} back-to-back runs, after a pause: OpenBLAS's threads spin for a
     * while after a call and the pool's workers before they park, and neither side should time
     * its turn against the other's idle spinning.
     */
    private static double turn(Runnable product, int reps) {
        try {
            Thread.sleep(PAUSE_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        long t0 = System.nanoTime();
        for (int i = 0; i < reps; i++) product.run();
        return (System.nanoTime() - t0) * 1e-9;
    }

    private static double median(double[] x) {
        double[] y = x.clone();
        Arrays.sort(y);
        return y.length % 2 == 1 ? y[y.length / 2] : (y[y.length / 2 - 1] + y[y.length / 2]) / 2;
    }

    /**
     * The OpenCL backend's matmul on device tensors; a transposed operand is a transposed view,
     * which the kernel reads in place. Each timed run enqueues {@code OPENCL_BATCH} products and
     * waits for the queue, so launch latency is amortised as in a training step.
     */
    private void runOpenCl(OpenClBackend cl) {
        String name = cl.device().name().replace("\"", "'");
        if (!json) {
            System.out.printf(Locale.ROOT, "%s (%d compute units), GEMM tiling %s%n", cl, cl.device().computeUnits(), cl.gemmConfig());
            System.out.printf(Locale.ROOT, "%-6s %6s %6s %6s %10s%n", "layout", "m", "k", "n", "GFLOP/s");
        }
        for (Shape s : shapes()) {
            double gflops = measureOpenCl(cl, s);
            if (json)
                System.out.printf(Locale.ROOT, "{\"m\": %d, \"k\": %d, \"n\": %d, \"layout\": \"%s\", \"gflops\": %.2f, \"device\": \"%s\"}%n",
                        s.m, s.k, s.n, s.layout, gflops, name);
            else
                System.out.printf(Locale.ROOT, "%-6s %6d %6d %6d %10.1f%n", s.layout, s.m, s.k, s.n, gflops);
        }
    }

    private static final int OPENCL_BATCH = 20;

    /** Median GFLOP/s over the timed runs of OPENCL_BATCH products each, after a warm-up run. */
    private double measureOpenCl(OpenClBackend cl, Shape s) {
        Random rnd = new Random(1);
        Tensor a = s.transA() ? cl.fromArray(random(rnd, s.m * s.k), 1, s.k, s.m).transpose(1, 2) : cl.fromArray(random(rnd, s.m * s.k), 1, s.m, s.k);
        Tensor b = s.transB() ? cl.fromArray(random(rnd, s.k * s.n), 1, s.n, s.k).transpose(1, 2) : cl.fromArray(random(rnd, s.k * s.n), 1, s.k, s.n);
        double[] seconds = new double[Math.max(1, runs)];
        for (int r = -1; r < seconds.length; r++) {
            cl.finish();
            long t0 = System.nanoTime();
            for (int i = 0; i < OPENCL_BATCH; i++) ((DeviceStorage) cl.matmul(a, b).storage()).release();
            cl.finish();
            if (r >= 0) seconds[r] = (System.nanoTime() - t0) * 1e-9 / OPENCL_BATCH;
        }
        ((DeviceStorage) a.storage()).release();
        ((DeviceStorage) b.storage()).release();
        Arrays.sort(seconds);
        return 2.0 * s.m * s.n * s.k / seconds[seconds.length / 2] * 1e-9;
    }

    /** About a second of mid-sized products of every layout, so C2 has compiled the kernel and packers before the first timing. */
    private static void warmUp() {
        int size = 384;
        float[] a = new float[size * size], b = new float[size * size], c = new float[size * size];
        long end = System.nanoTime() + 1_000_000_000L;
        for (int i = 0; System.nanoTime() < end; i++)
            Sgemm.multiply((i & 2) != 0, (i & 1) != 0, size, size, size, a, 0, size, b, 0, size, c, 0, size, false);
    }

    /** Median GFLOP/s (2mnk / time) over the timed runs, after warm-up runs of the shape itself. */
    private double measure(Shape s) {
        Random rnd = new Random(1);
        float[] a = random(rnd, s.m * s.k), b = random(rnd, s.k * s.n), c = new float[s.m * s.n];
        int lda = s.transA() ? s.m : s.k, ldb = s.transB() ? s.k : s.n;
        double[] seconds = new double[Math.max(1, runs)];
        for (int r = -3; r < seconds.length; r++) {
            long t0 = System.nanoTime();
            Sgemm.multiply(s.transA(), s.transB(), s.m, s.n, s.k, a, 0, lda, b, 0, ldb, c, 0, s.n, false);
            if (r >= 0) seconds[r] = (System.nanoTime() - t0) * 1e-9;
        }
        Arrays.sort(seconds);
        return 2.0 * s.m * s.n * s.k / seconds[seconds.length / 2] * 1e-9;
    }

    private static float[] random(Random rnd, int size) {
        float[] x = new float[size];
        for (int i = 0; i < size; i++) x[i] = (float) rnd.nextGaussian();
        return x;
    }

    /** {GHz, 1 if read from cpufreq's maximum else 0}; the largest "cpu MHz" of /proc/cpuinfo otherwise, 2.5 GHz if neither is readable. */
    private static double[] clockGhz() {
        try {
            Path max = Path.of("/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq");
            if (Files.isReadable(max)) return new double[]{Long.parseLong(Files.readString(max).trim()) * 1e-6, 1};
            double mhz = Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                    .filter(l -> l.startsWith("cpu MHz"))
                    .mapToDouble(l -> Double.parseDouble(l.substring(l.indexOf(':') + 1).trim()))
                    .max().orElse(2500);
            return new double[]{mhz * 1e-3, 0};
        } catch (IOException | RuntimeException e) {
            return new double[]{2.5, 0};
        }
    }
}
