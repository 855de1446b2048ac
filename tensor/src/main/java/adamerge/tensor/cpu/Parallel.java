package adamerge.tensor.cpu;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.atomic.AtomicInteger;
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

    /** How many chunks {@link #forRange} would run in parallel here: 1 when it would run {@code body} on the caller alone. */
    public static int chunks(int n, int grain) {
        if (POOL == null || ForkJoinTask.inForkJoinPool()) return 1;
        return Math.min(THREADS, Math.max(1, n / Math.max(grain, 1)));
    }

    /** Runs {@code body} over [0, n) in at most THREADS contiguous chunks of at least {@code grain} items. */
    public static void forRange(int n, int grain, Range body) {
        int chunks = chunks(n, grain);
        if (chunks <= 1) {
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

    /**
     * Runs {@code body} over [0, n) cut into {@code pieces} contiguous pieces that the threads
     * claim one at a time, so a thread that runs slower takes fewer. The cores of a shared VM
     * often run at different speeds for seconds on end (a neighbour on the host): with one
     * fixed half each, the fast core waits for the slow one.
     */
    public static void forPieces(int n, int pieces, Range body) {
        int count = Math.min(pieces, n);
        if (count <= 1 || chunks(n, 1) < 2) {
            if (n > 0) body.run(0, n);
            return;
        }
        AtomicInteger next = new AtomicInteger();
        Runnable claim = () -> {
            for (int p; (p = next.getAndIncrement()) < count; )
                body.run((int) ((long) n * p / count), (int) ((long) n * (p + 1) / count));
        };
        List<ForkJoinTask<?>> helpers = new ArrayList<>(THREADS - 1);
        for (int t = 1; t < Math.min(THREADS, count); t++) helpers.add(POOL.submit(claim));
        claim.run();
        for (ForkJoinTask<?> h : helpers) h.join();
    }
}
