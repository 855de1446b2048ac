package adamerge.opencl;

import adamerge.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * GEMM throughput on an OpenCL device: {@code ClGemmBench [--device opencl[:N]] [--reps R] [--json] m k n}
 * times [1,m,k] x [1,k,n] (plus the transposed-B layout) and prints GFLOP/s.
 */
public final class ClGemmBench {
    private ClGemmBench() {
    }

    public static void main(String[] args) {
        String spec = "opencl";
        int reps = 10;
        boolean json = false;
        List<Integer> dims = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--device" -> spec = args[++i];
                case "--reps" -> reps = Integer.parseInt(args[++i]);
                case "--json" -> json = true;
                default -> dims.add(Integer.parseInt(args[i]));
            }
        }
        if (dims.isEmpty()) dims = List.of(1024, 1024, 1024);
        if (dims.size() != 3) throw new IllegalArgumentException("usage: ClGemmBench [--device opencl[:N]] [--reps R] [--json] m k n");
        int m = dims.get(0), k = dims.get(1), n = dims.get(2);
        try (OpenClBackend cl = OpenClBackend.open(spec)) {
            Tensor a = cl.fromArray(random(m * k, 1), 1, m, k);
            Tensor b = cl.fromArray(random(k * n, 2), 1, k, n);
            Tensor bt = cl.fromArray(random(k * n, 3), 1, n, k).transpose(1, 2);
            GemmConfig cfg = cl.gemmConfig();
            double nn = gflops(cl, a, b, reps, m, k, n), nt = gflops(cl, a, bt, reps, m, k, n);
            if (json)
                System.out.printf("{\"device\":\"%s\",\"m\":%d,\"k\":%d,\"n\":%d,\"tile\":%d,\"wpt\":%d,\"gflops_nn\":%.1f,\"gflops_nt\":%.1f}%n",
                        cl.device().name().replace("\"", "'"), m, k, n, cfg.ts(), cfg.wpt(), nn, nt);
            else
                System.out.printf("%s  m=%d k=%d n=%d  tile %d, %dx%d per work-item%n  NN %.1f GFLOP/s%n  NT %.1f GFLOP/s%n",
                        cl, m, k, n, cfg.ts(), cfg.wpt(), cfg.wpt(), nn, nt);
        }
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
