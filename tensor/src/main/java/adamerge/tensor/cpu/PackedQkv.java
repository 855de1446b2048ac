package adamerge.tensor.cpu;

import adamerge.tensor.Tensor;

/**
 * Index arithmetic for a packed q;k;v view [B, T, 3W] (nn.MultiheadAttention's in_proj output):
 * q, k and v lie side by side along the last axis, and head h owns columns [h d, (h + 1) d) of
 * each. {@link #q}, {@link #k} and {@link #v} give the storage index of a head's first element
 * in token i of batch b; its c-th element is {@code columnStride * c} further on.
 */
record PackedQkv(float[] data, int offset, int batchStride, int tokenStride, int columnStride,
                 int batch, int tokens, int heads, int headDim) {

    static PackedQkv of(Tensor qkv, int heads) {
        return new PackedQkv(ScalarBackend.data(qkv), qkv.offset(), qkv.stride(0), qkv.stride(1), qkv.stride(2),
                qkv.dim(0), qkv.dim(1), heads, qkv.dim(2) / 3 / heads);
    }

    int width() {
        return heads * headDim;
    }

    int q(int b, int i, int h) {
        return offset + b * batchStride + i * tokenStride + h * headDim * columnStride;
    }

    int k(int b, int i, int h) {
        return q(b, i, h) + width() * columnStride;
    }

    int v(int b, int i, int h) {
        return q(b, i, h) + 2 * width() * columnStride;
    }

    /** 1 / sqrt(d), the scale of the scores. */
    float scale() {
        return (float) (1 / Math.sqrt(headDim));
    }
}
