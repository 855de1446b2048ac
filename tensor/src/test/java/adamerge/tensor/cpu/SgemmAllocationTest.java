package adamerge.tensor.cpu;

import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Once compiled, a product allocates nothing per call but its few bytes of bookkeeping: no vector
 * is boxed, in any layout (packing A and B, the micro-kernels, the edge tiles). The tests also run
 * this with no type profiles ({@code -XX:TypeProfileWidth=0}, see tensor/pom.xml), where a vector
 * call on a receiver of inexact class cannot be inlined (see {@link SimdBackend#S}).
 */
class SgemmAllocationTest {
    @Test
    void productsBoxNoVectors() {
        var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assumeTrue(mx.isThreadAllocatedMemorySupported(), "no allocation counter in this JVM");
        int m = 98, n = 100, k = 200; // full and edge panels, k in whole vector groups and a tail
        Random rnd = new Random(3);
        float[] a = new float[m * k], b = new float[k * n], c = new float[m * n];
        for (int i = 0; i < a.length; i++) a[i] = rnd.nextFloat();
        for (int i = 0; i < b.length; i++) b[i] = rnd.nextFloat();
        long bound = 1024;
        for (boolean transA : new boolean[]{false, true})
            for (boolean transB : new boolean[]{false, true}) {
                int lda = transA ? m : k, ldb = transB ? k : n;
                long least = Long.MAX_VALUE;
                // The least of up to 2000 calls: C2 compiles the kernels after a few hundred.
                for (int call = 0; call < 2000 && least >= bound; call++) {
                    long before = mx.getCurrentThreadAllocatedBytes();
                    Sgemm.multiplySerial(transA, transB, m, n, k, a, 0, lda, b, 0, ldb, c, 0, n, false);
                    least = Math.min(least, mx.getCurrentThreadAllocatedBytes() - before);
                }
                assertTrue(least < bound, (transA ? "T" : "N") + (transB ? "T" : "N") + " product allocated " + least + " bytes a call");
            }
    }
}
