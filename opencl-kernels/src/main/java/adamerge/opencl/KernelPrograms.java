package adamerge.opencl;

import org.jocl.CL;
import org.jocl.CLException;
import org.jocl.Pointer;
import org.jocl.cl_context;
import org.jocl.cl_kernel;
import org.jocl.cl_program;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * The compiled kernels of one context: the {@code .cl} sources built as one program after
 * {@link OpCodes#defines()}; the same sources built again with TAU_HALF at the first half task
 * vector (only the taskvectors.cl kernels of that build are used); and gemm.cl built once per
 * tiling and operand layout. Each kernel is created once and kept until {@link #release()}.
 */
final class KernelPrograms {
    static final String[] SOURCES = {"elementwise.cl", "rows.cl", "taskvectors.cl", "gemm.cl"};
    /** What the half task-vector kernels need: their file and the helpers it uses. */
    private static final String[] HALF_SOURCES = {"elementwise.cl", "rows.cl", "taskvectors.cl"};

    private final cl_context context;
    private final OpenClDevices.Device device;
    private final cl_program program;
    private cl_program halfProgram;
    private final Map<String, cl_kernel> kernels = new HashMap<>(), halfKernels = new HashMap<>(), gemmKernels = new HashMap<>();
    private final Map<String, cl_program> gemmPrograms = new HashMap<>();

    KernelPrograms(cl_context context, OpenClDevices.Device device) {
        this.context = context;
        this.device = device;
        program = build(programSource(SOURCES), "");
    }

    cl_kernel kernel(String name) {
        return kernels.computeIfAbsent(name, s -> CL.clCreateKernel(program, s, null));
    }

    /** A taskvectors.cl kernel reading half task vectors. */
    cl_kernel halfKernel(String name) {
        if (halfProgram == null) halfProgram = build(programSource(HALF_SOURCES), "-DTAU_HALF");
        return halfKernels.computeIfAbsent(name, s -> CL.clCreateKernel(halfProgram, s, null));
    }

    /** The tiled gemm kernel for a tiling and the operands' layouts (row-major or transposed). */
    cl_kernel gemm(GemmConfig cfg, boolean aRowMajor, boolean bRowMajor) {
        String key = cfg + (aRowMajor ? "/A" : "/At") + (bRowMajor ? "/B" : "/Bt");
        cl_kernel kernel = gemmKernels.get(key);
        if (kernel == null) {
            cl_program p = build(source("gemm.cl"), cfg.defines(aRowMajor, bRowMajor));
            gemmPrograms.put(key, p);
            kernel = CL.clCreateKernel(p, "gemm", null);
            gemmKernels.put(key, kernel);
        }
        return kernel;
    }

    /** The compiler's log for a GEMM tiling built with extra options (e.g. -cl-nv-verbose for register counts on NVIDIA). */
    String gemmBuildLog(GemmConfig cfg, boolean aRowMajor, boolean bRowMajor, String extra) {
        cl_program p = CL.clCreateProgramWithSource(context, 1, new String[]{source("gemm.cl")}, null, null);
        try {
            try {
                CL.clBuildProgram(p, 0, null, cfg.defines(aRowMajor, bRowMajor) + " " + extra, null, null);
            } catch (CLException e) {
                // the log says why
            }
            return buildLog(p);
        } finally {
            CL.clReleaseProgram(p);
        }
    }

    void release() {
        for (cl_kernel k : kernels.values()) CL.clReleaseKernel(k);
        for (cl_kernel k : gemmKernels.values()) CL.clReleaseKernel(k);
        for (cl_program p : gemmPrograms.values()) CL.clReleaseProgram(p);
        for (cl_kernel k : halfKernels.values()) CL.clReleaseKernel(k);
        if (halfProgram != null) CL.clReleaseProgram(halfProgram);
        CL.clReleaseProgram(program);
    }

    private cl_program build(String source, String options) {
        cl_program p = CL.clCreateProgramWithSource(context, 1, new String[]{source}, null, null);
        try {
            CL.clBuildProgram(p, 0, null, options, null, null);
        } catch (CLException e) {
            String log = buildLog(p);
            CL.clReleaseProgram(p);
            throw new IllegalStateException("OpenCL kernels " + options + " failed to build on " + device.name() + ":\n" + log, e);
        }
        return p;
    }

    private String buildLog(cl_program p) {
        long[] size = new long[1];
        CL.clGetProgramBuildInfo(p, device.deviceId(), CL.CL_PROGRAM_BUILD_LOG, 0, null, size);
        byte[] log = new byte[(int) size[0]];
        CL.clGetProgramBuildInfo(p, device.deviceId(), CL.CL_PROGRAM_BUILD_LOG, log.length, Pointer.to(log), null);
        return new String(log, StandardCharsets.UTF_8).trim();
    }

    private static String programSource(String[] names) {
        StringBuilder src = new StringBuilder(OpCodes.defines());
        for (String s : names) src.append(source(s)).append('\n');
        return src.toString();
    }

    static String source(String name) {
        try (InputStream in = KernelPrograms.class.getResourceAsStream(name)) {
            if (in == null) throw new IllegalStateException("kernel source " + name + " is missing from the classpath");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read kernel source " + name, e);
        }
    }
}
