package adamerge.bench;

import adamerge.opencl.DeviceChoice;
import adamerge.tensor.Backend;
import picocli.CommandLine.Option;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code --device cpu|opencl|opencl:N} and {@code --max-device-memory SIZE} options every
 * compute command mixes in ({@link DeviceChoice}). It lives in the bench module, the lowest one
 * with picocli, so that the bench commands and the CLI's share it.
 */
public final class DeviceOption {
    private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([kmgt]?)(?:i?b)?");

    @Option(names = "--device", defaultValue = "cpu", paramLabel = "DEVICE",
            description = "cpu (default), opencl (first GPU, else first OpenCL device) or opencl:N (see 'adamerge devices').")
    String device = "cpu";

    @Option(names = "--max-device-memory", paramLabel = "SIZE",
            description = "OpenCL: the most device memory to hold, e.g. 2g or 512m (default: the device's memory less a tenth). "
                    + "AdaMerging sizes its passes to it; past it a buffer first reclaims garbage, then fails naming the cap.")
    String maxDeviceMemory;

    /** The chosen backend; a command opens a {@link adamerge.tensor.Backends#use} scope with it around its work. */
    public Backend backend() {
        long cap = maxDeviceMemory == null ? 0 : bytes(maxDeviceMemory, "--max-device-memory");
        if (cap > 0 && device.equals("cpu"))
            throw new IllegalArgumentException("--max-device-memory applies to --device opencl; on the CPU the Java heap is the bound (ADAMERGE_JAVA_OPTS=-Xmx...)");
        return DeviceChoice.backend(device, cap);
    }

    public String name() {
        return device;
    }

    /** "2g", "512m", "1.5GiB", "100000" (bytes): binary units, case ignored. */
    static long bytes(String size, String option) {
        Matcher m = SIZE.matcher(size.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) throw new IllegalArgumentException(option + " must be a size such as 2g or 512m, not '" + size + "'");
        int shift = switch (m.group(2)) {
            case "k" -> 10;
            case "m" -> 20;
            case "g" -> 30;
            case "t" -> 40;
            default -> 0;
        };
        double b = Double.parseDouble(m.group(1)) * (1L << shift);
        if (b < 1 || b >= Long.MAX_VALUE) throw new IllegalArgumentException(option + " must be at least one byte, not '" + size + "'");
        return (long) b;
    }
}
