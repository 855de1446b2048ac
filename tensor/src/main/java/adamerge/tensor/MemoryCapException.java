package adamerge.tensor;

import java.util.Locale;

/**
 * A buffer that the live tensors leave no room for under a backend's memory cap (an OpenCL
 * device's: {@code --max-device-memory} on the command line). Thrown only after the backend gave
 * back what garbage held, so a caller that can work in smaller pieces may catch it and retry.
 */
public final class MemoryCapException extends IllegalStateException {
    public MemoryCapException(long capBytes, long heldBytes, long neededBytes) {
        super(String.format(Locale.ROOT, "device memory cap of %s reached: live tensors hold %s and %s more are needed;"
                + " raise the cap (--max-device-memory), hold task vectors as f16 (--tv-dtype f16) or use fewer images per pass",
                size(capBytes), size(heldBytes), size(neededBytes)));
    }

    /** Bytes as GiB or MiB with two decimals, as users give sizes. */
    public static String size(long bytes) {
        return bytes >= 1L << 30 ? String.format(Locale.ROOT, "%.2f GiB", bytes / (double) (1L << 30))
                : String.format(Locale.ROOT, "%.2f MiB", bytes / (double) (1L << 20));
    }
}
