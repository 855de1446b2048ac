package adamerge.cli;

import adamerge.opencl.DeviceChoice;
import adamerge.tensor.Backend;
import picocli.CommandLine.Option;

/** The {@code --device cpu|opencl|opencl:N} option every compute command mixes in ({@link DeviceChoice}). */
public final class DeviceOption {
    @Option(names = "--device", defaultValue = "cpu", paramLabel = "DEVICE",
            description = "cpu (default), opencl (first GPU, else first OpenCL device) or opencl:N (see 'adamerge devices').")
    String device = "cpu";

    /** Makes the chosen backend the home of new tensors and returns it. */
    public Backend activate() {
        return DeviceChoice.activate(device);
    }

    public String name() {
        return device;
    }
}
