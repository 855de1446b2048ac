package adamerge.tensor.cpu;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * A's packing, vector and scalar, against the panel layout written out element by element, for
 * both storage orders: blocks whose rows and k run past whole panels and whole vector groups,
 * at offsets, with A's array ending right after the block (so that the shifted loads of
 * transposed A must stop short of its end), and nothing written outside the panels.
 */
class PackATest {
    private static final int MR = Sgemm.MR;

    @Test
    void packedPanelsMatchTheirDefinition() {
        Random rnd = new Random(11);
        for (int trial = 0; trial < 400; trial++) {
            boolean transposed = trial % 2 == 1;
            int m = 1 + rnd.nextInt(70), k = 1 + rnd.nextInt(90);
            int ic = rnd.nextInt(m), mc = 1 + rnd.nextInt(m - ic), pc = rnd.nextInt(k), kc = 1 + rnd.nextInt(k - pc);
            if (trial < 40) { // the whole matrix, sizes on and off the vector groups
                ic = 0;
                mc = m;
                pc = 0;
                kc = k;
            }
            int lda = (transposed ? m : k) + (trial % 3 == 0 ? rnd.nextInt(5) : 0), aOff = rnd.nextInt(3);
            float[] a = new float[aOff + (transposed ? k : m) * lda];
            for (int i = 0; i < a.length; i++) a[i] = (float) rnd.nextGaussian();
            int at = rnd.nextInt(4), padded = (mc + MR - 1) / MR * MR;
            float[] expected = new float[at + padded * kc + 5];
            Arrays.fill(expected, Float.NaN);
            for (int i = 0; i < padded; i++)
                for (int p = 0; p < kc; p++) {
                    int row = ic + i, col = pc + p;
                    float value = i >= mc ? 0f : transposed ? a[aOff + col * lda + row] : a[aOff + row * lda + col];
                    expected[at + (i / MR) * MR * kc + p * MR + i % MR] = value;
                }
            String name = (transposed ? "A^T" : "A") + " m=" + m + " k=" + k + " lda=" + lda + " rows " + ic + "+" + mc + " cols " + pc + "+" + kc;
            float[] vector = new float[expected.length], scalar = new float[expected.length];
            Arrays.fill(vector, Float.NaN);
            Arrays.fill(scalar, Float.NaN);
            PackA.pack(transposed, a, aOff, lda, ic, mc, pc, kc, vector, at);
            PackA.scalar(transposed, a, aOff, lda, ic, mc, pc, kc, scalar, at);
            assertArrayEquals(expected, vector, "pack, " + name);
            assertArrayEquals(expected, scalar, "scalar, " + name);
        }
    }
}
