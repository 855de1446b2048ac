package adamerge.opencl;

import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static adamerge.opencl.ClTesting.*;

/** Attention and its backward on the device (the composition of primitive kernels) against the scalar oracle. */
class AttentionTest {
    /** {batch, heads, tokens, headDim}: no size a multiple of a work-group or vector width. */
    static final int[][] SHAPES = {{2, 3, 7, 5}, {1, 2, 17, 8}, {3, 1, 1, 4}};

    /** Packed q;k;v contiguous and sliced out of wider rows. */
    static Both[] views(long seed, int b, int t, int w3) {
        return new Both[]{randn(seed, b, t, w3), randn(seed + 1, b, t, w3 + 4).map(x -> x.slice(2, 3, 3 + w3))};
    }

    @Test
    void forwardMatchesTheOracle() {
        for (int[] s : SHAPES)
            for (Both qkv : views(1, s[0], s[2], 3 * s[1] * s[3]))
                assertMatches(CPU.attention(qkv.cpu(), s[1]), cl().attention(qkv.cl(), s[1]), 1e-4,
                        "attention B,H,T,d = " + Arrays.toString(s) + " strides " + Arrays.toString(qkv.cpu().strides()));
    }

    @Test
    void backwardMatchesTheOracle() {
        for (int[] s : SHAPES) {
            Both g = randn(2, s[0], s[2], s[1] * s[3]);
            for (Both qkv : views(3, s[0], s[2], 3 * s[1] * s[3]))
                assertMatches(CPU.attentionBackward(qkv.cpu(), s[1], g.cpu()), cl().attentionBackward(qkv.cl(), s[1], g.cl()), 1e-4,
                        "attention backward B,H,T,d = " + Arrays.toString(s) + " strides " + Arrays.toString(qkv.cpu().strides()));
        }
    }
}
