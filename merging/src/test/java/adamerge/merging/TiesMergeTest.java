package adamerge.merging;

import adamerge.merging.TiesMerge.Aggregate;
import adamerge.merging.TiesMerge.TrimScope;
import adamerge.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static adamerge.merging.MergeFixtures.*;
import static org.junit.jupiter.api.Assertions.*;

class TiesMergeTest {

    private static List<Map<String, Tensor>> finetuned(Map<String, Tensor> f) {
        List<Map<String, Tensor>> ft = new ArrayList<>();
        for (int k = 0; k < 3; k++) ft.add(group(f, "ft" + k + "."));
        return ft;
    }

    @ParameterizedTest
    @ValueSource(strings = {"ties.safetensors", "ties_neg.safetensors"})
    void matchesPyTorchForEveryScopeAndAggregate(String file) throws IOException {
        Map<String, Tensor> f = read(file);
        Map<String, Tensor> pre = group(f, "pre.");
        List<Map<String, Tensor>> ft = finetuned(f);
        for (TrimScope scope : TrimScope.values())
            for (Aggregate agg : Aggregate.values()) {
                String name = (scope == TrimScope.GLOBAL ? "global" : "pertensor") + "." + agg.name().toLowerCase();
                TiesMerge ties = TiesMerge.defaults().withTrimScope(scope).withAggregate(agg);
                assertAllRelClose(group(f, "ties." + name + "."), ties.merge(pre, ft), 1e-6, file + " " + name);
                assertAllRelClose(group(f, "ties." + name + "."), ties.mergeTaskVectors(pre, TaskVector.of(pre, ft)), 1e-6,
                        file + " " + name + " from task vectors");
            }
    }

    @ParameterizedTest
    @ValueSource(strings = {"ties.safetensors", "ties_neg.safetensors"})
    void selectedTaskVectorsAreExactlyTheReference(String file) throws IOException {
        Map<String, Tensor> f = read(file);
        Map<String, Tensor> pre = group(f, "pre.");
        List<Map<String, Tensor>> ft = finetuned(f);
        for (TrimScope scope : TrimScope.values()) {
            String s = scope == TrimScope.GLOBAL ? "global" : "pertensor";
            TiesMerge ties = TiesMerge.defaults().withTrimScope(scope);
            List<Map<String, Tensor>> fromModels = ties.selectedTaskVectors(pre, ft);
            List<Map<String, Tensor>> fromTaus = ties.selectedTaskVectors(TaskVector.of(pre, ft));
            for (int k = 0; k < 3; k++) {
                Map<String, Tensor> want = group(f, "tiesvec." + s + ".task" + k + ".");
                assertEquals(want.keySet(), fromModels.get(k).keySet());
                for (String key : want.keySet()) {
                    assertBitwiseEqual(want.get(key), fromModels.get(k).get(key), file + " " + s + " task " + k + " " + key);
                    assertBitwiseEqual(want.get(key), fromTaus.get(k).get(key), file + " " + s + " task " + k + " " + key + " (taus)");
                }
            }
        }
    }

    private static Map<String, Tensor> model(float[] x) {
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("w", Tensor.of(x, x.length));
        return m;
    }

    private static float[] selected(TiesMerge ties, int task, float[]... taus) {
        List<Map<String, Tensor>> t = new ArrayList<>();
        for (float[] x : taus) t.add(model(x));
        return ties.selectedTaskVectors(t).get(task).get("w").toArray();
    }

    @Test
    void keepsEveryTieAtTheThreshold() {
        // D = 10, density 0.4: kth = 10 - 4 = 6, threshold = 6th smallest = 5th largest |x| = 2; all three 2s stay.
        float[] tau = {4, -3, 3, 1, 0.5f, 2, 2, -2, 1, 1};
        TiesMerge ties = TiesMerge.defaults().withDensity(0.4);
        assertArrayEquals(new float[]{4, -3, 3, 0, 0, 2, 2, -2, 0, 0}, selected(ties, 0, tau),
                "with one task every kept entry carries the elected sign");
    }

    @Test
    void keepsTiesAcrossTensorsUnderTheGlobalThreshold() {
        // D = 6 over two tensors, density 0.5: kth = 3, threshold = 4th largest = 1; four entries tie at 1.
        Map<String, Tensor> tau = new LinkedHashMap<>();
        tau.put("b", Tensor.of(new float[]{1, 5, 0.5f}, 3));
        tau.put("a", Tensor.of(new float[]{-1, 1, 1}, 3));
        List<Map<String, Tensor>> sel = TiesMerge.defaults().withDensity(0.5).selectedTaskVectors(List.of(tau));
        assertArrayEquals(new float[]{1, 5, 0}, sel.get(0).get("b").toArray());
        assertArrayEquals(new float[]{-1, 1, 1}, sel.get(0).get("a").toArray());
        assertEquals(List.of("b", "a"), new ArrayList<>(sel.get(0).keySet()), "outputs keep the input key order");
    }

    @Test
    void zeroElectedSignTakesTheMajority() {
        TiesMerge all = TiesMerge.defaults().withDensity(1.0);
        // coordinate 0 sums to 0; the others elect +, -, + -> majority +1: task 0's +1 survives
        float[] t0 = {1, 2, 1, 1}, t1 = {-1, 1, -3, 1};
        assertArrayEquals(new float[]{1, 2, 0, 1}, selected(all, 0, t0, t1));
        assertArrayEquals(new float[]{0, 1, -3, 1}, selected(all, 1, t0, t1));
        // negated: majority -1, task 1's -1 at coordinate 0 survives
        float[] n0 = {1, -2, 1, -1}, n1 = {-1, -1, 3, -1};
        assertArrayEquals(new float[]{0, -2, 1, -1}, selected(all, 0, n0, n1));
        assertArrayEquals(new float[]{-1, -1, 3, -1}, selected(all, 1, n0, n1));
        // the majority itself sums to 0 (+, -): resolved to +1
        float[] z0 = {1, 2, -2}, z1 = {-1, 1, -1};
        assertArrayEquals(new float[]{1, 2, -2}, selected(all, 0, z0, z1));
        assertArrayEquals(new float[]{0, 1, -1}, selected(all, 1, z0, z1));
    }

    @Test
    void meanDividesByTheAgreeingCountAndLeavesUnselectedCoordinatesAtPretrained() {
        Map<String, Tensor> pre = model(new float[]{10, 20, 30, 40});
        // density 0.25 over D = 4: kth = 3, threshold = 2nd largest |x| per task.
        // coordinate 0: both kept, agree (+4, +2); 1: trimmed everywhere (count 0); 2: (-8 kept, +1 trimmed); 3: (+1 trimmed, +8 kept)
        Map<String, Tensor> ft0 = model(new float[]{14, 20.5f, 22, 41});
        Map<String, Tensor> ft1 = model(new float[]{12, 20.25f, 31, 48});
        TiesMerge ties = new TiesMerge(0.25, TrimScope.GLOBAL, Aggregate.MEAN, 1f);
        assertArrayEquals(new float[]{13, 20, 22, 48}, ties.merge(pre, List.of(ft0, ft1)).get("w").toArray());
        assertArrayEquals(new float[]{16, 20, 22, 48},
                ties.withAggregate(Aggregate.SUM).merge(pre, List.of(ft0, ft1)).get("w").toArray());
        assertArrayEquals(new float[]{11.5f, 20, 26, 44},
                ties.withScale(0.5f).merge(pre, List.of(ft0, ft1)).get("w").toArray(), 1e-6f);
    }

    @Test
    void keepingEverythingWithAgreeingSignsIsTaskArithmetic() {
        Map<String, Tensor> pre = model(new float[]{1, 2, 3, 4, 5});
        Map<String, Tensor> ft0 = model(new float[]{1.5f, 2.5f, 2, 4.25f, 4});
        Map<String, Tensor> ft1 = model(new float[]{1.25f, 3, 2.5f, 4.5f, 4.75f});
        Map<String, Tensor> ties = TiesMerge.defaults().withDensity(1.0).merge(pre, List.of(ft0, ft1));
        Map<String, Tensor> ta = TaskArithmetic.merge(pre, List.of(ft0, ft1));
        assertArrayEquals(ta.get("w").toArray(), ties.get("w").toArray(), 1e-6f);
    }

    @Test
    void rejectsBadOptionsAndMismatchedModels() {
        assertThrows(IllegalArgumentException.class, () -> TiesMerge.defaults().withDensity(0));
        assertThrows(IllegalArgumentException.class, () -> TiesMerge.defaults().withDensity(1.5));
        Map<String, Tensor> pre = model(new float[]{1, 2});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TiesMerge.defaults().merge(pre, List.of(model(new float[]{1, 2, 3}))));
        assertTrue(e.getMessage().contains("'w'") && e.getMessage().contains("[2]") && e.getMessage().contains("[3]"), e.getMessage());
    }
}
