package adamerge.tensor;

/**
 * Element types a checkpoint may store. Compute is always float32; the 16-bit types are
 * converted on read.
 *
 * <pre>
 *   F32   s eeeeeeee mmmmmmmmmmmmmmmmmmmmmmm   1 + 8 + 23 bits
 *   BF16  s eeeeeeee mmmmmmm                   the top half of an F32
 *   F16   s eeeee mmmmmmmmmm                   IEEE half precision
 * </pre>
 */
public enum DType {
    F32(4), F16(2), BF16(2);

    public final int bytes;

    DType(int bytes) {
        this.bytes = bytes;
    }

    /** The safetensors name of this type ("F32", "F16", "BF16"). */
    public String safetensorsName() {
        return name();
    }

    public static float bf16ToFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xffff) << 16);
    }

    /** Rounds to nearest, ties to even, as PyTorch does; NaN stays NaN. */
    public static short floatToBf16(float f) {
        int x = Float.floatToRawIntBits(f);
        if (Float.isNaN(f)) return (short) ((x >>> 16) | 0x40);
        int roundingBias = 0x7fff + ((x >>> 16) & 1);
        return (short) ((x + roundingBias) >>> 16);
    }

    public static float f16ToFloat(short bits) {
        return Float.float16ToFloat(bits);
    }

    public static short floatToF16(float f) {
        return Float.floatToFloat16(f);
    }
}
