package adamerge.merging;

import adamerge.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class MethodTest {

    @Test
    void namesRoundTripAndUnknownOnesAreListed() {
        for (Method m : Method.values()) assertEquals(m, Method.byCliName(m.cliName()));
        var e = assertThrows(IllegalArgumentException.class, () -> Method.byCliName("adamerging"));
        assertTrue(e.getMessage().contains("'adamerging'") && e.getMessage().contains("adamerging-layer++"), e.getMessage());
    }

    @Test
    void theFourAdaMergingVariantsAreTheirTwoChoices() {
        assertEquals(AdaMerging.Granularity.TASK_WISE, Method.ADAMERGING_TASK_PLUS.granularity());
        assertEquals(AdaMerging.Granularity.LAYER_WISE, Method.ADAMERGING_LAYER.granularity());
        assertTrue(Method.ADAMERGING_LAYER_PLUS.plusPlus());
        assertFalse(Method.ADAMERGING_TASK.plusPlus());
        assertTrue(Method.FISHER.needsData());
        assertFalse(Method.TIES.needsData());
        assertThrows(IllegalStateException.class, Method.TASK_ARITHMETIC::granularity);
        assertEquals(List.of("Task-wise AdaMerging", "Task-wise AdaMerging++", "Layer-wise AdaMerging", "Layer-wise AdaMerging++"),
                Method.adaMergingVariants().stream().map(Method::paperName).toList());
    }

    @Test
    void plainVariantsLearnOnTaskVectorsAndPlusPlusOnTiesSelectedOnes() {
        Map<String, Tensor> pre = new LinkedHashMap<>();
        pre.put("w", Tensor.of(new float[] {1, 1, 1, 1, 1}, 5));
        List<Map<String, Tensor>> ft = List.of(Map.of("w", Tensor.of(new float[] {1.5f, 0.9f, 1, 3, 1.1f}, 5)),
                Map.of("w", Tensor.of(new float[] {0.5f, 1.2f, 1, 0, 1}, 5)));
        List<Map<String, Tensor>> plain = Method.ADAMERGING_LAYER.taskVectors(pre, ft, TiesMerge.defaults(), t -> t);
        assertArrayEquals(new float[] {0.5f, -0.1f, 0, 2, 0.1f}, plain.get(0).get("w").toArray(), 1e-6f);
        assertArrayEquals(new float[] {-0.5f, 0.2f, 0, -1, 0}, plain.get(1).get("w").toArray(), 1e-6f);
        List<Map<String, Tensor>> selected = Method.ADAMERGING_LAYER_PLUS.taskVectors(pre, ft, TiesMerge.defaults(), t -> t);
        List<Map<String, Tensor>> expected = TiesMerge.defaults().selectedTaskVectors(pre, ft);
        for (int k = 0; k < 2; k++) assertArrayEquals(expected.get(k).get("w").toArray(), selected.get(k).get("w").toArray());
        assertFalse(java.util.Arrays.equals(plain.get(0).get("w").toArray(), selected.get(0).get("w").toArray()), "TIES trims something here");
    }
}
