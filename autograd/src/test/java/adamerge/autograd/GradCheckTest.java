package adamerge.autograd;

import adamerge.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.*;

/** Every backward rule against central finite differences, with broadcasting and strided inputs. */
class GradCheckTest {

    static Tensor rnd(long seed, int... shape) {
        return Tensor.randn(seed, shape);
    }

    /** A transposed view with the given (logical) shape: exercises non-contiguous inputs. */
    static Tensor rndT(long seed, int rows, int cols) {
        return Tensor.randn(seed, cols, rows).t();
    }

    static void check(String what, Function<List<Var>, Var> f, Tensor... inputs) {
        GradCheck.Result r = GradCheck.check(f, List.of(inputs), 1e-2, 2e-3, 2e-2);
        assertTrue(r.ok(), what + ": " + r.worst());
    }

    @Test
    void gradcheckCatchesAWrongRule() {
        // d/dx of x*x is 2x; claim x instead: the check must fail.
        Function<List<Var>, Var> wrong = v -> v.get(0).mul(Var.constant(v.get(0).value()));
        assertFalse(GradCheck.check(wrong, List.of(rnd(1, 3)), 1e-2, 2e-3, 2e-2).ok());
    }

    @Test
    void broadcastingBinaryOps() {
        check("add", v -> v.get(0).add(v.get(1)), rnd(1, 3, 4), rnd(2, 4));
        check("sub", v -> v.get(0).sub(v.get(1)), rnd(1, 3, 1), rndT(2, 2, 4).reshape(2, 1, 4));
        check("mul", v -> v.get(0).mul(v.get(1)), rndT(3, 3, 4), rnd(4, 3, 1));
        check("div", v -> v.get(0).div(v.get(1)), rnd(5, 2, 3), Tensor.rand(6, 1, 2, 3));
        check("scalar ops", v -> v.get(0).mul(3f).add(1f).div(2f).sub(0.5f).neg(), rnd(7, 5));
    }

    @Test
    void unaryOps() {
        Tensor pos = Tensor.rand(8, 0.5f, 2f, 2, 3);
        check("exp", v -> v.get(0).exp(), rnd(9, 2, 3));
        check("log", v -> v.get(0).log(), pos);
        check("sqrt", v -> v.get(0).sqrt(), pos);
        check("pow", v -> v.get(0).pow(3f), rndT(10, 3, 2));
        check("tanh", v -> v.get(0).tanh(), rnd(11, 6));
        check("sigmoid", v -> v.get(0).sigmoid(), rnd(12, 6));
        check("relu", v -> v.get(0).relu(), Tensor.of(new float[]{-1, -0.3f, 0.4f, 2}, 4));
        check("gelu", v -> v.get(0).gelu(), rnd(13, 2, 5));
        check("quickGelu", v -> v.get(0).quickGelu(), rndT(14, 4, 3));
        check("gelu wide", v -> v.get(0).gelu(), rnd(62, 2, 37)); // wider than a vector: the fused SIMD backward
        check("quickGelu wide", v -> v.get(0).quickGelu(), rnd(63, 2, 37));
        check("clamp", v -> v.get(0).clamp(-0.5f, 0.5f), Tensor.of(new float[]{-2, -0.3f, 0.2f, 0.9f}, 4));
    }

    @Test
    void clampPassesGradientAtItsBoundaries() {
        Var x = Var.param(Tensor.of(new float[]{-0.1f, 0f, 0.5f, 1f, 1.1f}, 5));
        x.clamp(0f, 1f).sum().backward();
        assertArrayEquals(new float[]{0, 1, 1, 1, 0}, x.grad().toArray());
    }

    @Test
    void reductions() {
        check("sum axis", v -> v.get(0).sum(1, false), rnd(15, 2, 3, 4));
        check("sum keepdim", v -> v.get(0).sum(0, true), rndT(16, 3, 4));
        check("sum all", v -> v.get(0).sum(), rnd(17, 3, 2));
        check("mean", v -> v.get(0).mean(-1, false), rnd(18, 4, 5));
        check("max", v -> v.get(0).max(1, false), rnd(19, 3, 5));
    }

    @Test
    void matmulVariants() {
        check("2d", v -> v.get(0).matmul(v.get(1)), rnd(20, 3, 4), rnd(21, 4, 5));
        check("NT", v -> v.get(0).matmul(v.get(1).t()), rnd(22, 3, 4), rnd(23, 5, 4));
        check("TN", v -> v.get(0).t().matmul(v.get(1)), rnd(24, 4, 3), rnd(25, 4, 2));
        check("batched x 2d", v -> v.get(0).matmul(v.get(1)), rnd(26, 2, 3, 4), rnd(27, 4, 2));
        check("batched", v -> v.get(0).matmul(v.get(1)), rnd(28, 2, 3, 4), rnd(29, 2, 4, 2));
        check("broadcast batch", v -> v.get(0).matmul(v.get(1)), rnd(30, 1, 3, 4), rnd(31, 2, 4, 2));
        check("vector", v -> v.get(0).matmul(v.get(1)), rnd(32, 4), rndT(33, 4, 3));
        check("batched transposed", v -> v.get(0).transpose(-2, -1).matmul(v.get(1).transpose(-2, -1)), rnd(34, 2, 4, 3), rnd(35, 2, 5, 4));
        // A weight used as w.t() gets its gradient in its own memory order (no strided copy later).
        Var x = Var.param(rnd(36, 2, 3, 4)), w = Var.param(rnd(37, 5, 4));
        x.matmul(w.t()).sum().backward();
        assertTrue(w.grad().isContiguous() && x.grad().isContiguous());
    }

    @Test
    void linear() {
        check("linear", v -> v.get(0).linear(v.get(1), v.get(2)), rnd(50, 2, 3, 4), rnd(51, 5, 4), rnd(52, 5));
        check("linear 2d, transposed input", v -> v.get(0).t().linear(v.get(1), v.get(2)), rnd(53, 4, 3), rnd(54, 2, 4), rnd(55, 2));
        // wider than a 16-lane vector on every side, through the fused SIMD path
        check("linear wide", v -> v.get(0).linear(v.get(1), v.get(2)), rnd(56, 19, 21), rnd(57, 18, 21), rnd(58, 18));
        Var x = Var.param(rnd(59, 2, 3, 4)), w = Var.param(rnd(60, 5, 4)), b = Var.param(rnd(61, 5));
        x.linear(w, b).sum().backward();
        assertTrue(w.grad().isContiguous());
    }

    @Test
    void softmaxAndLayerNorm() {
        check("softmax", v -> v.get(0).softmax(-1), rnd(34, 3, 5));
        check("softmax axis 0", v -> v.get(0).softmax(0), rndT(35, 4, 3));
        check("logSoftmax", v -> v.get(0).logSoftmax(-1), rnd(36, 2, 6));
        check("layerNorm", v -> v.get(0).layerNorm(v.get(1), v.get(2), 1e-5f),
                rnd(37, 2, 3, 8), rnd(38, 8).mul(0.3f).add(1), rnd(39, 8));
        check("layerNorm strided", v -> v.get(0).layerNorm(v.get(1), v.get(2), 1e-5f),
                rndT(40, 4, 8), rnd(41, 8), rnd(42, 8));
        // wider than a vector, not a multiple of it: the fused SIMD row kernel and its scalar tail
        check("layerNorm wide", v -> v.get(0).layerNorm(v.get(1), v.get(2), 1e-5f),
                rnd(43, 3, 37), rnd(44, 37).mul(0.3f).add(1), rnd(45, 37));
    }

    @Test
    void attention() {
        // T = 7 and d = 5 are no multiple of any vector length; 3 heads of 5 columns.
        check("attention", v -> v.get(0).attention(3), rnd(59, 2, 7, 45));
        // strided views: q;k;v sliced out of wider rows, and stored column-major per batch
        check("attention sliced", v -> v.get(0).slice(2, 1, 19).attention(2), rnd(60, 1, 5, 20));
        check("attention strided", v -> v.get(0).attention(1), rnd(61, 2, 9, 6).transpose(1, 2).contiguous().transpose(1, 2));
        // composed with other ops, as in the encoder: qkv = x W^T, output through a nonlinearity
        check("attention in a graph", v -> v.get(0).matmul(v.get(1).t()).attention(2).tanh(), rnd(62, 2, 3, 4), rnd(63, 12, 4));
    }

    @Test
    void movementOps() {
        check("reshape", v -> v.get(0).reshape(3, 4).mul(v.get(0).reshape(3, 4)), rndT(43, 4, 3));
        check("permute", v -> v.get(0).permute(2, 0, 1).mul(Var.constant(rnd(44, 4, 2, 3))), rnd(45, 2, 3, 4));
        check("slice", v -> v.get(0).slice(1, 1, 3).exp(), rnd(46, 2, 4));
        check("select", v -> v.get(0).select(0, 1).exp(), rnd(47, 3, 2));
        check("expand", v -> v.get(0).expand(3, 4).exp(), rnd(48, 1, 4));
        check("unsqueeze/squeeze", v -> v.get(0).unsqueeze(1).squeeze(1).exp(), rnd(49, 3));
        check("concat", v -> Var.concat(List.of(v.get(0), v.get(1)), 1).exp(), rnd(50, 2, 2), rndT(51, 2, 3));
        check("stack", v -> Var.stack(List.of(v.get(0), v.get(1)), 0).tanh(), rnd(52, 3), rnd(53, 3));
        check("indexSelect", v -> v.get(0).indexSelect(1, 2, 0, 2).exp(), rnd(54, 2, 3));
        check("where", v -> Var.where(Tensor.of(new float[]{1, 0, 1}, 3), v.get(0), v.get(1)).exp(), rnd(55, 2, 3), rnd(56, 3));
    }

    @Test
    void losses() {
        check("entropy", v -> Losses.entropy(v.get(0)), rnd(57, 4, 5).mul(2));
        check("crossEntropy", v -> Losses.crossEntropy(v.get(0), new int[]{1, 0, 4}), rnd(58, 3, 5));
    }

    @Test
    void gradientsAccumulateOverReuseAndNoGradRecordsNothing() {
        Var x = Var.param(Tensor.of(new float[]{2}, 1));
        x.mul(x).add(x).sum().backward(); // d(x^2 + x) = 2x + 1 = 5
        assertEquals(5f, x.grad().item(), 1e-6f);
        try (NoGrad ignored = NoGrad.enter()) {
            assertFalse(x.mul(x).requiresGrad());
        }
        assertTrue(x.mul(x).requiresGrad());
        assertFalse(Var.constant(Tensor.scalar(1)).exp().requiresGrad());
    }

    @Test
    void intermediateValuesNoRuleSavedAreFreedBeforeBackward() {
        Var x = Var.param(Tensor.randn(1, 1000, 100));
        Var y = x.add(1f); // add saves nothing: once the caller drops y, its value may go
        java.lang.ref.WeakReference<Tensor> yValue = new java.lang.ref.WeakReference<>(y.value());
        Var z = y.mul(3f).sum();
        y = null;
        for (int i = 0; i < 20 && yValue.get() != null; i++) System.gc();
        assertNull(yValue.get(), "the graph kept an intermediate value no backward rule needs");
        z.backward();
        assertEquals(3f, x.grad().get(5, 7));
    }

    @Test
    void sinkReceivesEachFinishedGradientOnceAndBeforeBackwardEnds() {
        // a feeds three rules (two muls and an add) at different depths; b only the first mul.
        List<String> calls = new java.util.ArrayList<>();
        float[] ga = new float[1], gb = new float[1];
        Var a = Var.param(Tensor.of(new float[]{2}, 1), g -> { calls.add("a"); ga[0] = g.item(); });
        Var b = Var.param(Tensor.of(new float[]{5}, 1), g -> { calls.add("b"); gb[0] = g.item(); });
        Var y = a.mul(b).mul(a).add(a).sum(); // y = a^2 b + a: dy/da = 2ab + 1 = 21, dy/db = a^2 = 4
        y.backward();
        assertEquals(List.of("a", "b"), calls.stream().sorted().toList());
        assertEquals(21f, ga[0], 1e-6f);
        assertEquals(4f, gb[0], 1e-6f);
        assertNull(a.grad(), "a sunk gradient is not also kept");

        // The same leaf reaching the sink a second time in a later backward starts from zero.
        a.mul(a).sum().backward();
        assertEquals(4f, ga[0], 1e-6f);
        Var lone = Var.param(Tensor.of(new float[]{1, 2}, 2), g -> ga[0] = g.get(1));
        lone.backward(Tensor.of(new float[]{7, 8}, 2));
        assertEquals(8f, ga[0]);
    }

    @Test
    void deepChainsNeedNoRecursion() {
        Var x = Var.param(Tensor.of(new float[]{1}, 1));
        Var y = x;
        for (int i = 0; i < 20000; i++) y = y.mul(1.0001f);
        y.sum().backward();
        assertEquals(Math.pow(1.0001, 20000), x.grad().item(), 1e-2);
    }
}
