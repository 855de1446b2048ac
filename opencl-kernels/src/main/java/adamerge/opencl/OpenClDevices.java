package adamerge.opencl;

import org.jocl.CL;
import org.jocl.CLException;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_device_id;
import org.jocl.cl_platform_id;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** The OpenCL devices of every platform, as one flat list ("opencl:N" picks entry N). */
public final class OpenClDevices {
    private OpenClDevices() {
    }

    /** One device; {@code index} is its place in the flat listing. */
    public record Device(int index, int platformIndex, int deviceIndex, String platform, String name, String vendor, String openclVersion,
                         long globalMemBytes, int computeUnits, boolean gpu,
                         cl_platform_id platformId, cl_device_id deviceId) {
        @Override
        public String toString() {
            return String.format("opencl:%d  %s (%s, %s) %s, %d compute units, %.1f GiB, platform %s",
                    index, name, vendor, gpu ? "GPU" : "non-GPU", openclVersion, computeUnits,
                    globalMemBytes / (double) (1L << 30), platform);
        }
    }

    /** All devices; throws {@link OpenClUnavailableException} when there is no runtime or no device. */
    public static List<Device> list() {
        try {
            CL.setExceptionsEnabled(true);
            int[] count = new int[1];
            try {
                CL.clGetPlatformIDs(0, null, count);
            } catch (CLException e) { // CL_PLATFORM_NOT_FOUND_KHR from the ICD loader when no vendor is registered
                count[0] = 0;
            }
            if (count[0] == 0) throw new OpenClUnavailableException("no OpenCL platform found: " + OpenClUnavailableException.INSTALL_HINT, null);
            cl_platform_id[] platforms = new cl_platform_id[count[0]];
            CL.clGetPlatformIDs(platforms.length, platforms, null);
            List<Device> out = new ArrayList<>();
            for (int pi = 0; pi < platforms.length; pi++) {
                cl_platform_id p = platforms[pi];
                String platformName = platformString(p, CL.CL_PLATFORM_NAME);
                int[] n = new int[1];
                try {
                    CL.clGetDeviceIDs(p, CL.CL_DEVICE_TYPE_ALL, 0, null, n);
                } catch (CLException e) { // CL_DEVICE_NOT_FOUND
                    continue;
                }
                cl_device_id[] devices = new cl_device_id[n[0]];
                CL.clGetDeviceIDs(p, CL.CL_DEVICE_TYPE_ALL, devices.length, devices, null);
                for (int di = 0; di < devices.length; di++) {
                    cl_device_id d = devices[di];
                    long type = deviceLong(d, CL.CL_DEVICE_TYPE);
                    out.add(new Device(out.size(), pi, di, platformName, deviceString(d, CL.CL_DEVICE_NAME),
                            deviceString(d, CL.CL_DEVICE_VENDOR), deviceString(d, CL.CL_DEVICE_VERSION),
                            deviceLong(d, CL.CL_DEVICE_GLOBAL_MEM_SIZE), deviceInt(d, CL.CL_DEVICE_MAX_COMPUTE_UNITS),
                            (type & CL.CL_DEVICE_TYPE_GPU) != 0, p, d));
                }
            }
            if (out.isEmpty()) throw new OpenClUnavailableException("OpenCL platforms found but no device: " + OpenClUnavailableException.INSTALL_HINT, null);
            return out;
        } catch (UnsatisfiedLinkError | NoClassDefFoundError | UnsupportedOperationException e) {
            throw new OpenClUnavailableException("no OpenCL runtime (libOpenCL.so could not be loaded: " + e.getMessage()
                    + "): " + OpenClUnavailableException.INSTALL_HINT, e);
        } catch (CLException e) {
            throw new OpenClUnavailableException("OpenCL runtime failed to list devices (" + e.getMessage() + "): "
                    + OpenClUnavailableException.INSTALL_HINT, e);
        }
    }

    /** "opencl" = the first GPU, else the first device; "opencl:N" = device N of {@link #list()}. */
    public static Device pick(String spec) {
        List<Device> all = list();
        if (spec.equals("opencl")) {
            for (Device d : all) if (d.gpu()) return d;
            return all.get(0);
        }
        if (spec.startsWith("opencl:")) {
            int n;
            try {
                n = Integer.parseInt(spec.substring("opencl:".length()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("device spec '" + spec + "' should be opencl or opencl:N");
            }
            if (n < 0 || n >= all.size())
                throw new IllegalArgumentException("device " + spec + " does not exist: there are " + all.size()
                        + " OpenCL devices (opencl:0 to opencl:" + (all.size() - 1) + "), see 'adamerge devices'");
            return all.get(n);
        }
        throw new IllegalArgumentException("device spec '" + spec + "' should be opencl or opencl:N");
    }

    static String deviceString(cl_device_id d, int param) {
        long[] size = new long[1];
        CL.clGetDeviceInfo(d, param, 0, null, size);
        byte[] b = new byte[(int) size[0]];
        CL.clGetDeviceInfo(d, param, b.length, Pointer.to(b), null);
        return cString(b);
    }

    static long deviceLong(cl_device_id d, int param) {
        long[] v = new long[1];
        CL.clGetDeviceInfo(d, param, Sizeof.cl_ulong, Pointer.to(v), null);
        return v[0];
    }

    static int deviceInt(cl_device_id d, int param) {
        int[] v = new int[1];
        CL.clGetDeviceInfo(d, param, Sizeof.cl_uint, Pointer.to(v), null);
        return v[0];
    }

    static long deviceSize(cl_device_id d, int param) {
        long[] v = new long[1];
        CL.clGetDeviceInfo(d, param, Sizeof.size_t, Pointer.to(v), null);
        return v[0];
    }

    private static String platformString(cl_platform_id p, int param) {
        long[] size = new long[1];
        CL.clGetPlatformInfo(p, param, 0, null, size);
        byte[] b = new byte[(int) size[0]];
        CL.clGetPlatformInfo(p, param, b.length, Pointer.to(b), null);
        return cString(b);
    }

    private static String cString(byte[] b) {
        int n = 0;
        while (n < b.length && b[n] != 0) n++;
        return new String(b, 0, n, StandardCharsets.UTF_8).trim();
    }
}
