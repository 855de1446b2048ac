package adamerge.tensor.cpu;

import adamerge.tensor.Backend;
import adamerge.tensor.DType;
import adamerge.tensor.Storage;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Elements read in place from a memory segment, typically a slice of a memory-mapped checkpoint.
 * Nothing is copied until a kernel needs a float array: {@link #read} converts any run of
 * elements, so merging code can stream F32/F16/BF16 weights straight from the file.
 */
public final class MappedStorage extends Storage {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);

    public final MemorySegment segment;
    public final DType dtype;
    private final int size;

    public MappedStorage(MemorySegment segment, DType dtype) {
        if (segment.byteSize() % dtype.bytes != 0 || segment.byteSize() / dtype.bytes > Integer.MAX_VALUE)
            throw new IllegalArgumentException("segment of " + segment.byteSize() + " bytes does not hold whole " + dtype + " elements");
        this.segment = segment;
        this.dtype = dtype;
        this.size = (int) (segment.byteSize() / dtype.bytes);
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public Backend backend() {
        return CpuBackends.active();
    }

    public float get(int i) {
        return switch (dtype) {
            case F32 -> segment.getAtIndex(F32, i);
            case F16 -> DType.f16ToFloat(segment.getAtIndex(I16, i));
            case BF16 -> DType.bf16ToFloat(segment.getAtIndex(I16, i));
        };
    }

    /** Copies elements [from, from+n) into dst[off..], converting to float32. */
    public void read(int from, float[] dst, int off, int n) {
        if (dtype == DType.F32) {
            MemorySegment.copy(segment, F32, (long) from * 4, dst, off, n);
        } else {
            for (int i = 0; i < n; i++) dst[off + i] = get(from + i);
        }
    }

    /**
     * The elements as a new float array. Nothing is kept: a mapped checkpoint costs heap only
     * while a kernel works on it (merging eight ViT-B/32 models would otherwise hold eight
     * extra copies).
     */
    public float[] toFloatArray() {
        float[] a = new float[size];
        read(0, a, 0, size);
        return a;
    }
}
