package adamerge.tensor.cpu;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * The in-register 16 x 16 transpose against its definition, at offsets and strides wider than
 * the block, leaving every float outside the block alone; and the scalar twin on a hand-written case.
 */
class Transpose16Test {
    @Test
    void blockIsTheTransposeAndWritesNothingElse() {
        Random rnd = new Random(7);
        int n = Transpose16.N;
        for (int[] layout : new int[][]{{0, 16, 0, 16}, {3, 21, 5, 48}, {17, 40, 1, 19}}) {
            int s0 = layout[0], lds = layout[1], d0 = layout[2], ldd = layout[3];
            float[] src = new float[s0 + 15 * lds + n + 3];
            for (int i = 0; i < src.length; i++) src[i] = (float) rnd.nextGaussian();
            float[] dst = new float[d0 + 15 * ldd + n + 3], expected = new float[dst.length];
            Arrays.fill(dst, -7f);
            Arrays.fill(expected, -7f);
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j++) expected[d0 + j * ldd + i] = src[s0 + i * lds + j];
            Transpose16.block(src, s0, lds, dst, d0, ldd);
            assertArrayEquals(expected, dst, "layout " + Arrays.toString(layout));
        }
    }

    @Test
    void scalarTwinOnARectangle() {
        float[] src = {1, 2, 3, 9, 4, 5, 6}; // rows {1, 2, 3} and {4, 5, 6}, row stride 4
        float[] dst = new float[8];
        Arrays.fill(dst, -1f);
        Transpose16.scalar(src, 0, 4, dst, 1, 2, 2, 3);
        assertArrayEquals(new float[]{-1, 1, 4, 2, 5, 3, 6, -1}, dst);
    }
}
