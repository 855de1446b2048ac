package adamerge.tensor.cpu;

import adamerge.tensor.Binary;
import adamerge.tensor.ComposedLayerNorm;
import adamerge.tensor.LayerNormGradients;
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
    /**
     * The species of every CPU kernel. A vector call is inlined and compiled to one instruction
     * only when C2 knows the receiver's exact class (Float512Vector, say). Vectors made from this
     * constant species (fromArray, broadcast, zero) and results of calls on them are exact; a
     * loop-carried accumulator, an array element or a parameter is only "some FloatVector", and
     * C2 then relies on the receiver types profiled by C1. A method first compiled without that
     * profile (at tier 2, when C2's queue is long) and inlined so keeps a virtual call that boxes
     * every vector, for good: AttentionAgreementTest saw 27 MB allocated per attention call in
     * about 1 run of 10. So accumulators are arguments ({@code acc = load.add(acc)}), never
     * receivers, and a reduction starts from an exact vector (-0 + acc for sums). The tests run
     * the allocation check once more with no type profiles ({@code -XX:TypeProfileWidth=0}).
     */
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    /** Elements per parallel task: below this a fork costs more than it saves. */
    static final int GRAIN = 1 << 15;
    /** Below this many multiply-adds a product runs on one core. */
    static final long SMALL_PRODUCT_FMAS = 1L << 21;

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
            case EXP -> { for (; i < end; i += n) VectorMath.exp(load(src, srcOff + i)).intoArray(out, i); }
            // LOG and TANH run in the scalar loop below: their vector forms compile to a vendor library
            // in C2 only, so a result would depend on when the JIT compiled this (see VectorMath).
            case LOG, TANH -> { }
            case SQRT -> { for (; i < end; i += n) load(src, srcOff + i).sqrt().intoArray(out, i); }
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

    /** The derivatives of the GELUs times g in one loop each (others compose), as {@link #unaryRange} keeps one loop per op. */
    @Override
    public Tensor mulUnary(Tensor g, Unary op, Tensor x) {
        if ((op != Unary.GELU_GRAD && op != Unary.QUICK_GELU_GRAD) || !x.isContiguous() || !g.isContiguous()
                || !java.util.Arrays.equals(x.shape(), g.shape()))
            return super.mulUnary(g, op, x);
        float[] xs = data(x), gs = data(g), out = new float[x.numel()];
        int xo = x.offset(), go = g.offset();
        Parallel.forRange(out.length, GRAIN, (lo, hi) -> {
            int i = lo, end = lo + S.loopBound(hi - lo), n = S.length();
            if (op == Unary.QUICK_GELU_GRAD) {
                for (; i < end; i += n) load(gs, go + i).mul(quickGeluGrad(load(xs, xo + i))).intoArray(out, i);
            } else {
                for (; i < end; i += n) load(gs, go + i).mul(geluGrad(load(xs, xo + i))).intoArray(out, i);
            }
            for (; i < hi; i++) out[i] = gs[go + i] * op.apply(xs[xo + i]);
        });
        return wrap(out, x.shape());
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
        FloatVector pdf = VectorMath.exp(x.mul(x).mul(-0.5f)).mul((float) (1 / Math.sqrt(2 * Math.PI)));
        return x.fma(pdf, cdf);
    }

    private static FloatVector quickGeluGrad(FloatVector x) {
        FloatVector s = sigmoid(x.mul(1.702f));
        return x.mul(1.702f).mul(s).mul(s.neg().add(1f)).add(s); // s + 1.702 x s (1 - s)
    }

    private static FloatVector sigmoid(FloatVector x) {
        return FloatVector.broadcast(S, 1f).div(VectorMath.exp(x.neg()).add(1f));
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
        FloatVector r = t.mul(VectorMath.exp(z.mul(z).neg().add(p)));
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
        // POW stays scalar: its vector form is JIT-dependent in the last bit, as VectorMath explains.
        for (int end = op == Binary.POW ? 0 : S.loopBound(n); i < end; i += S.length()) {
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
            case POW -> throw new AssertionError("POW runs in binaryRow's scalar loop");
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
                for (int j0 = 0; j0 < c; j0 += TILE) // source rows j (stride sc) become columns of out
                    Transpose16.scalar(src, base + i0 + j0 * sc, sc, out, o + i0 * c + j0, c, Math.min(c, j0 + TILE) - j0, i1 - i0);
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
        for (int end = S.loopBound(n); i < end; i += S.length()) acc = FloatVector.fromArray(S, a, off + i).add(acc);
        float s = VectorMath.sum(acc);
        for (; i < n; i++) s += a[off + i];
        return s;
    }

    static float max(float[] a, int off, int n) {
        FloatVector lowest = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY), acc = lowest;
        int i = 0;
        for (int end = S.loopBound(n); i < end; i += S.length()) acc = FloatVector.fromArray(S, a, off + i).max(acc);
        float m = lowest.max(acc).reduceLanes(VectorOperators.MAX);
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

    static void softmaxRow(float[] x, int xo, float[] out, int oo, int n, boolean log) {
        float max = max(x, xo, n);
        FloatVector acc = FloatVector.zero(S);
        int i = 0;
        for (int end = S.loopBound(n); i < end; i += S.length()) {
            FloatVector e = VectorMath.exp(FloatVector.fromArray(S, x, xo + i).sub(max));
            if (!log) e.intoArray(out, oo + i);
            acc = e.add(acc);
        }
        float sum = VectorMath.sum(acc);
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
        float mean = sum(x, xo, n) / n, rstd = rstd(x, xo, n, mean, eps);
        int i = 0;
        for (int end = S.loopBound(n); i < end; i += S.length()) {
            FloatVector xhat = FloatVector.fromArray(S, x, xo + i).sub(mean).mul(rstd);
            xhat.fma(FloatVector.fromArray(S, g, i), FloatVector.fromArray(S, b, i)).intoArray(out, oo + i);
        }
        for (; i < n; i++) out[oo + i] = (x[xo + i] - mean) * rstd * g[i] + b[i];
    }

    /** 1 / sqrt(var + eps) of a row whose mean is known. */
    private static float rstd(float[] x, int xo, int n, float mean, float eps) {
        // Two-pass variance: the one-pass E[x^2] - mean^2 loses digits when |mean| >> std.
        FloatVector acc = FloatVector.zero(S);
        int i = 0;
        for (int end = S.loopBound(n); i < end; i += S.length()) {
            FloatVector d = FloatVector.fromArray(S, x, xo + i).sub(mean);
            acc = d.fma(d, acc);
        }
        float var = VectorMath.sum(acc);
        for (; i < n; i++) var += (x[xo + i] - mean) * (x[xo + i] - mean);
        return (float) (1 / Math.sqrt(var / n + eps));
    }

    /**
     * One pass per row instead of the composed form's dozen model-sized temporaries (a third of
     * the bytes an AdaMerging step allocated, which the collector then chased). Rows are split
     * into a fixed number of chunks, each summing dgamma and dbeta into its own partial, and the
     * partials are added in chunk order, so the result does not depend on thread timing.
     */
    @Override
    public LayerNormGradients layerNormBackward(Tensor x, Tensor gamma, Tensor g, float eps) {
        if (!x.isContiguous() || !g.isContiguous() || x.rank() == 0 || x.dim(-1) < S.length())
            return super.layerNormBackward(x, gamma, g, eps);
        int n = x.dim(-1), rows = x.numel() / n;
        float[] xs = data(x), gs = data(g), ga = gamma.contiguous().toArray(), dx = new float[x.numel()];
        int xBase = x.offset(), gBase = g.offset();
        int chunks = Math.max(1, Math.min(Parallel.THREADS, rows / Math.max(1, GRAIN / n)));
        float[][] partial = new float[chunks][2 * n]; // dgamma, then dbeta
        Parallel.forRange(chunks, 1, (lo, hi) -> {
            for (int c = lo; c < hi; c++)
                for (int r = (int) ((long) rows * c / chunks), until = (int) ((long) rows * (c + 1) / chunks); r < until; r++)
                    layerNormBackwardRow(xs, xBase + r * n, gs, gBase + r * n, ga, dx, r * n, partial[c], n, eps);
        });
        float[] dgamma = partial[0].clone();
        for (int c = 1; c < chunks; c++)
            for (int j = 0; j < 2 * n; j++) dgamma[j] += partial[c][j];
        return new LayerNormGradients(wrap(dx, x.shape()), wrap(java.util.Arrays.copyOf(dgamma, n), n),
                wrap(java.util.Arrays.copyOfRange(dgamma, n, 2 * n), n));
    }

    /**
     * One row of {@link ComposedLayerNorm}'s formulas: a first pass sums dxhat and dxhat xhat
     * (and adds g xhat, g to the chunk's dgamma, dbeta), a second writes
     * dx = rstd (dxhat - mean(dxhat) - xhat mean(dxhat xhat)); xhat and dxhat are recomputed
     * rather than stored.
     */
    private static void layerNormBackwardRow(float[] x, int xo, float[] g, int go, float[] gamma, float[] dx, int oo,
                                             float[] partial, int n, float eps) {
        float mean = sum(x, xo, n) / n, rstd = rstd(x, xo, n, mean, eps);
        FloatVector sumDxhat = FloatVector.zero(S), sumDxhatXhat = FloatVector.zero(S);
        int i = 0, end = S.loopBound(n);
        for (; i < end; i += S.length()) {
            FloatVector xhat = FloatVector.fromArray(S, x, xo + i).sub(mean).mul(rstd), gv = FloatVector.fromArray(S, g, go + i);
            FloatVector dxhat = gv.mul(FloatVector.fromArray(S, gamma, i));
            sumDxhat = dxhat.add(sumDxhat);
            sumDxhatXhat = dxhat.fma(xhat, sumDxhatXhat);
            gv.fma(xhat, FloatVector.fromArray(S, partial, i)).intoArray(partial, i);
            gv.add(FloatVector.fromArray(S, partial, n + i)).intoArray(partial, n + i);
        }
        float s1 = VectorMath.sum(sumDxhat), s2 = VectorMath.sum(sumDxhatXhat);
        for (; i < n; i++) {
            float xhat = (x[xo + i] - mean) * rstd, dxhat = g[go + i] * gamma[i];
            s1 += dxhat;
            s2 += dxhat * xhat;
            partial[i] += g[go + i] * xhat;
            partial[n + i] += g[go + i];
        }
        float m1 = s1 / n, m2 = s2 / n;
        for (i = 0; i < end; i += S.length()) {
            FloatVector xhat = FloatVector.fromArray(S, x, xo + i).sub(mean).mul(rstd);
            FloatVector dxhat = FloatVector.fromArray(S, g, go + i).mul(FloatVector.fromArray(S, gamma, i));
            dxhat.sub(m1).sub(xhat.mul(m2)).mul(rstd).intoArray(dx, oo + i);
        }
        for (; i < n; i++) {
            float xhat = (x[xo + i] - mean) * rstd, dxhat = g[go + i] * gamma[i];
            dx[oo + i] = (dxhat - m1 - xhat * m2) * rstd;
        }
    }

    // ---- attention (kernels in SimdAttention) ----

    @Override
    public Tensor attention(Tensor qkv, int heads) {
        return SimdAttention.forward(qkv, heads);
    }

    @Override
    public Tensor attentionBackward(Tensor qkv, int heads, Tensor gradOut) {
        return SimdAttention.backward(qkv, heads, gradOut);
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
     * Each batch entry is one {@link Sgemm} call. An operand is passed as stored when it is a
     * {@link GemmLayout} (row-major or transposed, rows not overlapping); anything else, rows
     * broadcast with stride 0 included, is copied to contiguous first.
     */
    @Override
    public Tensor matmul(Tensor a, Tensor b) {
        int nb = a.dim(0), m = a.dim(1), k = a.dim(2), n = b.dim(2);
        if (b.dim(0) != nb || b.dim(1) != k)
            throw new IllegalArgumentException("matmul shapes " + java.util.Arrays.toString(a.shape()) + " and " + java.util.Arrays.toString(b.shape()) + " do not fit");
        GemmLayout la = GemmLayout.of(a, 1), lb = GemmLayout.of(b, 1);
        if (la == null) la = GemmLayout.of(a = a.contiguous(), 1);
        if (lb == null) lb = GemmLayout.of(b = b.contiguous(), 1);
        boolean ta = la.transposed(), tb = lb.transposed();
        int lda = la.pitch(), ldb = lb.pitch();
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

    /**
     * The bias goes into the output rows first and the GEMM accumulates onto it: the composed
     * matmul-then-add allocates and walks a second output (for a ViT-B/32 AdaMerging step, 2 GB
     * of garbage a step).
     */
    @Override
    public Tensor linear(Tensor x, Tensor w, Tensor bias) {
        int m = x.dim(0), k = x.dim(1), n = w.dim(0);
        GemmLayout lx = GemmLayout.of(x, 0), lw = GemmLayout.of(w, 0);
        if (lx == null) lx = GemmLayout.of(x = x.contiguous(), 0);
        if (lw == null) lw = GemmLayout.of(w = w.contiguous(), 0);
        float[] b = bias.contiguous().toArray(), out = new float[m * n];
        Parallel.forRange(m, Math.max(1, GRAIN / Math.max(n, 1)), (lo, hi) -> {
            for (int r = lo; r < hi; r++) System.arraycopy(b, 0, out, r * n, n);
        });
        // The GEMM's B is w^T: stored [n, k] (transposed for it) when w is row-major.
        Sgemm.multiply(lx.transposed(), !lw.transposed(), m, n, k, data(x), x.offset(), lx.pitch(), data(w), w.offset(), lw.pitch(),
                out, 0, n, true);
        return wrap(out, m, n);
    }

    /**
     * How GEMM reads the matrix on axes (rowAxis, rowAxis + 1) of a view in place: row-major (unit
     * column stride) or transposed (unit row stride, stored [cols, rows]), with rows (or columns)
     * that do not overlap, {@code pitch} apart (at least 1, as BLAS requires).
     */
    private record GemmLayout(boolean transposed, int pitch) {
        /** Null when the view is neither (a strided slice, rows broadcast with stride 0): copy it contiguous first. */
        static GemmLayout of(Tensor x, int rowAxis) {
            int rows = x.dim(rowAxis), cols = x.dim(rowAxis + 1), rowStride = x.stride(rowAxis), colStride = x.stride(rowAxis + 1);
            if (colStride == 1 && (rows <= 1 || rowStride >= cols)) return new GemmLayout(false, Math.max(1, rows <= 1 ? cols : rowStride));
            if (rowStride == 1 && (cols <= 1 || colStride >= rows)) return new GemmLayout(true, Math.max(1, cols <= 1 ? rows : colStride));
            return null;
        }
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

    // ---- task vectors (kernels in SimdTaskVectorKernels) ----

    @Override
    public float kthLargestAbs(List<Tensor> xs, long k) {
        return SimdTaskVectorKernels.kthLargestAbs(xs, k);
    }

    @Override
    public Tensor mergeWeighted(Tensor theta0, List<Tensor> taus, float[] lambdas) {
        return SimdTaskVectorKernels.mergeWeighted(theta0, taus, lambdas);
    }

    @Override
    public Tensor dotWithEach(Tensor g, List<Tensor> taus) {
        return HeapStorage.wrap(SimdTaskVectorKernels.dotWithEach(g, taus), taus.size());
    }
}
