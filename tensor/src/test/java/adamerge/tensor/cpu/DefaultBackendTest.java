package adamerge.tensor.cpu;

import adamerge.tensor.Backends;
import adamerge.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/** {@code adamerge.tensor} finds the CPU backend through its service file, and new tensors go there. */
class DefaultBackendTest {
    @Test
    void theCpuBackendsProvideTheDefault() {
        assertSame(CpuBackends.active(), Backends.defaultBackend());
        assertSame(CpuBackends.active(), new CpuBackends.Provider().backend());
        // SIMD unless -Dadamerge.simd=false, as before the default moved behind a service.
        boolean simd = Boolean.parseBoolean(System.getProperty("adamerge.simd", "true"));
        assertSame(simd ? CpuBackends.SIMD : CpuBackends.SCALAR, Backends.defaultBackend());
    }

    @Test
    void newTensorsLandOnTheDefault() {
        assertSame(Backends.defaultBackend(), Backends.current());
        assertSame(Backends.defaultBackend(), Tensor.of(new float[]{1, 2}, 2).backend());
        assertSame(Backends.defaultBackend(), Tensor.zeros(3).backend());
    }

    @Test
    void wrapSharesTheArray() {
        float[] a = {1, 2, 3, 4};
        Tensor t = HeapStorage.wrap(a, 2, 2);
        a[3] = 9;
        assertEquals(9, t.get(1, 1));
        assertArrayEquals(new int[]{2, 2}, t.shape());
        assertSame(CpuBackends.active(), t.backend());
    }
}
