package adamerge.tensor;

/**
 * Supplies the backend new tensors go to while no {@link Backends#use} scope is open. The CPU
 * backends provide it (listed in {@code META-INF/services/adamerge.tensor.DefaultBackend}), and
 * {@link Backends} finds it with a {@link java.util.ServiceLoader}: this package never names the
 * packages that implement it, so the dependency points one way.
 */
public interface DefaultBackend {

    /** The backend to use by default; called once. */
    Backend backend();
}
