package adamerge.tensor;

import adamerge.tensor.cpu.CpuBackends;

/** Elements in a Java float array: the CPU backends' working storage. */
public final class HeapStorage extends Storage {
    public final float[] data;

    public HeapStorage(float[] data) {
        this.data = data;
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
