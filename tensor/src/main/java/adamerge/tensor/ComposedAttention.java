package adamerge.tensor;

import java.util.List;

/**
 * Multi-head attention and its backward composed from primitive tensor ops (slices, permutes,
 * batched matmul, softmax, elementwise, reduce). It materialises every batch-head score matrix
 * at once, [B, H, T, T]: fine on a GPU, which is where it runs (the default of
 * {@link Backend#attention}); the CPU backends have fused kernels with one score row per thread.
 * Public so that tests can hold it against the scalar oracle.
 *
 * <p>Layout: {@code qkv} is [B, T, 3W] with q, k, v side by side along the last axis
 * (nn.MultiheadAttention's packed in_proj), each W = heads x d wide, head h in columns
 * [h d, (h + 1) d) of its part.
 */
public final class ComposedAttention {
    private ComposedAttention() {
    }

    /** out = softmax(q k^T / sqrt(d)) v per head, heads side by side: [B, T, W]. */
    public static Tensor forward(Tensor qkv, int heads) {
        int b = qkv.dim(0), t = qkv.dim(1), w = qkv.dim(2) / 3;
        Tensor p = probabilities(part(qkv, 0, heads), part(qkv, 1, heads));
        Tensor o = p.matmul(part(qkv, 2, heads)); // [B, H, T, d]
        return o.permute(0, 2, 1, 3).contiguous().reshape(b, t, w);
    }

    /**
     * d(qkv) [B, T, 3W] for the output gradient {@code gradOut} [B, T, W], with the
     * probabilities recomputed:
     * <pre>
     *   dV = P^T dO,   dP = dO V^T,   dS = P * (dP - rowsum(dP * P)),
     *   dQ = dS K / sqrt(d),   dK = dS^T Q / sqrt(d)
     * </pre>
     */
    public static Tensor backward(Tensor qkv, int heads, Tensor gradOut) {
        int b = qkv.dim(0), t = qkv.dim(1), w = qkv.dim(2) / 3, d = w / heads;
        float scale = (float) (1 / Math.sqrt(d));
        Tensor q = part(qkv, 0, heads), k = part(qkv, 1, heads), v = part(qkv, 2, heads);
        Tensor p = probabilities(q, k);
        Tensor dO = gradOut.reshape(b, t, heads, d).permute(0, 2, 1, 3);
        Tensor dV = p.t().matmul(dO);
        Tensor dP = dO.matmul(v.t());
        Tensor dS = p.mul(dP.sub(dP.mul(p).sum(-1, true))); // softmax backward, row by row
        Tensor dQ = dS.matmul(k).mul(scale);
        Tensor dK = dS.t().matmul(q).mul(scale);
        return Tensor.concat(List.of(merged(dQ, b, t, w), merged(dK, b, t, w), merged(dV, b, t, w)), 2);
    }

    /** P = softmax(q k^T / sqrt(d)) for every batch and head: [B, H, T, T]. */
    private static Tensor probabilities(Tensor q, Tensor k) {
        return q.matmul(k.t()).mul((float) (1 / Math.sqrt(q.dim(-1)))).softmax(-1);
    }

    /** Part {@code which} (0 = q, 1 = k, 2 = v) of qkv as [B, H, T, d]. */
    private static Tensor part(Tensor qkv, int which, int heads) {
        int b = qkv.dim(0), t = qkv.dim(1), w = qkv.dim(2) / 3;
        return qkv.slice(2, which * w, (which + 1) * w).reshape(b, t, heads, w / heads).permute(0, 2, 1, 3);
    }

    /** [B, H, T, d] -> [B, T, H d]: heads back side by side. */
    private static Tensor merged(Tensor x, int b, int t, int w) {
        return x.permute(0, 2, 1, 3).contiguous().reshape(b, t, w);
    }
}
