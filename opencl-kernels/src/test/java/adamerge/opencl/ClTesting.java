package adamerge.opencl;

import adamerge.tensor.Tensor;
import adamerge.tensor.cpu.CpuBackends;
import adamerge.tensor.cpu.ScalarBackend;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.UnaryOperator;

/**
 * One OpenCL backend for the whole test JVM (PoCL builds kernels slowly), the scalar oracle, and
 * helpers making the same data and views on both. Without an OpenCL device the tests are skipped,
 * except under CI=true, where they fail so that CI cannot pass without running them.
 */
final class ClTesting {
    static final ScalarBackend CPU = CpuBackends.SCALAR;
    private static OpenClBackend backend;
    private static String unavailable;

    private ClTesting() {
    }

    static synchronized OpenClBackend cl() {
        if (backend == null && unavailable == null) {
            if (System.getProperty("adamerge.opencl.tuningFile") == null)
                System.setProperty("adamerge.opencl.tuningFile", "target/opencl-tuning.properties");
            try {
                backend = OpenClBackend.open(System.getProperty("adamerge.opencl.device", "opencl"));
            } catch (OpenClUnavailableException e) {
                unavailable = e.getMessage();
            }
        }
        if (unavailable != null) {
            if ("true".equals(System.getenv("CI"))) Assertions.fail("CI=true but OpenCL is unavailable: " + unavailable);
            Assumptions.abort("OpenCL tests skipped: " + unavailable);
        }
        return backend;
    }

    /** The same tensor on the oracle and on the device. */
    record Both(Tensor cpu, Tensor cl) {
        Both map(UnaryOperator<Tensor> f) {
            return new Both(f.apply(cpu), f.apply(cl));
        }

        int[] shape() {
            return cpu.shape();
        }
    }

    static Both both(float[] data, int... shape) {
        return new Both(CPU.fromArray(data, shape), cl().fromArray(data, shape));
    }

    static float[] gaussian(long seed, int n) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (r.nextGaussian() * 2);
        return a;
    }

    static Both randn(long seed, int... shape) {
        int n = 1;
        for (int d : shape) n *= d;
        return both(gaussian(seed, n), shape);
    }

    /** Relative-plus-absolute closeness; NaN matches NaN, infinities must match exactly. */
    static void assertClose(float[] expected, float[] actual, double tol, String what) {
        Assertions.assertEquals(expected.length, actual.length, what + ": length");
        for (int i = 0; i < expected.length; i++) {
            float e = expected[i], a = actual[i];
            if (Float.isNaN(e) && Float.isNaN(a)) continue;
            if (Float.isInfinite(e) || Float.isInfinite(a)) {
                Assertions.assertEquals(e, a, what + " at " + i);
                continue;
            }
            if (Math.abs(e - a) > tol * (1 + Math.abs(e)))
                Assertions.fail(what + " at " + i + ": expected " + e + " but was " + a
                        + (expected.length <= 64 ? "\n expected " + Arrays.toString(expected) + "\n actual   " + Arrays.toString(actual) : ""));
        }
    }

    /** The device result has the oracle's shape, is contiguous on the device, and matches it. */
    static void assertMatches(Tensor expected, Tensor actual, double tol, String what) {
        Assertions.assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
        Assertions.assertTrue(actual.storage() instanceof DeviceStorage, what + ": result should stay on the device");
        Assertions.assertTrue(actual.isContiguous(), what + ": result should be contiguous");
        assertClose(expected.toArray(), actual.toArray(), tol, what);
    }
}
