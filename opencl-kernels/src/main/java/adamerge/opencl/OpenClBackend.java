package adamerge.opencl;

import adamerge.tensor.Backend;
import adamerge.tensor.Binary;
import adamerge.tensor.DType;
import adamerge.tensor.MemoryCapException;
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
import org.jocl.cl_mem;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The {@link Backend} kernels on an OpenCL device. Tensors live in {@link DeviceStorage} buffers;
 * every op reads strided views on the device and writes a new contiguous buffer, so data crosses
 * to the host only in {@link #fromArray} and {@link #toArray}. All kernels go to one in-order
 * {@link CommandQueue}; calls are serialised on the backend (kernel arguments are per-kernel state).
 *
 * <p>The ops are written where their kernels are: {@link ElementwiseKernels}, {@link RowKernels},
 * {@link TaskVectorKernels} and {@link GemmKernels}, the host sides of the {@code .cl} files of
 * those names. Task vectors may be held as half precision ({@link #storedAs}); the kernels reading
 * them are built a second time for that ({@link KernelPrograms}).
 */
public final class OpenClBackend implements Backend, AutoCloseable {
    private final OpenClDevices.Device device;
    private final cl_context context;
    private final CommandQueue queue;
    private final KernelPrograms programs;
    private final BufferPool pool;
    private final StagedUploads uploads;
    private final long maxGroup;
    private final GemmPlanner planner;
    private final ElementwiseKernels elementwise;
    private final RowKernels rows;
    private final TaskVectorKernels taskVectors;
    private final GemmKernels gemm;
    private boolean closed;

    /** Counts since the backend was opened: kernels enqueued, host-to-device uploads, waits on the queue. */
    public record Stats(long launches, long uploads, long waits) {
    }

    /** "opencl" (the first GPU, else the first device) or "opencl:N" (device N of {@link OpenClDevices#list()}), under the default cap. */
    public static OpenClBackend open(String spec) {
        return open(spec, 0);
    }

    /**
     * The device named as in {@link #open(String)}, holding at most {@code maxDeviceBytes} in
     * buffers (0: the default, {@link #defaultCap}). Past the cap an allocation first reclaims
     * garbage, then fails with {@link MemoryCapException}.
     */
    public static OpenClBackend open(String spec, long maxDeviceBytes) {
        return new OpenClBackend(OpenClDevices.pick(spec), maxDeviceBytes);
    }

    /**
     * The device's global memory less a tenth (at least 256 MiB): the driver, the kernels and
     * another process's context need some, and a buffer refused by our cap is an error we can
     * explain, where one refused by the driver may surface only at a later launch.
     */
    public static long defaultCap(OpenClDevices.Device device) {
        long global = device.globalMemBytes();
        return Math.max(global / 2, global - Math.max(256L << 20, global / 10));
    }

    public OpenClBackend(OpenClDevices.Device device) {
        this(device, 0);
    }

    public OpenClBackend(OpenClDevices.Device device, long maxDeviceBytes) {
        if (maxDeviceBytes < 0) throw new IllegalArgumentException("the device memory cap must be positive, not " + maxDeviceBytes);
        if (maxDeviceBytes > device.globalMemBytes())
            throw new IllegalArgumentException("a device memory cap of " + MemoryCapException.size(maxDeviceBytes) + " is more than "
                    + device.name() + " has (" + MemoryCapException.size(device.globalMemBytes()) + ")");
        long cap = maxDeviceBytes > 0 ? maxDeviceBytes : defaultCap(device);
        this.device = device;
        try {
            cl_device_id id = device.deviceId();
            cl_context_properties props = new cl_context_properties();
            props.addProperty(CL.CL_CONTEXT_PLATFORM, device.platformId());
            context = CL.clCreateContext(props, 1, new cl_device_id[]{id}, null, null, null);
            queue = new CommandQueue(context, device);
            maxGroup = OpenClDevices.deviceSize(id, CL.CL_DEVICE_MAX_WORK_GROUP_SIZE);
            planner = new GemmPlanner(device.computeUnits(), maxGroup, OpenClDevices.deviceLong(id, CL.CL_DEVICE_LOCAL_MEM_SIZE));
            long softMiB = Long.getLong("adamerge.opencl.softLimitMiB", cap / 2 >> 20);
            pool = new BufferPool(context, Math.min(1L << 30, cap / 4), softMiB << 20, cap);
            uploads = new StagedUploads(queue);
            programs = new KernelPrograms(context, device);
        } catch (CLException e) {
            throw new OpenClUnavailableException("cannot use OpenCL device " + device.name() + " (" + e.getMessage() + "): "
                    + OpenClUnavailableException.INSTALL_HINT, e);
        }
        elementwise = new ElementwiseKernels(this);
        rows = new RowKernels(this);
        taskVectors = new TaskVectorKernels(this);
        gemm = new GemmKernels(this, planner);
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

    // ---- the Backend ops ----

    @Override
    public synchronized Tensor copy(Tensor x) {
        return storage(x).dtype() == DType.F32 ? elementwise.copy(x) : taskVectors.widen(x);
    }

    @Override
    public synchronized Tensor unary(Unary op, Tensor x) {
        return elementwise.unary(op, x);
    }

    @Override
    public synchronized Tensor binary(Binary op, Tensor a, Tensor b) {
        return elementwise.binary(op, a, b);
    }

    @Override
    public synchronized Tensor binary(Binary op, Tensor a, float b) {
        return elementwise.binary(op, a, b);
    }

    @Override
    public synchronized Tensor where(Tensor cond, Tensor a, Tensor b) {
        return elementwise.where(cond, a, b);
    }

    @Override
    public synchronized Tensor concat(List<Tensor> xs, int axis) {
        return elementwise.concat(xs, axis);
    }

    @Override
    public synchronized Tensor indexSelect(Tensor x, int axis, int[] index) {
        return elementwise.indexSelect(x, axis, index);
    }

    @Override
    public synchronized Tensor reduce(Reduce op, Tensor x, int axis) {
        return rows.reduce(op, x, axis);
    }

    @Override
    public synchronized Tensor argmax(Tensor x, int axis) {
        return rows.argmax(x, axis);
    }

    @Override
    public synchronized Tensor softmax(Tensor x, boolean log) {
        return rows.softmax(x, log);
    }

    @Override
    public synchronized Tensor layerNorm(Tensor x, Tensor gamma, Tensor beta, float eps) {
        return rows.layerNorm(x, gamma, beta, eps);
    }

    @Override
    public synchronized float kthLargestAbs(List<Tensor> xs, long k) {
        return rows.kthLargestAbs(xs, k);
    }

    @Override
    public synchronized Tensor matmul(Tensor a, Tensor b) {
        return gemm.matmul(a, b);
    }

    @Override
    public synchronized Tensor mergeWeighted(Tensor theta0, List<Tensor> taus, float[] lambdas) {
        return taskVectors.mergeWeighted(theta0, taus, lambdas);
    }

    @Override
    public synchronized Tensor dotWithEach(Tensor g, List<Tensor> taus) {
        return taskVectors.dotWithEach(g, taus);
    }

    /** F16 on the device, converted there (round to nearest even, as the CPU's F16 storage); BF16 is not supported. */
    @Override
    public synchronized Tensor storedAs(Tensor x, DType dtype) {
        return taskVectors.storedAs(x, dtype);
    }

    // ---- counts, memory, profile ----

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

    /** The most bytes of device buffers this backend holds ({@link #open(String, long)}). */
    public long maxDeviceBytes() {
        return pool.capBytes();
    }

    /** What the cap leaves beside the live tensors, once the garbage's buffers came back (runs a GC). */
    @Override
    public OptionalLong memoryLeft() {
        return OptionalLong.of(pool.capBytes() - pool.liveBytesAfterReclaim());
    }

    /** How often an allocation past the soft limit (property adamerge.opencl.softLimitMiB, default half the cap) or the cap ran a GC first. */
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

    /** Waits for every enqueued kernel (for timing). */
    public synchronized void finish() {
        queue.finish();
    }

    // ---- GEMM tiling, for GemmTuner, the tests and ClGemmBench (bench module, same package) ----

    /** The GEMM tile configuration, tuned (or read from the tuning cache) at first use. */
    public synchronized GemmConfig gemmConfig() {
        return gemm.tuned();
    }

    boolean fits(GemmConfig c) {
        return planner.fits(c);
    }

    GemmConfig tileFor(GemmConfig tuned, int nb, int m, int n) {
        return planner.tileFor(tuned, nb, m, n);
    }

    int splitsFor(GemmConfig cfg, int nb, int m, int n, int k) {
        return planner.splitsFor(cfg, nb, m, n, k);
    }

    /** C = A x B with this tiling and K split, bypassing the planner (see {@link GemmKernels#run}). */
    synchronized void gemm(GemmConfig cfg, int splits, int nb, int m, int n, int k, cl_mem a, int aOff, int[] sa, boolean aRowMajor,
                           cl_mem b, int bOff, int[] sb, boolean bRowMajor, cl_mem c) {
        gemm.run(cfg, splits, nb, m, n, k, a, aOff, sa, aRowMajor, b, bOff, sb, bRowMajor, c);
    }

    String gemmBuildLog(GemmConfig cfg, boolean aRowMajor, boolean bRowMajor, String extra) {
        return programs.gemmBuildLog(cfg, aRowMajor, bRowMajor, extra);
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

    // ---- for the kernel classes ----

    cl_context context() {
        return context;
    }

    CommandQueue queue() {
        return queue;
    }

    KernelPrograms programs() {
        return programs;
    }

    long maxGroup() {
        return maxGroup;
    }

    Launch kernel(String name) {
        return new Launch(this, programs.kernel(name), name);
    }

    Tensor empty(int... shape) {
        return new Tensor(allocate(Shape.numel(shape)), shape);
    }

    DeviceStorage allocate(int n) {
        return allocate(n, DType.F32);
    }

    DeviceStorage allocate(int n, DType dtype) {
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

    static void requireSameShape(Tensor a, Tensor b) {
        if (!Arrays.equals(a.shape(), b.shape()))
            throw new IllegalArgumentException("shapes " + Arrays.toString(a.shape()) + " and " + Arrays.toString(b.shape()) + " differ");
    }
}
