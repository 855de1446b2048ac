package adamerge.tensor.cpu;

import adamerge.tensor.Backend;
import adamerge.tensor.Storage;
import adamerge.tensor.Tensor;

/** Elements in a Java float array: the CPU backends' working storage. */
public final class HeapStorage extends Storage {
    public final float[] data;

    public HeapStorage(float[] data) {
        this.data = data;
    }

    /**
     * A contiguous CPU tensor over {@code data} itself, without copying (later writes to the
     * array show through). {@link Tensor#of} copies instead, onto the current backend.
     */
    public static Tensor wrap(float[] data, int... shape) {
        return new Tensor(new HeapStorage(data), shape);
    }

    @Override
    public int size() {
        return data.length;
    }

    @Override
    public Backend backend() {
        return CpuBackends.active();
    }
}
