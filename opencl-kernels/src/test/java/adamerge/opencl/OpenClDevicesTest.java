package adamerge.opencl;

import adamerge.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;

import static adamerge.opencl.ClTesting.*;
import static org.junit.jupiter.api.Assertions.*;

/** Device listing, device specs, and buffer lifetime. */
class OpenClDevicesTest {

    @Test
    void listsDevicesAndResolvesSpecs() {
        OpenClBackend cl = cl();
        List<OpenClDevices.Device> all = OpenClDevices.list();
        assertFalse(all.isEmpty());
        for (OpenClDevices.Device d : all) {
            assertFalse(d.name().isEmpty());
            assertTrue(d.globalMemBytes() > 0 && d.computeUnits() > 0, d.toString());
            assertTrue(d.openclVersion().startsWith("OpenCL"), d.openclVersion());
        }
        assertEquals(all.get(0).name(), OpenClDevices.pick("opencl:0").name());
        assertTrue(cl.name().startsWith("opencl:"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OpenClDevices.pick("opencl:" + all.size()));
        assertTrue(e.getMessage().contains("devices"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> OpenClDevices.pick("cuda"));
        assertThrows(IllegalArgumentException.class, () -> OpenClDevices.pick("opencl:x"));
    }

    @Test
    void releasedBuffersAreReusedAndRefused() {
        OpenClBackend cl = cl();
        Tensor a = cl.fromArray(new float[]{1, 2, 3}, 3);
        DeviceStorage s = (DeviceStorage) a.storage();
        s.release();
        assertThrows(IllegalStateException.class, a::toArray);
        s.release(); // idempotent
        Tensor b = cl.fromArray(new float[]{4, 5, 6}, 3); // likely the pooled buffer
        assertArrayEquals(new float[]{4, 5, 6}, b.toArray());
        Tensor cpu = CPU.fromArray(new float[]{1}, 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> cl.unary(adamerge.tensor.Unary.NEG, cpu));
        assertTrue(e.getMessage().contains("lives on"), e.getMessage());
    }

    @Test
    void manyDroppedTensorsDoNotExhaustTheDevice() {
        OpenClBackend cl = cl();
        Tensor x = cl.fromArray(new float[1 << 16], 1 << 16);
        for (int i = 0; i < 200; i++) x = x.add(1f); // each step drops a 256 KiB buffer for the cleaner
        assertEquals(200f, x.toArray()[12345]);
    }
}
