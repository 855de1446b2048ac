package adamerge.cli;

import adamerge.opencl.OpenClBackend;
import adamerge.tensor.Backend;
import adamerge.tensor.Backends;
import adamerge.tensor.cpu.CpuBackends;
import picocli.CommandLine.Option;

/**
 * The {@code --device cpu|opencl|opencl:N} option every compute command mixes in. Choosing
 * OpenCL without a usable device is an error that says how to install a runtime; there is no
 * silent fallback to the CPU.
 */
public final class DeviceOption {
    @Option(names = "--device", defaultValue = "cpu", paramLabel = "DEVICE",
            description = "cpu (default), opencl (first GPU, else first OpenCL device) or opencl:N (see 'adamerge devices').")
    String device = "cpu";

    /** Makes the chosen backend the home of new tensors and returns it. */
    public Backend activate() {
        Backend b;
        if (device.equals("cpu")) b = CpuBackends.active();
        else if (device.equals("opencl") || device.startsWith("opencl:")) b = OpenClBackend.open(device);
        else throw new IllegalArgumentException("unknown device '" + device + "': use cpu, opencl or opencl:N");
        Backends.use(b);
        return b;
    }

    public String name() {
        return device;
    }
}
