package adamerge.merging;

import adamerge.autograd.Var;
import adamerge.tensor.Tensor;
import adamerge.vit.ClassificationHead;
import adamerge.vit.ClipWeights;
import adamerge.vit.VitConfig;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static adamerge.merging.MergeFixtures.*;
import static org.junit.jupiter.api.Assertions.*;

class FisherMergeTest {

    /** The fixture's linear model y = x W^T + b over its 8 rows in 2 batches of 4. */
    private static Map<String, Tensor> linearFisher(Map<String, Tensor> f, int k) {
        Map<String, Var> params = new LinkedHashMap<>();
        params.put("weight", Var.param(f.get("model" + k + ".weight")));
        params.put("bias", Var.param(f.get("model" + k + ".bias")));
        Tensor x = f.get("x" + k);
        List<Tensor> batches = List.of(x.slice(0, 0, 4), x.slice(0, 4, 8));
        return FisherMerge.fisher(params,
                b -> Var.constant(b).matmul(params.get("weight").t()).add(params.get("bias")), batches);
    }

    @Test
    void empiricalFisherMatchesFusionBench() throws IOException {
        Map<String, Tensor> f = read("fisher_regmean.safetensors");
        for (int k = 0; k < 2; k++)
            assertAllRelClose(group(f, "fisher" + k + "."), linearFisher(f, k), 1e-6, "Fisher of model " + k);
    }

    @Test
    void fisherWeightedMergeMatchesFusionBench() throws IOException {
        Map<String, Tensor> f = read("fisher_regmean.safetensors");
        List<Map<String, Tensor>> models = List.of(group(f, "model0."), group(f, "model1."));
        List<Map<String, Tensor>> fishers = List.of(group(f, "fisher0."), group(f, "fisher1."));
        assertAllRelClose(group(f, "fisher_merged."), FisherMerge.merge(models, fishers, false), 1e-6, "plain");
        assertAllRelClose(group(f, "fisher_merged_normalized."), FisherMerge.merge(models, fishers, true), 1e-6, "normalized");
        double[] s = FisherMerge.normalizationScales(fishers);
        float[] want = f.get("fisher_norm_scales").toArray();
        for (int k = 0; k < 2; k++) assertEquals(want[k], s[k], 1e-6 * want[k], "scale " + k);
        // and end to end, from our own Fishers
        List<Map<String, Tensor>> ours = List.of(linearFisher(f, 0), linearFisher(f, 1));
        assertAllRelClose(group(f, "fisher_merged."), FisherMerge.merge(models, ours, false), 1e-6, "plain, own Fisher");
    }

    @Test
    void encoderFisherIsNonNegativeAndZeroWhereTheLossDoesNotReach() {
        VitConfig c = VitConfig.of(32, 8, 64, 1, 16);
        Map<String, Tensor> w = new LinkedHashMap<>(ClipWeights.random(c, 3));
        w.put("logit_scale", Tensor.scalar(4.6f)); // a text-side leftover: the image loss never reads it
        ClassificationHead head = new ClassificationHead("t", Tensor.randn(9, 5, 16).mul(3f), null);
        List<Tensor> batches = List.of(Tensor.randn(10, 2, 3, 32, 32), Tensor.randn(11, 3, 3, 32, 32));
        Map<String, Tensor> fisher = FisherMerge.fisher(c, w, head, batches);
        assertEquals(w.keySet(), fisher.keySet());
        for (Map.Entry<String, Tensor> e : fisher.entrySet()) {
            assertArrayEquals(w.get(e.getKey()).shape(), e.getValue().shape(), e.getKey());
            float[] a = e.getValue().toArray();
            double max = 0;
            for (float v : a) {
                assertTrue(v >= 0 && Float.isFinite(v), e.getKey() + " has Fisher entry " + v);
                max = Math.max(max, v);
            }
            if (e.getKey().equals("logit_scale")) assertEquals(0.0, max, e.getKey());
            else assertTrue(max > 0, e.getKey() + " has an all-zero Fisher");
        }
        // The key bias never changes the output (softmax is shift-invariant per query): ~0 next to the query bias.
        float[] bias = fisher.get("transformer.resblocks.0.attn.in_proj_bias").toArray();
        double q = 0, k = 0;
        for (int i = 0; i < 64; i++) {
            q = Math.max(q, bias[i]);
            k = Math.max(k, bias[64 + i]);
        }
        assertTrue(k <= 1e-6 * q, "key-bias Fisher " + k + " vs query-bias Fisher " + q);

        // merging a model with itself, whatever the Fishers, gives it back
        Map<String, Tensor> other = FisherMerge.fisher(c, w, head, List.of(batches.get(0)));
        Map<String, Tensor> merged = FisherMerge.merge(List.of(w, w), List.of(fisher, other), true);
        w.forEach((key, t) -> assertRelClose(t, merged.get(key), 1e-6, key));
    }

    @Test
    void mismatchedFishersAreRejected() {
        Map<String, Tensor> m = Map.of("w", Tensor.zeros(2));
        List<Map<String, Tensor>> models = new ArrayList<>(List.of(m, m));
        String msg = assertThrows(IllegalArgumentException.class,
                () -> FisherMerge.merge(models, List.of(m, Map.of("w", Tensor.zeros(3))), false)).getMessage();
        assertTrue(msg.contains("'w'"), msg);
        assertThrows(IllegalArgumentException.class, () -> FisherMerge.merge(models, List.of(m), false));
    }
}
