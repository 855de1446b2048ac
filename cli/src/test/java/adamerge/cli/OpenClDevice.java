package adamerge.cli;

import adamerge.opencl.OpenClBackend;
import adamerge.tensor.Backends;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.util.function.Supplier;

/**
 * Runs a command on {@code --device opencl}: skipped without an OpenCL device, except under
 * CI=true, where that fails so that CI cannot pass without running it.
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
        try {
            return command.get();
        } finally {
            Backends.use(null); // the command made the device the default backend; the next test expects the CPU
        }
    }
}
