package adamerge.tensor.cpu;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits a range of independent work items over the cores. Kernels call this with a grain
 * (items per task) large enough that a task costs well over the ~10 us a fork costs.
 */
public final class Parallel {
    /** Worker count; {@code -Dadamerge.threads=N} overrides the core count. */
    public static final int THREADS = Integer.getInteger("adamerge.threads", Runtime.getRuntime().availableProcessors());
    private static final ForkJoinPool POOL = THREADS > 1 ? new ForkJoinPool(THREADS) : null;

    private Parallel() {
    }

    /** Body over the half-open range [lo, hi). */
    @FunctionalInterface
    public interface Range {
        void run(int lo, int hi);
    }

    /** Runs {@code body} over [0, n) in at most THREADS contiguous chunks of at least {@code grain} items. */
    public static void forRange(int n, int grain, Range body) {
        int chunks = Math.min(THREADS, Math.max(1, n / Math.max(grain, 1)));
        if (chunks <= 1 || POOL == null || ForkJoinTask.inForkJoinPool()) {
            if (n > 0) body.run(0, n);
            return;
        }
        List<ForkJoinTask<?>> tasks = new ArrayList<>(chunks);
        for (int c = 1; c < chunks; c++) {
            int lo = (int) ((long) n * c / chunks), hi = (int) ((long) n * (c + 1) / chunks);
            tasks.add(POOL.submit(() -> body.run(lo, hi)));
        }
        body.run(0, (int) ((long) n / chunks)); // the caller takes the first chunk
        for (ForkJoinTask<?> t : tasks) t.join();
    }
}
