package adamerge.opencl;

import adamerge.tensor.Binary;
import adamerge.tensor.Tensor;
import adamerge.tensor.Unary;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;

import static adamerge.opencl.ClTesting.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** copy, unary, binary and where on awkward views, against the scalar oracle. */
class ElementwiseKernelsTest {

    /** Views of a [3, 5, 7] base tensor, named, all of a shape the binary tests can pair with [3?, ...]. */
    static Map<String, UnaryOperator<Tensor>> views() {
        Map<String, UnaryOperator<Tensor>> v = new LinkedHashMap<>();
        v.put("contiguous", t -> t);
        v.put("transposed", t -> t.transpose(0, 2));
        v.put("permuted", t -> t.permute(1, 2, 0));
        v.put("sliced", t -> t.slice(1, 1, 4).slice(2, 2, 7));
        v.put("selected", t -> t.select(1, 3));
        v.put("broadcast", t -> t.slice(0, 1, 2).slice(2, 3, 4).expand(4, 5, 6));
        v.put("size-1 axes", t -> t.slice(0, 2, 3).unsqueeze(3).slice(1, 0, 1));
        v.put("empty", t -> t.slice(1, 2, 2));
        v.put("scalar", t -> t.select(0, 1).select(0, 2).select(0, 3));
        v.put("rank 7", t -> t.unsqueeze(0).unsqueeze(2).unsqueeze(5).unsqueeze(6).transpose(1, 4));
        return v;
    }

    @Test
    void copyMakesEveryViewContiguous() {
        Both base = randn(1, 3, 5, 7);
        views().forEach((name, view) -> {
            Both x = base.map(view);
            assertMatches(CPU.copy(x.cpu()), cl().copy(x.cl()), 0, "copy of " + name);
            assertArrayEquals(x.cpu().toArray(), x.cl().toArray(), "toArray of " + name);
        });
    }

    @Test
    void unaryOpsMatchTheReferenceFormulas() {
        Both base = randn(2, 3, 5, 7);
        for (Unary op : Unary.values()) {
            views().forEach((name, view) -> {
                Both x = base.map(view);
                if (op == Unary.LOG || op == Unary.SQRT) x = x.map(t -> t.abs().add(0.01f)); // in the domain
                assertMatches(CPU.unary(op, x.cpu()), cl().unary(op, x.cl()), 2e-6, op + " of " + name);
            });
        }
    }

    @Test
    void unaryOpsAtSpecialValues() {
        float[] special = {0f, -0f, 1e-30f, -1e-30f, 80f, -80f, 1e30f, -1e30f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN, 6f, -6f};
        Both x = both(special, special.length);
        for (Unary op : Unary.values())
            assertMatches(CPU.unary(op, x.cpu()), cl().unary(op, x.cl()), 2e-6, op + " at special values");
    }

    @Test
    void binaryOpsOnViewsAndBroadcasts() {
        Both a = randn(3, 3, 5, 7), b = randn(4, 3, 5, 7);
        Both row = randn(5, 5, 7), col = randn(6, 3, 1, 1);
        for (Binary op : Binary.values()) {
            Both pa = op == Binary.POW ? a.map(t -> t.abs().add(0.1f)) : a;
            check(op, pa, b, "contiguous");
            check(op, pa.map(t -> t.transpose(0, 2)), b.map(t -> t.permute(2, 1, 0)), "transposed");
            check(op, pa, row.map(t -> t.expand(3, 5, 7)), "row broadcast");
            check(op, col.map(t -> t.expand(3, 5, 7)), b.map(t -> t.transpose(1, 2).transpose(1, 2)), "column broadcast");
            check(op, pa.map(t -> t.slice(2, 1, 6)), b.map(t -> t.slice(2, 0, 5)), "slices");
            check(op, pa.map(t -> t.slice(0, 0, 0)), b.map(t -> t.slice(0, 1, 1)), "empty");
        }
    }

    @Test
    void binaryOpsAtSpecialValues() {
        float[] xs = {0f, -0f, 1f, -2f, 2.5f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 3f};
        float[] ys = {0f, 0f, Float.NaN, 3f, 2.5f, 1f, Float.POSITIVE_INFINITY, 2f, -0.5f};
        Both a = both(xs, xs.length), b = both(ys, ys.length);
        for (Binary op : Binary.values()) check(op, a, b, "special values");
    }

    private static void check(Binary op, Both a, Both b, String what) {
        assertMatches(CPU.binary(op, a.cpu(), b.cpu()), cl().binary(op, a.cl(), b.cl()), 2e-6, op + " on " + what);
    }

    /** A float operand travels as a kernel argument: the oracle's result with no upload. */
    @Test
    void binaryOpsWithAFloatOperandUploadNothing() {
        Both base = randn(10, 3, 5, 7);
        float[] operands = {2.5f, -0.5f, 0f, Float.NaN};
        for (Binary op : Binary.values())
            for (float s : operands)
                views().forEach((name, view) -> {
                    Both a = base.map(view);
                    if (op == Binary.POW) a = a.map(t -> t.abs().add(0.1f));
                    Tensor ca = a.cl();
                    long uploads = cl().stats().uploads();
                    Tensor got = ca.binary(op, s);
                    assertEquals(uploads, cl().stats().uploads(), op + " " + s + " on " + name + " uploaded its operand");
                    assertMatches(a.cpu().binary(op, s), got, 2e-6, op + " " + s + " on " + name);
                });
    }

    @Test
    void whereOnMixedViews() {
        float[] c = new float[35];
        for (int i = 0; i < c.length; i++) c[i] = i % 3 == 0 ? 0f : (i % 3 == 1 ? 1f : -2f);
        Both cond = both(c, 5, 7), a = randn(7, 7, 5), b = both(gaussian(8, 7), 7);
        Both bb = b.map(t -> t.expand(5, 7)), at = a.map(Tensor::t);
        assertMatches(CPU.where(cond.cpu(), at.cpu(), bb.cpu()), cl().where(cond.cl(), at.cl(), bb.cl()), 0, "where");
        Both e = randn(9, 0, 7);
        assertMatches(CPU.where(e.cpu(), e.cpu(), e.cpu()), cl().where(e.cl(), e.cl(), e.cl()), 0, "where on empty");
    }

    @Test
    void tensorApiRunsOnTheDevice() {
        Both x = randn(10, 4, 6);
        Tensor expected = x.cpu().mul(2f).add(x.cpu().t().sum(0, true).t()).gelu();
        Tensor actual = x.cl().mul(2f).add(x.cl().t().sum(0, true).t()).gelu();
        assertMatches(expected, actual, 1e-5, "composed ops");
        assertEquals(cl(), actual.backend());
    }
}
