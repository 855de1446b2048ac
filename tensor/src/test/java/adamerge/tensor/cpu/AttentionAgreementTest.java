package adamerge.tensor.cpu;

import adamerge.tensor.Backend;
import adamerge.tensor.ComposedAttention;
import adamerge.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static adamerge.tensor.cpu.BackendAgreementTest.assertClose;
import static org.junit.jupiter.api.Assertions.*;

/** The fused attention kernels (SIMD) and the primitive composition against the scalar oracle. */
class AttentionAgreementTest {
    static final Backend SCALAR = CpuBackends.SCALAR, SIMD = CpuBackends.SIMD;

    /** {batch, heads, tokens, headDim}: tails of every vector width, single tokens and heads, and ViT-L/14's 257 x 64. */
    static final int[][] SHAPES = {{2, 3, 7, 5}, {1, 1, 1, 1}, {3, 2, 1, 4}, {1, 2, 9, 8}, {2, 1, 17, 16}, {1, 4, 33, 19}, {1, 2, 257, 64}};

    /** The same packed q;k;v values as a contiguous tensor, a slice of wider rows, with columns strided, and with batch and tokens swapped in memory. */
    static List<Tensor> views(long seed, int b, int t, int w3) {
        Tensor x = Tensor.randn(seed, b, t, w3);
        float[] v = x.toArray();
        List<Tensor> vs = new ArrayList<>();
        vs.add(x);
        vs.add(Tensor.randn(seed + 1, b, t, w3 + 5).slice(2, 2, 2 + w3));
        vs.add(x.transpose(1, 2).contiguous().transpose(1, 2));
        vs.add(x.transpose(0, 1).contiguous().transpose(0, 1));
        assertArrayEquals(v, vs.get(2).toArray());
        return vs;
    }

    static String name(int[] s, Tensor qkv) {
        return "B,H,T,d = " + Arrays.toString(s) + ", strides " + Arrays.toString(qkv.strides());
    }

    @Test
    void forwardAgrees() {
        for (int[] s : SHAPES)
            for (Tensor qkv : views(1, s[0], s[2], 3 * s[1] * s[3])) {
                Tensor expected = SCALAR.attention(qkv, s[1]);
                assertArrayEquals(new int[]{s[0], s[2], s[1] * s[3]}, expected.shape());
                assertClose(expected, SIMD.attention(qkv, s[1]), 2e-5f, "simd " + name(s, qkv));
                assertClose(expected, ComposedAttention.forward(qkv, s[1]), 2e-5f, "composed " + name(s, qkv));
            }
    }

    @Test
    void backwardAgrees() {
        for (int[] s : SHAPES) {
            int b = s[0], h = s[1], t = s[2], w = h * s[3];
            Tensor dOut = Tensor.randn(7, b, t, w);
            for (Tensor qkv : views(2, b, t, 3 * w))
                for (Tensor g : List.of(dOut, dOut.transpose(0, 1).contiguous().transpose(0, 1))) {
                    Tensor expected = SCALAR.attentionBackward(qkv, h, g);
                    assertArrayEquals(new int[]{b, t, 3 * w}, expected.shape());
                    assertClose(expected, SIMD.attentionBackward(qkv, h, g), 5e-5f, "simd backward " + name(s, qkv));
                    assertClose(expected, ComposedAttention.backward(qkv, h, g), 5e-5f, "composed backward " + name(s, qkv));
                }
        }
    }

    /** With one token each query sees only itself: the output is v and q, k get no gradient. */
    @Test
    void oneTokenPassesVThrough() {
        Tensor qkv = Tensor.randn(3, 2, 1, 12);
        for (Backend be : List.of(SCALAR, SIMD)) {
            assertClose(qkv.slice(2, 8, 12).contiguous(), be.attention(qkv, 2), 1e-6f, be.name());
            Tensor g = Tensor.randn(4, 2, 1, 4);
            Tensor dqkv = be.attentionBackward(qkv, 2, g);
            assertClose(Tensor.zeros(2, 1, 8), dqkv.slice(2, 0, 8).contiguous(), 1e-6f, be.name() + " dq, dk");
            assertClose(g, dqkv.slice(2, 8, 12).contiguous(), 1e-6f, be.name() + " dv");
        }
    }

    /** Equal keys give uniform attention: every output row is the mean of v over the tokens. */
    @Test
    void equalKeysAverageV() {
        int b = 1, t = 5, w = 6;
        float[] a = Tensor.randn(5, b, t, 3 * w).toArray();
        for (int i = 1; i < t; i++) System.arraycopy(a, w, a, i * 3 * w + w, w); // k_i = k_0
        Tensor qkv = Tensor.of(a, b, t, 3 * w);
        Tensor mean = qkv.slice(2, 2 * w, 3 * w).mean(1, true).expand(b, t, w).contiguous();
        for (Backend be : List.of(SCALAR, SIMD)) assertClose(mean, be.attention(qkv, 3), 1e-5f, be.name());
    }

    @Test
    void tensorChecksTheLayout() {
        assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(2, 3, 10).attention(2)); // 10 is not 3 x 2 x d
        assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(3, 12).attention(2));
        assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(1, 3, 12).attentionBackward(2, Tensor.zeros(1, 3, 12)));
    }
    /**
     * The memory promise, measured: the calling thread (which runs its share of the (batch, head)
     * pairs) allocates far less than the [B, H, T, T] scores the composition builds. JVM
     * allocation counters see every array, so a kernel that kept all pairs' scores would fail.
     */
    @Test
    void holdsOneScoreMatrixPerThreadNotAllOfThem() {
        var mx = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        org.junit.jupiter.api.Assumptions.assumeTrue(mx.isThreadAllocatedMemorySupported(), "no allocation counter in this JVM");
        int b = 4, h = 8, t = 257, d = 8, w = h * d;
        Tensor qkv = Tensor.randn(7, b, t, 3 * w), g = Tensor.randn(8, b, t, w);
        long scores = 4L * b * h * t * t, outputs = 4L * b * t * 4 * w; // [B,H,T,T]; attention's output plus d(qkv)
        // The least of several calls: the first ones also allocate the per-thread GEMM pack buffers
        // and attention scratch, and until C2 compiles the kernels the Vector API boxes its vectors
        // on the heap. In about 1 suite run of 10, all 200 calls allocated 27 MB: SimdBackend.max,
        // compiled before it was profiled, had been inlined into softmaxRow with its vector calls
        // on a loop-carried receiver left virtual, boxing for good (see SimdBackend.S; the tests
        // also run this with -XX:TypeProfileWidth=0, which makes every such call site fail here).
        // The loop stops at the first call under the bound, so a higher cap costs a passing run
        // nothing; if 200 calls fail, a kernel boxes its vectors or allocates per call.
        // Forward and backward together: two T x T scratches, one T row and the outputs (plus small change).
        long bound = outputs + 3L * 4 * t * t + (64 << 10), allocated = Long.MAX_VALUE;
        int run = 0;
        for (; run < 200 && allocated >= bound; run++) {
            long before = mx.getCurrentThreadAllocatedBytes();
            SIMD.attention(qkv, h);
            SIMD.attentionBackward(qkv, h, g);
            allocated = Math.min(allocated, mx.getCurrentThreadAllocatedBytes() - before);
        }
        assertTrue(allocated < bound,
                "attention allocated " + allocated + " bytes on one thread (least of " + run + " calls); all scores would be " + scores);
        long composed = mx.getCurrentThreadAllocatedBytes();
        ComposedAttention.forward(qkv, h);
        assertTrue(mx.getCurrentThreadAllocatedBytes() - composed > scores, "the check can see a [B,H,T,T] tensor");
    }
}
