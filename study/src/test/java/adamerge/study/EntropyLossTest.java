package adamerge.study;

import adamerge.vit.Predictions;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class EntropyLossTest {

    @Test
    void elevenEqualCountGroupsSortedByEntropy() {
        int n = 110;
        double[] h = new double[n], loss = new double[n];
        for (int i = 0; i < n; i++) { // entropies in reverse order, loss rising with entropy
            h[i] = (n - i) / 10.0;
            loss[i] = 2 * h[i] + 1;
        }
        EntropyLoss e = EntropyLoss.of("x", h, loss);
        assertEquals(11, e.groupEntropy().length);
        assertEquals(0.55, e.groupEntropy()[0], 1e-9); // samples with entropy 0.1 .. 1.0
        for (int g = 1; g < 11; g++) assertTrue(e.groupEntropy()[g] > e.groupEntropy()[g - 1]);
        assertEquals(2 * e.groupEntropy()[4] + 1, e.groupLoss()[4], 1e-9);
        assertEquals(1.0, e.spearman(), 1e-12);
        assertEquals(-1.0, EntropyLoss.of("y", h, h.clone()).spearman() * -1, 1e-12);
    }

    @Test
    void predictionsGiveEntropyCrossEntropyAndAccuracy() {
        // two samples, two classes: logits (0, 0) label 0; (ln 3, 0) label 1
        Predictions p = new Predictions("t", 2, new float[]{0, 0, (float) Math.log(3), 0}, new int[]{0, 1});
        assertEquals(Math.log(2), p.entropy(0), 1e-6);
        assertEquals(Math.log(2), p.crossEntropy(0), 1e-6);
        assertEquals(-Math.log(0.25), p.crossEntropy(1), 1e-6);
        assertEquals(-(0.75 * Math.log(0.75) + 0.25 * Math.log(0.25)), p.entropy(1), 1e-6);
        assertEquals(50.0, p.accuracyPercent(), 1e-9); // argmax of (0, 0) is class 0: right; sample 1 predicts 0: wrong
        EntropyLoss pooled = EntropyLoss.of("all", List.of(p, p));
        assertEquals(4, pooled.samples());
    }

    @Test
    void niceAxisSteps() {
        assertEquals(20, Charts.niceStep(17), 1e-12);
        assertEquals(0.05, Charts.niceStep(0.041), 1e-12);
        assertEquals(100, Charts.niceCeil(93), 1e-9);
    }
}
