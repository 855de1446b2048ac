package adamerge.opencl;

import adamerge.tensor.Backend;
import adamerge.tensor.Storage;
import org.jocl.cl_mem;

import java.lang.ref.Cleaner;

/**
 * Float32 elements in an OpenCL buffer of {@link OpenClBackend}. The buffer goes back to the
 * backend's pool on {@link #release()}, or when the storage becomes unreachable (a cleaner is the
 * safety net: device memory is invisible to the garbage collector, so release big temporaries).
 */
public final class DeviceStorage extends Storage {
    private static final Cleaner CLEANER = Cleaner.create();

    private final OpenClBackend backend;
    private final int size;
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

    DeviceStorage(OpenClBackend backend, BufferPool pool, int size) {
        this.backend = backend;
        this.size = size;
        this.buffer = new Buffer(pool, Math.max(size, 1)); // OpenCL has no empty buffers
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

    /** The OpenCL buffer (at least one float even for an empty storage). */
    public cl_mem mem() {
        cl_mem m = buffer.mem;
        if (m == null) throw new IllegalStateException("device storage of " + size + " floats was already released");
        return m;
    }

    /** Gives the buffer back now; later use of any tensor over this storage fails. */
    public void release() {
        cleanable.clean();
    }
}
