package adamerge.opencl;

import adamerge.tensor.Backend;
import adamerge.tensor.DType;
import adamerge.tensor.Storage;
import org.jocl.cl_mem;

import java.lang.ref.Cleaner;

/**
 * Elements in an OpenCL buffer of {@link OpenClBackend}: float32, or half for task vectors
 * ({@link OpenClBackend#storedAs}; only the kernels that read task vectors take those). The
 * buffer goes back to the backend's pool on {@link #release()}, or when the storage becomes
 * unreachable (a cleaner is the safety net: device memory is invisible to the garbage collector,
 * so release big temporaries).
 */
public final class DeviceStorage extends Storage {
    private static final Cleaner CLEANER = Cleaner.create();

    private final OpenClBackend backend;
    private final int size;
    private final DType dtype;
    private final Buffer buffer;
    private final Cleaner.Cleanable cleanable;

    /** The buffer, which the cleaner returns to the pool; it must not refer to the storage. */
    private static final class Buffer implements Runnable {
        private final BufferPool pool;
        private final int capacity;
        private volatile cl_mem mem;

        Buffer(BufferPool pool, int capacity) {
            this.pool = pool;
            this.capacity = capacity;
            this.mem = pool.take(capacity);
        }

        @Override
        public void run() {
            cl_mem m = mem;
            mem = null;
            if (m != null) pool.give(m, capacity);
        }
    }

    DeviceStorage(OpenClBackend backend, BufferPool pool, int size, DType dtype) {
        if (dtype == DType.BF16) throw new IllegalArgumentException("OpenCL device storage holds F32 or F16, not BF16");
        this.backend = backend;
        this.size = size;
        this.dtype = dtype;
        // the pool counts capacity in floats: two halves to a float; OpenCL has no empty buffers
        this.buffer = new Buffer(pool, Math.max((int) (((long) size * dtype.bytes + 3) / 4), 1));
        this.cleanable = CLEANER.register(this, buffer);
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public Backend backend() {
        return backend;
    }

    /** F32, or F16 for task vectors held at half the memory. */
    public DType dtype() {
        return dtype;
    }

    /** The OpenCL buffer (at least one float even for an empty storage). */
    public cl_mem mem() {
        cl_mem m = buffer.mem;
        if (m == null) throw new IllegalStateException("device storage of " + size + " " + dtype + " elements was already released");
        return m;
    }

    /** Gives the buffer back now; later use of any tensor over this storage fails. */
    public void release() {
        cleanable.clean();
    }
}
