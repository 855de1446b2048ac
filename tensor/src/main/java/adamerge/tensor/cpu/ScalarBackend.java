package adamerge.tensor.cpu;

import adamerge.tensor.Backend;
import adamerge.tensor.Binary;
import adamerge.tensor.ComposedLayerNorm;
import adamerge.tensor.DType;
import adamerge.tensor.LayerNormGradients;
import adamerge.tensor.Reduce;
import adamerge.tensor.Shape;
import adamerge.tensor.Tensor;
import adamerge.tensor.Unary;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;

/**
 * Plain Java loops over strided views: the reference every faster kernel is tested against.
 * Written for clarity, not speed; accumulations are in double.
 */
public class ScalarBackend implements Backend {

    @Override
    public String name() {
        return "cpu-scalar";
    }

    /** The float array behind a CPU tensor (mapped storage is converted once). */
    public static float[] data(Tensor t) {
        if (t.storage() instanceof HeapStorage h) return h.data;
        if (t.storage() instanceof MappedStorage m) return m.toFloatArray();
        throw new IllegalArgumentException("tensor lives on " + t.backend().name() + ", not on the CPU");
    }

    /** Storage offset of every element of a view, in row-major order of its shape. */
    public static int[] offsets(Tensor t) {
        int[] shape = t.shape(), strides = t.strides();
        int n = t.numel(), rank = shape.length;
        int[] out = new int[n];
        int[] idx = new int[rank];
        int off = t.offset();
        for (int i = 0; i < n; i++) {
            out[i] = off;
            for (int d = rank - 1; d >= 0; d--) { // odometer step
                if (++idx[d] < shape[d]) {
                    off += strides[d];
                    break;
                }
                off -= strides[d] * (shape[d] - 1);
                idx[d] = 0;
            }
        }
        return out;
    }

    protected Tensor wrap(float[] data, int... shape) {
        return HeapStorage.wrap(data, shape);
    }

    @Override
    public Tensor fromArray(float[] data, int... shape) {
        return wrap(data.clone(), shape);
    }

    @Override
    public float[] toArray(Tensor x) {
        float[] src = data(x);
        int[] o = offsets(x);
        float[] out = new float[o.length];
        for (int i = 0; i < o.length; i++) out[i] = src[o[i]];
        return out;
    }

    @Override
    public Tensor copy(Tensor x) {
        return wrap(toArray(x), x.shape());
    }

    @Override
    public Tensor unary(Unary op, Tensor x) {
        float[] src = data(x);
        int[] o = offsets(x);
        float[] out = new float[o.length];
        for (int i = 0; i < o.length; i++) out[i] = op.apply(src[o[i]]);
        return wrap(out, x.shape());
    }

    @Override
    public Tensor binary(Binary op, Tensor a, Tensor b) {
        requireSameShape(a, b);
        float[] da = data(a), db = data(b);
        int[] oa = offsets(a), ob = offsets(b);
        float[] out = new float[oa.length];
        for (int i = 0; i < oa.length; i++) out[i] = op.apply(da[oa[i]], db[ob[i]]);
        return wrap(out, a.shape());
    }

    @Override
    public Tensor where(Tensor cond, Tensor a, Tensor b) {
        requireSameShape(cond, a);
        requireSameShape(a, b);
        float[] dc = data(cond), da = data(a), db = data(b);
        int[] oc = offsets(cond), oa = offsets(a), ob = offsets(b);
        float[] out = new float[oa.length];
        for (int i = 0; i < oa.length; i++) out[i] = dc[oc[i]] != 0 ? da[oa[i]] : db[ob[i]];
        return wrap(out, a.shape());
    }

    @Override
    public Tensor reduce(Reduce op, Tensor x, int axis) {
        int n = x.dim(axis);
        float[] src = data(x);
        int[] o = offsets(x.transpose(axis, -1)); // rows of n along the reduced axis
        int rows = n == 0 ? Shape.numel(keptShape(x, axis)) : o.length / n;
        float[] out = new float[rows];
        for (int r = 0; r < rows; r++) {
            double acc = op == Reduce.SUM ? 0 : Double.NEGATIVE_INFINITY;
            for (int j = 0; j < n; j++) {
                float v = src[o[r * n + j]];
                acc = op == Reduce.SUM ? acc + v : (Float.isNaN(v) || v > acc ? v : acc);
            }
            out[r] = (float) acc;
        }
        return rowsBack(out, x, axis);
    }

    @Override
    public Tensor argmax(Tensor x, int axis) {
        int n = x.dim(axis);
        float[] src = data(x);
        int[] o = offsets(x.transpose(axis, -1));
        int rows = o.length / n;
        float[] out = new float[rows];
        for (int r = 0; r < rows; r++) {
            int best = 0;
            for (int j = 1; j < n; j++) if (src[o[r * n + j]] > src[o[r * n + best]]) best = j;
            out[r] = best;
        }
        return rowsBack(out, x, axis);
    }

    /** Shape of x with {@code axis} set to 1. */
    protected static int[] keptShape(Tensor x, int axis) {
        int[] s = x.shape();
        s[axis] = 1;
        return s;
    }

    /** Rows computed over transpose(axis, -1) back into the keep-dim shape. */
    private Tensor rowsBack(float[] rows, Tensor x, int axis) {
        int[] t = x.transpose(axis, -1).shape();
        t[t.length - 1] = 1;
        return wrap(rows, t).transpose(axis, -1).contiguous();
    }

    @Override
    public Tensor matmul(Tensor a, Tensor b) {
        int nb = a.dim(0), m = a.dim(1), k = a.dim(2), n = b.dim(2);
        if (b.dim(0) != nb || b.dim(1) != k)
            throw new IllegalArgumentException("matmul shapes " + Arrays.toString(a.shape()) + " and " + Arrays.toString(b.shape()) + " do not fit");
        float[] da = data(a), db = data(b);
        int[] sa = a.strides(), sb = b.strides();
        float[] out = new float[nb * m * n];
        for (int q = 0; q < nb; q++)
            for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++) {
                    double acc = 0;
                    for (int p = 0; p < k; p++)
                        acc += (double) da[a.offset() + q * sa[0] + i * sa[1] + p * sa[2]]
                                * db[b.offset() + q * sb[0] + p * sb[1] + j * sb[2]];
                    out[(q * m + i) * n + j] = (float) acc;
                }
        return wrap(out, nb, m, n);
    }

    @Override
    public Tensor softmax(Tensor x, boolean log) {
        int n = x.dim(-1);
        float[] src = data(x);
        int[] o = offsets(x);
        float[] out = new float[o.length];
        for (int r = 0; n > 0 && r < o.length / n; r++) {
            double max = Double.NEGATIVE_INFINITY, sum = 0;
            for (int j = 0; j < n; j++) max = Math.max(max, src[o[r * n + j]]);
            for (int j = 0; j < n; j++) sum += Math.exp(src[o[r * n + j]] - max);
            for (int j = 0; j < n; j++) {
                double z = src[o[r * n + j]] - max;
                out[r * n + j] = (float) (log ? z - Math.log(sum) : Math.exp(z) / sum);
            }
        }
        return wrap(out, x.shape());
    }

    @Override
    public Tensor layerNorm(Tensor x, Tensor gamma, Tensor beta, float eps) {
        int n = x.dim(-1);
        float[] src = data(x);
        float[] g = gamma.contiguous().toArray(), be = beta.contiguous().toArray();
        int[] o = offsets(x);
        float[] out = new float[o.length];
        for (int r = 0; n > 0 && r < o.length / n; r++) {
            double[] m = meanAndRstd(src, o, r, n, eps);
            for (int j = 0; j < n; j++)
                out[r * n + j] = (float) ((src[o[r * n + j]] - m[0]) * m[1] * g[j] + be[j]);
        }
        return wrap(out, x.shape());
    }

    /** Row r's mean and 1 / sqrt(var + eps), biased variance in two passes, in double. */
    private static double[] meanAndRstd(float[] src, int[] o, int r, int n, float eps) {
        double mean = 0, var = 0;
        for (int j = 0; j < n; j++) mean += src[o[r * n + j]];
        mean /= n;
        for (int j = 0; j < n; j++) {
            double d = src[o[r * n + j]] - mean;
            var += d * d;
        }
        return new double[]{mean, 1 / Math.sqrt(var / n + eps)};
    }

    /** The oracle of the fused kernels: {@link ComposedLayerNorm}'s formulas, one row at a time, in double. */
    @Override
    public LayerNormGradients layerNormBackward(Tensor x, Tensor gamma, Tensor g, float eps) {
        int n = x.dim(-1);
        float[] xs = data(x), gs = data(g), ga = gamma.contiguous().toArray();
        int[] ox = offsets(x), og = offsets(g);
        float[] dx = new float[ox.length];
        double[] dgamma = new double[n], dbeta = new double[n];
        for (int r = 0; n > 0 && r < ox.length / n; r++) {
            double[] m = meanAndRstd(xs, ox, r, n, eps);
            double mean = m[0], rstd = m[1], sumDxhat = 0, sumDxhatXhat = 0;
            for (int j = 0; j < n; j++) {
                double xhat = (xs[ox[r * n + j]] - mean) * rstd, gj = gs[og[r * n + j]], dxhat = gj * ga[j];
                sumDxhat += dxhat;
                sumDxhatXhat += dxhat * xhat;
                dgamma[j] += gj * xhat;
                dbeta[j] += gj;
            }
            for (int j = 0; j < n; j++) {
                double xhat = (xs[ox[r * n + j]] - mean) * rstd, dxhat = gs[og[r * n + j]] * ga[j];
                dx[r * n + j] = (float) (rstd * (dxhat - sumDxhat / n - xhat * sumDxhatXhat / n));
            }
        }
        float[] dg = new float[n], db = new float[n];
        for (int j = 0; j < n; j++) {
            dg[j] = (float) dgamma[j];
            db[j] = (float) dbeta[j];
        }
        return new LayerNormGradients(wrap(dx, x.shape()), wrap(dg, n), wrap(db, n));
    }

    /**
     * Query row by query row of every (batch, head), with one row of T probabilities as scratch:
     * <pre>
     *   p_j = softmax_j(q_i . k_j / sqrt(d)),   o_i = sum_j p_j v_j
     * </pre>
     */
    @Override
    public Tensor attention(Tensor qkv, int heads) {
        PackedQkv x = PackedQkv.of(qkv, heads);
        int t = x.tokens(), w = x.width(), d = x.headDim(), cs = x.columnStride();
        float[] out = new float[x.batch() * t * w];
        double[] p = new double[t];
        for (int b = 0; b < x.batch(); b++)
            for (int h = 0; h < heads; h++)
                for (int i = 0; i < t; i++) {
                    probabilityRow(x, b, h, i, p);
                    for (int c = 0; c < d; c++) {
                        double acc = 0;
                        for (int j = 0; j < t; j++) acc += p[j] * x.data()[x.v(b, j, h) + c * cs];
                        out[(b * t + i) * w + h * d + c] = (float) acc;
                    }
                }
        return wrap(out, x.batch(), t, w);
    }

    /**
     * Flash-attention's backward, query row by query row, the probabilities recomputed rather
     * than saved. In matrix form per (batch, head), with S = Q K^T / sqrt(d) and P = softmax(S):
     * <pre>
     *   dV = P^T dO,   dP = dO V^T,   dS = P * (dP - rowsum(dP * P)),
     *   dQ = dS K / sqrt(d),   dK = dS^T Q / sqrt(d)
     * </pre>
     * Row i of dS needs only row i of P and dP, and contributes ds_ij k_j to dQ_i, ds_ij q_i to
     * dK_j and p_ij dO_i to dV_j, so two rows of T are all the scratch it takes.
     */
    @Override
    public Tensor attentionBackward(Tensor qkv, int heads, Tensor gradOut) {
        PackedQkv x = PackedQkv.of(qkv, heads);
        int t = x.tokens(), w = x.width(), d = x.headDim(), cs = x.columnStride();
        float[] src = x.data(), g = toArray(gradOut); // g: dO as contiguous [B, T, W]
        double[] grad = new double[x.batch() * t * 3 * w]; // d(qkv), contiguous [B, T, 3W]
        double[] p = new double[t], ds = new double[t];
        double scale = 1 / Math.sqrt(d);
        for (int b = 0; b < x.batch(); b++)
            for (int h = 0; h < heads; h++)
                for (int i = 0; i < t; i++) {
                    probabilityRow(x, b, h, i, p);
                    int gi = (b * t + i) * w + h * d;
                    double pDotDp = 0;
                    for (int j = 0; j < t; j++) {
                        double dp = 0; // dP_ij = dO_i . v_j
                        for (int c = 0; c < d; c++) dp += g[gi + c] * src[x.v(b, j, h) + c * cs];
                        ds[j] = dp;
                        pDotDp += p[j] * dp;
                    }
                    for (int j = 0; j < t; j++) ds[j] = p[j] * (ds[j] - pDotDp) * scale;
                    int dq = (b * t + i) * 3 * w + h * d;
                    for (int j = 0; j < t; j++) {
                        int dk = (b * t + j) * 3 * w + w + h * d, dv = dk + w;
                        for (int c = 0; c < d; c++) {
                            grad[dq + c] += ds[j] * src[x.k(b, j, h) + c * cs];
                            grad[dk + c] += ds[j] * src[x.q(b, i, h) + c * cs];
                            grad[dv + c] += p[j] * g[gi + c];
                        }
                    }
                }
        float[] out = new float[grad.length];
        for (int e = 0; e < out.length; e++) out[e] = (float) grad[e];
        return wrap(out, x.batch(), t, 3 * w);
    }

    /** p_j = softmax_j(q_i . k_j / sqrt(d)) for query i of head h in batch b. */
    private static void probabilityRow(PackedQkv x, int b, int h, int i, double[] p) {
        float[] src = x.data();
        int cs = x.columnStride();
        double scale = 1 / Math.sqrt(x.headDim()), max = Double.NEGATIVE_INFINITY, sum = 0;
        for (int j = 0; j < p.length; j++) {
            double s = 0;
            for (int c = 0; c < x.headDim(); c++) s += (double) src[x.q(b, i, h) + c * cs] * src[x.k(b, j, h) + c * cs];
            p[j] = s * scale;
            max = Math.max(max, p[j]);
        }
        for (int j = 0; j < p.length; j++) {
            p[j] = Math.exp(p[j] - max);
            sum += p[j];
        }
        for (int j = 0; j < p.length; j++) p[j] /= sum;
    }

    @Override
    public Tensor concat(List<Tensor> xs, int axis) {
        int[] shape = xs.get(0).shape();
        shape[axis] = 0;
        for (Tensor x : xs) shape[axis] += x.dim(axis);
        Tensor out = wrap(new float[Shape.numel(shape)], shape);
        float[] dst = data(out);
        int at = 0;
        for (Tensor x : xs) {
            int[] od = offsets(out.slice(axis, at, at + x.dim(axis)));
            float[] src = data(x);
            int[] os = offsets(x);
            for (int i = 0; i < os.length; i++) dst[od[i]] = src[os[i]];
            at += x.dim(axis);
        }
        return out;
    }

    @Override
    public Tensor indexSelect(Tensor x, int axis, int[] index) {
        int[] shape = x.shape();
        shape[axis] = index.length;
        Tensor out = wrap(new float[Shape.numel(shape)], shape);
        float[] dst = data(out), src = data(x);
        for (int i = 0; i < index.length; i++) {
            int[] od = offsets(out.slice(axis, i, i + 1)), os = offsets(x.slice(axis, index[i], index[i] + 1));
            for (int e = 0; e < os.length; e++) dst[od[e]] = src[os[e]];
        }
        return out;
    }

    @Override
    public float kthLargestAbs(List<Tensor> xs, long k) {
        int n = 0;
        for (Tensor x : xs) n = Math.addExact(n, x.numel());
        float[] all = new float[n];
        int at = 0;
        for (Tensor x : xs)
            for (float v : toArray(x)) all[at++] = Math.abs(v);
        Arrays.sort(all);
        return all[(int) (n - k)];
    }

    @Override
    public Tensor mergeWeighted(Tensor theta0, List<Tensor> taus, float[] lambdas) {
        if (taus.size() != lambdas.length) throw new IllegalArgumentException(taus.size() + " task vectors but " + lambdas.length + " coefficients");
        float[] out = toArray(theta0);
        for (int k = 0; k < taus.size(); k++) {
            requireSameShape(theta0, taus.get(k));
            float[] t = toArray(taus.get(k));
            for (int i = 0; i < out.length; i++) out[i] += lambdas[k] * t[i];
        }
        return wrap(out, theta0.shape());
    }

    @Override
    public Tensor dotWithEach(Tensor g, List<Tensor> taus) {
        float[] gg = toArray(g), out = new float[taus.size()];
        for (int k = 0; k < taus.size(); k++) {
            requireSameShape(g, taus.get(k));
            float[] t = toArray(taus.get(k));
            double acc = 0;
            for (int i = 0; i < gg.length; i++) acc += (double) gg[i] * t[i];
            out[k] = (float) acc;
        }
        return wrap(out, out.length);
    }

    /**
     * A copy in native memory outside the Java heap, for big long-lived tensors such as
     * AdaMerging's task vectors: the garbage collector never scans or moves them, so the heap
     * needs room only for what changes. A {@link MappedStorage}, which every CPU kernel reads
     * through {@link #data} (the merge kernels run by run). Freed once the tensor is unreachable.
     */
    @Override
    public Tensor storedAs(Tensor x, DType dtype) {
        float[] v = toArray(x);
        MemorySegment seg;
        try {
            seg = Arena.ofAuto().allocate((long) v.length * dtype.bytes, 64);
        } catch (OutOfMemoryError e) { // the JVM caps native memory at the heap size unless -XX:MaxDirectMemorySize says more
            throw new OutOfMemoryError("no native memory left for a " + Arrays.toString(x.shape()) + " " + dtype
                    + " tensor (bin/adamerge allows up to the machine's RAM; java needs -XX:MaxDirectMemorySize): " + e.getMessage());
        }
        if (dtype == DType.F32) MemorySegment.copy(v, 0, seg, F32_LE, 0, v.length);
        else for (int i = 0; i < v.length; i++)
            seg.setAtIndex(I16_LE, i, dtype == DType.F16 ? DType.floatToF16(v[i]) : DType.floatToBf16(v[i]));
        return new Tensor(new MappedStorage(seg, dtype), x.shape());
    }

    private static final ValueLayout.OfFloat F32_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    protected static void requireSameShape(Tensor a, Tensor b) {
        if (!Arrays.equals(a.shape(), b.shape()))
            throw new IllegalArgumentException("shapes " + Arrays.toString(a.shape()) + " and " + Arrays.toString(b.shape()) + " differ");
    }
}
