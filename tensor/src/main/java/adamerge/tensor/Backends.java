package adamerge.tensor;

import java.util.List;
import java.util.Objects;
import java.util.ServiceLoader;

/**
 * Which backend creates new tensors. Ops on existing tensors always run on the backend that owns
 * their storage; this only chooses where {@link Tensor#of} and friends put fresh data.
 *
 * <p>Outside any scope that is the {@link DefaultBackend} (the CPU). A caller that wants another
 * opens a scope around the work and closes it after, which puts back the backend that was in use
 * before:
 * <pre>{@code
 * try (Backends.Scope scope = Backends.use(device)) {
 *     ... // Tensor.of(...) lands on device
 * }
 * }</pre>
 * Scopes nest and must close innermost first (try-with-resources does). The choice is
 * process-wide, not per thread, because the worker threads a kernel or data loader fans out to
 * must make tensors on the same backend as the thread that opened the scope; so scopes belong to a
 * program's main line (a command, a benchmark, a test), not to tasks running side by side.
 */
public final class Backends {
    /** The innermost open scope; null when none is open. */
    private static volatile Scope innermost;

    private Backends() {
    }

    /** The backend of the innermost open scope, else the default. */
    public static Backend current() {
        Scope s = innermost;
        return s != null ? s.backend : defaultBackend();
    }

    /** The backend new tensors go to outside every scope: the one {@link DefaultBackend} provider's. */
    public static Backend defaultBackend() {
        return Default.BACKEND;
    }

    /** Makes {@code backend} the home of new tensors until the returned scope is closed. */
    public static Scope use(Backend backend) {
        Objects.requireNonNull(backend, "backend");
        synchronized (Backends.class) {
            Scope s = new Scope(backend, innermost);
            innermost = s;
            return s;
        }
    }

    /** An open choice of backend; closing it restores the one in use when it was opened. */
    public static final class Scope implements AutoCloseable {
        private final Backend backend;
        private final Scope outer;
        private boolean closed;

        private Scope(Backend backend, Scope outer) {
            this.backend = backend;
            this.outer = outer;
        }

        public Backend backend() {
            return backend;
        }

        /** Restores the previous backend; closing again does nothing. */
        @Override
        public void close() {
            synchronized (Backends.class) {
                if (closed) return;
                // An inner scope still open would be left pointing at a backend nobody chose any more.
                if (innermost != this)
                    throw new IllegalStateException("the scope using " + backend.name() + " was closed while a scope opened inside it (using "
                            + innermost.backend.name() + ") is still open: close scopes innermost first, as try-with-resources does");
                closed = true;
                innermost = outer;
            }
        }
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
