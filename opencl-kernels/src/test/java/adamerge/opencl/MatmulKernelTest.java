package adamerge.opencl;

import adamerge.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;

import static adamerge.opencl.ClTesting.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The tiled GEMM on every layout, edge sizes, broadcast batches and each CPU tuning candidate. */
class MatmulKernelTest {

    /** [b, m, k] x [b, k, n] in layout NN, NT, TN or TT (T = stored transposed), optionally with a broadcast batch. */
    private static void check(int b, int m, int k, int n, boolean ta, boolean tb, boolean shareB, long seed) {
        Both a = ta ? randn(seed, b, k, m).map(Tensor::t) : randn(seed, b, m, k);
        Both bm = tb ? randn(seed + 1, shareB ? 1 : b, n, k).map(Tensor::t) : randn(seed + 1, shareB ? 1 : b, k, n);
        if (shareB) bm = bm.map(t -> t.expand(b, k, n)); // batch stride 0
        String what = "matmul b=" + b + " m=" + m + " k=" + k + " n=" + n + (ta ? " A^T" : "") + (tb ? " B^T" : "") + (shareB ? " shared B" : "");
        assertMatches(CPU.matmul(a.cpu(), bm.cpu()), cl().matmul(a.cl(), bm.cl()), 1e-4, what);
    }

    @Test
    void everyLayoutOnEdgeSizes() {
        int[][] sizes = {{1, 1, 1}, {1, 7, 1}, {5, 1, 9}, {17, 33, 65}, {66, 19, 3}, {33, 130, 70}};
        long seed = 1;
        for (int[] s : sizes)
            for (int layout = 0; layout < 4; layout++)
                check(2, s[0], s[1], s[2], (layout & 1) != 0, (layout & 2) != 0, false, seed++);
    }

    @Test
    void broadcastBatchAndSingleBatch() {
        check(3, 20, 11, 9, false, false, true, 40);
        check(3, 20, 11, 9, true, true, true, 41);
        check(1, 70, 40, 75, false, true, false, 42);
        Both a = randn(43, 1, 1, 9), b = randn(44, 9, 1);
        Both av = a.map(t -> t.expand(4, 1, 9)), bv = b.map(t -> t.unsqueeze(0).expand(4, 9, 1));
        assertMatches(CPU.matmul(av.cpu(), bv.cpu()), cl().matmul(av.cl(), bv.cl()), 1e-5, "broadcast A and B");
    }

    @Test
    void slicedViewsAndStridesWithoutAUnitAxis() {
        Both sliced = randn(50, 2, 12, 30).map(t -> t.slice(2, 3, 13)); // strides (360, 30, 1), offset 3: no copy
        Both plain = randn(51, 2, 10, 8);
        assertMatches(CPU.matmul(sliced.cpu(), plain.cpu()), cl().matmul(sliced.cl(), plain.cl()), 1e-4, "sliced A");
        Both a = randn(52, 2, 12, 10, 3).map(t -> t.select(3, 2)); // strides (360, 30, 3): copied first
        Both b = randn(53, 2, 10, 8, 2).map(t -> t.select(3, 0)); // strides (160, 16, 2): copied first
        assertMatches(CPU.matmul(a.cpu(), b.cpu()), cl().matmul(a.cl(), b.cl()), 1e-4, "no unit stride in A or B");
    }

    @Test
    void emptyAndZeroDepthProducts() {
        Both a = randn(60, 2, 3, 0), b = randn(61, 2, 0, 4);
        assertMatches(CPU.matmul(a.cpu(), b.cpu()), cl().matmul(a.cl(), b.cl()), 0, "k = 0 gives zeros");
        Both c = randn(62, 2, 0, 5), d = randn(63, 2, 5, 4);
        assertMatches(CPU.matmul(c.cpu(), d.cpu()), cl().matmul(c.cl(), d.cl()), 0, "m = 0");
        Both e = randn(64, 0, 3, 5), f = randn(65, 0, 5, 4);
        assertMatches(CPU.matmul(e.cpu(), f.cpu()), cl().matmul(e.cl(), f.cl()), 0, "no batches");
    }

    @Test
    void everyCpuTuningCandidateIsCorrect() {
        OpenClBackend cl = cl();
        int m = 67, k = 45, n = 71;
        Both a = randn(70, 1, m, k), bt = randn(71, 1, n, k).map(Tensor::t);
        float[] expected = CPU.matmul(a.cpu(), bt.cpu()).toArray();
        for (GemmConfig cfg : GemmTuner.CPU_CANDIDATES) {
            if (!cl.fits(cfg)) continue;
            Tensor c = cl.fromArray(new float[m * n], 1, m, n);
            cl.gemm(cfg, 1, 1, m, n, k, cl.mem(a.cl()), 0, new int[]{0, k, 1}, true, cl.mem(bt.cl()), 0, new int[]{0, 1, k}, false, cl.mem(c));
            assertClose(expected, c.toArray(), 1e-4, "GEMM tiling " + cfg);
        }
    }

    @Test
    void splitKAndRectangularTilesOnEveryLayout() {
        OpenClBackend cl = cl();
        int m = 37, k = 150, n = 29;
        List<GemmConfig> cfgs = List.of(new GemmConfig(32, 4), new GemmConfig(64, 128, 4, 8, 8), new GemmConfig(128, 64, 8, 4, 16));
        long seed = 80;
        for (int layout = 0; layout < 4; layout++) {
            boolean ta = (layout & 1) != 0, tb = (layout & 2) != 0;
            Both a = ta ? randn(seed++, 2, k, m).map(Tensor::t) : randn(seed++, 2, m, k);
            Both b = tb ? randn(seed++, 2, n, k).map(Tensor::t) : randn(seed++, 2, k, n);
            float[] expected = CPU.matmul(a.cpu(), b.cpu()).toArray();
            int[] sa = a.cl().strides(), sb = b.cl().strides();
            for (GemmConfig cfg : cfgs) {
                if (!cl.fits(cfg)) continue;
                for (int splits : new int[]{1, 2, 3, 5}) {
                    Tensor c = cl.fromArray(new float[2 * m * n], 2, m, n);
                    cl.gemm(cfg, splits, 2, m, n, k, cl.mem(a.cl()), 0, sa, !ta, cl.mem(b.cl()), 0, sb, !tb, cl.mem(c));
                    assertClose(expected, c.toArray(), 1e-4, "GEMM tiling " + cfg + " split " + splits + " layout " + layout);
                }
            }
        }
        assertTrue(cl.splitsFor(new GemmConfig(128, 128, 8, 8, 16), 1, 128, 128, 8192) > 1, "one tile, deep K: split");
        assertEquals(1, cl.splitsFor(new GemmConfig(32, 4), 1, 4096, 4096, 64), "many tiles, shallow K: no split");
    }

    @Test
    void tuningIsCachedPerDevice() throws Exception {
        OpenClBackend cl = cl();
        GemmConfig cfg = cl.gemmConfig();
        assertTrue(cl.fits(cfg), "tuned tiling " + cfg + " should fit the device");
        if (System.getProperty("adamerge.opencl.gemm") != null) return;
        Path file = GemmTuner.cacheFile();
        Properties p = new Properties();
        try (var in = Files.newInputStream(file)) {
            p.load(in);
        }
        assertTrue(p.getProperty(GemmTuner.cacheKey(cl.device())) != null, "tuning cache " + file + " should name " + cl.device().name());
    }
}
