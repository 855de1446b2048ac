package adamerge.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * OpenBLAS's {@code cblas_sgemm}, called in this process through the FFM API, so that a benchmark
 * can time it and {@link adamerge.tensor.cpu.Sgemm} in alternating turns: on a VM whose speed
 * drifts by tens of percent over a minute, a ratio is only honest when both sides ran under the
 * same conditions. A benchmark tool only; nothing in the library or the tests uses it.
 * <p>
 * OpenBLAS reads {@code OPENBLAS_CORETYPE} when it is loaded: the caller sets it (SkylakeX where
 * the CPU has AVX-512) in the environment of this process, see {@code bench/peer_blas.py}.
 */
final class OpenBlasPeer implements AutoCloseable {
    private static final int ROW_MAJOR = 101, NO_TRANS = 111, TRANS = 112;
    /** Where Debian's libopenblas0-pthread puts the library (the update-alternatives link). */
    static final Path DEFAULT_LIBRARY = Path.of("/usr/lib/x86_64-linux-gnu/libopenblas.so.0");

    private final Arena arena = Arena.ofShared();
    private final MethodHandle sgemm;
    private final String config;

    OpenBlasPeer(Path library, int threads) {
        if (!Files.isReadable(library))
            throw new IllegalArgumentException("--peer " + library + ": no such library (Debian: apt-get install libopenblas0-pthread)");
        SymbolLookup lib = SymbolLookup.libraryLookup(library, arena);
        Linker linker = Linker.nativeLinker();
        sgemm = linker.downcallHandle(lib.find("cblas_sgemm").orElseThrow(() -> new IllegalArgumentException(
                        "--peer " + library + " has no cblas_sgemm")),
                FunctionDescriptor.ofVoid(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
                        ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_FLOAT,
                        ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT,
                        ValueLayout.JAVA_FLOAT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
        try {
            lib.find("openblas_set_num_threads").ifPresent(f -> invoke(linker.downcallHandle(f,
                    FunctionDescriptor.ofVoid(ValueLayout.JAVA_INT)), threads));
            String cfg = nativeString(lib, linker, "openblas_get_config", 256);
            String core = nativeString(lib, linker, "openblas_get_corename", 64);
            config = cfg.strip() + ", core " + core + ", " + threads + " threads (OPENBLAS_CORETYPE="
                    + System.getenv().getOrDefault("OPENBLAS_CORETYPE", "unset") + ")";
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    /** The C string a no-argument function of the library returns ("?" where it has none). */
    private static String nativeString(SymbolLookup lib, Linker linker, String function, int maxBytes) {
        return lib.find(function).map(f -> {
            try {
                MemorySegment at = (MemorySegment) linker.downcallHandle(f, FunctionDescriptor.of(ValueLayout.ADDRESS)).invokeExact();
                return at.reinterpret(maxBytes).getString(0);
            } catch (Throwable t) {
                return "?";
            }
        }).orElse("?");
    }

    private static void invoke(MethodHandle h, int arg) {
        try {
            h.invokeExact(arg);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** What was loaded: OpenBLAS's build, the kernels it chose, its threads. */
    String config() {
        return config;
    }

    /** Native copies of row-major operands, for {@link #multiply}. */
    MemorySegment copy(float[] x) {
        MemorySegment s = arena.allocate((long) x.length * Float.BYTES, 64);
        MemorySegment.copy(x, 0, s, ValueLayout.JAVA_FLOAT, 0, x.length);
        return s;
    }

    /** C = op(A) op(B), the same contract as {@code Sgemm.multiply} without accumulation. */
    void multiply(boolean transA, boolean transB, int m, int n, int k, MemorySegment a, int lda,
                  MemorySegment b, int ldb, MemorySegment c, int ldc) {
        try {
            sgemm.invokeExact(ROW_MAJOR, transA ? TRANS : NO_TRANS, transB ? TRANS : NO_TRANS, m, n, k, 1f, a, lda, b, ldb, 0f, c, ldc);
        } catch (Throwable t) {
            throw new IllegalStateException("cblas_sgemm failed", t);
        }
    }

    @Override
    public void close() {
        arena.close();
    }
}
