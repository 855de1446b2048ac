package adamerge.tensor.cpu;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Both splitters must visit every index of the range exactly once, whatever the piece sizes. */
class ParallelTest {
    @Test
    void forRangeAndForPiecesCoverTheRangeOnce() {
        for (int n : new int[]{0, 1, 2, 7, 64, 1001})
            for (int pieces : new int[]{1, 2, 3, 8, 5000}) {
                AtomicIntegerArray seen = new AtomicIntegerArray(n);
                Parallel.forPieces(n, pieces, (lo, hi) -> {
                    for (int i = lo; i < hi; i++) seen.incrementAndGet(i);
                });
                for (int i = 0; i < n; i++) assertEquals(1, seen.get(i), "forPieces n=" + n + " pieces=" + pieces + " index " + i);

                AtomicIntegerArray seen2 = new AtomicIntegerArray(n);
                Parallel.forRange(n, pieces, (lo, hi) -> {
                    for (int i = lo; i < hi; i++) seen2.incrementAndGet(i);
                });
                for (int i = 0; i < n; i++) assertEquals(1, seen2.get(i), "forRange n=" + n + " grain=" + pieces + " index " + i);
            }
    }
}
