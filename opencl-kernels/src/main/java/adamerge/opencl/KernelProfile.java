package adamerge.opencl;

import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_event;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Device time per kernel name, read from the events of a profiling {@link CommandQueue}
 * (-Dadamerge.opencl.profile=true). Events are read in batches, not one wait per launch; each
 * holds driver resources until then.
 */
final class KernelProfile {
    private static final int BATCH = 8192;

    private final List<String> names = new ArrayList<>();
    private final List<cl_event> events = new ArrayList<>();
    private final Map<String, long[]> totals = new HashMap<>();

    void add(String name, cl_event event) {
        names.add(name);
        events.add(event);
        if (events.size() >= BATCH) drain();
    }

    /** Kernel name -> {launches, device nanoseconds} since the last reset. */
    Map<String, long[]> totals() {
        drain();
        Map<String, long[]> copy = new HashMap<>();
        totals.forEach((k, v) -> copy.put(k, v.clone()));
        return copy;
    }

    void reset() {
        drain();
        totals.clear();
    }

    /** Waits for the recorded kernels and adds their start-to-end times. */
    private void drain() {
        if (events.isEmpty()) return;
        CL.clWaitForEvents(events.size(), events.toArray(new cl_event[0]));
        long[] t0 = new long[1], t1 = new long[1];
        for (int i = 0; i < events.size(); i++) {
            cl_event e = events.get(i);
            CL.clGetEventProfilingInfo(e, CL.CL_PROFILING_COMMAND_START, Sizeof.cl_ulong, Pointer.to(t0), null);
            CL.clGetEventProfilingInfo(e, CL.CL_PROFILING_COMMAND_END, Sizeof.cl_ulong, Pointer.to(t1), null);
            long[] acc = totals.computeIfAbsent(names.get(i), k -> new long[2]);
            acc[0]++;
            acc[1] += t1[0] - t0[0];
            CL.clReleaseEvent(e);
        }
        events.clear();
        names.clear();
    }
}
