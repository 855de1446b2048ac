package adamerge.opencl;

import adamerge.tensor.Tensor;
import org.jocl.CL;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * Picks the GEMM tiling for a device: the fastest of a few candidates on a mid-size product,
 * timed once and remembered per device and driver in a properties file (by default
 * ~/.cache/adamerge4j/opencl-tuning.properties, or the system property
 * {@code adamerge.opencl.tuningFile}). The property {@code adamerge.opencl.gemm=BM,BN,TM,TN,BK} skips
 * tuning. On CPU devices (PoCL) tuning is kept cheap: two candidates on a small product. GPU
 * candidates are timed on two products shaped like a ViT-B linear layer's (1024 tokens), each with
 * the split-K the backend would use.
 */
public final class GemmTuner {
    /** The library warns through the platform logger (the application decides where it goes), never the console. */
    private static final System.Logger LOG = System.getLogger(GemmTuner.class.getName());

    static final List<GemmConfig> CANDIDATES = List.of(
            new GemmConfig(128, 128, 8, 8, 16), new GemmConfig(128, 128, 8, 8, 8), new GemmConfig(64, 128, 4, 8, 16),
            new GemmConfig(128, 64, 8, 4, 16), new GemmConfig(64, 64, 4, 4, 16), new GemmConfig(64, 64, 8, 8, 16));
    static final List<GemmConfig> CPU_CANDIDATES = List.of(new GemmConfig(32, 4), new GemmConfig(64, 8));

    private GemmTuner() {
    }

    static GemmConfig configFor(OpenClBackend backend) {
        String forced = System.getProperty("adamerge.opencl.gemm");
        if (forced != null) return GemmConfig.parse(forced);
        Path file = cacheFile();
        String key = cacheKey(backend.device());
        Properties props = load(file);
        String cached = props.getProperty(key);
        if (cached != null) {
            try {
                GemmConfig c = GemmConfig.parse(cached);
                if (backend.fits(c)) return c;
            } catch (IllegalArgumentException ignored) { // a stale or hand-edited entry: tune again
            }
        }
        GemmConfig best = tune(backend);
        props.setProperty(key, best.toString());
        store(file, props);
        return best;
    }

    /** Times each candidate on the tuning products and returns the fastest. */
    public static GemmConfig tune(OpenClBackend backend) {
        boolean gpu = backend.device().gpu();
        int[][] products = gpu ? new int[][]{{1024, 1024, 3072}, {1024, 3072, 768}} : new int[][]{{128, 128, 128}}; // m, k, n
        int reps = gpu ? 5 : 1;
        List<GemmConfig> candidates = new ArrayList<>();
        for (GemmConfig c : gpu ? CANDIDATES : CPU_CANDIDATES) if (backend.fits(c)) candidates.add(c);
        if (candidates.isEmpty()) throw new IllegalStateException("no GEMM tiling fits device " + backend.device().name());
        GemmConfig best = candidates.get(0);
        double bestNanos = Double.MAX_VALUE;
        for (GemmConfig cfg : candidates) {
            try {
                double nanos = 0;
                for (int[] p : products) nanos += time(backend, cfg, p[0], p[1], p[2], reps);
                if (nanos < bestNanos) {
                    bestNanos = nanos;
                    best = cfg;
                }
            } catch (RuntimeException e) { // a candidate the compiler or device rejects (registers, resources): skip it
                LOG.log(System.Logger.Level.INFO, "GEMM tiling " + cfg + " failed on " + backend.device().name() + ": " + e.getMessage().lines().findFirst().orElse(""));
            }
        }
        return best;
    }

    /** Nanoseconds per m x k x n product (row-major operands) with this tiling, after a warm-up that builds the kernel. */
    static double time(OpenClBackend backend, GemmConfig cfg, int m, int k, int n, int reps) {
        Tensor a = backend.fromArray(new float[m * k], 1, m, k), b = backend.fromArray(new float[k * n], 1, k, n);
        Tensor c = backend.fromArray(new float[m * n], 1, m, n);
        int splits = backend.splitsFor(cfg, 1, m, n, k);
        int[] sa = {0, k, 1}, sb = {0, n, 1};
        try {
            backend.gemm(cfg, splits, 1, m, n, k, backend.mem(a), 0, sa, true, backend.mem(b), 0, sb, true, backend.mem(c));
            backend.finish();
            long t0 = System.nanoTime();
            for (int r = 0; r < reps; r++)
                backend.gemm(cfg, splits, 1, m, n, k, backend.mem(a), 0, sa, true, backend.mem(b), 0, sb, true, backend.mem(c));
            backend.finish();
            return (System.nanoTime() - t0) / (double) reps;
        } finally {
            ((DeviceStorage) a.storage()).release();
            ((DeviceStorage) b.storage()).release();
            ((DeviceStorage) c.storage()).release();
        }
    }

    static Path cacheFile() {
        String p = System.getProperty("adamerge.opencl.tuningFile");
        return p != null ? Path.of(p) : Path.of(System.getProperty("user.home"), ".cache", "adamerge4j", "opencl-tuning.properties");
    }

    static String cacheKey(OpenClDevices.Device d) {
        String driver = OpenClDevices.deviceString(d.deviceId(), CL.CL_DRIVER_VERSION);
        return ("gemm2 | " + d.name() + " | " + driver).replaceAll("[=:#!\\\\]", "_");
    }

    private static Properties load(Path file) {
        Properties p = new Properties();
        if (Files.isRegularFile(file)) {
            try (InputStream in = Files.newInputStream(file)) {
                p.load(in);
            } catch (IOException | IllegalArgumentException ignored) { // unreadable cache: tune again
            }
        }
        return p;
    }

    private static void store(Path file, Properties p) {
        try {
            if (file.getParent() != null) Files.createDirectories(file.getParent());
            try (OutputStream out = Files.newOutputStream(file)) {
                p.store(out, "AdaMerge4J OpenCL GEMM tiling per device and driver (BM,BN,TM,TN,BK); delete to tune again");
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot write the OpenCL tuning cache " + file + " (" + e.getMessage() + "); tuning will run again next time");
        }
    }
}
