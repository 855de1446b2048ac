package adamerge.opencl;

import org.jocl.CL;
import org.jocl.CLException;
import org.jocl.cl_context;
import org.jocl.cl_mem;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * Device buffers kept for reuse, keyed by capacity in floats: a training loop allocates the same
 * sizes every step. Buffers come back from {@link DeviceStorage#release()} or its cleaner. Reuse
 * is safe because every kernel goes to one in-order queue: a buffer's old readers were enqueued
 * before its next writer.
 */
final class BufferPool {
    private final cl_context context;
    private final long limitBytes;
    private final Map<Integer, ArrayDeque<cl_mem>> free = new HashMap<>();
    private long pooledBytes;
    private boolean closed;

    BufferPool(cl_context context, long limitBytes) {
        this.context = context;
        this.limitBytes = limitBytes;
    }

    synchronized cl_mem take(int capacity) {
        if (closed) throw new IllegalStateException("the OpenCL backend is closed");
        ArrayDeque<cl_mem> q = free.get(capacity);
        if (q != null && !q.isEmpty()) {
            pooledBytes -= 4L * capacity;
            return q.pop();
        }
        try {
            return CL.clCreateBuffer(context, CL.CL_MEM_READ_WRITE, 4L * capacity, null, null);
        } catch (CLException e) { // out of device memory: give the pooled buffers back and try once more
            trim();
            try {
                return CL.clCreateBuffer(context, CL.CL_MEM_READ_WRITE, 4L * capacity, null, null);
            } catch (CLException again) {
                throw new IllegalStateException("cannot allocate a device buffer of " + capacity + " floats ("
                        + again.getMessage() + "): release tensors you no longer need (DeviceStorage.release) or use a smaller batch", again);
            }
        }
    }

    synchronized void give(cl_mem mem, int capacity) {
        if (closed || pooledBytes + 4L * capacity > limitBytes) {
            CL.clReleaseMemObject(mem);
            return;
        }
        free.computeIfAbsent(capacity, c -> new ArrayDeque<>()).push(mem);
        pooledBytes += 4L * capacity;
    }

    /** Releases every pooled buffer. */
    synchronized void trim() {
        for (ArrayDeque<cl_mem> q : free.values())
            for (cl_mem m : q) CL.clReleaseMemObject(m);
        free.clear();
        pooledBytes = 0;
    }

    synchronized void close() {
        trim();
        closed = true;
    }
}
