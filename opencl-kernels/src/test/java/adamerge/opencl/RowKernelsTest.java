package adamerge.opencl;

import adamerge.tensor.Reduce;
import adamerge.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static adamerge.opencl.ClTesting.*;

/** Reductions, argmax, softmax and layer norm along every axis of awkward views. */
class RowKernelsTest {

    @Test
    void reduceAlongEveryAxis() {
        // axis lengths below and above the serial/work-group switch, and not powers of two
        Both[] inputs = {randn(1, 3, 5, 7), randn(2, 2, 300, 3), randn(3, 1, 1, 131), randn(4, 4, 0, 3)};
        for (Both base : inputs)
            for (Both x : new Both[]{base, base.map(t -> t.transpose(0, 2)), base.map(t -> t.unsqueeze(1).expand(base.shape()[0], 2, base.shape()[1], base.shape()[2]))})
                for (int axis = 0; axis < x.cpu().rank(); axis++)
                    for (Reduce op : Reduce.values()) {
                        if (op == Reduce.MAX && x.shape()[axis] == 0) continue;
                        int a = axis;
                        assertMatches(CPU.reduce(op, x.cpu(), a), cl().reduce(op, x.cl(), a), 1e-5,
                                op + " along " + a + " of " + java.util.Arrays.toString(x.shape()));
                    }
    }

    @Test
    void sumOverAnEmptyAxisIsZero() {
        Both x = randn(5, 3, 0);
        assertMatches(CPU.reduce(Reduce.SUM, x.cpu(), 1), cl().reduce(Reduce.SUM, x.cl(), 1), 0, "sum over empty axis");
    }

    @Test
    void maxPropagatesNaNAndHandlesInfinities() {
        float n = Float.NaN, inf = Float.POSITIVE_INFINITY;
        float[] data = {1, n, 3, -inf, -inf, -inf, 2, 5, inf, n, 1, 2};
        Both x = both(data, 4, 3);
        for (int axis = 0; axis < 2; axis++) {
            assertMatches(CPU.reduce(Reduce.MAX, x.cpu(), axis), cl().reduce(Reduce.MAX, x.cl(), axis), 0, "max with NaN along " + axis);
            assertMatches(CPU.argmax(x.cpu(), axis), cl().argmax(x.cl(), axis), 0, "argmax with NaN along " + axis);
        }
    }

    @Test
    void argmaxTakesTheFirstOfTies() {
        float[] data = new float[4 * 300];
        for (int i = 0; i < data.length; i++) data[i] = (i * 7919) % 13; // many ties of the maximum 12
        Both x = both(data, 4, 300);
        for (Both v : new Both[]{x, x.map(Tensor::t), x.map(t -> t.slice(1, 5, 290).reshape(4, 5, 57))})
            for (int axis = 0; axis < v.cpu().rank(); axis++) {
                int a = axis;
                assertMatches(CPU.argmax(v.cpu(), a), cl().argmax(v.cl(), a), 0, "argmax along " + a);
            }
    }

    @Test
    void softmaxOnLargeValuesAndViews() {
        Both x = randn(6, 3, 4, 37).map(t -> t.mul(30f)).map(t -> t.add(1e4f)); // rows far from 0: exp would overflow without the max
        for (Both v : new Both[]{x, x.map(t -> t.transpose(0, 2)), x.map(t -> t.slice(2, 1, 2)), randn(7, 2, 1000), randn(8, 0, 5)})
            for (boolean log : new boolean[]{false, true})
                assertMatches(CPU.softmax(v.cpu(), log), cl().softmax(v.cl(), log), 1e-5,
                        (log ? "log-softmax " : "softmax ") + java.util.Arrays.toString(v.shape()));
        float inf = Float.NEGATIVE_INFINITY;
        Both masked = both(new float[]{0, inf, 1, inf, 2, 3}, 2, 3); // attention-style masks
        assertMatches(CPU.softmax(masked.cpu(), false), cl().softmax(masked.cl(), false), 1e-6, "masked softmax");
    }

    @Test
    void layerNormOnViews() {
        Both gamma = both(gaussian(9, 37), 37), beta = both(gaussian(10, 37), 37);
        Both x = randn(11, 2, 5, 37).map(t -> t.add(100f));
        for (Both v : new Both[]{x, x.map(t -> t.transpose(0, 1)), x.map(t -> t.select(1, 2))})
            assertMatches(CPU.layerNorm(v.cpu(), gamma.cpu(), beta.cpu(), 1e-5f), cl().layerNorm(v.cl(), gamma.cl(), beta.cl(), 1e-5f),
                    2e-4, "layerNorm " + java.util.Arrays.toString(v.shape()));
        Both wide = randn(12, 3, 700), g = both(gaussian(13, 700), 700), b = both(gaussian(14, 1400), 1400).map(t -> t.slice(0, 0, 1400).reshape(2, 700).select(0, 1));
        assertMatches(CPU.layerNorm(wide.cpu(), g.cpu(), b.cpu(), 1e-6f), cl().layerNorm(wide.cl(), g.cl(), b.cl(), 1e-6f), 2e-5, "wide layerNorm");
        Both strided = randn(15, 700, 2).map(t -> t.select(1, 1));
        assertMatches(CPU.layerNorm(wide.cpu(), strided.cpu(), b.cpu(), 1e-6f), cl().layerNorm(wide.cl(), strided.cl(), b.cl(), 1e-6f), 2e-5, "strided gamma");
    }
}
