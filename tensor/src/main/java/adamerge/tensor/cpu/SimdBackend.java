package adamerge.tensor.cpu;

/**
 * Vector API kernels, multithreaded over the cores. Each override has its scalar twin in
 * {@link ScalarBackend}; paths not worth vectorising fall through to it.
 */
public class SimdBackend extends ScalarBackend {
    @Override
    public String name() {
        return "cpu-simd";
    }
}
