package adamerge.opencl;

import adamerge.tensor.MemoryCapException;
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
 *
 * <p>The pool never holds more than its cap: a buffer that would pass it first gets the pooled
 * buffers and the garbage's back, and only if the live tensors alone leave no room is it refused
 * ({@link MemoryCapException}).
 */
final class BufferPool {
    private final cl_context context;
    private final long limitBytes, softLimitBytes, capBytes;
    private final Map<Integer, ArrayDeque<cl_mem>> free = new HashMap<>();
    private long pooledBytes, allocatedBytes, peakBytes;
    private boolean closed;

    /**
     * @param limitBytes     most bytes kept pooled for reuse
     * @param softLimitBytes device bytes above which a new buffer first asks the garbage collector
     *                       for the unreachable tensors' buffers (device memory does not press the
     *                       Java heap, so without this a loop fills the device before a GC runs)
     * @param capBytes       most device bytes ever held, in use and pooled together
     */
    BufferPool(cl_context context, long limitBytes, long softLimitBytes, long capBytes) {
        this.context = context;
        this.limitBytes = limitBytes;
        this.softLimitBytes = Math.min(softLimitBytes, capBytes);
        this.capBytes = capBytes;
    }

    synchronized cl_mem take(int capacity) {
        if (closed) throw new IllegalStateException("the OpenCL backend is closed");
        ArrayDeque<cl_mem> q = free.get(capacity);
        if (q != null && !q.isEmpty()) {
            pooledBytes -= 4L * capacity;
            return q.pop();
        }
        // Past the soft limit, a GC every softLimit/4 bytes of new buffers: often enough that
        // garbage never holds much more than a quarter of the limit, rarely enough that a live set
        // above the limit does not cost a GC per allocation.
        long need = 4L * capacity;
        if (allocatedBytes + need > softLimitBytes && createdSinceReclaim >= softLimitBytes / 4) reclaim();
        if (allocatedBytes + need > capBytes) trim();
        if (allocatedBytes + need > capBytes) reclaim();
        if (allocatedBytes + need > capBytes) throw new MemoryCapException(capBytes, allocatedBytes, need);
        try {
            return created(CL.clCreateBuffer(context, CL.CL_MEM_READ_WRITE, 4L * capacity, null, null), capacity);
        } catch (CLException e) { // out of device memory: give the pooled buffers back and try once more
            trim();
            try {
                return created(CL.clCreateBuffer(context, CL.CL_MEM_READ_WRITE, 4L * capacity, null, null), capacity);
            } catch (CLException again) {
                throw new IllegalStateException("cannot allocate a device buffer of " + capacity + " floats ("
                        + again.getMessage() + "): release tensors you no longer need (DeviceStorage.release) or use a smaller batch", again);
            }
        }
    }

    private cl_mem created(cl_mem mem, int capacity) {
        allocatedBytes += 4L * capacity;
        createdSinceReclaim += 4L * capacity;
        peakBytes = Math.max(peakBytes, allocatedBytes);
        return mem;
    }

    /**
     * Runs a GC and waits (up to a second) while the cleaners of unreachable tensors give their
     * buffers back; then releases the pooled ones. Some drivers (NVIDIA's) allocate lazily and
     * report an exhausted device only at the next enqueue, so waiting for clCreateBuffer to fail
     * is too late.
     */
    private void reclaim() {
        System.gc();
        try {
            long start = returnedBytes, last;
            int waits = 0;
            do { // give() runs on the cleaner thread and needs this monitor, which wait() lets go
                last = returnedBytes;
                wait(20);
                waits++;
                // Stop at the first quiet wait once buffers have come back; before any has, the
                // cleaner may simply not have started yet, so allow it a few more.
            } while (waits < 50 && (returnedBytes > last || (returnedBytes == start && waits < 10)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        trim();
        reclaims++;
        createdSinceReclaim = 0;
    }

    private long reclaims, createdSinceReclaim, returnedBytes;

    /** How often {@link #reclaim()} ran. */
    synchronized long reclaims() {
        return reclaims;
    }

    /** Bytes in device buffers this pool created and has not released (in use or pooled). */
    synchronized long allocatedBytes() {
        return allocatedBytes;
    }

    /** The bytes the live tensors hold after the garbage's buffers came back: what the cap leaves is the rest. */
    synchronized long liveBytesAfterReclaim() {
        reclaim();
        return allocatedBytes;
    }

    synchronized long capBytes() {
        return capBytes;
    }

    /** The most {@link #allocatedBytes()} ever reached. */
    synchronized long peakBytes() {
        return peakBytes;
    }

    synchronized void give(cl_mem mem, int capacity) {
        returnedBytes += 4L * capacity;
        if (closed || pooledBytes + 4L * capacity > limitBytes) {
            CL.clReleaseMemObject(mem);
            allocatedBytes -= 4L * capacity;
            notifyAll();
            return;
        }
        free.computeIfAbsent(capacity, c -> new ArrayDeque<>()).push(mem);
        pooledBytes += 4L * capacity;
        notifyAll();
    }

    /** Releases every pooled buffer. */
    synchronized void trim() {
        for (Map.Entry<Integer, ArrayDeque<cl_mem>> e : free.entrySet())
            for (cl_mem m : e.getValue()) {
                CL.clReleaseMemObject(m);
                allocatedBytes -= 4L * e.getKey();
            }
        free.clear();
        pooledBytes = 0;
    }

    synchronized void close() {
        trim();
        closed = true;
    }
}
