package adamerge.opencl;

import adamerge.tensor.Backend;
import adamerge.tensor.cpu.CpuBackends;

/**
 * A device by the name users give it: {@code cpu}, {@code opencl} (the first GPU, else the first
 * OpenCL device) or {@code opencl:N} (see {@link OpenClDevices}). Choosing OpenCL without a usable
 * device is an error that says how to install a runtime; there is no silent fallback to the CPU.
 */
public final class DeviceChoice {
    private DeviceChoice() {
    }

    /**
     * The backend named {@code device}. Choosing it changes nothing else: the caller puts new
     * tensors there with a {@link adamerge.tensor.Backends#use} scope around its work.
     */
    public static Backend backend(String device) {
        return backend(device, 0);
    }

    /** As {@link #backend(String)}, an OpenCL device holding at most {@code maxDeviceBytes} (0: its default cap). */
    public static Backend backend(String device, long maxDeviceBytes) {
        if (device.equals("cpu")) return CpuBackends.active();
        if (device.equals("opencl") || device.startsWith("opencl:")) return OpenClBackend.open(device, maxDeviceBytes);
        throw new IllegalArgumentException("unknown device '" + device + "': use cpu, opencl or opencl:N");
    }
}
