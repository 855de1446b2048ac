package adamerge.cli;

import adamerge.opencl.OpenClDevices;
import adamerge.opencl.OpenClUnavailableException;
import adamerge.tensor.cpu.CpuBackends;
import adamerge.tensor.cpu.Parallel;
import jdk.incubator.vector.FloatVector;
import picocli.CommandLine.Command;

import java.util.List;
import java.util.Locale;

/**
 * {@code adamerge devices}: the compute devices {@code --device} can name. The CPU backend is
 * always there; OpenCL devices are listed in the flat order that {@code opencl:N} indexes.
 */
@Command(name = "devices", mixinStandardHelpOptions = true,
        description = "List the compute devices: the CPU backend and every OpenCL device (the N of --device opencl:N).")
public final class DevicesCommand implements Runnable {

    @Override
    public void run() {
        System.out.printf(Locale.ROOT, "%-10s %s, %d threads, %d-lane FP32 vectors, %.1f GiB max heap%n", "cpu",
                CpuBackends.active().name(), Parallel.THREADS, FloatVector.SPECIES_PREFERRED.length(),
                Runtime.getRuntime().maxMemory() / (double) (1L << 30));
        List<OpenClDevices.Device> devices;
        try {
            devices = OpenClDevices.list();
        } catch (OpenClUnavailableException e) {
            System.out.println("OpenCL: none (" + e.getMessage() + ")");
            return;
        }
        // --device opencl takes the first GPU, else the first device (OpenClDevices.pick).
        OpenClDevices.Device chosen = devices.stream().filter(OpenClDevices.Device::gpu).findFirst().orElse(devices.get(0));
        for (OpenClDevices.Device d : devices)
            System.out.printf(Locale.ROOT, "%-10s %s (%s, %s), %s, %d compute units, %.1f GiB global memory, platform %d '%s'%s%n",
                    "opencl:" + d.index(), d.name(), d.vendor(), d.gpu() ? "GPU" : "non-GPU", d.openclVersion(), d.computeUnits(),
                    d.globalMemBytes() / (double) (1L << 30), d.platformIndex(), d.platform(),
                    d.index() == chosen.index() ? "  [--device opencl]" : "");
    }
}
