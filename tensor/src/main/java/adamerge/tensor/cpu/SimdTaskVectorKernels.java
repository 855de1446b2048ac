package adamerge.tensor.cpu;

import adamerge.tensor.Tensor;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.util.ArrayList;
import java.util.List;

import static adamerge.tensor.cpu.ScalarBackend.data;
import static adamerge.tensor.cpu.ScalarBackend.requireSameShape;

/**
 * {@link SimdBackend}'s kernels over whole task vectors: TIES's magnitude threshold, the merge
 * theta0 + sum_k lambda_k tau_k and the coefficient gradients <g, tau_k> (AdaMerging, paper
 * Eq. 5/6). Their oracles are the same methods of {@link ScalarBackend}.
 */
final class SimdTaskVectorKernels {
    private static final VectorSpecies<Float> S = SimdBackend.S;
    private static final int GRAIN = SimdBackend.GRAIN;

    private SimdTaskVectorKernels() {
    }

    /**
     * Quickselect instead of the oracle's full sort: TIES thresholds a whole task vector
     * (87M values for ViT-B/32) per task, where O(n) matters.
     */
    static float kthLargestAbs(List<Tensor> xs, long k) {
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

    /**
     * Elements per pass of the merge kernels: a run of the output (or of g) stays in L1 while all
     * K task vectors stream through it, instead of K passes over a tensor far larger than cache.
     */
    private static final int RUN = 4096;

    static Tensor mergeWeighted(Tensor theta0, List<Tensor> taus, float[] lambdas) {
        if (taus.size() != lambdas.length) throw new IllegalArgumentException(taus.size() + " task vectors but " + lambdas.length + " coefficients");
        Tensor base = theta0.contiguous();
        List<Tensor> ts = new ArrayList<>();
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
        return HeapStorage.wrap(out, theta0.shape());
    }

    static float[] dotWithEach(Tensor g, List<Tensor> taus) {
        Tensor gc = g.contiguous();
        List<Tensor> ts = new ArrayList<>();
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
            double s = VectorMath.sum(acc);
            for (; i < len; i++) s += a[ao + start + i] * b[bo + start + i];
            total += s;
        }
        return total;
    }
}
