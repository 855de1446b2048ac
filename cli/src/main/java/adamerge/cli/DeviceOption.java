package adamerge.cli;

import adamerge.opencl.DeviceChoice;
import adamerge.tensor.Backend;
import picocli.CommandLine.Option;

/** The {@code --device cpu|opencl|opencl:N} option every compute command mixes in ({@link DeviceChoice}). */
public final class DeviceOption {
    @Option(names = "--device", defaultValue = "cpu", paramLabel = "DEVICE",
            description = "cpu (default), opencl (first GPU, else first OpenCL device) or opencl:N (see 'adamerge devices').")
    String device = "cpu";

    /** The chosen backend; a command opens a {@link adamerge.tensor.Backends#use} scope with it around its work. */
    public Backend backend() {
        return DeviceChoice.backend(device);
    }

    public String name() {
        return device;
    }
}
