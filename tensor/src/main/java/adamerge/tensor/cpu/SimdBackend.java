package adamerge.tensor.cpu;

import adamerge.tensor.Binary;
import adamerge.tensor.Reduce;
import adamerge.tensor.Tensor;
import adamerge.tensor.Unary;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.util.List;

/**
 * Vector API kernels, multithreaded over the cores. Each override has its scalar twin in
 * {@link ScalarBackend} (the test oracle); layouts not worth vectorising fall through to it.
 *
 * <p>Every kernel has the llama3.java shape: a main loop to {@code S.loopBound(n)} over full
 * vectors, then a scalar tail.
 */
public class SimdBackend extends ScalarBackend {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    /** Elements per parallel task: below this a fork costs more than it saves. */
    private static final int GRAIN = 1 << 15;
    /** Below this many multiply-adds a product runs on one core. */
    private static final long SMALL_PRODUCT_FMAS = 1L << 21;

    @Override
    public String name() {
        return "cpu-simd";
    }

    // ---- elementwise ----

    @Override
    public Tensor unary(Unary op, Tensor x) {
        Tensor c = x.contiguous();
        float[] src = data(c), out = new float[c.numel()];
        int base = c.offset();
        Parallel.forRange(out.length, GRAIN, (lo, hi) -> unaryRange(op, src, base, out, lo, hi));
        return wrap(out, x.shape());
    }

    /**
     * One loop per op. With the switch inside one shared loop, C2 kept the formulas of the ops
     * not taken as calls that take the vector, and so boxed every vector of every op (~10 MB of
     * garbage per 800 x 768 tensor, which the collector then chased through the step); a shared
     * loop over a lambda per op was compiled once, for all ops, with the same result.
     */
    static void unaryRange(Unary op, float[] src, int srcOff, float[] out, int lo, int hi) {
        int i = lo, end = lo + S.loopBound(hi - lo), n = S.length();
        switch (op) {
            case NEG -> { for (; i < end; i += n) load(src, srcOff + i).neg().intoArray(out, i); }
            case EXP -> { for (; i < end; i += n) load(src, srcOff + i).lanewise(VectorOperators.EXP).intoArray(out, i); }
            case LOG -> { for (; i < end; i += n) load(src, srcOff + i).lanewise(VectorOperators.LOG).intoArray(out, i); }
            case SQRT -> { for (; i < end; i += n) load(src, srcOff + i).sqrt().intoArray(out, i); }
            case TANH -> { for (; i < end; i += n) load(src, srcOff + i).lanewise(VectorOperators.TANH).intoArray(out, i); }
            case SIGMOID -> { for (; i < end; i += n) sigmoid(load(src, srcOff + i)).intoArray(out, i); }
            case ABS -> { for (; i < end; i += n) load(src, srcOff + i).abs().intoArray(out, i); }
            case SIGN -> { for (; i < end; i += n) sign(load(src, srcOff + i)).intoArray(out, i); }
            case RELU -> { for (; i < end; i += n) load(src, srcOff + i).max(0f).intoArray(out, i); }
            case GELU -> { for (; i < end; i += n) gelu(load(src, srcOff + i)).intoArray(out, i); }
            case QUICK_GELU -> { for (; i < end; i += n) quickGelu(load(src, srcOff + i)).intoArray(out, i); }
            case GELU_GRAD -> { for (; i < end; i += n) geluGrad(load(src, srcOff + i)).intoArray(out, i); }
            case QUICK_GELU_GRAD -> { for (; i < end; i += n) quickGeluGrad(load(src, srcOff + i)).intoArray(out, i); }
        }
        for (; i < hi; i++) out[i] = op.apply(src[srcOff + i]);
    }

    private static FloatVector load(float[] a, int i) {
        return FloatVector.fromArray(S, a, i);
    }

    private static FloatVector gelu(FloatVector x) {
        return x.mul(erf(x.mul((float) Math.sqrt(0.5))).add(1f)).mul(0.5f);
    }

    private static FloatVector quickGelu(FloatVector x) {
        return x.mul(sigmoid(x.mul(1.702f)));
    }

    private static FloatVector sign(FloatVector x) {
        return x.broadcast(0f).blend(1f, x.compare(VectorOperators.GT, 0f)).blend(-1f, x.compare(VectorOperators.LT, 0f)).blend(x, x.test(VectorOperators.IS_NAN));
    }

    private static FloatVector geluGrad(FloatVector x) {
        FloatVector cdf = erf(x.mul((float) Math.sqrt(0.5))).add(1f).mul(0.5f);
        FloatVector pdf = x.mul(x).mul(-0.5f).lanewise(VectorOperators.EXP).mul((float) (1 / Math.sqrt(2 * Math.PI)));
        return x.fma(pdf, cdf);
    }

    private static FloatVector quickGeluGrad(FloatVector x) {
        FloatVector s = sigmoid(x.mul(1.702f));
        return x.mul(1.702f).mul(s).mul(s.neg().add(1f)).add(s); // s + 1.702 x s (1 - s)
    }

    private static FloatVector sigmoid(FloatVector x) {
        return FloatVector.broadcast(S, 1f).div(x.neg().lanewise(VectorOperators.EXP).add(1f));
    }

    /** Vector twin of {@link Unary#erf}: the same Chebyshev-fitted erfc, in float. */
    private static FloatVector erf(FloatVector x) {
        FloatVector z = x.abs();
        FloatVector t = FloatVector.broadcast(S, 1f).div(z.mul(0.5f).add(1f));
        FloatVector p = t.mul(0.17087277f).add(-0.82215223f); // Horner, innermost coefficient first
        p = p.mul(t).add(1.48851587f);
        p = p.mul(t).add(-1.13520398f);
        p = p.mul(t).add(0.27886807f);
        p = p.mul(t).add(-0.18628806f);
        p = p.mul(t).add(0.09678418f);
        p = p.mul(t).add(0.37409196f);
        p = p.mul(t).add(1.00002368f);
        p = p.mul(t).add(-1.26551223f);
        FloatVector r = t.mul(z.mul(z).neg().add(p).lanewise(VectorOperators.EXP));
        FloatVector pos = r.neg().add(1f);
        return pos.blend(r.sub(1f), x.compare(VectorOperators.LT, 0f));
    }

    /**
     * Walks the rows (all axes but the last) of equally shaped views; the last axis is vectorised
     * when its strides are 1 or 0 (a broadcast scalar per row), which covers bias adds, row scales
     * and every contiguous case.
     */
    @Override
    public Tensor binary(Binary op, Tensor a, Tensor b) {
        requireSameShape(a, b);
        int rank = a.rank();
        if (rank == 0) return super.binary(op, a, b);
        int n = a.dim(-1), rows = n == 0 ? 0 : a.numel() / n;
        int sa = a.stride(-1), sb = b.stride(-1);
        if ((sa != 1 && sa != 0) || (sb != 1 && sb != 0) || n < S.length()) return super.binary(op, a, b);
        int[] ra = rowOffsets(a), rb = rowOffsets(b);
        float[] da = data(a), db = data(b), out = new float[a.numel()];
        Parallel.forRange(rows, Math.max(1, GRAIN / n), (lo, hi) -> {
            for (int r = lo; r < hi; r++) binaryRow(op, da, ra[r], sa, db, rb[r], sb, out, r * n, n);
        });
        return wrap(out, a.shape());
    }

    private static void binaryRow(Binary op, float[] a, int ao, int sa, float[] b, int bo, int sb, float[] out, int oo, int n) {
        int i = 0;
        for (int end = S.loopBound(n); i < end; i += S.length()) {
            FloatVector va = sa == 1 ? FloatVector.fromArray(S, a, ao + i) : FloatVector.broadcast(S, a[ao]);
            FloatVector vb = sb == 1 ? FloatVector.fromArray(S, b, bo + i) : FloatVector.broadcast(S, b[bo]);
            binaryVector(op, va, vb).intoArray(out, oo + i);
        }
        for (; i < n; i++) out[oo + i] = op.apply(a[ao + i * sa], b[bo + i * sb]);
    }

    private static FloatVector binaryVector(Binary op, FloatVector a, FloatVector b) {
        return switch (op) {
            case ADD -> a.add(b);
            case SUB -> a.sub(b);
            case MUL -> a.mul(b);
            case DIV -> a.div(b);
            case POW -> a.lanewise(VectorOperators.POW, b);
            case MAX -> a.lanewise(VectorOperators.MAX, b);
            case MIN -> a.lanewise(VectorOperators.MIN, b);
            case GT -> ones(a.compare(VectorOperators.GT, b));
            case GE -> ones(a.compare(VectorOperators.GE, b));
            case LT -> ones(a.compare(VectorOperators.LT, b));
            case LE -> ones(a.compare(VectorOperators.LE, b));
            case EQ -> ones(a.compare(VectorOperators.EQ, b));
        };
    }

    private static FloatVector ones(VectorMask<Float> m) {
        return FloatVector.zero(S).blend(1f, m);
    }

    /** Storage offset of the first element of every row (all axes but the last), row-major. */
    /** Tile edge of the transposing copy: a 32 x 32 tile of source and destination fits L1. */
    private static final int TILE = 32;

    /**
     * Copy of a view whose last two axes are swapped in memory (a transposed matrix, or a batch
     * of them), in square tiles: element-by-element it would read one float per cache line.
     */
    private Tensor transposedCopy(Tensor x) {
        int rank = x.rank(), r = x.dim(-2), c = x.dim(-1), sc = x.stride(-1); // element (i, j) at base + i + j * sc
        int[] mats = offsets(new Tensor(x.storage(), java.util.Arrays.copyOf(x.shape(), rank - 2),
                java.util.Arrays.copyOf(x.strides(), rank - 2), x.offset()));
        float[] src = data(x), out = new float[x.numel()];
        int rowTiles = (r + TILE - 1) / TILE;
        Parallel.forRange(mats.length * rowTiles, Math.max(1, GRAIN / (TILE * Math.max(c, 1))), (lo, hi) -> {
            for (int t = lo; t < hi; t++) {
                int base = mats[t / rowTiles], o = (t / rowTiles) * r * c, i0 = (t % rowTiles) * TILE, i1 = Math.min(r, i0 + TILE);
                for (int j0 = 0; j0 < c; j0 += TILE) {
                    int j1 = Math.min(c, j0 + TILE);
                    for (int j = j0; j < j1; j++)
                        for (int i = i0, from = base + i0 + j * sc; i < i1; i++, from++) out[o + i * c + j] = src[from];
                }
            }
        });
        return wrap(out, x.shape());
    }

    static int[] rowOffsets(Tensor t) {
        int rank = t.rank();
        int[] shape = t.shape(), strides = t.strides();
        Tensor rowsView = new Tensor(t.storage(), java.util.Arrays.copyOf(shape, rank - 1), java.util.Arrays.copyOf(strides, rank - 1), t.offset());
        return offsets(rowsView);
    }

    // ---- reductions and row-wise fused ops ----

    @Override
    public Tensor reduce(Reduce op, Tensor x, int axis) {
        if (axis == x.rank() - 1 && x.isContiguous() && x.dim(-1) >= S.length()) {
            int n = x.dim(-1), rows = x.numel() / n;
            float[] src = data(x), out = new float[rows];
            int base = x.offset();
            Parallel.forRange(rows, Math.max(1, GRAIN / n), (lo, hi) -> {
                for (int r = lo; r < hi; r++)
                    out[r] = op == Reduce.SUM ? sum(src, base + r * n, n) : max(src, base + r * n, n);
            });
            return wrap(out, keptShape(x, axis));
        }
        if (op == Reduce.SUM && axis < x.rank() - 1 && x.isContiguous() && x.dim(-1) >= S.length()) {
            return sumOverLeadingAxis(x, axis);
        }
        return super.reduce(op, x, axis);
    }

    /** Sums axis {@code axis} of a contiguous tensor by adding whole inner blocks as vectors (e.g. bias gradients). */
    private Tensor sumOverLeadingAxis(Tensor x, int axis) {
        int[] shape = x.shape();
        int outer = 1, inner = 1, n = shape[axis];
        for (int i = 0; i < axis; i++) outer *= shape[i];
        for (int i = axis + 1; i < shape.length; i++) inner *= shape[i];
        float[] src = data(x), out = new float[outer * inner];
        int base = x.offset(), blockLen = inner;
        Parallel.forRange(outer * inner, GRAIN, (lo, hi) -> {
            // each task owns a slice [lo, hi) of the output, possibly spanning outer blocks
            for (int o = lo; o < hi; ) {
                int ob = o / blockLen, from = o % blockLen, to = Math.min(blockLen, from + (hi - o));
                for (int j = 0; j < n; j++) {
                    int src0 = base + (ob * n + j) * blockLen;
                    int i = from;
                    for (int end = from + S.loopBound(to - from); i < end; i += S.length())
                        FloatVector.fromArray(S, out, ob * blockLen + i).add(FloatVector.fromArray(S, src, src0 + i)).intoArray(out, ob * blockLen + i);
                    for (; i < to; i++) out[ob * blockLen + i] += src[src0 + i];
                }
                o += to - from;
            }
        });
        return wrap(out, keptShape(x, axis));
    }

    static float sum(float[] a, int off, int n) {
        FloatVector acc = FloatVector.zero(S);
        int i = 0;
        for (int end = S.loopBound(n); i < end; i += S.length()) acc = acc.add(FloatVector.fromArray(S, a, off + i));
        float s = acc.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) s += a[off + i];
        return s;
    }

    static float max(float[] a, int off, int n) {
        FloatVector acc = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
        int i = 0;
        for (int end = S.loopBound(n); i < end; i += S.length()) acc = acc.max(FloatVector.fromArray(S, a, off + i));
        float m = acc.reduceLanes(VectorOperators.MAX);
        for (; i < n; i++) m = Math.max(m, a[off + i]);
        return m;
    }

    @Override
    public Tensor softmax(Tensor x, boolean log) {
        if (!x.isContiguous() || x.rank() == 0 || x.dim(-1) < S.length()) return super.softmax(x, log);
        int n = x.dim(-1), rows = x.numel() / n;
        float[] src = data(x), out = new float[x.numel()];
        int base = x.offset();
        Parallel.forRange(rows, Math.max(1, GRAIN / n), (lo, hi) -> {
            for (int r = lo; r < hi; r++) softmaxRow(src, base + r * n, out, r * n, n, log);
        });
        return wrap(out, x.shape());
    }

    private static void softmaxRow(float[] x, int xo, float[] out, int oo, int n, boolean log) {
        float max = max(x, xo, n);
        FloatVector acc = FloatVector.zero(S);
        int i = 0;
        for (int end = S.loopBound(n); i < end; i += S.length()) {
            FloatVector e = FloatVector.fromArray(S, x, xo + i).sub(max).lanewise(VectorOperators.EXP);
            if (!log) e.intoArray(out, oo + i);
            acc = acc.add(e);
        }
        float sum = acc.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            float e = (float) Math.exp(x[xo + i] - max);
            if (!log) out[oo + i] = e;
            sum += e;
        }
        if (log) {
            float shift = max + (float) Math.log(sum);
            i = 0;
            for (int end = S.loopBound(n); i < end; i += S.length())
                FloatVector.fromArray(S, x, xo + i).sub(shift).intoArray(out, oo + i);
            for (; i < n; i++) out[oo + i] = x[xo + i] - shift;
        } else {
            float inv = 1 / sum;
            i = 0;
            for (int end = S.loopBound(n); i < end; i += S.length())
                FloatVector.fromArray(S, out, oo + i).mul(inv).intoArray(out, oo + i);
            for (; i < n; i++) out[oo + i] *= inv;
        }
    }

    @Override
    public Tensor layerNorm(Tensor x, Tensor gamma, Tensor beta, float eps) {
        if (!x.isContiguous() || x.rank() == 0 || x.dim(-1) < S.length()) return super.layerNorm(x, gamma, beta, eps);
        int n = x.dim(-1), rows = x.numel() / n;
        float[] src = data(x), out = new float[x.numel()];
        float[] g = gamma.contiguous().toArray(), b = beta.contiguous().toArray();
        int base = x.offset();
        Parallel.forRange(rows, Math.max(1, GRAIN / n), (lo, hi) -> {
            for (int r = lo; r < hi; r++) layerNormRow(src, base + r * n, g, b, out, r * n, n, eps);
        });
        return wrap(out, x.shape());
    }

    private static void layerNormRow(float[] x, int xo, float[] g, float[] b, float[] out, int oo, int n, float eps) {
        float mean = sum(x, xo, n) / n;
        // Two-pass variance: the one-pass E[x^2] - mean^2 loses digits when |mean| >> std.
        FloatVector acc = FloatVector.zero(S);
        int i = 0;
        for (int end = S.loopBound(n); i < end; i += S.length()) {
            FloatVector d = FloatVector.fromArray(S, x, xo + i).sub(mean);
            acc = d.fma(d, acc);
        }
        float var = acc.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) var += (x[xo + i] - mean) * (x[xo + i] - mean);
        float rstd = (float) (1 / Math.sqrt(var / n + eps));
        i = 0;
        for (int end = S.loopBound(n); i < end; i += S.length()) {
            FloatVector xhat = FloatVector.fromArray(S, x, xo + i).sub(mean).mul(rstd);
            xhat.fma(FloatVector.fromArray(S, g, i), FloatVector.fromArray(S, b, i)).intoArray(out, oo + i);
        }
        for (; i < n; i++) out[oo + i] = (x[xo + i] - mean) * rstd * g[i] + b[i];
    }

    // ---- attention ----

    /**
     * The (batch, head) pairs are split over the cores; each worker owns one T x T scratch, a
     * single pair's scores, reused for all its pairs, so no [B, H, T, T] tensor is materialised
     * (ViT-L/14: one 257 x 257 matrix per thread instead of B x 16 of them). Per pair, as the
     * oracle computes row by row: S = Q K^T / sqrt(d), P = softmax over each row, O = P V; the two
     * products run on the GEMM micro-kernel, reading q, k, v in place in the packed rows.
     */
    @Override
    public Tensor attention(Tensor qkv, int heads) {
        PackedQkv x = PackedQkv.of(unitColumnStride(qkv), heads);
        int t = x.tokens(), w = x.width(), d = x.headDim(), ld = x.tokenStride();
        float[] src = x.data(), out = new float[x.batch() * t * w];
        Parallel.forRange(x.batch() * heads, attentionGrain(x), (lo, hi) -> {
            float[] p = new float[t * t]; // this worker's scores, then probabilities, of one pair
            for (int pair = lo; pair < hi; pair++) {
                int b = pair / heads, h = pair % heads;
                probabilities(x, b, h, p);
                Sgemm.multiplySerial(false, false, t, d, t, p, 0, t, src, x.v(b, 0, h), ld, out, b * t * w + h * d, w, false); // O = P V
            }
        });
        return wrap(out, x.batch(), t, w);
    }

    /**
     * Flash-attention's backward (formulas at {@link ScalarBackend#attentionBackward}), parallel
     * over (batch, head) pairs. Each worker owns one T x T scratch, a single pair's matrix, which
     * holds P and is then overwritten row by row with dS (dP is formed one row at a time, so a
     * second matrix is never needed). dV = P^T dO, dQ = dS K / sqrt(d) and dK = dS^T Q / sqrt(d)
     * are GEMMs. A pair writes only its own head's columns of d(qkv), so workers never write the
     * same element.
     */
    @Override
    public Tensor attentionBackward(Tensor qkv, int heads, Tensor gradOut) {
        PackedQkv x = PackedQkv.of(unitColumnStride(qkv), heads);
        int t = x.tokens(), w = x.width(), d = x.headDim(), ld = x.tokenStride();
        Tensor dOut = gradOut.contiguous();
        float[] src = x.data(), g = data(dOut), grad = new float[x.batch() * t * 3 * w];
        int g0 = dOut.offset(), w3 = 3 * w;
        float scale = x.scale();
        Parallel.forRange(x.batch() * heads, attentionGrain(x), (lo, hi) -> {
            float[] ps = new float[t * t], row = new float[t]; // P, then dS, of one pair; one row of dP
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
        return wrap(grad, x.batch(), t, 3 * w);
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
        for (int r = 0; r < t; r++) softmaxRow(p, r * t, p, r * t, t, false); // in place: each element is read before it is written
    }

    /** The view itself when its last axis has unit stride (the dots and axpys load rows), else a contiguous copy. */
    private static Tensor unitColumnStride(Tensor x) {
        return x.stride(-1) == 1 ? x : x.contiguous();
    }

    /** (batch, head) pairs per task: one pair costs about 2 T^2 d multiply-adds. */
    private static int attentionGrain(PackedQkv x) {
        long fmas = 2L * x.tokens() * x.tokens() * x.headDim();
        return (int) Math.max(1, SMALL_PRODUCT_FMAS / Math.max(fmas, 1));
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
            float d0 = s0.reduceLanes(VectorOperators.ADD), d1 = s1.reduceLanes(VectorOperators.ADD);
            float d2 = s2.reduceLanes(VectorOperators.ADD), d3 = s3.reduceLanes(VectorOperators.ADD);
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
        float s = acc.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) s += a[ao + i] * b[bo + i];
        return s;
    }

    @Override
    public Tensor copy(Tensor x) {
        if (x.rank() >= 2 && x.stride(-2) == 1 && x.stride(-1) != 1 && x.numel() > 0) return transposedCopy(x);
        if (x.rank() == 0 || x.stride(-1) != 1 || x.numel() == 0) return super.copy(x);
        int n = x.dim(-1);
        int[] rows = rowOffsets(x);
        float[] src = data(x), out = new float[x.numel()];
        Parallel.forRange(rows.length, Math.max(1, GRAIN / Math.max(n, 1)), (lo, hi) -> {
            for (int r = lo; r < hi; r++) System.arraycopy(src, rows[r], out, r * n, n);
        });
        return wrap(out, x.shape());
    }

    // ---- matrix product ----

    /**
     * Each batch entry is one {@link Sgemm} call. An operand is passed as stored when either of
     * its matrix axes has unit stride (row-major, or transposed with the other stride as leading
     * dimension); anything else is copied to contiguous first.
     */
    @Override
    public Tensor matmul(Tensor a, Tensor b) {
        int nb = a.dim(0), m = a.dim(1), k = a.dim(2), n = b.dim(2);
        if (b.dim(0) != nb || b.dim(1) != k)
            throw new IllegalArgumentException("matmul shapes " + java.util.Arrays.toString(a.shape()) + " and " + java.util.Arrays.toString(b.shape()) + " do not fit");
        if (!gemmReady(a)) a = a.contiguous();
        if (!gemmReady(b)) b = b.contiguous();
        boolean ta = a.stride(2) != 1 || (k == 1 && a.stride(1) == 1 && m > 1), tb = b.stride(2) != 1 || (n == 1 && b.stride(1) == 1 && k > 1);
        int lda = leading(a, ta), ldb = leading(b, tb);
        float[] da = data(a), db = data(b), out = new float[nb * m * n];
        Tensor A = a, B = b;
        Parallel.Range products = (lo, hi) -> {
            for (int q = lo; q < hi; q++)
                Sgemm.multiply(ta, tb, m, n, k, da, A.offset() + q * A.stride(0), lda, db, B.offset() + q * B.stride(0), ldb,
                        out, q * m * n, n, false);
        };
        // Many small products (attention's per-head scores) go to the cores whole; a big one is split inside Sgemm.
        long fmas = (long) m * n * k;
        if (nb > 1 && fmas < SMALL_PRODUCT_FMAS) Parallel.forRange(nb, (int) Math.max(1, SMALL_PRODUCT_FMAS / Math.max(fmas, 1)), products);
        else products.run(0, nb);
        return wrap(out, nb, m, n);
    }

    /** True when one of the two matrix axes has unit stride, so GEMM can read the operand in place. */
    private static boolean gemmReady(Tensor x) {
        return x.stride(2) == 1 || x.stride(1) == 1 || x.numel() == 0;
    }

    /** Leading dimension of a (possibly transposed) stored matrix; at least 1, as BLAS requires. */
    private static int leading(Tensor x, boolean transposed) {
        int ld = transposed ? x.stride(2) : x.stride(1);
        int rowLen = transposed ? x.dim(1) : x.dim(2);
        return Math.max(Math.max(ld, rowLen), 1);
    }

    /**
     * Concatenation as block copies: with everything after {@code axis} contiguous, each input
     * contributes one run of dim(axis) x inner elements per outer index.
     */
    @Override
    public Tensor concat(List<Tensor> xs, int axis) {
        int[] shape = xs.get(0).shape();
        int inner = 1, outer = 1;
        for (int i = axis + 1; i < shape.length; i++) inner *= shape[i];
        for (int i = 0; i < axis; i++) outer *= shape[i];
        int total = 0;
        for (Tensor x : xs) total += x.dim(axis);
        shape[axis] = total;
        float[] out = new float[outer * total * inner];
        int rowLen = total * inner, at = 0;
        for (Tensor x : xs) {
            Tensor c = x.contiguous();
            float[] src = data(c);
            int len = c.dim(axis) * inner, so = c.offset(), dst = at;
            for (int o = 0; o < outer; o++) System.arraycopy(src, so + o * len, out, o * rowLen + dst, len);
            at += len;
        }
        return wrap(out, shape);
    }

    // ---- selection ----

    /**
     * Quickselect instead of the oracle's full sort: TIES thresholds a whole task vector
     * (87M values for ViT-B/32) per task, where O(n) matters.
     */
    @Override
    public float kthLargestAbs(List<Tensor> xs, long k) {
        int n = 0;
        for (Tensor x : xs) n = Math.addExact(n, x.numel());
        float[] a = new float[n];
        int at = 0;
        for (Tensor x : xs) {
            Tensor c = x.contiguous();
            float[] src = data(c);
            int off = c.offset(), base = at, len = c.numel();
            Parallel.forRange(len, GRAIN, (lo, hi) -> {
                int i = lo;
                for (int end = lo + S.loopBound(hi - lo); i < end; i += S.length())
                    FloatVector.fromArray(S, src, off + i).abs().intoArray(a, base + i);
                for (; i < hi; i++) a[base + i] = Math.abs(src[off + i]);
            });
            at += len;
        }
        return select(a, (int) (n - k)); // the (n-k)-th smallest, 0-based
    }

    /** The value that would sit at index {@code rank} of the sorted array (Hoare partition, median-of-three pivot). */
    static float select(float[] a, int rank) {
        int lo = 0, hi = a.length - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            float pivot = median(a[lo], a[mid], a[hi]);
            int i = lo, j = hi;
            while (i <= j) {
                while (a[i] < pivot) i++;
                while (a[j] > pivot) j--;
                if (i <= j) {
                    float t = a[i];
                    a[i++] = a[j];
                    a[j--] = t;
                }
            }
            if (rank <= j) hi = j;
            else if (rank >= i) lo = i;
            else return a[rank]; // between j and i everything equals the pivot
        }
        return a[rank];
    }

    private static float median(float x, float y, float z) {
        return Math.max(Math.min(x, y), Math.min(Math.max(x, y), z));
    }

    // ---- merging ----

    /**
     * Elements per pass of the merge kernels: a run of the output (or of g) stays in L1 while all
     * K task vectors stream through it, instead of K passes over a tensor far larger than cache.
     */
    private static final int RUN = 4096;

    @Override
    public Tensor mergeWeighted(Tensor theta0, List<Tensor> taus, float[] lambdas) {
        if (taus.size() != lambdas.length) throw new IllegalArgumentException(taus.size() + " task vectors but " + lambdas.length + " coefficients");
        Tensor base = theta0.contiguous();
        List<Tensor> ts = new java.util.ArrayList<>();
        for (Tensor t : taus) {
            requireSameShape(theta0, t);
            ts.add(t.contiguous());
        }
        float[] out = new float[base.numel()];
        Parallel.forRange(out.length, GRAIN, (lo, hi) -> {
            float[] scratch = new float[RUN];
            for (int from = lo; from < hi; from += RUN) {
                int n = Math.min(RUN, hi - from);
                Run b = run(base, from, n, scratch);
                System.arraycopy(b.a, b.off, out, from, n);
                for (int k = 0; k < ts.size(); k++) {
                    Run t = run(ts.get(k), from, n, scratch);
                    FloatVector c = FloatVector.broadcast(S, lambdas[k]);
                    int i = 0;
                    for (int end = S.loopBound(n); i < end; i += S.length())
                        FloatVector.fromArray(S, t.a, t.off + i).fma(c, FloatVector.fromArray(S, out, from + i)).intoArray(out, from + i);
                    for (; i < n; i++) out[from + i] += lambdas[k] * t.a[t.off + i];
                }
            }
        });
        return wrap(out, theta0.shape());
    }

    @Override
    public float[] dotWithEach(Tensor g, List<Tensor> taus) {
        Tensor gc = g.contiguous();
        List<Tensor> ts = new java.util.ArrayList<>();
        for (Tensor t : taus) {
            requireSameShape(g, t);
            ts.add(t.contiguous());
        }
        int n = gc.numel(), kk = ts.size();
        // Partial sums per chunk in double: a tensor of 2.4M products loses digits in one float sum.
        int chunks = Math.max(1, Math.min(Parallel.THREADS * 4, n / GRAIN));
        double[][] partial = new double[chunks][kk];
        Parallel.forRange(chunks, 1, (lo, hi) -> {
            float[] gs = new float[RUN], scratch = new float[RUN];
            for (int c = lo; c < hi; c++) {
                int until = (int) ((long) n * (c + 1) / chunks);
                for (int from = (int) ((long) n * c / chunks); from < until; from += RUN) {
                    int len = Math.min(RUN, until - from);
                    Run gr = run(gc, from, len, gs);
                    for (int k = 0; k < kk; k++) {
                        Run t = run(ts.get(k), from, len, scratch);
                        partial[c][k] += dot(gr.a, gr.off, t.a, t.off, len);
                    }
                }
            }
        });
        float[] out = new float[kk];
        for (int k = 0; k < kk; k++) {
            double s = 0;
            for (double[] p : partial) s += p[k];
            out[k] = (float) s;
        }
        return out;
    }

    /** A run of floats: {@code a[off..]}. */
    private record Run(float[] a, int off) {
    }

    /**
     * Elements [from, from + n) of a contiguous tensor: a heap tensor's own array, or for
     * segment storage (off-heap task vectors, mapped checkpoints, F16/BF16) a float32 copy of
     * just that run, so no kernel converts a whole tensor at once.
     */
    private static Run run(Tensor t, int from, int n, float[] scratch) {
        if (t.storage() instanceof HeapStorage h) return new Run(h.data, t.offset() + from);
        ((MappedStorage) t.storage()).read(t.offset() + from, scratch, 0, n);
        return new Run(scratch, 0);
    }

    /** Dot product with a vector accumulator flushed to double every 4096 elements. */
    static double dot(float[] a, int ao, float[] b, int bo, int n) {
        double total = 0;
        for (int start = 0; start < n; start += 4096) {
            int len = Math.min(4096, n - start);
            FloatVector acc = FloatVector.zero(S);
            int i = 0;
            for (int end = S.loopBound(len); i < end; i += S.length())
                acc = FloatVector.fromArray(S, a, ao + start + i).fma(FloatVector.fromArray(S, b, bo + start + i), acc);
            double s = acc.reduceLanes(VectorOperators.ADD);
            for (; i < len; i++) s += a[ao + start + i] * b[bo + start + i];
            total += s;
        }
        return total;
    }
}
