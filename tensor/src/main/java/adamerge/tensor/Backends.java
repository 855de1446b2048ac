package adamerge.tensor;

import adamerge.tensor.cpu.CpuBackends;

/**
 * Which backend creates new tensors. Ops on existing tensors always run on the backend that owns
 * their storage; this only chooses where {@link Tensor#of} and friends put fresh data.
 */
public final class Backends {
    private static volatile Backend current;

    private Backends() {
    }

    public static Backend current() {
        Backend b = current;
        return b != null ? b : CpuBackends.active();
    }

    /** Makes {@code b} the home of new tensors ({@code null} restores the CPU default). */
    public static void use(Backend b) {
        current = b;
    }
}
