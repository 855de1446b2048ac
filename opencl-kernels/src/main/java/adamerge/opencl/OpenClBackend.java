package adamerge.opencl;

import adamerge.tensor.Backend;
import adamerge.tensor.Binary;
import adamerge.tensor.DType;
import adamerge.tensor.Reduce;
import adamerge.tensor.Shape;
import adamerge.tensor.Tensor;
import adamerge.tensor.Unary;
import org.jocl.CL;
import org.jocl.CLException;
import org.jocl.Pointer;
import org.jocl.cl_context;
import org.jocl.cl_context_properties;
import org.jocl.cl_device_id;
import org.jocl.cl_kernel;
import org.jocl.cl_mem;

import java.lang.ref.Reference;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The {@link Backend} kernels on an OpenCL device. Tensors live in {@link DeviceStorage} buffers;
 * every op reads strided views on the device and writes a new contiguous buffer, so data crosses
 * to the host only in {@link #fromArray} and {@link #toArray}. All kernels go to one in-order
 * {@link CommandQueue}; calls are serialised on the backend (kernel arguments are per-kernel state).
 *
 * <p>Task vectors may be held as half precision ({@link #storedAs}); the kernels reading them are
 * built a second time for that ({@link KernelPrograms}).
 */
public final class OpenClBackend implements Backend, AutoCloseable {
    private static final int MAX_ROW_GROUP = 256, SERIAL_ROW_LIMIT = 64;

    private final OpenClDevices.Device device;
    private final cl_context context;
    private final CommandQueue queue;
    private final KernelPrograms programs;
    private final BufferPool pool;
    private final StagedUploads uploads;
    private final long maxGroup;
    private final GemmPlanner planner;
    private GemmConfig gemmConfig;
    private boolean closed;

    /** Counts since the backend was opened: kernels enqueued, host-to-device uploads, waits on the queue. */
    public record Stats(long launches, long uploads, long waits) {
    }

    /** "opencl" (the first GPU, else the first device) or "opencl:N" (device N of {@link OpenClDevices#list()}). */
    public static OpenClBackend open(String spec) {
        return new OpenClBackend(OpenClDevices.pick(spec));
    }

    public OpenClBackend(OpenClDevices.Device device) {
        this.device = device;
        try {
            cl_device_id id = device.deviceId();
            cl_context_properties props = new cl_context_properties();
            props.addProperty(CL.CL_CONTEXT_PLATFORM, device.platformId());
            context = CL.clCreateContext(props, 1, new cl_device_id[]{id}, null, null, null);
            queue = new CommandQueue(context, device);
            maxGroup = OpenClDevices.deviceSize(id, CL.CL_DEVICE_MAX_WORK_GROUP_SIZE);
            planner = new GemmPlanner(device.computeUnits(), maxGroup, OpenClDevices.deviceLong(id, CL.CL_DEVICE_LOCAL_MEM_SIZE));
            long softMiB = Long.getLong("adamerge.opencl.softLimitMiB", device.globalMemBytes() / 2 >> 20);
            pool = new BufferPool(context, Math.min(1L << 30, device.globalMemBytes() / 4), softMiB << 20);
            uploads = new StagedUploads(queue);
            programs = new KernelPrograms(context, device);
        } catch (CLException e) {
            throw new OpenClUnavailableException("cannot use OpenCL device " + device.name() + " (" + e.getMessage() + "): "
                    + OpenClUnavailableException.INSTALL_HINT, e);
        }
    }

    public OpenClDevices.Device device() {
        return device;
    }

    @Override
    public String name() {
        return "opencl:" + device.index();
    }

    @Override
    public String toString() {
        return name() + " (" + device.name() + ")";
    }

    // ---- host transfers ----

    @Override
    public synchronized Tensor fromArray(float[] data, int... shape) {
        int n = Shape.numel(shape);
        if (n != data.length)
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " needs " + n + " elements but " + data.length + " were given");
        DeviceStorage s = allocate(n);
        if (n > 0) uploads.upload(s.mem(), data);
        return new Tensor(s, shape.clone());
    }

    public synchronized Stats stats() {
        return new Stats(queue.launches(), uploads.count(), queue.waits());
    }

    /** Bytes of device buffers held now (in use or pooled for reuse) and the most ever held. */
    public long deviceBytes() {
        return pool.allocatedBytes();
    }

    public long peakDeviceBytes() {
        return pool.peakBytes();
    }

    /** How often an allocation past the soft limit (property adamerge.opencl.softLimitMiB, default half the device) ran a GC first. */
    public long reclaims() {
        return pool.reclaims();
    }

    /** Kernel name -> {launches, device nanoseconds} since the last reset; empty unless -Dadamerge.opencl.profile=true. */
    public synchronized Map<String, long[]> profile() {
        return queue.profile().totals();
    }

    public synchronized void resetProfile() {
        queue.profile().reset();
    }

    @Override
    public synchronized float[] toArray(Tensor x) {
        int n = x.numel();
        float[] out = new float[n];
        if (n == 0) return out;
        Tensor c = x.isContiguous() && storage(x).dtype() == DType.F32 ? x : copy(x);
        queue.read(mem(c), 4L * c.offset(), 4L * n, Pointer.to(out));
        if (c != x) storage(c).release();
        return out;
    }

    // ---- elementwise ----

    @Override
    public synchronized Tensor copy(Tensor x) {
        int[] shape = x.shape();
        Tensor out = empty(shape);
        if (storage(x).dtype() != DType.F32) { // a half task vector, widened
            ViewLayout l = ViewLayout.of(shape, x.strides());
            if (l.numel() > 0) tauKernel("tau_to_float", x).layout(l).taskVector(x, l.strides8()[0]).buf(out).elementwise(l.numel());
            return out;
        }
        ViewLayout l = ViewLayout.of(shape, x.strides(), Shape.contiguousStrides(shape));
        if (l.numel() > 0)
            kernel("copy_view").layout(l).view(x, l.strides8()[0]).buf(out).int8(l.strides8()[1]).arg(0).elementwise(l.numel());
        return out;
    }

    @Override
    public synchronized Tensor unary(Unary op, Tensor x) {
        Tensor out = empty(x.shape());
        ViewLayout l = ViewLayout.of(x.shape(), x.strides());
        if (l.numel() > 0)
            kernel("unary").layout(l).arg(OpCodes.of(op)).view(x, l.strides8()[0]).buf(out).elementwise(l.numel());
        return out;
    }

    @Override
    public synchronized Tensor binary(Binary op, Tensor a, Tensor b) {
        requireSameShape(a, b);
        Tensor out = empty(a.shape());
        ViewLayout l = ViewLayout.of(a.shape(), a.strides(), b.strides());
        if (l.numel() > 0)
            kernel("binary").layout(l).arg(OpCodes.of(op)).view(a, l.strides8()[0]).view(b, l.strides8()[1])
                    .buf(out).elementwise(l.numel());
        return out;
    }

    @Override
    public synchronized Tensor binary(Binary op, Tensor a, float b) {
        Tensor out = empty(a.shape());
        ViewLayout l = ViewLayout.of(a.shape(), a.strides());
        if (l.numel() > 0)
            kernel("binary_scalar").layout(l).arg(OpCodes.of(op)).view(a, l.strides8()[0]).arg(b).buf(out).elementwise(l.numel());
        return out;
    }

    @Override
    public synchronized Tensor where(Tensor cond, Tensor a, Tensor b) {
        requireSameShape(cond, a);
        requireSameShape(a, b);
        Tensor out = empty(a.shape());
        ViewLayout l = ViewLayout.of(a.shape(), cond.strides(), a.strides(), b.strides());
        if (l.numel() > 0)
            kernel("where_select").layout(l).view(cond, l.strides8()[0]).view(a, l.strides8()[1]).view(b, l.strides8()[2])
                    .buf(out).elementwise(l.numel());
        return out;
    }

    // ---- rows: reductions, softmax, layer norm ----

    @Override
    public synchronized Tensor reduce(Reduce op, Tensor x, int axis) {
        int n = x.dim(axis);
        int[] kept = x.shape();
        kept[axis] = 1;
        Tensor out = empty(kept);
        ViewLayout rows = ViewLayout.of(ViewLayout.without(x.shape(), axis), ViewLayout.without(x.strides(), axis));
        if (rows.numel() == 0) return out;
        if (n <= SERIAL_ROW_LIMIT) {
            kernel("reduce_serial").arg(rows.numel()).arg(n).shape(rows)
                    .view(x, rows.strides8()[0]).arg(x.stride(axis)).arg(OpCodes.of(op)).buf(out).elementwise(rows.numel());
        } else {
            int ls = rowGroup(n);
            kernel("reduce_group").arg(n).shape(rows).view(x, rows.strides8()[0]).arg(x.stride(axis)).arg(OpCodes.of(op))
                    .buf(out).local(4L * ls).rows(rows.numel(), ls);
        }
        return out;
    }

    @Override
    public synchronized Tensor argmax(Tensor x, int axis) {
        int n = x.dim(axis);
        int[] kept = x.shape();
        kept[axis] = 1;
        Tensor out = empty(kept);
        ViewLayout rows = ViewLayout.of(ViewLayout.without(x.shape(), axis), ViewLayout.without(x.strides(), axis));
        if (rows.numel() == 0) return out;
        int ls = rowGroup(n);
        kernel("argmax_group").arg(n).shape(rows).view(x, rows.strides8()[0]).arg(x.stride(axis))
                .buf(out).local(4L * ls).local(4L * ls).rows(rows.numel(), ls);
        return out;
    }

    @Override
    public synchronized Tensor softmax(Tensor x, boolean log) {
        int last = x.rank() - 1, n = x.dim(-1);
        Tensor out = empty(x.shape());
        ViewLayout rows = ViewLayout.of(ViewLayout.without(x.shape(), last), ViewLayout.without(x.strides(), last));
        if (rows.numel() == 0 || n == 0) return out;
        int ls = rowGroup(n);
        kernel("softmax_rows").arg(n).shape(rows).view(x, rows.strides8()[0]).arg(x.stride(last)).arg(log ? 1 : 0)
                .buf(out).local(4L * ls).rows(rows.numel(), ls);
        return out;
    }

    @Override
    public synchronized Tensor layerNorm(Tensor x, Tensor gamma, Tensor beta, float eps) {
        int last = x.rank() - 1, n = x.dim(-1);
        Tensor out = empty(x.shape());
        ViewLayout rows = ViewLayout.of(ViewLayout.without(x.shape(), last), ViewLayout.without(x.strides(), last));
        if (rows.numel() == 0 || n == 0) return out;
        Tensor g = gamma.contiguous(), b = beta.contiguous();
        int ls = rowGroup(n);
        kernel("layer_norm_rows").arg(n).shape(rows).view(x, rows.strides8()[0]).arg(x.stride(last))
                .buf(g).arg(g.offset()).buf(b).arg(b.offset()).arg(eps)
                .buf(out).local(4L * ls).rows(rows.numel(), ls);
        return out;
    }

    // ---- movement ----

    @Override
    public synchronized Tensor concat(List<Tensor> xs, int axis) {
        int[] shape = xs.get(0).shape();
        shape[axis] = 0;
        for (Tensor x : xs) shape[axis] += x.dim(axis);
        Tensor out = empty(shape);
        int at = 0;
        for (Tensor x : xs) {
            Tensor dst = out.slice(axis, at, at + x.dim(axis));
            ViewLayout l = ViewLayout.of(x.shape(), x.strides(), dst.strides());
            if (l.numel() > 0)
                kernel("copy_view").layout(l).view(x, l.strides8()[0]).buf(out).int8(l.strides8()[1]).arg(dst.offset())
                        .elementwise(l.numel());
            at += x.dim(axis);
        }
        return out;
    }

    @Override
    public synchronized Tensor indexSelect(Tensor x, int axis, int[] index) {
        int[] shape = x.shape();
        shape[axis] = index.length;
        Tensor out = empty(shape);
        if (out.numel() == 0) return out;
        int[] st = x.strides();
        int axisStride = st[axis];
        st[axis] = 0; // the kernel adds index[] * axisStride
        int inner = 1;
        for (int d = axis + 1; d < shape.length; d++) inner *= shape[d];
        ViewLayout l = ViewLayout.of(shape, st);
        cl_mem idx = CL.clCreateBuffer(context, CL.CL_MEM_READ_ONLY | CL.CL_MEM_COPY_HOST_PTR, 4L * index.length, Pointer.to(index), null);
        try {
            kernel("index_select").layout(l).view(x, l.strides8()[0]).arg(axisStride).arg(inner).arg(index.length)
                    .arg(idx).buf(out).elementwise(l.numel());
        } finally {
            CL.clReleaseMemObject(idx); // freed once the kernel is done
        }
        return out;
    }

    // ---- selection ----

    /**
     * Radix select on the bit patterns of |x| (non-negative floats order like their bits): four
     * passes over 8-bit digits, most significant first; each pass histograms the current digit of
     * the elements matching the digits chosen so far, and only the 256 counts reach the host.
     */
    @Override
    public synchronized float kthLargestAbs(List<Tensor> xs, long k) {
        long total = 0;
        for (Tensor x : xs) total += x.numel();
        if (k < 1 || k > total) throw new IllegalArgumentException("k = " + k + " is out of range for " + total + " elements");
        long rank = total - k; // 0-based, ascending
        int prefix = 0, mask = 0;
        int[] hist = new int[256];
        cl_mem h = CL.clCreateBuffer(context, CL.CL_MEM_READ_WRITE, 4L * 256, null, null);
        try {
            for (int shift = 24; shift >= 0; shift -= 8) {
                Arrays.fill(hist, 0);
                queue.write(h, 4L * 256, Pointer.to(hist));
                for (Tensor x : xs) {
                    ViewLayout l = ViewLayout.of(x.shape(), x.strides());
                    if (l.numel() == 0) continue;
                    int ls = Launch.ELEMENTWISE_GROUP;
                    kernel("radix_histogram").layout(l).view(x, l.strides8()[0]).arg(prefix).arg(mask).arg(shift)
                            .arg(h).local(4L * 256).grid(l.numel(), ls);
                }
                queue.read(h, 0, 4L * 256, Pointer.to(hist));
                int digit = 0;
                long below = 0;
                while (digit < 255 && rank >= below + Integer.toUnsignedLong(hist[digit])) below += Integer.toUnsignedLong(hist[digit++]);
                rank -= below;
                prefix |= digit << shift;
                mask |= 0xff << shift;
            }
        } finally {
            CL.clReleaseMemObject(h);
        }
        return Float.intBitsToFloat(prefix);
    }

    // ---- matmul ----

    @Override
    public synchronized Tensor matmul(Tensor a, Tensor b) {
        int nb = a.dim(0), m = a.dim(1), k = a.dim(2), n = b.dim(2);
        if (b.dim(0) != nb || b.dim(1) != k)
            throw new IllegalArgumentException("matmul shapes " + Arrays.toString(a.shape()) + " and " + Arrays.toString(b.shape()) + " do not fit");
        Tensor out = empty(nb, m, n);
        if (out.numel() == 0) return out;
        // A is row-major when its K stride is 1, transposed when its M stride is 1 (a size-1 axis fits
        // either); anything else is copied to row-major first. Likewise B with its N and K strides.
        Tensor ca = a, cb = b;
        int[] sa = a.strides(), sb = b.strides();
        boolean aRowMajor;
        if (k == 1 || sa[2] == 1) { aRowMajor = true; sa[2] = 1; }
        else if (m == 1 || sa[1] == 1) { aRowMajor = false; sa[1] = 1; }
        else { ca = copy(a); sa = ca.strides(); aRowMajor = true; }
        boolean bRowMajor;
        if (n == 1 || sb[2] == 1) { bRowMajor = true; sb[2] = 1; }
        else if (k == 1 || sb[1] == 1) { bRowMajor = false; sb[1] = 1; }
        else { cb = copy(b); sb = cb.strides(); bRowMajor = true; }
        if (nb == 1) { sa[0] = 0; sb[0] = 0; }
        GemmPlanner.Plan plan = planner.plan(gemmConfig(), nb, m, n, k);
        gemm(plan.tiling(), plan.splits(), nb, m, n, k, mem(ca), ca.offset(), sa, aRowMajor, mem(cb), cb.offset(), sb, bRowMajor, mem(out));
        Reference.reachabilityFence(a);
        Reference.reachabilityFence(b);
        if (ca != a) storage(ca).release();
        if (cb != b) storage(cb).release();
        return out;
    }

    GemmConfig tileFor(GemmConfig tuned, int nb, int m, int n) {
        return planner.tileFor(tuned, nb, m, n);
    }

    int splitsFor(GemmConfig cfg, int nb, int m, int n, int k) {
        return planner.splitsFor(cfg, nb, m, n, k);
    }

    void gemm(GemmConfig cfg, int nb, int m, int n, int k, cl_mem a, int aOff, int[] sa, boolean aRowMajor,
              cl_mem b, int bOff, int[] sb, boolean bRowMajor, cl_mem c) {
        gemm(cfg, 1, nb, m, n, k, a, aOff, sa, aRowMajor, b, bOff, sb, bRowMajor, c);
    }

    /** C = A x B with the given tiling and K split into {@code splits} ranges (partial products summed by gemm_sum). */
    void gemm(GemmConfig cfg, int splits, int nb, int m, int n, int k, cl_mem a, int aOff, int[] sa, boolean aRowMajor,
              cl_mem b, int bOff, int[] sb, boolean bRowMajor, cl_mem c) {
        cl_kernel kernel = programs.gemm(cfg, aRowMajor, bRowMajor);
        int chunk = k, used = 1;
        if (splits > 1 && k > cfg.bk()) {
            chunk = GemmPlanner.chunk(cfg, k, splits);
            used = ceilDiv(k, chunk);
        }
        // float4 global accesses need 16-byte aligned rows: offsets and the row strides multiples of 4
        boolean va = aOff % 4 == 0 && sa[0] % 4 == 0 && (aRowMajor ? sa[1] : sa[2]) % 4 == 0;
        boolean vb = bOff % 4 == 0 && sb[0] % 4 == 0 && (bRowMajor ? sb[1] : sb[2]) % 4 == 0;
        DeviceStorage partial = used > 1 ? allocate(Math.multiplyExact(Math.multiplyExact(nb * used, m), n)) : null;
        int rtm = cfg.bm() / cfg.tm(), rtn = cfg.bn() / cfg.tn();
        new Launch(this, kernel, "gemm").arg(m).arg(n).arg(k)
                .arg(a).arg(aOff).arg(sa[0]).arg(sa[1]).arg(sa[2]).arg(va ? 1 : 0)
                .arg(b).arg(bOff).arg(sb[0]).arg(sb[1]).arg(sb[2]).arg(vb ? 1 : 0)
                .arg(partial != null ? partial.mem() : c).arg(n % 4 == 0 ? 1 : 0).arg(used).arg(chunk)
                .run(new long[]{(long) ceilDiv(n, cfg.bn()) * rtn, (long) ceilDiv(m, cfg.bm()) * rtm, (long) nb * used}, new long[]{rtn, rtm, 1});
        if (partial != null) {
            int mn = m * n, ls = Launch.ELEMENTWISE_GROUP;
            kernel("gemm_sum").arg(mn).arg(used).arg(partial.mem()).arg(c).run(new long[]{(long) ceilDiv(mn, ls) * ls, nb}, new long[]{ls, 1});
            partial.release(); // the in-order queue runs its next writer after gemm_sum
        }
    }

    /** The GEMM tile configuration, tuned (or read from the tuning cache) at first use. */
    public synchronized GemmConfig gemmConfig() {
        if (gemmConfig == null) gemmConfig = GemmTuner.configFor(this);
        return gemmConfig;
    }

    boolean fits(GemmConfig c) {
        return planner.fits(c);
    }

    /** Waits for every enqueued kernel (for timing). */
    public synchronized void finish() {
        queue.finish();
    }

    // ---- merging kernels ----

    /**
     * theta0 + sum_k lambda_k tau_k (task arithmetic with per-task coefficients), as a new
     * contiguous tensor; a tau may be stored as F16.
     */
    public synchronized Tensor mergeWeighted(Tensor theta0, List<Tensor> taus, float[] lambdas) {
        if (taus.size() != lambdas.length)
            throw new IllegalArgumentException(taus.size() + " task vectors but " + lambdas.length + " coefficients");
        Tensor out = copy(theta0);
        for (int t = 0; t < taus.size(); t++) {
            Tensor tau = taus.get(t);
            requireSameShape(theta0, tau);
            ViewLayout l = ViewLayout.of(tau.shape(), tau.strides());
            if (l.numel() > 0)
                tauKernel("axpy", tau).layout(l).arg(lambdas[t]).taskVector(tau, l.strides8()[0]).buf(out).arg(0).elementwise(l.numel());
        }
        return out;
    }

    /** The inner products &lt;g, tau_k&gt; for every k (a tau may be F16), reduced on the device; only the k sums reach the host. */
    public synchronized float[] dotWithEach(Tensor g, List<Tensor> taus) {
        int count = taus.size(), n = g.numel();
        float[] out = new float[count];
        if (count == 0 || n == 0) return out;
        int ls = Launch.ELEMENTWISE_GROUP, groups = Math.min(ceilDiv(n, ls), Launch.MAX_GRID_GROUPS);
        Tensor partial = empty(count, groups);
        for (int t = 0; t < count; t++) {
            Tensor tau = taus.get(t);
            requireSameShape(g, tau);
            ViewLayout l = ViewLayout.of(g.shape(), g.strides(), tau.strides());
            tauKernel("dot_partial", tau).layout(l).view(g, l.strides8()[0]).taskVector(tau, l.strides8()[1])
                    .buf(partial).arg(t * groups).local(4L * ls).run(new long[]{(long) groups * ls}, new long[]{ls});
        }
        Tensor sums = reduce(Reduce.SUM, partial, 1);
        queue.read(mem(sums), 0, 4L * count, Pointer.to(out));
        storage(partial).release();
        storage(sums).release();
        return out;
    }

    /** F16 on the device, converted there (round to nearest even, as the CPU's F16 storage); BF16 is not supported. */
    @Override
    public synchronized Tensor storedAs(Tensor x, DType dtype) {
        if (dtype == DType.F32) return copy(x);
        if (dtype != DType.F16)
            throw new IllegalArgumentException("the OpenCL backend stores tensors as F32 or F16, not " + dtype + ": use --tv-dtype f16");
        Tensor out = new Tensor(allocate(x.numel(), DType.F16), x.shape());
        ViewLayout l = ViewLayout.of(x.shape(), x.strides());
        if (l.numel() > 0) kernel("float_to_half").layout(l).view(x, l.strides8()[0]).halfBuf(out).elementwise(l.numel());
        return out;
    }

    // ---- lifecycle ----

    /** Releases kernels, programs, pooled buffers, the queue and the context; tensors on this backend become unusable. */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        queue.finish();
        programs.release();
        pool.close();
        queue.release();
        CL.clReleaseContext(context);
    }

    // ---- helpers ----

    CommandQueue queue() {
        return queue;
    }

    long maxGroup() {
        return maxGroup;
    }

    private Tensor empty(int... shape) {
        return new Tensor(allocate(Shape.numel(shape)), shape);
    }

    private DeviceStorage allocate(int n) {
        return allocate(n, DType.F32);
    }

    private DeviceStorage allocate(int n, DType dtype) {
        if (closed) throw new IllegalStateException("the OpenCL backend " + this + " is closed");
        return new DeviceStorage(this, pool, n, dtype);
    }

    DeviceStorage storage(Tensor t) {
        if (t.storage() instanceof DeviceStorage d && d.backend() == this) return d;
        throw new IllegalArgumentException("tensor of shape " + Arrays.toString(t.shape()) + " lives on " + t.backend().name()
                + ", not on " + name() + ": move it with tensor.to(backend)");
    }

    /** The buffer of a float32 tensor: every kernel but the task-vector ones reads only those. */
    cl_mem mem(Tensor t) {
        DeviceStorage s = storage(t);
        if (s.dtype() != DType.F32)
            throw new IllegalArgumentException("tensor of shape " + Arrays.toString(t.shape()) + " is stored as " + s.dtype()
                    + " on " + name() + ", which only mergeWeighted, dotWithEach, copy and toArray read: widen it with backend.copy(tensor) first");
        return s.mem();
    }

    private static void requireSameShape(Tensor a, Tensor b) {
        if (!Arrays.equals(a.shape(), b.shape()))
            throw new IllegalArgumentException("shapes " + Arrays.toString(a.shape()) + " and " + Arrays.toString(b.shape()) + " differ");
    }

    /** A power-of-two work-group for rows of n elements. */
    private int rowGroup(int n) {
        int cap = (int) Math.min(MAX_ROW_GROUP, maxGroup), ls = 1;
        while (ls < n && ls * 2 <= cap) ls *= 2;
        return ls;
    }

    private static int ceilDiv(int a, int b) {
        return (int) ((a + (long) b - 1) / b);
    }

    Launch kernel(String name) {
        return new Launch(this, programs.kernel(name), name);
    }

    /** A taskvectors.cl kernel built for the element type of {@code tau}. */
    private Launch tauKernel(String name, Tensor tau) {
        if (storage(tau).dtype() == DType.F32) return kernel(name);
        return new Launch(this, programs.halfKernel(name), name + "/f16");
    }

    /** The compiler's log for a GEMM tiling built with extra options (e.g. -cl-nv-verbose for register counts on NVIDIA). */
    String gemmBuildLog(GemmConfig cfg, boolean aRowMajor, boolean bRowMajor, String extra) {
        return programs.gemmBuildLog(cfg, aRowMajor, bRowMajor, extra);
    }
}
