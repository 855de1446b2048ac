package adamerge.opencl;

/** No usable OpenCL runtime, platform or device; the message says how to get one. */
public final class OpenClUnavailableException extends RuntimeException {
    static final String INSTALL_HINT = "install a GPU driver's OpenCL ICD, or PoCL for the CPU: "
            + "apt-get install pocl-opencl-icd ocl-icd-libopencl1";

    public OpenClUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
