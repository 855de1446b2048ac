package adamerge.merging;

import adamerge.tensor.Tensor;
import adamerge.vit.data.ImageDataSet;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** The run loop on the PyTorch fixture's model, with data sets larger than a batch so that sampling matters. */
class AdaMergingRunTest {
    final AdaMergingTest fixture = new AdaMergingTest();

    /** Each task's data: its fixture batch and the batch of the next task, so that the sampler has a choice. */
    static List<ImageDataSet> data(Map<String, Tensor> f) {
        List<ImageDataSet> out = new ArrayList<>();
        for (int k = 0; k < AdaMergingTest.K; k++) {
            Tensor all = Tensor.concat(List.of(f.get("batch" + k), f.get("batch" + (k + 1) % AdaMergingTest.K)), 0);
            out.add(ImageDataSet.of("task" + k, all, null, List.of()));
        }
        return out;
    }

    AdaMerging engine(Map<String, Tensor> f, Map<String, Tensor> ft) {
        return fixture.engine(f, ft, AdaMerging.Granularity.LAYER_WISE, AdaMerging.Options.DEFAULT);
    }

    @Test
    void stepsDrawEachTasksBatchesFromItsOwnSeededSampler() throws IOException {
        Map<String, Tensor> f = AdaMergingTest.read("adamerging.safetensors"), ft = AdaMergingTest.read("adamerging_ft.safetensors");
        List<ImageDataSet> data = data(f);
        long[] seeds = {5, 6, 7};
        AdaMergingRun run = new AdaMergingRun(engine(f, ft), data, 2, 2, seeds);
        for (int s = 0; s < 3; s++) run.step();

        // The same three steps by hand: one BatchSampler per task, every batch through AdaMerging.step.
        AdaMerging byHand = engine(f, ft);
        List<BatchSampler> samplers = new ArrayList<>();
        for (int k = 0; k < seeds.length; k++) samplers.add(new BatchSampler(data.get(k).size(), 2, 2, seeds[k]));
        List<Double> losses = new ArrayList<>();
        for (int s = 0; s < 3; s++) {
            List<List<Tensor>> batches = new ArrayList<>();
            for (int k = 0; k < seeds.length; k++) {
                List<Tensor> bs = new ArrayList<>();
                for (int[] idx : samplers.get(k).nextStep()) bs.add(data.get(k).batch(idx));
                batches.add(bs);
            }
            losses.add((double) byHand.step(batches));
        }
        assertClose(losses, run.losses());
        assertEquals(3, run.steps());
        assertClose(byHand.rawLambdas(), run.adaMerging().rawLambdas());
        assertArrayEquals(run.adaMerging().rawLambdas(), run.lastGoodRawLambdas());
    }

    @Test
    void aResumedRunDrawsWhatTheUninterruptedOneWould() throws IOException {
        Map<String, Tensor> f = AdaMergingTest.read("adamerging.safetensors"), ft = AdaMergingTest.read("adamerging_ft.safetensors");
        long[] seeds = {11, 12, 13};
        AdaMergingRun whole = new AdaMergingRun(engine(f, ft), data(f), 2, 1, seeds);
        for (int s = 0; s < 4; s++) whole.step();

        AdaMergingRun first = new AdaMergingRun(engine(f, ft), data(f), 2, 1, seeds);
        first.step();
        first.step();
        AdaMergingRun.State afterTwo = first.state();
        first.step(); // the state taken is not changed by later steps
        assertEquals(2, afterTwo.step());
        AdaMergingRun second = new AdaMergingRun(engine(f, ft), data(f), 2, 1, seeds);
        second.resume(afterTwo);
        second.step();
        second.step();
        assertClose(whole.losses(), second.losses());
        assertClose(whole.adaMerging().rawLambdas(), second.adaMerging().rawLambdas());

        // Without the replay the samplers would start over and draw other batches.
        AdaMergingRun unreplayed = new AdaMergingRun(engine(f, ft), data(f), 2, 1, seeds);
        unreplayed.adaMerging().setRawLambdas(afterTwo.rawLambdas());
        unreplayed.adaMerging().loadAdamState(afterTwo.adam());
        assertNotEquals(whole.losses().get(2), unreplayed.step(), 1e-3);
    }

    // The threaded GEMM may sum in another order from one run to the next: equal within float noise.
    static void assertClose(List<Double> expected, List<Double> actual) {
        assertEquals(expected.size(), actual.size());
        for (int i = 0; i < expected.size(); i++) assertEquals(expected.get(i), actual.get(i), 1e-5 * Math.abs(expected.get(i)), "loss " + i);
    }

    static void assertClose(float[][] expected, float[][] actual) {
        for (int r = 0; r < expected.length; r++)
            for (int k = 0; k < expected[r].length; k++) assertEquals(expected[r][k], actual[r][k], 1e-6, "lambda [" + r + "][" + k + "]");
    }
}
