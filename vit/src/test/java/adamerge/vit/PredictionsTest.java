package adamerge.vit;

import adamerge.tensor.Tensor;
import adamerge.vit.data.ImageDataSet;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** The figures read from logits, against values worked out by hand. */
class PredictionsTest {

    /** 411 right of 1000 is 41.1 percent to the last bit, as the study's published tables computed it (100 * 0.411 is not). */
    @Test
    void accuracyInPercentIsOneHundredTimesCorrectOverN() {
        int n = 1000;
        float[] z = new float[2 * n];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            z[2 * i] = 1; // always predicts class 0
            labels[i] = i < 411 ? 0 : 1;
        }
        Predictions p = new Predictions("t", 2, z, labels);
        assertEquals(411, p.correct());
        assertEquals(41.1, p.accuracyPercent(), 0);
    }

    @Test
    void accuracyEntropyAndCrossEntropyByHand() {
        // image 0: logits (0, 0, 0) -> uniform, H = log 3, predicted 0 (first of equal maxima), label 0: right
        // image 1: logits (ln 1, ln 3, 0) -> p = (1/5, 3/5, 1/5), predicted 1, label 2: wrong, CE = -log(1/5)
        float[] z = {0, 0, 0, 0, (float) Math.log(3), (float) Math.log(1)};
        Predictions p = new Predictions("t", 3, z, new int[]{0, 2});
        assertEquals(2, p.size());
        assertArrayEquals(new int[]{0, 1}, p.predicted());
        assertEquals(1, p.correct());
        assertEquals(0.5, p.accuracy(), 0);
        assertEquals(50.0, p.accuracyPercent(), 0);
        assertEquals(Math.log(3), p.entropy(0), 1e-12);
        double h1 = -(0.2 * Math.log(0.2) * 2 + 0.6 * Math.log(0.6));
        assertEquals(h1, p.entropy(1), 1e-6);
        assertEquals(-Math.log(0.2), p.crossEntropy(1), 1e-6);
        assertEquals((Math.log(3) + h1) / 2, p.meanEntropy(), 1e-6);
    }

    @Test
    void unlabeledImagesHaveEntropyButNoAccuracy() {
        Predictions p = new Predictions("t", 2, new float[]{1, 1}, null);
        assertFalse(p.labelled());
        assertEquals(Math.log(2), p.meanEntropy(), 1e-12);
        var e = assertThrows(IllegalStateException.class, p::accuracy);
        assertTrue(e.getMessage().contains("t"), e.getMessage());
    }

    @Test
    void ofRunsTheHeadOnEveryBatchAndChecksLabels() {
        VitConfig cfg = new VitConfig(16, 8, 16, 1, 2, 32, 8, VitConfig.Activation.QUICK_GELU, 1e-5f);
        ClipVisionEncoder enc = ClipVisionEncoder.frozen(cfg, ClipWeights.random(cfg, 3));
        ClassificationHead head = new ClassificationHead("h", Tensor.randn(4, 3, 8), Tensor.zeros(3));
        Tensor x = Tensor.randn(5, 5, 3, 16, 16);
        ImageDataSet ds = ImageDataSet.of("five", x, new int[]{0, 1, 2, 0, 1}, List.of("a", "b", "c"));
        int[] seen = new int[1];
        Predictions byTwo = Predictions.of(enc, head, ds, 2, done -> seen[0] = done);
        assertEquals(5, seen[0]);
        // the same logits as one pass over all images
        float[] whole = head.logits(adamerge.autograd.Var.constant(enc.encode(x))).value().toArray();
        assertArrayEquals(whole, byTwo.logits(), 1e-5f);
        assertEquals("five", byTwo.task());

        ImageDataSet bad = ImageDataSet.of("bad", x, new int[]{0, 1, 3, 0, 1}, List.of());
        var e = assertThrows(IllegalArgumentException.class, () -> Predictions.of(enc, head, bad, 2, null));
        assertTrue(e.getMessage().contains("label 3 of image 2"), e.getMessage());
        ImageDataSet twoClasses = ImageDataSet.of("two", x, null, List.of("a", "b"));
        e = assertThrows(IllegalArgumentException.class, () -> Predictions.of(enc, head, twoClasses, 2, null));
        assertTrue(e.getMessage().contains("2 classes"), e.getMessage());
    }

    @Test
    void anInMemoryDataSetServesItsRows() {
        Tensor x = Tensor.randn(6, 3, 3, 4, 4);
        ImageDataSet ds = ImageDataSet.of("m", x, null, List.of());
        assertEquals(3, ds.size());
        assertEquals(4, ds.imageSize());
        assertFalse(ds.hasLabels());
        assertArrayEquals(x.indexSelect(0, new int[]{2, 0}).toArray(), ds.batch(new int[]{2, 0}).toArray());
        assertArrayEquals(x.slice(0, 1, 3).contiguous().toArray(), ds.batch(1, 3).toArray());
        assertThrows(IllegalArgumentException.class, () -> ImageDataSet.of("flat", Tensor.zeros(3, 48), null, List.of()));
        assertThrows(IllegalArgumentException.class, () -> ImageDataSet.of("n", x, new int[]{0}, List.of()));
    }
}
