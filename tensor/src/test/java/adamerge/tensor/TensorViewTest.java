package adamerge.tensor;

import adamerge.tensor.cpu.MappedStorage;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Views, shapes and hand-computed results of the composed ops. */
class TensorViewTest {

    static Tensor arange(int... shape) {
        float[] a = new float[Shape.numel(shape)];
        for (int i = 0; i < a.length; i++) a[i] = i;
        return Tensor.of(a, shape);
    }

    @Test
    void transposeAndSliceShareStorage() {
        Tensor x = arange(2, 3);
        Tensor t = x.t();
        assertArrayEquals(new int[]{3, 2}, t.shape());
        assertSame(x.storage(), t.storage());
        assertArrayEquals(new float[]{0, 3, 1, 4, 2, 5}, t.toArray());
        Tensor s = x.slice(1, 1, 3);
        assertArrayEquals(new float[]{1, 2, 4, 5}, s.toArray());
        assertFalse(s.isContiguous());
        assertArrayEquals(new float[]{1, 2, 4, 5}, s.contiguous().toArray());
        assertEquals(5f, x.get(1, 2));
        assertArrayEquals(new float[]{3, 4, 5}, x.select(0, 1).toArray());
    }

    @Test
    void reshapeOfNonContiguousCopies() {
        Tensor x = arange(2, 3).t().reshape(-1);
        assertArrayEquals(new float[]{0, 3, 1, 4, 2, 5}, x.toArray());
        assertThrows(IllegalArgumentException.class, () -> arange(2, 3).reshape(4, -1));
    }

    @Test
    void expandBroadcastsWithZeroStrides() {
        Tensor row = arange(3).expand(2, 3);
        assertArrayEquals(new int[]{0, 1}, row.strides());
        assertArrayEquals(new float[]{0, 1, 2, 0, 1, 2}, row.toArray());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> arange(3).expand(2, 4));
        assertTrue(e.getMessage().contains("[3]") && e.getMessage().contains("[2, 4]"), e.getMessage());
    }

    @Test
    void broadcastingErrorNamesBothShapes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> arange(2, 3).add(arange(2)));
        assertTrue(e.getMessage().contains("[2, 3]") && e.getMessage().contains("[2]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> arange(2, 3).matmul(arange(2, 3)));
        assertTrue(e.getMessage().contains("[2, 3]"), e.getMessage());
    }

    @Test
    void handComputedOps() {
        Tensor x = Tensor.of(new float[]{0, (float) Math.log(2)}, 1, 2);
        assertArrayEquals(new float[]{1 / 3f, 2 / 3f}, x.softmax(-1).toArray(), 1e-6f);
        assertArrayEquals(new float[]{(float) Math.log(1 / 3.0), (float) Math.log(2 / 3.0)}, x.logSoftmax(-1).toArray(), 1e-6f);
        // layer norm of [1, 3]: mean 2, var 1 -> [-1, 1] (eps 0), then *[2, 1] + [0, 10]
        Tensor ln = Tensor.of(new float[]{1, 3}, 1, 2).layerNorm(Tensor.of(new float[]{2, 1}, 2), Tensor.of(new float[]{0, 10}, 2), 0f);
        assertArrayEquals(new float[]{-2, 11}, ln.toArray(), 1e-6f);
        // [[1,2],[3,4]] @ [[5,6],[7,8]] = [[19,22],[43,50]]
        Tensor a = Tensor.of(new float[]{1, 2, 3, 4}, 2, 2), b = Tensor.of(new float[]{5, 6, 7, 8}, 2, 2);
        assertArrayEquals(new float[]{19, 22, 43, 50}, a.matmul(b).toArray());
        assertArrayEquals(new float[]{17, 23, 39, 53}, a.matmul(b.t()).toArray());
        assertArrayEquals(new float[]{17, 39}, a.matmul(Tensor.of(new float[]{5, 6}, 2)).toArray());
        assertArrayEquals(new float[]{4, 6}, a.sum(0, false).toArray());
        assertArrayEquals(new float[]{1.5f, 3.5f}, a.mean(1, false).toArray());
        assertArrayEquals(new float[]{2, 4}, a.max(1, false).toArray());
        assertArrayEquals(new float[]{1, 1}, a.argmax(1, false).toArray());
        assertEquals(10f, a.sum().item());
        assertArrayEquals(new float[]{0.5f, 1, 1, 1}, a.div(2).clamp(0.5f, 1f).toArray());
    }

    @Test
    void activationsMatchKnownValues() {
        // torch.nn.functional.gelu(torch.tensor([-1., 0.5, 1., 3.]))
        Tensor x = Tensor.of(new float[]{-1, 0.5f, 1, 3}, 4);
        assertArrayEquals(new float[]{-0.15865526f, 0.34573123f, 0.8413447f, 2.9959502f}, x.gelu().toArray(), 2e-6f);
        // x * sigmoid(1.702 x) at x = 1: 0.845796...
        assertEquals(0.8457957f, Tensor.scalar(1).quickGelu().item(), 1e-6f);
        assertEquals(0.8427007929497149, Unary.erf(1.0), 2e-7);
    }

    @Test
    void concatStackAndIndexSelect() {
        Tensor a = arange(2, 2), b = arange(2, 1).add(10);
        assertArrayEquals(new float[]{0, 1, 10, 2, 3, 11}, Tensor.concat(List.of(a, b), 1).toArray());
        Tensor s = Tensor.stack(List.of(a, a), 0);
        assertArrayEquals(new int[]{2, 2, 2}, s.shape());
        assertArrayEquals(new float[]{2, 3, 0, 1}, a.indexSelect(0, 1, 0).toArray());
        assertThrows(IllegalArgumentException.class, () -> a.indexSelect(0, 2));
    }

    @Test
    void kthLargestAbsKeepsTies() {
        Tensor a = Tensor.of(new float[]{-3, 1, 2}, 3), b = Tensor.of(new float[]{3, -2, 0.5f}, 3);
        // |x| sorted descending: 3 3 2 2 1 0.5
        assertEquals(3f, Tensor.kthLargestAbs(List.of(a, b), 2));
        assertEquals(2f, Tensor.kthLargestAbs(List.of(a, b), 3));
        assertEquals(0.5f, Tensor.kthLargestAbs(List.of(a, b), 6));
        assertThrows(IllegalArgumentException.class, () -> Tensor.kthLargestAbs(List.of(a), 4));
    }

    @Test
    void randomIsSeeded() {
        assertArrayEquals(Tensor.randn(7, 5).toArray(), Tensor.randn(7, 5).toArray());
        float[] r = Tensor.randn(1, 20000).toArray();
        double mean = 0, var = 0;
        for (float v : r) mean += v / r.length;
        for (float v : r) var += (v - mean) * (v - mean) / r.length;
        assertEquals(0, mean, 0.03);
        assertEquals(1, var, 0.05);
        for (float v : Tensor.rand(3, -1, 2, 1000).toArray()) assertTrue(v >= -1 && v < 2);
    }

    @Test
    void halfPrecisionStorageConvertsOnRead() {
        Tensor x = Tensor.of(new float[]{1.5f, -0.1f, 3e-5f, 1000f}, 2, 2);
        Tensor h = x.storedAs(DType.F16);
        assertEquals(DType.F16, ((MappedStorage) h.storage()).dtype);
        assertArrayEquals(x.toArray(), h.toArray(), 1e-3f);
        assertArrayEquals(x.mul(2).toArray(), h.mul(2).toArray(), 2e-3f);
        assertArrayEquals(x.toArray(), x.storedAs(DType.BF16).toArray(), 4f); // bf16 keeps 8 bits of mantissa
        assertEquals(1000f, x.storedAs(DType.BF16).get(1, 1), 4f);
        Tensor f = x.t().storedAs(DType.F32); // off the heap, exact, contiguous in the view's order
        assertTrue(f.storage() instanceof MappedStorage);
        assertArrayEquals(x.t().toArray(), f.toArray());
    }

    @Test
    void halfPrecisionConversions() {
        assertEquals(1.5f, DType.bf16ToFloat(DType.floatToBf16(1.5f)));
        assertEquals(0.1f, DType.bf16ToFloat(DType.floatToBf16(0.1f)), 1e-3f);
        assertEquals(65504f, DType.f16ToFloat(DType.floatToF16(65504f)));
        assertEquals((short) 0x3f80, DType.floatToBf16(1f));
    }
}
