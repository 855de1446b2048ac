package adamerge.opencl;

import org.jocl.Pointer;
import org.jocl.cl_mem;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Host-to-device copies of new tensors. Up to {@link #ASYNC_LIMIT} floats are staged in direct
 * memory and enqueued without blocking: a blocking write waits for the whole in-order queue, and a
 * training step uploads many small tensors (the batches, the coefficients). A staged region is
 * reused only after a wait on the queue. The property {@code adamerge.opencl.syncUploads=true}
 * makes every upload blocking.
 */
final class StagedUploads {
    private static final int STAGING_FLOATS = 1 << 22, ASYNC_LIMIT = 1 << 20;
    private static final boolean SYNC = Boolean.getBoolean("adamerge.opencl.syncUploads");

    private final CommandQueue queue;
    private ByteBuffer staging;
    /** Floats of staging in use, as of {@link #waitsWhenStaged} waits on the queue. */
    private int used;
    private long waitsWhenStaged, count;

    StagedUploads(CommandQueue queue) {
        this.queue = queue;
    }

    /** Copies {@code data} to the start of {@code dst}. */
    void upload(cl_mem dst, float[] data) {
        int n = data.length;
        count++;
        if (SYNC || n > ASYNC_LIMIT) {
            queue.write(dst, 4L * n, Pointer.to(data));
            return;
        }
        if (staging == null) staging = ByteBuffer.allocateDirect(4 * STAGING_FLOATS).order(ByteOrder.nativeOrder());
        // after a wait on the in-order queue every staged upload has completed: the staging is free again
        int at = queue.waits() == waitsWhenStaged ? (used + 15) & ~15 : 0; // 64-byte aligned regions
        if (at + n > STAGING_FLOATS) { // the earlier uploads must have been read before their region is reused
            queue.finish();
            at = 0;
        }
        ByteBuffer region = staging.slice(4 * at, 4 * n).order(ByteOrder.nativeOrder());
        region.asFloatBuffer().put(data);
        queue.writeLater(dst, 4L * n, Pointer.to(region));
        used = at + n;
        waitsWhenStaged = queue.waits();
    }

    /** Uploads so far, blocking or staged. */
    long count() {
        return count;
    }
}
