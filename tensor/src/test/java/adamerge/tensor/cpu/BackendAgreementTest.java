package adamerge.tensor.cpu;

import adamerge.tensor.Backend;
import adamerge.tensor.Binary;
import adamerge.tensor.ComposedLayerNorm;
import adamerge.tensor.LayerNormGradients;
import adamerge.tensor.Reduce;
import adamerge.tensor.Shape;
import adamerge.tensor.Tensor;
import adamerge.tensor.Unary;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

/** Every SIMD kernel against its scalar twin on awkward shapes and views. */
class BackendAgreementTest {
    static final Backend SCALAR = CpuBackends.SCALAR, SIMD = CpuBackends.SIMD;

    /** Shapes with size-1 axes, non-multiples of the vector width, and empty ones. */
    static final int[][] SHAPES = {{}, {1}, {7}, {8}, {33}, {3, 1}, {1, 17}, {4, 9}, {2, 3, 19}, {5, 0}, {3, 64}, {2, 1, 130}, {300, 257}};

    static Tensor random(long seed, int... shape) {
        return Tensor.rand(seed, -3, 3, shape);
    }

    /** The same data as several views: contiguous, transposed-back copy, sliced from a larger tensor. */
    static List<Tensor> views(long seed, int... shape) {
        List<Tensor> vs = new ArrayList<>();
        Tensor x = random(seed, shape);
        vs.add(x);
        if (shape.length >= 2) vs.add(x.transpose(0, -1).contiguous().transpose(0, -1)); // strided, same values
        if (shape.length >= 3) vs.add(x.transpose(-2, -1).contiguous().transpose(-2, -1)); // a batch of transposed matrices
        int[] bigger = shape.clone();
        if (shape.length >= 1) {
            bigger[shape.length - 1] += 3;
            vs.add(random(seed + 1, bigger).slice(-1, 1, 1 + shape[shape.length - 1]));
        }
        return vs;
    }

    static void assertClose(Tensor expected, Tensor actual, float tol, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
        float[] e = expected.toArray(), a = actual.toArray();
        for (int i = 0; i < e.length; i++) {
            if (Float.isNaN(e[i])) {
                assertTrue(Float.isNaN(a[i]), what + " at " + i);
                continue;
            }
            float scale = Math.max(1, Math.abs(e[i]));
            assertEquals(e[i], a[i], tol * scale, what + " at " + i + " of " + Arrays.toString(expected.shape()));
        }
    }

    @ParameterizedTest
    @EnumSource(Unary.class)
    void unary(Unary op) {
        for (int[] s : SHAPES)
            for (Tensor x : views(1, s)) {
                Tensor in = op == Unary.LOG || op == Unary.SQRT ? SCALAR.unary(Unary.ABS, x) : x;
                assertClose(SCALAR.unary(op, in), SIMD.unary(op, in), 2e-6f, op + " " + Arrays.toString(s));
            }
    }

    @ParameterizedTest
    @EnumSource(Binary.class)
    void binaryWithBroadcasting(Binary op) {
        for (int[] s : SHAPES) {
            for (Tensor a : views(2, s)) {
                Tensor b = random(3, s);
                if (op == Binary.POW) a = SCALAR.unary(Unary.ABS, a);
                assertClose(SCALAR.binary(op, a, b), SIMD.binary(op, a, b), 1e-6f, op + " " + Arrays.toString(s));
                Tensor a2 = a;
                if (op == Binary.EQ) assertClose(SCALAR.binary(op, a, a2), SIMD.binary(op, a, a2), 0, "EQ self");
            }
            if (s.length == 0) continue;
            // row vector and column/scalar broadcasts, both sides
            int[] row = new int[s.length];
            Arrays.fill(row, 1);
            row[s.length - 1] = s[s.length - 1];
            int[] ones = new int[s.length];
            Arrays.fill(ones, 1);
            Tensor a = random(4, s), r = random(5, row).expand(s), c = random(6, 1).reshape(ones).expand(s);
            if (op == Binary.POW) a = SCALAR.unary(Unary.ABS, a);
            assertClose(SCALAR.binary(op, a, r), SIMD.binary(op, a, r), 1e-6f, op + " row " + Arrays.toString(s));
            if (op != Binary.POW) assertClose(SCALAR.binary(op, r, a), SIMD.binary(op, r, a), 1e-6f, op + " row-left " + Arrays.toString(s));
            assertClose(SCALAR.binary(op, a, c), SIMD.binary(op, a, c), 1e-6f, op + " scalar " + Arrays.toString(s));
        }
    }

    @Test
    void reductionsOverEveryAxis() {
        for (int[] s : SHAPES)
            for (Tensor x : views(7, s))
                for (int axis = 0; axis < s.length; axis++)
                    for (Reduce op : Reduce.values()) {
                        if (op == Reduce.MAX && s[axis] == 0) continue;
                        assertClose(SCALAR.reduce(op, x, axis), SIMD.reduce(op, x, axis), 2e-6f * Math.max(1, s[axis]), op + " axis " + axis + " " + Arrays.toString(s));
                        if (op == Reduce.MAX) assertClose(SCALAR.argmax(x, axis), SIMD.argmax(x, axis), 0, "argmax");
                    }
    }

    @Test
    void softmaxAndLayerNorm() {
        for (int[] s : SHAPES) {
            if (s.length == 0) continue;
            for (Tensor x : views(8, s)) {
                Tensor big = SCALAR.binary(Binary.MUL, x, SCALAR.fromArray(new float[]{30}).expand(s)); // large logits
                for (boolean log : new boolean[]{false, true}) {
                    assertClose(SCALAR.softmax(x, log), SIMD.softmax(x, log), 2e-6f, "softmax " + Arrays.toString(s));
                    assertClose(SCALAR.softmax(big, log), SIMD.softmax(big, log), 5e-6f, "softmax big " + Arrays.toString(s));
                }
                int w = s[s.length - 1];
                Tensor g = random(9, w), b = random(10, w);
                assertClose(SCALAR.layerNorm(x, g, b, 1e-5f), SIMD.layerNorm(x, g, b, 1e-5f), 1e-5f, "layerNorm " + Arrays.toString(s));
            }
        }
    }

    @Test
    void mulUnary() {
        for (int[] s : SHAPES)
            for (Tensor x : views(15, s))
                for (Tensor g : views(16, s))
                    for (Unary op : new Unary[]{Unary.GELU_GRAD, Unary.QUICK_GELU_GRAD, Unary.EXP})
                        assertClose(SCALAR.mulUnary(g, op, x), SIMD.mulUnary(g, op, x), 8e-6f, "mulUnary " + op + " " + Arrays.toString(s));
    }

    @Test
    void layerNormBackward() {
        for (int[] s : SHAPES) {
            if (s.length == 0) continue;
            int w = s[s.length - 1], rows = w == 0 ? 0 : Shape.numel(s) / w;
            Tensor gamma = random(12, w);
            for (Tensor x : views(13, s))
                for (Tensor g : views(14, s)) {
                    String what = "layerNorm backward " + Arrays.toString(s);
                    LayerNormGradients e = SCALAR.layerNormBackward(x, gamma, g, 1e-5f), a = SIMD.layerNormBackward(x, gamma, g, 1e-5f);
                    float sums = 2e-6f * Math.max(1, rows);
                    List<LayerNormGradients> others = new ArrayList<>(List.of(a));
                    // the composed formula, through other kernels: independent of both fused ones
                    if (w > 0) others.add(ComposedLayerNorm.backward(x, gamma, g, 1e-5f));
                    for (LayerNormGradients other : others) {
                        assertClose(e.dx(), other.dx(), 2e-5f, what + ": dx");
                        assertClose(e.dgamma(), other.dgamma(), sums, what + ": dgamma");
                        assertClose(e.dbeta(), other.dbeta(), sums, what + ": dbeta");
                    }
                }
        }
    }

    @Test
    void copyConcatIndexSelect() {
        for (int[] s : SHAPES)
            for (Tensor x : views(11, s)) {
                assertClose(SCALAR.copy(x), SIMD.copy(x), 0, "copy");
                for (int axis = 0; axis < s.length; axis++) {
                    assertClose(SCALAR.concat(List.of(x, x), axis), SIMD.concat(List.of(x, x), axis), 0, "concat");
                    if (s[axis] > 0) {
                        int[] idx = {s[axis] - 1, 0, s[axis] / 2};
                        assertClose(SCALAR.indexSelect(x, axis, idx), SIMD.indexSelect(x, axis, idx), 0, "indexSelect");
                    }
                }
            }
    }

    @Test
    void matmulAllLayoutsAndBatches() {
        SplittableRandom r = new SplittableRandom(12);
        int[] sizes = {1, 3, 8, 17, 40};
        for (int trial = 0; trial < 40; trial++) {
            int b = 1 + r.nextInt(3), m = sizes[r.nextInt(sizes.length)], k = sizes[r.nextInt(sizes.length)], n = sizes[r.nextInt(sizes.length)];
            boolean ta = r.nextBoolean(), tb = r.nextBoolean(), shareB = r.nextBoolean();
            Tensor a = ta ? random(trial, b, k, m).transpose(1, 2) : random(trial, b, m, k);
            Tensor bb = shareB ? (tb ? random(trial + 100, n, k).t() : random(trial + 100, k, n)).unsqueeze(0).expand(b, k, n)
                    : (tb ? random(trial + 100, b, n, k).transpose(1, 2) : random(trial + 100, b, k, n));
            assertClose(SCALAR.matmul(a, bb), SIMD.matmul(a, bb), 1e-5f * Math.max(1, k), "matmul " + b + "x" + m + "x" + k + "x" + n);
        }
        // many small products at once (attention scores): split over the cores by batch
        Tensor q = random(30, 192, 50, 64), kT = random(31, 192, 50, 64).transpose(1, 2);
        assertClose(SCALAR.matmul(q, kT), SIMD.matmul(q, kT), 1e-5f * 64, "batched attention scores");
        // rows broadcast with stride 0 (one row expanded) and columns broadcast: overlapping views
        Tensor row = random(32, 1, 1, 40).expand(1, 30, 40), col = random(33, 1, 40, 1).expand(1, 40, 50);
        assertClose(SCALAR.matmul(row, col), SIMD.matmul(row, col), 1e-5f * 40, "matmul of broadcast rows and columns");
        Tensor empty = SIMD.matmul(random(1, 1, 0, 4), random(2, 1, 4, 3));
        assertArrayEquals(new int[]{1, 0, 3}, empty.shape());
        Tensor zeroK = SIMD.matmul(random(1, 1, 2, 0), random(2, 1, 0, 3));
        assertArrayEquals(new float[6], zeroK.toArray());
    }

    /** The fused bias-then-GEMM against the scalar backend's composed matmul and add, on every input layout. */
    @Test
    void linear() {
        SplittableRandom r = new SplittableRandom(13);
        int[] sizes = {1, 3, 8, 17, 40};
        for (int trial = 0; trial < 40; trial++) {
            int m = sizes[r.nextInt(sizes.length)], k = sizes[r.nextInt(sizes.length)], n = sizes[r.nextInt(sizes.length)];
            Tensor x = switch (r.nextInt(3)) {
                case 0 -> random(trial, m, k);
                case 1 -> random(trial, k, m).t();
                default -> random(trial, m, k + 2).slice(1, 1, 1 + k);
            };
            Tensor w = r.nextBoolean() ? random(trial + 100, n, k) : random(trial + 100, k, n).t();
            Tensor bias = r.nextBoolean() ? random(trial + 200, n) : random(trial + 200, n, 2).select(1, 0);
            assertClose(SCALAR.linear(x, w, bias), SIMD.linear(x, w, bias), 1e-5f * Math.max(1, k), "linear " + m + "x" + k + "x" + n);
        }
        assertArrayEquals(new float[]{1, 2, 1, 2}, SIMD.linear(random(1, 2, 0), random(2, 2, 0), Tensor.of(new float[]{1, 2}, 2)).toArray());
        Tensor row = random(3, 1, 40).expand(30, 40), w = random(4, 1, 40).expand(50, 40), bias = random(5, 50);
        assertClose(SCALAR.linear(row, w, bias), SIMD.linear(row, w, bias), 1e-5f * 40, "linear of broadcast rows");
    }

    @Test
    void kthLargestAbs() {
        List<Tensor> xs = List.of(random(13, 100), random(14, 7, 3).t(), Tensor.of(new float[]{2.5f, -2.5f, 2.5f}, 3));
        int n = 0;
        for (Tensor x : xs) n += x.numel();
        for (long k : new long[]{1, 2, 5, n / 5, n - 1, n})
            assertEquals(SCALAR.kthLargestAbs(xs, k), SIMD.kthLargestAbs(xs, k), "k=" + k);
        // many duplicates (as trimmed task vectors have) and a large random case
        SplittableRandom r = new SplittableRandom(3);
        float[] dup = new float[5000];
        for (int i = 0; i < dup.length; i++) dup[i] = r.nextInt(7) - 3;
        List<Tensor> big = List.of(Tensor.of(dup, 5000), random(15, 300, 257));
        for (long k = 1; k <= 82100; k += 3037)
            assertEquals(SCALAR.kthLargestAbs(big, k), SIMD.kthLargestAbs(big, k), "k=" + k);
    }

    @Test
    void mergeKernels() {
        for (int[] s : new int[][]{{7}, {3, 33}, {300, 257}, {0}, {5, 4099}}) {
            // heap, a sliced view, off-heap F32 and F16 (converted run by run), off-heap pretrained weights
            Tensor f16 = random(25, s).storedAs(adamerge.tensor.DType.F16);
            List<Tensor> taus = List.of(random(20, s), views(21, s).get(views(21, s).size() - 1), random(22, s).storedAs(adamerge.tensor.DType.F32), f16);
            Tensor theta0 = random(23, s).storedAs(adamerge.tensor.DType.F32), g = random(24, s);
            float[] lambdas = {0.3f, -1.5f, 0.7f, 0.2f};
            assertClose(SCALAR.mergeWeighted(theta0, taus, lambdas), SIMD.mergeWeighted(theta0, taus, lambdas), 1e-6f, "merge " + Arrays.toString(s));
            float[] e = SCALAR.dotWithEach(g, taus).toArray(), a = SIMD.dotWithEach(g, taus).toArray();
            // float32 products summed: the error scales with sum |g t| (<= 9 per element here), not with the result
            for (int k = 0; k < e.length; k++) assertEquals(e[k], a[k], 1e-6f * 9 * Math.max(1, theta0.numel()), "dot " + k);
        }
        // hand-computed: [1,2] + 2*[1,0] - [0,3] = [3,-1]; <[1,1],[1,0]> = 1, <[1,1],[0,3]> = 3
        Tensor t0 = Tensor.of(new float[]{1, 2}, 2), a1 = Tensor.of(new float[]{1, 0}, 2), a2 = Tensor.of(new float[]{0, 3}, 2);
        assertArrayEquals(new float[]{3, -1}, SIMD.mergeWeighted(t0, List.of(a1, a2), new float[]{2, -1}).toArray());
        assertArrayEquals(new float[]{1, 3}, SIMD.dotWithEach(Tensor.of(new float[]{1, 1}, 2), List.of(a1, a2)).toArray());
    }
}
