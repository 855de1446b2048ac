package adamerge.tensor.cpu;

import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

/** VectorMath: exp and sum bit for bit their scalar twins; exp within 2 ulp of Math.exp; sum near the exact sum. */
class VectorMathTest {
    static final int L = SimdBackend.S.length();

    @Test
    void theVectorFormIsItsScalarTwinBitForBit() {
        SplittableRandom r = new SplittableRandom(7);
        float[] x = new float[L * 20_000];
        for (int i = 0; i < x.length; i++) x[i] = (float) (i % 3 == 0 ? r.nextDouble(-110, 95) : r.nextGaussian() * 4);
        float[] special = {0f, -0f, 1f, -1f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, -104f, -103.9f, -87.4f, 88.72f, 88.73f, 89f,
                Float.MIN_VALUE, -Float.MAX_VALUE, Float.MAX_VALUE};
        System.arraycopy(special, 0, x, 0, special.length);
        float[] y = new float[x.length];
        for (int i = 0; i < x.length; i += L) VectorMath.exp(FloatVector.fromArray(SimdBackend.S, x, i)).intoArray(y, i);
        for (int i = 0; i < x.length; i++)
            assertEquals(Float.floatToIntBits(VectorMath.exp(x[i])), Float.floatToIntBits(y[i]), "exp(" + x[i] + ")");
    }

    @Test
    void withinTwoUlpOfMathExp() {
        for (float x = -87f; x <= 88.7f; x += 0.00731f) {
            float want = (float) Math.exp(x), got = VectorMath.exp(x);
            assertTrue(Math.abs(got - want) <= 2 * Math.ulp(want), "exp(" + x + ") = " + got + ", Math.exp " + want);
        }
        for (float x = -103.9f; x < -87f; x += 0.0173f) { // subnormal results: within 2 of the smallest step
            float want = (float) Math.exp(x), got = VectorMath.exp(x);
            assertTrue(Math.abs(got - want) <= Math.max(2 * Math.ulp(want), 2 * Float.MIN_VALUE), "exp(" + x + ") = " + got + ", Math.exp " + want);
        }
        assertEquals(1f, VectorMath.exp(0f));
        assertEquals(0f, VectorMath.exp(Float.NEGATIVE_INFINITY));
        assertEquals(Float.POSITIVE_INFINITY, VectorMath.exp(Float.POSITIVE_INFINITY));
        assertEquals(Float.POSITIVE_INFINITY, VectorMath.exp(89f));
        assertTrue(Float.isNaN(VectorMath.exp(Float.NaN)));
    }

    /**
     * 200,000 sums, enough for C2 to compile the loop midway: reduceLanes(ADD) would match no fixed
     * order in both its interpreted and compiled forms.
     */
    @Test
    void sumIsItsScalarTwinBitForBitInEveryCompilationMode() {
        SplittableRandom r = new SplittableRandom(3);
        float[] lanes = new float[L];
        for (int t = 0; t < 200_000; t++) {
            for (int i = 0; i < L; i++) lanes[i] = (float) (r.nextGaussian() * Math.pow(10, r.nextInt(7)));
            float got = VectorMath.sum(FloatVector.fromArray(SimdBackend.S, lanes, 0));
            assertEquals(Float.floatToIntBits(VectorMath.sum(lanes)), Float.floatToIntBits(got), "step " + t);
        }
    }

    @Test
    void sumIsTheSumOfTheLanes() {
        float[] lanes = new float[L];
        double exact = 0;
        for (int i = 0; i < L; i++) exact += lanes[i] = 1f / (i + 1);
        assertEquals(exact, VectorMath.sum(FloatVector.fromArray(SimdBackend.S, lanes, 0)), 1e-6);
        // the pairing: 2^24 and -2^24 sit half a vector apart, so they cancel in the first round and
        // the 1 in lane 0 survives; added one after another, 1 + 2^24 would round the 1 away
        float[] big = new float[L];
        big[0] = 1f;
        big[L / 4] = 1 << 24;
        big[L / 4 + L / 2] = -(1 << 24);
        assertEquals(1f, VectorMath.sum(big));
        assertEquals(1f, VectorMath.sum(FloatVector.fromArray(SimdBackend.S, big, 0)));
    }
}
