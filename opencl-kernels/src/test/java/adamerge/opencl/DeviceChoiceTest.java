package adamerge.opencl;

import adamerge.tensor.Backend;
import adamerge.tensor.Backends;
import adamerge.tensor.Tensor;
import adamerge.tensor.cpu.CpuBackends;
import org.junit.jupiter.api.Test;

import static adamerge.opencl.ClTesting.cl;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A device is chosen by name without becoming the default; a scope puts new tensors on it, and only while open. */
class DeviceChoiceTest {

    @Test
    void namesResolveToBackends() {
        assertSame(CpuBackends.active(), DeviceChoice.backend("cpu"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DeviceChoice.backend("cuda"));
        assertTrue(e.getMessage().contains("cpu, opencl or opencl:N"), e.getMessage());
    }

    @Test
    void anOpenClChoiceLeavesTheDefaultUnchanged() {
        cl(); // skips without an OpenCL device
        Backend cpu = Backends.defaultBackend();
        try (OpenClBackend chosen = assertInstanceOf(OpenClBackend.class, DeviceChoice.backend("opencl"))) {
            assertSame(cpu, Backends.current(), "choosing a device must not make it current");
            try (Backends.Scope onDevice = Backends.use(chosen)) {
                assertSame(chosen, Tensor.zeros(2, 2).backend());
                try (Backends.Scope onCpu = Backends.use(cpu)) {
                    assertSame(cpu, Tensor.zeros(2).backend());
                }
                assertSame(chosen, Tensor.of(new float[]{1, 2}, 2).backend());
            }
            assertSame(cpu, Backends.current());
            assertSame(cpu, Tensor.zeros(2).backend());
        }
    }
}
