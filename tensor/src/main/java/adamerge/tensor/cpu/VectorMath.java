package adamerge.tensor.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * e^x and the sum of a vector's lanes, from adds, multiplies and bit operations only, each beside
 * its scalar twin.
 *
 * <p>Why not {@code lanewise(VectorOperators.EXP)}: C2 compiles it to a vendor math library and
 * the interpreter and C1 to per-lane {@code Math.exp}, which differ in the last bit for about 1 %
 * of inputs. A result then depended on when the JIT compiled the kernel, and a resumed run
 * drifted from the uninterrupted one by a few ulps. IEEE adds, multiplies and fused multiply-adds
 * round the same in every mode, so these give one result, bit for bit, wherever they run.
 *
 * <p>Method: x = n ln 2 + r with n = round(x / ln 2), |r| <= ln 2 / 2 (Cody-Waite: ln 2 in two
 * parts, so n ln 2 is exact); e^r by its Taylor polynomial of degree 7 (truncation r^8/8! < 6e-9,
 * under a tenth of a float ulp); then times 2^n, applied as two powers of two so that results in
 * the subnormal range round once, like Math.exp's. Within 2 ulp of Math.exp (tested).
 */
final class VectorMath {
    private static final VectorSpecies<Float> S = SimdBackend.S;
    private static final int L = S.length();
    /** Lane i swaps with lane i ^ h: the stages of {@link #sum(FloatVector)}'s fixed tree (null where h >= L). */
    private static final VectorShuffle<Float> SWAP32 = swap(32), SWAP16 = swap(16), SWAP8 = swap(8), SWAP4 = swap(4),
            SWAP2 = swap(2), SWAP1 = swap(1);
    private static final float LOG2E = 1.44269504f;
    private static final float LN2_HI = 0.693145752f, LN2_LO = 1.42860677e-6f; // LN2_HI has 15 free low bits: n * LN2_HI is exact
    /** 1.5 x 2^23: adding it rounds a float below 2^22 in magnitude to an integer held in the low bits. */
    private static final float ROUNDER = 12582912f;
    private static final int ROUNDER_BITS = Float.floatToRawIntBits(ROUNDER);
    /** Below this e^x is 0 in float, above the upper bound it is infinite; clamping keeps n and 2^n in range. */
    private static final float LO = -104f, HI = 89f;
    private static final float C7 = 1f / 5040, C6 = 1f / 720, C5 = 1f / 120, C4 = 1f / 24, C3 = 1f / 6, C2 = 0.5f;

    private VectorMath() {
    }

    /**
     * The sum of the lanes in a fixed pairwise order. Why not {@code reduceLanes(ADD)}: its order is
     * unspecified, and C2 adds the lanes as a tree while the interpreter and C1 add them one after
     * another, so a float sum changed in the last bit once the JIT compiled its caller (the same
     * seed then trained to different weights). Here every lane adds its partner at distance
     * length / 2, then length / 4, ..., and lane 0 holds the total.
     * <p>
     * Written out stage by stage, and started from -0 + lanes (the identity of IEEE addition, bit
     * for bit), so that every call here has a receiver of exact class (see {@link SimdBackend#S}).
     */
    static float sum(FloatVector lanes) {
        FloatVector v = FloatVector.broadcast(S, -0f).add(lanes);
        if (L >= 64) v = v.add(v.rearrange(SWAP32)); // 2048-bit SVE, the widest vectors there are
        if (L >= 32) v = v.add(v.rearrange(SWAP16));
        if (L >= 16) v = v.add(v.rearrange(SWAP8));
        if (L >= 8) v = v.add(v.rearrange(SWAP4));
        if (L >= 4) v = v.add(v.rearrange(SWAP2));
        v = v.add(v.rearrange(SWAP1));
        return v.lane(0);
    }

    private static VectorShuffle<Float> swap(int h) {
        return h < L ? VectorShuffle.fromOp(S, i -> i ^ h) : null;
    }

    /** The scalar twin of {@link #sum(FloatVector)}: the same pairs added in the same order. */
    static float sum(float[] lanes) {
        float[] v = lanes.clone();
        for (int h = v.length / 2; h > 0; h /= 2) {
            float[] next = new float[v.length];
            for (int i = 0; i < v.length; i++) next[i] = v[i] + v[i ^ h];
            v = next;
        }
        return v[0];
    }

    static FloatVector exp(FloatVector x) {
        FloatVector xc = FloatVector.broadcast(S, LO).max(x).min(HI); // NaN stays NaN; x as the argument: see SimdBackend.S
        FloatVector t = xc.mul(LOG2E).add(ROUNDER);
        FloatVector n = t.sub(ROUNDER);
        IntVector ni = ((IntVector) t.reinterpretAsInts()).sub(ROUNDER_BITS);
        FloatVector r = n.fma(FloatVector.broadcast(S, -LN2_HI), xc);
        r = n.fma(FloatVector.broadcast(S, -LN2_LO), r);
        FloatVector p = r.fma(C7, C6);
        p = p.fma(r, FloatVector.broadcast(S, C5));
        p = p.fma(r, FloatVector.broadcast(S, C4));
        p = p.fma(r, FloatVector.broadcast(S, C3));
        p = p.fma(r, FloatVector.broadcast(S, C2));
        p = p.fma(r, FloatVector.broadcast(S, 1f));
        p = p.fma(r, FloatVector.broadcast(S, 1f));
        IntVector half = ni.lanewise(VectorOperators.ASHR, 1);
        return p.mul(powerOfTwo(half)).mul(powerOfTwo(ni.sub(half)));
    }

    /** The scalar twin of {@link #exp(FloatVector)}: the same operations in the same order. */
    static float exp(float x) {
        float xc = Math.min(Math.max(x, LO), HI);
        float t = xc * LOG2E + ROUNDER;
        float n = t - ROUNDER;
        int ni = Float.floatToRawIntBits(t) - ROUNDER_BITS;
        float r = Math.fma(n, -LN2_HI, xc);
        r = Math.fma(n, -LN2_LO, r);
        float p = Math.fma(r, C7, C6);
        p = Math.fma(p, r, C5);
        p = Math.fma(p, r, C4);
        p = Math.fma(p, r, C3);
        p = Math.fma(p, r, C2);
        p = Math.fma(p, r, 1f);
        p = Math.fma(p, r, 1f);
        int half = ni >> 1;
        return p * Float.intBitsToFloat((half + 127) << 23) * Float.intBitsToFloat((ni - half + 127) << 23);
    }

    /** 2^k for k in [-126, 127], built from its exponent bits. */
    private static FloatVector powerOfTwo(IntVector k) {
        return (FloatVector) k.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
    }
}
