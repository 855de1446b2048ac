package adamerge.merging;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class BatchSamplerTest {
    @Test
    void skippingStepsLeavesTheSamplerWhereDrawingThemWould() {
        // 10 samples, batch 3, 2 batches a step: a reshuffle every step or two, so skipped steps cross reshuffles
        BatchSampler drawn = new BatchSampler(10, 3, 2, 7), skipped = new BatchSampler(10, 3, 2, 7);
        for (int s = 0; s < 5; s++) drawn.nextStep();
        skipped.skip(5);
        for (int s = 0; s < 4; s++) {
            List<int[]> a = drawn.nextStep(), b = skipped.nextStep();
            assertEquals(a.size(), b.size());
            for (int i = 0; i < a.size(); i++) assertArrayEquals(a.get(i), b.get(i), "step " + (6 + s) + " batch " + i);
        }
    }
}
