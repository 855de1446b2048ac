package adamerge.training;

import adamerge.autograd.Losses;
import adamerge.autograd.NoGrad;
import adamerge.autograd.Var;
import adamerge.tensor.Tensor;
import adamerge.vit.ClassificationHead;
import adamerge.vit.ClipVisionEncoder;
import adamerge.vit.ClipWeights;
import adamerge.vit.VitConfig;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class TrainerTest {
    static final VitConfig TINY = new VitConfig(8, 4, 16, 1, 2, 32, 8, VitConfig.Activation.QUICK_GELU, 1e-5f);

    /** Two classes: images whose top half is bright vs. whose bottom half is bright, plus noise. */
    static Trainer.Examples halves(int n, long seed) {
        Tensor noise = Tensor.randn(seed, n, 3, 8, 8).mul(0.3f);
        float[] px = noise.toArray();
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % 2;
            for (int c = 0; c < 3; c++)
                for (int y = 0; y < 8; y++)
                    for (int x = 0; x < 8; x++)
                        if ((y < 4) == (labels[i] == 0)) px[((i * 3 + c) * 8 + y) * 8 + x] += 1.5f;
        }
        return Trainer.Examples.of(Tensor.of(px, n, 3, 8, 8), labels);
    }

    @Test
    void lowersTheLossOfATinyProblem() {
        Trainer.Examples data = halves(64, 3);
        Trainer.Result r = new Trainer(new Trainer.Settings(8, 16, 3e-3f, 0.01f, 4, 1), null, "tiny")
                .train(TINY, ClipWeights.random(TINY, 1), data, List.of(new LinearHead(2, 8, 5f, 2)));
        assertEquals(32, r.steps());
        assertTrue(r.lastEpochLoss() < 0.5 * r.firstEpochLoss(), "loss " + r.firstEpochLoss() + " -> " + r.lastEpochLoss());
        assertEquals(ClipWeights.names(TINY), List.copyOf(r.weights().keySet()));
    }

    @Test
    void frozenHeadTrainsOnlyTheEncoder() {
        Trainer.Examples data = halves(32, 4);
        Tensor w = Tensor.randn(9, 2, 8);
        ClassificationHead head = new ClassificationHead("h", w, Tensor.zeros(2));
        float[] before = head.weight().toArray();
        Map<String, Tensor> init = ClipWeights.random(TINY, 5);
        Trainer.Result r = new Trainer(new Trainer.Settings(2, 8, 1e-3f, 0.1f, 1, 2), null, "ft")
                .train(TINY, init, data, List.of(Trainer.frozen(head)));
        assertArrayEquals(before, head.weight().toArray());
        assertFalse(java.util.Arrays.equals(init.get("proj").toArray(), r.weights().get("proj").toArray()));
        // the same seed and settings give the same weights
        Trainer.Result again = new Trainer(new Trainer.Settings(2, 8, 1e-3f, 0.1f, 1, 2), null, "ft")
                .train(TINY, init, data, List.of(Trainer.frozen(head)));
        assertArrayEquals(r.weights().get("transformer.resblocks.0.attn.in_proj_weight").toArray(),
                again.weights().get("transformer.resblocks.0.attn.in_proj_weight").toArray());
    }

    /** A run continued from the state after step 5 (mid-epoch, batch 3 of 4) ends where the uninterrupted run does, bit for bit. */
    @Test
    void aRunContinuedFromItsStateEndsAsTheUninterruptedRun() throws java.io.IOException {
        Trainer.Examples data = halves(26, 11); // 4 batches of 8, the last short
        Trainer.Settings s = new Trainer.Settings(3, 8, 3e-3f, 0.01f, 2, 7);
        Map<String, Tensor> init = ClipWeights.random(TINY, 12);
        java.util.List<Trainer.State> states = new java.util.ArrayList<>();
        Trainer.Result whole = new Trainer(s, null, "whole").train(TINY, init, data, List.of(new LinearHead(2, 8, 5f, 3)), null,
                (state, last) -> states.add(state));
        assertEquals(12, states.size());
        Trainer.State after5 = states.get(4);
        assertEquals(List.of(5, 1, 1), List.of(after5.step(), after5.epoch(), after5.batchInEpoch()));
        Trainer.Result rest = new Trainer(s, null, "rest").train(TINY, init, data, List.of(new LinearHead(2, 8, 5f, 3)), after5, (state, last) -> {});
        assertEquals(whole.steps(), rest.steps());
        assertEquals(whole.firstEpochLoss(), rest.firstEpochLoss());
        assertEquals(whole.lastEpochLoss(), rest.lastEpochLoss());
        for (String k : whole.weights().keySet()) assertArrayEquals(whole.weights().get(k).toArray(), rest.weights().get(k).toArray(), k);
    }

    @Test
    void learningRateWarmsUpLinearlyThenFollowsAHalfCosine() {
        Trainer.Settings s = new Trainer.Settings(1, 1, 1f, 0f, 4, 0);
        assertEquals(0.25f, Trainer.learningRate(s, 0, 104), 1e-6);
        assertEquals(1f, Trainer.learningRate(s, 3, 104), 1e-6);
        assertEquals(1f, Trainer.learningRate(s, 4, 104), 1e-6);
        assertEquals(0.5f, Trainer.learningRate(s, 54, 104), 1e-6);
        assertEquals(0f, Trainer.learningRate(s, 104, 104), 1e-6);
    }

    @Test
    void multiTaskLossIsTheBatchMeanThroughEachExamplesHead() {
        Trainer.Examples a = halves(6, 7), b = halves(4, 8);
        Trainer.Examples joint = Trainer.Examples.joint(List.of(a, b));
        ClassificationHead ha = new ClassificationHead("a", Tensor.randn(1, 2, 8).mul(10f), null);
        ClassificationHead hb = new ClassificationHead("b", Tensor.randn(2, 2, 8).mul(10f), Tensor.randn(3, 2));
        Map<String, Tensor> w = ClipWeights.random(TINY, 6);
        ClipVisionEncoder enc = ClipVisionEncoder.frozen(TINY, w);
        int[] idx = {9, 0, 7, 3, 6, 1};
        try (NoGrad ignored = NoGrad.enter()) {
            float got = Trainer.batchLoss(enc, joint, List.of(Trainer.frozen(ha), Trainer.frozen(hb)), idx).value().item();
            // independently: per-example cross-entropy through its own head, averaged
            double sum = 0;
            for (int i : idx) {
                boolean first = i < 6;
                Tensor px = (first ? a : b).pixels().slice(0, first ? i : i - 6, (first ? i : i - 6) + 1).contiguous();
                int label = (first ? a : b).labels()[first ? i : i - 6];
                Var z = (first ? ha : hb).logits(enc.forward(px));
                sum += Losses.crossEntropy(z, new int[]{label}).value().item();
            }
            assertEquals(sum / idx.length, got, 1e-4);
        }
    }

    @Test
    void shuffleIsASeededPermutation() {
        int[] p = Trainer.shuffle(100, 42);
        assertArrayEquals(p, Trainer.shuffle(100, 42));
        assertArrayEquals(java.util.stream.IntStream.range(0, 100).toArray(), java.util.Arrays.stream(p).sorted().toArray());
        assertFalse(java.util.Arrays.equals(p, Trainer.shuffle(100, 43)));
    }
}
