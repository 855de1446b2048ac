package adamerge.tensor;

import java.util.List;
import java.util.OptionalLong;

/**
 * The primitive kernels a compute backend implements. Everything else in {@link Tensor} (and the
 * autograd rules built on it) is a composition of these. Inputs are arbitrary strided views on
 * this backend's storage; outputs are new contiguous tensors on the same backend.
 *
 * <p>Implementations: {@code ScalarBackend} (plain loops, the test oracle), {@code SimdBackend}
 * (Vector API, multithreaded) and the OpenCL backend in module {@code opencl-kernels}.
 */
public interface Backend {

    String name();

    /** A tensor on this backend holding a copy of {@code data} (row-major, length = numel). */
    Tensor fromArray(float[] data, int... shape);

    /** The elements of any view, row-major, on the host. */
    float[] toArray(Tensor x);

    /** A contiguous copy of any view. */
    Tensor copy(Tensor x);

    Tensor unary(Unary op, Tensor x);

    /**
     * g * op(x), elementwise, for x and g of one shape: an activation's backward, with op its
     * derivative ({@link Unary#QUICK_GELU_GRAD}). The default composes {@link #unary} and
     * {@link #binary}; the CPU backends fuse the two into one pass and one output.
     */
    default Tensor mulUnary(Tensor g, Unary op, Tensor x) {
        return binary(Binary.MUL, g, unary(op, x));
    }

    /** {@code a} and {@code b} have equal shapes (broadcasting is done with zero-stride views). */
    Tensor binary(Binary op, Tensor a, Tensor b);

    /**
     * {@code a op b} for a float {@code b}: by default {@link #binary} with {@code b} as a broadcast
     * one-element tensor. A device backend passes {@code b} as a kernel argument instead, sparing a
     * host-to-device upload per op (most autograd rules have a float operand).
     */
    default Tensor binary(Binary op, Tensor a, float b) {
        return binary(op, a, fromArray(new float[]{b}).expand(a.shape()));
    }

    /** cond != 0 ? a : b; all three have equal shapes. */
    Tensor where(Tensor cond, Tensor a, Tensor b);

    /** Reduces {@code axis}, keeping it with size 1. */
    Tensor reduce(Reduce op, Tensor x, int axis);

    /** Index of the first maximum along {@code axis} (kept with size 1), as floats. */
    Tensor argmax(Tensor x, int axis);

    /** Batched product of rank-3 views [B, M, K] x [B, K, N] -> [B, M, N]; batch strides may be 0. */
    Tensor matmul(Tensor a, Tensor b);

    /**
     * A linear layer, x w^T + bias on every row: x [M, K], w [N, K] as stored (PyTorch's
     * layout), bias [N]. The default composes this backend's {@link #matmul} and add; the CPU backends write
     * the bias into the output and let the GEMM accumulate onto it (one output, not two).
     */
    default Tensor linear(Tensor x, Tensor w, Tensor bias) {
        int m = x.dim(0), n = w.dim(0);
        Tensor product = matmul(x.unsqueeze(0), w.t().unsqueeze(0)).reshape(m, n);
        return binary(Binary.ADD, product, bias.reshape(1, n).expand(m, n));
    }

    /** Softmax (or log-softmax) over the last axis. */
    Tensor softmax(Tensor x, boolean log);

    /** Layer normalisation over the last axis with affine gamma, beta of that axis' length. */
    Tensor layerNorm(Tensor x, Tensor gamma, Tensor beta, float eps);

    /**
     * The gradients of {@link #layerNorm} for the output gradient {@code g} (x's shape). The
     * default composes primitives ({@link ComposedLayerNorm}); the CPU backends fuse it into one
     * pass per row.
     */
    default LayerNormGradients layerNormBackward(Tensor x, Tensor gamma, Tensor g, float eps) {
        return ComposedLayerNorm.backward(x, gamma, g, eps);
    }

    /** Joins tensors of equal shape but for {@code axis}. */
    Tensor concat(List<Tensor> xs, int axis);

    /** Picks entries {@code index} of {@code axis}. */
    Tensor indexSelect(Tensor x, int axis, int[] index);

    /**
     * The k-th largest |x| over all elements of all tensors taken as one flat vector (k counts
     * from 1). TIES keeps every entry with |x| >= this value.
     */
    float kthLargestAbs(List<Tensor> xs, long k);

    /**
     * The model-merging kernel: theta0 + sum_k lambdas[k] * taus[k], all of one shape
     * (AdaMerging's merge, paper Eq. 5/6, for one parameter tensor).
     */
    Tensor mergeWeighted(Tensor theta0, List<Tensor> taus, float[] lambdas);

    /**
     * Bytes that new tensors on this backend may still take, when its memory is bounded apart from
     * the Java heap (a device's cap less its live tensors); empty where tensors live on the heap and
     * the heap's own limit is the bound.
     */
    default OptionalLong memoryLeft() {
        return OptionalLong.empty();
    }

    /**
     * <g, taus[k]> for every k, as a [K] tensor on this backend: the merging-coefficient gradients
     * of one parameter tensor. It stays where it was computed, so that a caller with many reads
     * them all at once (on a device, one wait instead of one per tensor).
     */
    Tensor dotWithEach(Tensor g, List<Tensor> taus);

    /**
     * A contiguous copy of {@code x} on this backend stored as {@code dtype} (16-bit types rounded
     * to nearest even): how task vectors are held. The CPU keeps them in native memory, off the
     * Java heap. {@link #mergeWeighted} and {@link #dotWithEach} read such taus; a backend may
     * reject 16-bit tensors elsewhere.
     */
    Tensor storedAs(Tensor x, DType dtype);

    /**
     * Multi-head self-attention: {@code qkv} [B, T, 3W] holds q, k, v side by side along the last
     * axis (nn.MultiheadAttention's packed in_proj), each of {@code heads} heads of d = W / heads
     * columns. Returns softmax(q k^T / sqrt(d)) v per head, heads side by side, [B, T, W].
     * The default composes primitives and holds all [B, H, T, T] scores ({@link ComposedAttention});
     * CPU backends override it so that a thread holds at most one score row at a time.
     */
    default Tensor attention(Tensor qkv, int heads) {
        return ComposedAttention.forward(qkv, heads);
    }

    /** d(qkv) [B, T, 3W] of {@link #attention} for the output gradient [B, T, W]; recomputes the probabilities. */
    default Tensor attentionBackward(Tensor qkv, int heads, Tensor gradOut) {
        return ComposedAttention.backward(qkv, heads, gradOut);
    }
}
