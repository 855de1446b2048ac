package adamerge.merging;

import adamerge.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static adamerge.merging.MergeFixtures.*;
import static org.junit.jupiter.api.Assertions.*;

class DareTest {

    private static Map<String, Tensor> model(float... x) {
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("w", Tensor.of(x, x.length));
        return m;
    }

    @Test
    void theAverageOverSeedsIsTheTaskVector() {
        int n = 64, seeds = 4000;
        float[] pre = new float[n], ft = new float[n];
        for (int i = 0; i < n; i++) {
            pre[i] = 0.1f * i;
            ft[i] = pre[i] + (i % 2 == 0 ? 1 : -1) * (0.5f + 0.01f * i);
        }
        double p = 0.7;
        double[] mean = new double[n];
        for (int s = 0; s < seeds; s++) {
            float[] d = new Dare(p, s).dropped(model(pre), List.of(model(ft))).get(0).get("w").toArray();
            for (int i = 0; i < n; i++) mean[i] += d[i] / seeds;
        }
        for (int i = 0; i < n; i++) {
            double tau = ft[i] - pre[i];
            // one draw is tau / (1 - p) with probability 1 - p, else 0: standard deviation |tau| sqrt(p / (1 - p))
            double sd = Math.abs(tau) * Math.sqrt(p / (1 - p) / seeds);
            assertEquals(tau, mean[i], 5 * sd, "entry " + i);
        }
    }

    @Test
    void everyEntryIsDroppedOrRescaledAndAboutPAreDropped() {
        int n = 20000;
        float[] pre = new float[n], ft = new float[n];
        for (int i = 0; i < n; i++) ft[i] = 1 + i % 7;
        double p = 0.3;
        float[] d = new Dare(p, 42).dropped(model(pre), List.of(model(ft))).get(0).get("w").toArray();
        int dropped = 0;
        for (int i = 0; i < n; i++) {
            if (d[i] == 0) dropped++;
            else assertEquals(ft[i] / (float) (1 - p), d[i], 0f, "entry " + i);
        }
        // binomial(n, p): sd = sqrt(n p (1 - p)) = 65
        assertEquals(p * n, dropped, 5 * Math.sqrt(n * p * (1 - p)));
    }

    @Test
    void aSeedGivesOneMaskPerTaskAndMergeUsesTheSameMasks() {
        Map<String, Tensor> pre = model(new float[100]);
        float[] a = new float[100], b = new float[100];
        for (int i = 0; i < 100; i++) {
            a[i] = 1;
            b[i] = -2;
        }
        List<Map<String, Tensor>> ft = List.of(model(a), model(b));
        Dare dare = new Dare(0.5, 7);
        List<Map<String, Tensor>> d1 = dare.dropped(pre, ft), d2 = dare.dropped(pre, ft);
        assertArrayEquals(d1.get(0).get("w").toArray(), d2.get(0).get("w").toArray());
        assertFalse(java.util.Arrays.equals(d1.get(0).get("w").toArray(), new Dare(0.5, 8).dropped(pre, ft).get(0).get("w").toArray()),
                "another seed, other masks");
        float[] zero = d1.get(0).get("w").mul(-2f).sub(d1.get(1).get("w")).toArray(); // equal masks would cancel
        assertTrue(java.util.stream.IntStream.range(0, 100).anyMatch(i -> zero[i] != 0), "tasks draw different masks");
        float[] merged = dare.merge(pre, ft, 0.3f).get("w").toArray();
        float[] expected = d1.get(0).get("w").add(d1.get(1).get("w")).mul(0.3f).toArray();
        assertArrayEquals(expected, merged, 0f);
    }

    @Test
    void dropRateZeroIsTaskArithmetic() {
        Map<String, Tensor> pre = model(1, 2, 3);
        List<Map<String, Tensor>> ft = List.of(model(1.5f, 2, 2), model(0, 2.5f, 3));
        assertArrayEquals(TaskArithmetic.merge(pre, ft, 0.3f).get("w").toArray(), new Dare(0, 3).merge(pre, ft, 0.3f).get("w").toArray(), 0f);
    }

    @Test
    void aDropRateOutsideZeroToOneIsRefusedNamingIt() {
        var e = assertThrows(IllegalArgumentException.class, () -> new Dare(1, 0));
        assertEquals("DARE drop rate must be in [0, 1), not 1.0", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Dare(-0.1, 0));
        assertThrows(IllegalArgumentException.class, () -> new Dare(Double.NaN, 0));
    }

    /** FusionBench's DARE + task arithmetic and DARE + TIES on the masks its torch.rand drew (dare_ties.safetensors). */
    @Test
    void givenFusionBenchsMasksDareAndDareTiesMatchIt() throws IOException {
        Map<String, Tensor> f = read("dare_ties.safetensors");
        Map<String, Tensor> pre = group(f, "pre.");
        Dare dare = new Dare(0.5, 0);
        List<Map<String, Tensor>> dropped = new ArrayList<>();
        for (int k = 0; k < 3; k++) {
            Map<String, Tensor> ft = group(f, "ft" + k + "."), mask = group(f, "mask" + k + "."), d = new LinkedHashMap<>();
            pre.forEach((key, p) -> d.put(key, dare.rescaled(ft.get(key).sub(p), mask.get(key))));
            dropped.add(d);
        }
        Map<String, Tensor> linear = new LinkedHashMap<>();
        pre.forEach((key, p) -> linear.put(key, p.add(Models.sum(Models.tensors(dropped, key)).mul(0.3f))));
        assertAllRelClose(group(f, "dare."), linear, 1e-6, "DARE + task arithmetic");
        TiesMerge ties = TiesMerge.defaults().withScale(0.5f); // FusionBench's dare/ties_merging.yaml: threshold 20, sum, 0.5
        assertAllRelClose(group(f, "dare_ties.sum."), ties.mergeTaskVectors(pre, dropped), 1e-6, "DARE-TIES (sum)");
        assertAllRelClose(group(f, "dare_ties.mean."), ties.withAggregate(TiesMerge.Aggregate.MEAN).mergeTaskVectors(pre, dropped), 1e-6,
                "DARE-TIES (mean)");
    }

    @Test
    void mergeTiesIsTiesOnTheDroppedVectors() {
        Map<String, Tensor> pre = model(new float[50]);
        float[] a = new float[50], b = new float[50];
        for (int i = 0; i < 50; i++) {
            a[i] = (float) Math.sin(i);
            b[i] = (float) Math.cos(3 * i);
        }
        List<Map<String, Tensor>> ft = List.of(model(a), model(b));
        Dare dare = new Dare(0.4, 11);
        TiesMerge ties = TiesMerge.defaults().withScale(0.5f);
        assertArrayEquals(ties.mergeTaskVectors(pre, dare.dropped(pre, ft)).get("w").toArray(), dare.mergeTies(pre, ft, ties).get("w").toArray(), 0f);
    }
}
