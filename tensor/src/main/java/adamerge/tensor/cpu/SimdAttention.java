package adamerge.tensor.cpu;

import adamerge.tensor.Tensor;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import static adamerge.tensor.cpu.ScalarBackend.data;

/**
 * {@link SimdBackend}'s multi-head self-attention, forward and backward: the oracle is
 * {@link ScalarBackend#attention} / {@link ScalarBackend#attentionBackward}.
 */
final class SimdAttention {
    private static final VectorSpecies<Float> S = SimdBackend.S;
    /**
     * Each thread's T x T scratch and T-float row, grown on demand and kept (as Sgemm keeps its
     * pack buffers). Allocated per chunk instead, a thread that runs several chunks allocates a
     * matrix for each; the caller can, since ForkJoinTask.join may run a queued chunk itself when
     * the pool is busy. That is the likely cause of AttentionAgreementTest's allocation check
     * seeing 27.9 MB per call for 200 calls in a row, in about 1 of 20 suite runs.
     */
    private static final ThreadLocal<float[]> MATRIX = ThreadLocal.withInitial(() -> new float[0]),
            ROW = ThreadLocal.withInitial(() -> new float[0]);

    private SimdAttention() {
    }

    /**
     * The (batch, head) pairs are split over the cores; each thread owns one T x T scratch, a
     * single pair's scores, reused for all its pairs and calls, so no [B, H, T, T] tensor is materialised
     * (ViT-L/14: one 257 x 257 matrix per thread instead of B x 16 of them). Per pair, as the
     * oracle computes row by row: S = Q K^T / sqrt(d), P = softmax over each row, O = P V; the two
     * products run on the GEMM micro-kernel, reading q, k, v in place in the packed rows.
     */
    static Tensor forward(Tensor qkv, int heads) {
        PackedQkv x = PackedQkv.of(unitColumnStride(qkv), heads);
        int t = x.tokens(), w = x.width(), d = x.headDim(), ld = x.tokenStride();
        float[] src = x.data(), out = new float[x.batch() * t * w];
        Parallel.forRange(x.batch() * heads, attentionGrain(x), (lo, hi) -> {
            float[] p = scratch(MATRIX, t * t); // this thread's scores, then probabilities, of one pair
            for (int pair = lo; pair < hi; pair++) {
                int b = pair / heads, h = pair % heads;
                probabilities(x, b, h, p);
                Sgemm.multiplySerial(false, false, t, d, t, p, 0, t, src, x.v(b, 0, h), ld, out, b * t * w + h * d, w, false); // O = P V
            }
        });
        return HeapStorage.wrap(out, x.batch(), t, w);
    }

    /**
     * Flash-attention's backward (formulas at {@link ScalarBackend#attentionBackward}), parallel
     * over (batch, head) pairs. Each thread owns one T x T scratch, a single pair's matrix, which
     * holds P and is then overwritten row by row with dS (dP is formed one row at a time, so a
     * second matrix is never needed). dV = P^T dO, dQ = dS K / sqrt(d) and dK = dS^T Q / sqrt(d)
     * are GEMMs. A pair writes only its own head's columns of d(qkv), so workers never write the
     * same element.
     */
    static Tensor backward(Tensor qkv, int heads, Tensor gradOut) {
        PackedQkv x = PackedQkv.of(unitColumnStride(qkv), heads);
        int t = x.tokens(), w = x.width(), d = x.headDim(), ld = x.tokenStride();
        Tensor dOut = gradOut.contiguous();
        float[] src = x.data(), g = data(dOut), grad = new float[x.batch() * t * 3 * w];
        int g0 = dOut.offset(), w3 = 3 * w;
        float scale = x.scale();
        Parallel.forRange(x.batch() * heads, attentionGrain(x), (lo, hi) -> {
            float[] ps = scratch(MATRIX, t * t), row = scratch(ROW, t); // P, then dS, of one pair; one row of dP
            for (int pair = lo; pair < hi; pair++) {
                int b = pair / heads, h = pair % heads;
                int dO = g0 + b * t * w + h * d;         // dO_i at dO + i w
                int dq = b * t * w3 + h * d, dk = dq + w, dv = dk + w; // rows i at + i 3w
                probabilities(x, b, h, ps);
                Sgemm.multiplySerial(true, false, t, d, t, ps, 0, t, g, dO, w, grad, dv, w3, false); // dV = P^T dO
                for (int i = 0; i < t; i++) {
                    rowDots(g, dO + i * w, src, x.v(b, 0, h), ld, t, d, 1f, row, 0); // dP_i = dO_i V^T
                    float pDotDp = 0;
                    for (int j = 0; j < t; j++) pDotDp += ps[i * t + j] * row[j];
                    for (int j = 0; j < t; j++) ps[i * t + j] *= (row[j] - pDotDp) * scale; // dS_i / sqrt(d)
                }
                Sgemm.multiplySerial(false, false, t, d, t, ps, 0, t, src, x.k(b, 0, h), ld, grad, dq, w3, false); // dQ = dS K / sqrt(d)
                Sgemm.multiplySerial(true, false, t, d, t, ps, 0, t, src, x.q(b, 0, h), ld, grad, dk, w3, false); // dK = dS^T Q / sqrt(d)
            }
        });
        return HeapStorage.wrap(grad, x.batch(), t, 3 * w);
    }

    /** The calling thread's buffer in {@code slot}, at least {@code size} floats (grown on demand). */
    private static float[] scratch(ThreadLocal<float[]> slot, int size) {
        float[] buffer = slot.get();
        if (buffer.length < size) slot.set(buffer = new float[size]);
        return buffer;
    }

    /** P = softmax(Q K^T / sqrt(d)) of head h in batch b, row-major into p[0, T^2). */
    private static void probabilities(PackedQkv x, int b, int h, float[] p) {
        int t = x.tokens(), ld = x.tokenStride();
        Sgemm.multiplySerial(false, true, t, t, x.headDim(), x.data(), x.q(b, 0, h), ld, x.data(), x.k(b, 0, h), ld, p, 0, t, false);
        FloatVector scale = FloatVector.broadcast(S, x.scale());
        int i = 0;
        for (int end = S.loopBound(t * t); i < end; i += S.length())
            FloatVector.fromArray(S, p, i).mul(scale).intoArray(p, i);
        for (; i < t * t; i++) p[i] *= x.scale();
        for (int r = 0; r < t; r++) SimdBackend.softmaxRow(p, r * t, p, r * t, t, false); // in place: each element is read before it is written
    }

    /** The view itself when its last axis has unit stride (the dots and axpys load rows), else a contiguous copy. */
    private static Tensor unitColumnStride(Tensor x) {
        return x.stride(-1) == 1 ? x : x.contiguous();
    }

    /** (batch, head) pairs per task: one pair costs about 2 T^2 d multiply-adds. */
    private static int attentionGrain(PackedQkv x) {
        long fmas = 2L * x.tokens() * x.tokens() * x.headDim();
        return (int) Math.max(1, SimdBackend.SMALL_PRODUCT_FMAS / Math.max(fmas, 1));
    }

    /**
     * out[oo + j] = scale (a . m_j) for the rows m_j = m[mo + j ld, + n). Four rows go at a time: one
     * row's dot is a chain of dependent FMAs (d = 64 is 8 of them at 8 lanes), so a row at a time
     * waits on FMA latency; four chains overlap and share the loads of {@code a}.
     */
    static void rowDots(float[] a, int ao, float[] m, int mo, int ld, int rows, int n, float scale, float[] out, int oo) {
        int j = 0;
        for (; j + 4 <= rows; j += 4) {
            int m0 = mo + j * ld, m1 = m0 + ld, m2 = m1 + ld, m3 = m2 + ld;
            FloatVector s0 = FloatVector.zero(S), s1 = s0, s2 = s0, s3 = s0;
            int c = 0;
            for (int end = S.loopBound(n); c < end; c += S.length()) {
                FloatVector va = FloatVector.fromArray(S, a, ao + c);
                s0 = va.fma(FloatVector.fromArray(S, m, m0 + c), s0);
                s1 = va.fma(FloatVector.fromArray(S, m, m1 + c), s1);
                s2 = va.fma(FloatVector.fromArray(S, m, m2 + c), s2);
                s3 = va.fma(FloatVector.fromArray(S, m, m3 + c), s3);
            }
            float d0 = VectorMath.sum(s0), d1 = VectorMath.sum(s1);
            float d2 = VectorMath.sum(s2), d3 = VectorMath.sum(s3);
            for (; c < n; c++) {
                d0 += a[ao + c] * m[m0 + c];
                d1 += a[ao + c] * m[m1 + c];
                d2 += a[ao + c] * m[m2 + c];
                d3 += a[ao + c] * m[m3 + c];
            }
            out[oo + j] = d0 * scale;
            out[oo + j + 1] = d1 * scale;
            out[oo + j + 2] = d2 * scale;
            out[oo + j + 3] = d3 * scale;
        }
        for (; j < rows; j++) out[oo + j] = dotFloat(a, ao, m, mo + j * ld, n) * scale;
    }

    /** a[ao, ao + n) . b[bo, bo + n) in float: short rows (one head, d = 64) need no flush to double. */
    static float dotFloat(float[] a, int ao, float[] b, int bo, int n) {
        FloatVector acc = FloatVector.zero(S);
        int i = 0;
        for (int end = S.loopBound(n); i < end; i += S.length())
            acc = FloatVector.fromArray(S, a, ao + i).fma(FloatVector.fromArray(S, b, bo + i), acc);
        float s = VectorMath.sum(acc);
        for (; i < n; i++) s += a[ao + i] * b[bo + i];
        return s;
    }
}
