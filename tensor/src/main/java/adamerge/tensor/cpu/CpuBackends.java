package adamerge.tensor.cpu;

import adamerge.tensor.Backend;
import adamerge.tensor.DefaultBackend;

/**
 * The CPU backend in use: {@link SimdBackend} unless the system property
 * {@code adamerge.simd=false} selects the plain {@link ScalarBackend} (the oracle), which lets
 * the whole test suite run on the scalar path.
 */
public final class CpuBackends {
    public static final ScalarBackend SCALAR = new ScalarBackend();
    public static final SimdBackend SIMD = new SimdBackend();
    private static final Backend ACTIVE = Boolean.parseBoolean(System.getProperty("adamerge.simd", "true")) ? SIMD : SCALAR;

    private CpuBackends() {
    }

    public static Backend active() {
        return ACTIVE;
    }

    /** Makes {@link #active()} the default backend of new tensors (listed in META-INF/services for {@link adamerge.tensor.Backends}). */
    public static final class Provider implements DefaultBackend {
        @Override
        public Backend backend() {
            return active();
        }
    }
}
