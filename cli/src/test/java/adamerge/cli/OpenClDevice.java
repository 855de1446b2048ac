package adamerge.cli;

import adamerge.opencl.OpenClBackend;
import adamerge.tensor.Backends;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.util.function.Supplier;

/**
 * Runs a command on {@code --device opencl}: skipped without an OpenCL device, except under
 * CI=true, where that fails so that CI cannot pass without running it. Afterwards new tensors
 * must go to the default backend again: the command's choice of device ends with the command.
 */
final class OpenClDevice {
    private OpenClDevice() {
    }

    static <T> T run(Supplier<T> command) {
        try (OpenClBackend probe = OpenClBackend.open("opencl")) {
            Assertions.assertNotNull(probe);
        } catch (RuntimeException e) {
            if ("true".equals(System.getenv("CI"))) Assertions.fail("CI=true but OpenCL is unavailable: " + e.getMessage());
            Assumptions.abort("no OpenCL device: " + e.getMessage());
        }
        T result = command.get();
        // The command's scope has closed: the device must not stay the home of new tensors.
        Assertions.assertSame(Backends.defaultBackend(), Backends.current(), "the command left its device as the current backend");
        return result;
    }
}
