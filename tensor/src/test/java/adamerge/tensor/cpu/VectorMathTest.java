package adamerge.tensor.cpu;

import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

/** VectorMath.exp: bit for bit its scalar twin, and within 2 ulp of Math.exp. */
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
}
