package adamerge.tensor;

/**
 * Where a tensor's elements live: a heap array, a (possibly memory-mapped) segment, or a device
 * buffer. A storage is a flat run of {@link #size()} float32 elements; shapes and strides belong
 * to the {@link Tensor} views over it.
 */
public abstract class Storage {

    /** Number of elements. */
    public abstract int size();

    /** The backend whose kernels can read this storage directly. */
    public abstract Backend backend();
}
