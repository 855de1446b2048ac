package adamerge.opencl;

import adamerge.tensor.Tensor;
import adamerge.tensor.cpu.Sgemm;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * GEMM throughput on an OpenCL device.
 * <ul>
 * <li>{@code ClGemmBench [--device opencl[:N]] [--reps R] [--json] m k n}: [1,m,k] x [1,k,n] (plus the
 * transposed-B layout) through the backend's matmul, in GFLOP/s.</li>
 * <li>{@code ClGemmBench --sweep [--device ..] [--configs "BM,BN,TM,TN,BK;..."] [--splits 1,2,4] [--verbose]}:
 * checks every tiling against the CPU GEMM (all layouts, edge sizes, split K), then times every
 * tiling x split count on the shapes of {@code adamerge bench gemm} and prints the backend's own
 * choice for each; {@code --verbose} prints the compiler's build log (-cl-nv-verbose on NVIDIA).</li>
 * </ul>
 * It sits in the bench module but in the package {@code adamerge.opencl} (one class loader, one
 * runtime package): the sweep drives the GEMM planner's tiling hooks, which stay package-private
 * instead of becoming public API for one benchmark.
 */
public final class ClGemmBench {
    private static final int BATCH = 20;

    private ClGemmBench() {
    }

    public static void main(String[] args) {
        String spec = "opencl", configs = null, splitList = "1,2,3,4,6,8";
        int reps = 10;
        boolean json = false, sweep = false, verbose = false;
        List<Integer> dims = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--device" -> spec = args[++i];
                case "--reps" -> reps = Integer.parseInt(args[++i]);
                case "--json" -> json = true;
                case "--sweep" -> sweep = true;
                case "--verbose" -> verbose = true;
                case "--configs" -> configs = args[++i];
                case "--splits" -> splitList = args[++i];
                default -> dims.add(Integer.parseInt(args[i]));
            }
        }
        try (OpenClBackend cl = OpenClBackend.open(spec)) {
            if (sweep) {
                List<GemmConfig> cfgs = new ArrayList<>();
                if (configs != null) for (String c : configs.split(";")) cfgs.add(GemmConfig.parse(c));
                else cfgs.addAll(cl.device().gpu() ? GemmTuner.CANDIDATES : GemmTuner.CPU_CANDIDATES);
                List<Integer> splits = new ArrayList<>();
                for (String s : splitList.split(",")) splits.add(Integer.parseInt(s.trim()));
                sweep(cl, cfgs, splits, verbose);
                return;
            }
            if (dims.isEmpty()) dims = List.of(1024, 1024, 1024);
            if (dims.size() != 3) throw new IllegalArgumentException("usage: ClGemmBench [--device opencl[:N]] [--reps R] [--json] m k n");
            int m = dims.get(0), k = dims.get(1), n = dims.get(2);
            Tensor a = cl.fromArray(random(m * k, 1), 1, m, k);
            Tensor b = cl.fromArray(random(k * n, 2), 1, k, n);
            Tensor bt = cl.fromArray(random(k * n, 3), 1, n, k).transpose(1, 2);
            GemmConfig cfg = cl.gemmConfig();
            double nn = gflops(cl, a, b, reps, m, k, n), nt = gflops(cl, a, bt, reps, m, k, n);
            if (json)
                System.out.printf(Locale.ROOT, "{\"device\":\"%s\",\"m\":%d,\"k\":%d,\"n\":%d,\"tiling\":\"%s\",\"gflops_nn\":%.1f,\"gflops_nt\":%.1f}%n",
                        cl.device().name().replace("\"", "'"), m, k, n, cfg, nn, nt);
            else
                System.out.printf(Locale.ROOT, "%s  m=%d k=%d n=%d  tiling %s%n  NN %.1f GFLOP/s%n  NT %.1f GFLOP/s%n", cl, m, k, n, cfg, nn, nt);
        }
    }

    /** One product of the sweep: layout "NN", "NT", "TN" or "TT" (T = stored transposed). */
    private record Shape(String layout, int m, int k, int n) {
        boolean ta() { return layout.charAt(0) == 'T'; }
        boolean tb() { return layout.charAt(1) == 'T'; }
    }

    /** Device operands of a shape, their host copies and the CPU product. */
    private static final class Operands implements AutoCloseable {
        final Shape s;
        final float[] a, b;
        final Tensor da, db, dc;
        final int[] sa, sb;
        final int aOff;
        float[] expected;

        /** offA shifts A by that many floats in its buffer (a misaligned view). */
        Operands(OpenClBackend cl, Shape s, long seed, int offA) {
            this.s = s;
            a = random(s.m * s.k + offA, seed);
            b = random(s.k * s.n, seed + 1);
            da = cl.fromArray(a, a.length);
            db = cl.fromArray(b, b.length);
            dc = cl.fromArray(new float[s.m * s.n], s.m * s.n);
            aOff = offA;
            sa = s.ta() ? new int[]{0, 1, s.m} : new int[]{0, s.k, 1};
            sb = s.tb() ? new int[]{0, 1, s.k} : new int[]{0, s.n, 1};
        }

        float[] expected() {
            if (expected == null) {
                expected = new float[s.m * s.n];
                Sgemm.multiply(s.ta(), s.tb(), s.m, s.n, s.k, a, aOff, s.ta() ? s.m : s.k, b, 0, s.tb() ? s.k : s.n, expected, 0, s.n, false);
            }
            return expected;
        }

        void run(OpenClBackend cl, GemmConfig cfg, int splits) {
            cl.gemm(cfg, splits, 1, s.m, s.n, s.k, cl.mem(da), aOff, sa, !s.ta(), cl.mem(db), 0, sb, !s.tb(), cl.mem(dc));
        }

        /** Largest |ours - cpu| / (1 + |cpu|). */
        double error(OpenClBackend cl, GemmConfig cfg, int splits) {
            run(cl, cfg, splits);
            float[] got = dc.toArray(), want = expected();
            double worst = 0;
            for (int i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]) / (1 + Math.abs(want[i])));
            return worst;
        }

        @Override
        public void close() {
            for (Tensor t : List.of(da, db, dc)) ((DeviceStorage) t.storage()).release();
        }
    }

    private static void sweep(OpenClBackend cl, List<GemmConfig> cfgs, List<Integer> splits, boolean verbose) {
        System.out.printf(Locale.ROOT, "%s, %d compute units; tunings %s; splits %s%n", cl, cl.device().computeUnits(), cfgs, splits);
        List<GemmConfig> usable = new ArrayList<>();
        for (GemmConfig c : cfgs) {
            if (!cl.fits(c)) {
                System.out.println("does not fit: " + c);
                continue;
            }
            if (verbose) {
                String log = cl.gemmBuildLog(c, true, true, "-cl-nv-verbose");
                System.out.println("build log " + c + " NN:\n" + log.lines().filter(l -> !l.isBlank()).map(l -> "  " + l).reduce("", (x, y) -> x + y + "\n"));
            }
            usable.add(c);
        }
        // correctness: edge sizes, every layout, a misaligned A, split K
        int[][] edge = {{1, 1, 1}, {5, 1, 9}, {17, 33, 65}, {97, 301, 83}, {130, 517, 260}, {64, 1024, 128}};
        String[] layouts = {"NN", "NT", "TN", "TT"};
        int failures = 0;
        long seed = 1;
        for (int[] e : edge)
            for (String lay : layouts)
                for (int off : new int[]{0, 1})
                    try (Operands o = new Operands(cl, new Shape(lay, e[0], e[1], e[2]), seed++, off)) {
                        for (GemmConfig c : usable)
                            for (int sp : new int[]{1, 3}) {
                                double err = o.error(cl, c, sp);
                                if (!(err < 1e-4)) {
                                    failures++;
                                    System.out.printf(Locale.ROOT, "MISMATCH %s %s m=%d k=%d n=%d off=%d splits=%d: %.3g%n", c, lay, e[0], e[1], e[2], off, sp, err);
                                }
                            }
                    }
        System.out.println(failures == 0 ? "correctness: all tilings match the CPU GEMM (edge sizes, 4 layouts, misaligned A, split K)"
                : "correctness: " + failures + " MISMATCHES");
        if (Boolean.getBoolean("adamerge.bench.checkOnly")) return;

        List<Shape> shapes = new ArrayList<>();
        for (int[] l : new int[][]{{768, 3072}, {3072, 768}, {768, 2304}})
            shapes.addAll(List.of(new Shape("NN", 800, l[0], l[1]), new Shape("NT", 800, l[1], l[0]), new Shape("TN", l[0], 800, l[1])));
        GemmConfig tuned = cl.gemmConfig();
        System.out.println("tuned tiling: " + tuned);
        System.out.printf(Locale.ROOT, "%-4s %5s %5s %5s  %-16s %6s %9s%n", "lay", "m", "k", "n", "tiling", "splits", "GFLOP/s");
        for (Shape s : shapes) {
            try (Operands o = new Operands(cl, s, 7, 0)) {
                double best = 0;
                String bestWhat = "";
                for (GemmConfig c : usable)
                    for (int sp : splits) {
                        double g = time(cl, o, c, sp);
                        System.out.printf(Locale.ROOT, "%-4s %5d %5d %5d  %-16s %6d %9.1f%n", s.layout, s.m, s.k, s.n, c, sp, g);
                        if (g > best) {
                            best = g;
                            bestWhat = c + " x" + sp;
                        }
                    }
                GemmConfig chosen = cl.tileFor(tuned, 1, s.m, s.n);
                int sp = cl.splitsFor(chosen, 1, s.m, s.n, s.k);
                double err = o.error(cl, chosen, sp);
                System.out.printf(Locale.ROOT, "BEST %s %d %d %d: %s %.1f | CHOSEN %s x%d %.1f GFLOP/s, error %.2g%n",
                        s.layout, s.m, s.k, s.n, bestWhat, best, chosen, sp, time(cl, o, chosen, sp), err);
            }
        }
    }

    /** Median GFLOP/s over 5 runs of BATCH products. */
    private static double time(OpenClBackend cl, Operands o, GemmConfig cfg, int splits) {
        o.run(cl, cfg, splits);
        cl.finish();
        double[] sec = new double[5];
        for (int r = 0; r < sec.length; r++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < BATCH; i++) o.run(cl, cfg, splits);
            cl.finish();
            sec[r] = (System.nanoTime() - t0) * 1e-9 / BATCH;
        }
        java.util.Arrays.sort(sec);
        return 2.0 * o.s.m * o.s.k * o.s.n / sec[2] * 1e-9;
    }

    private static double gflops(OpenClBackend cl, Tensor a, Tensor b, int reps, int m, int k, int n) {
        ((DeviceStorage) cl.matmul(a, b).storage()).release(); // warm-up
        cl.finish();
        long t0 = System.nanoTime();
        for (int r = 0; r < reps; r++) ((DeviceStorage) cl.matmul(a, b).storage()).release();
        cl.finish();
        double seconds = (System.nanoTime() - t0) / 1e9;
        return 2.0 * m * k * n * reps / seconds / 1e9;
    }

    private static float[] random(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) r.nextDouble(-1, 1);
        return a;
    }
}
