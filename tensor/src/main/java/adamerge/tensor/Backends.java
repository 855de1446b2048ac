package adamerge.tensor;

import java.util.List;
import java.util.ServiceLoader;

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
        return b != null ? b : defaultBackend();
    }

    /** Makes {@code b} the home of new tensors ({@code null} restores the default). */
    public static void use(Backend b) {
        current = b;
    }

    /** The backend new tensors go to unless one is chosen: the one {@link DefaultBackend} provider's. */
    public static Backend defaultBackend() {
        return Default.BACKEND;
    }

    /** Loaded on first use (a holder class: the JVM runs this once, thread-safely). */
    private static final class Default {
        static final Backend BACKEND = load();

        private static Backend load() {
            // The provider ships in the same jar as this class, so look where this class was loaded from.
            List<DefaultBackend> found = ServiceLoader.load(DefaultBackend.class, Backends.class.getClassLoader())
                    .stream().map(ServiceLoader.Provider::get).toList();
            if (found.size() != 1)
                throw new IllegalStateException("expected one " + DefaultBackend.class.getName() + " provider on the class path, found "
                        + found.stream().map(p -> p.getClass().getName()).toList() + ": the tensor jar lists the CPU backends' in "
                        + "META-INF/services/" + DefaultBackend.class.getName() + " (a repackaged jar must keep, and merge, service files)");
            return found.get(0).backend();
        }
    }
}
