package adamerge.opencl;

import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.cl_command_queue;
import org.jocl.cl_context;
import org.jocl.cl_event;
import org.jocl.cl_kernel;
import org.jocl.cl_mem;
import org.jocl.cl_queue_properties;

/**
 * The backend's one in-order queue. Every kernel and transfer goes through it, so launches and
 * waits are counted (after a wait every earlier command has completed: {@link StagedUploads}
 * reuses its memory then) and, with -Dadamerge.opencl.profile=true, each kernel is timed.
 */
final class CommandQueue {
    private static final boolean PROFILE = Boolean.getBoolean("adamerge.opencl.profile");

    private final cl_command_queue queue;
    private final KernelProfile profile = new KernelProfile();
    private long launches, waits;

    CommandQueue(cl_context context, OpenClDevices.Device device) {
        queue = create(context, device);
    }

    @SuppressWarnings("deprecation")
    private static cl_command_queue create(cl_context context, OpenClDevices.Device device) {
        long flags = PROFILE ? CL.CL_QUEUE_PROFILING_ENABLE : 0;
        if (device.openclVersion().startsWith("OpenCL 1.")) // no 2.0 entry point
            return CL.clCreateCommandQueue(context, device.deviceId(), flags, null);
        cl_queue_properties props = new cl_queue_properties();
        if (PROFILE) props.addProperty(CL.CL_QUEUE_PROPERTIES, flags);
        return CL.clCreateCommandQueueWithProperties(context, device.deviceId(), props, null);
    }

    void run(cl_kernel kernel, String name, long[] global, long[] local) {
        cl_event event = PROFILE ? new cl_event() : null;
        CL.clEnqueueNDRangeKernel(queue, kernel, global.length, null, global, local, 0, null, event);
        launches++;
        if (event != null) profile.add(name, event);
    }

    /** Copies {@code bytes} from {@code mem} at {@code offset} to the host, waiting for every earlier command. */
    void read(cl_mem mem, long offset, long bytes, Pointer host) {
        CL.clEnqueueReadBuffer(queue, mem, true, offset, bytes, host, 0, null, null);
        waits++;
    }

    /** Copies {@code bytes} of host memory to the start of {@code mem}, waiting for every earlier command. */
    void write(cl_mem mem, long bytes, Pointer host) {
        CL.clEnqueueWriteBuffer(queue, mem, true, 0, bytes, host, 0, null, null);
        waits++;
    }

    /** Enqueues the copy without waiting: {@code host} must stay unchanged until the next wait. */
    void writeLater(cl_mem mem, long bytes, Pointer host) {
        CL.clEnqueueWriteBuffer(queue, mem, false, 0, bytes, host, 0, null, null);
    }

    /** Waits for every enqueued command. */
    void finish() {
        CL.clFinish(queue);
        waits++;
    }

    long launches() {
        return launches;
    }

    /** Waits so far; when it has grown, every command enqueued before has completed. */
    long waits() {
        return waits;
    }

    KernelProfile profile() {
        return profile;
    }

    void release() {
        CL.clReleaseCommandQueue(queue);
    }
}
