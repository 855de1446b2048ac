package adamerge.merging;

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

/** Task vectors and the two baselines built directly on them: task arithmetic and weight averaging. */
class TaskVectorTest {

    @ParameterizedTest
    @ValueSource(strings = {"ties.safetensors", "ties_neg.safetensors"})
    void taskArithmeticAndWeightAveragingMatchPyTorch(String file) throws IOException {
        Map<String, Tensor> f = read(file);
        Map<String, Tensor> pre = group(f, "pre.");
        List<Map<String, Tensor>> ft = new ArrayList<>();
        for (int k = 0; k < 3; k++) ft.add(group(f, "ft" + k + "."));
        assertAllRelClose(group(f, "task_arithmetic."), TaskArithmetic.merge(pre, ft), 1e-6, file + " task arithmetic");
        assertAllRelClose(group(f, "task_arithmetic."), TaskVector.apply(pre, TaskVector.of(pre, ft), new float[]{0.3f, 0.3f, 0.3f}),
                1e-6, file + " per-task lambdas");
        assertAllRelClose(group(f, "weight_averaging."), WeightAveraging.merge(ft), 1e-6, file + " weight averaging");
    }

    @Test
    void perTaskLambdasWeighEachTaskVector() {
        Map<String, Tensor> pre = Map.of("w", Tensor.of(new float[]{1, 2}, 2));
        Map<String, Tensor> a = Map.of("w", Tensor.of(new float[]{2, 2}, 2));
        Map<String, Tensor> b = Map.of("w", Tensor.of(new float[]{1, 6}, 2));
        List<Map<String, Tensor>> taus = TaskVector.of(pre, List.of(a, b));
        assertArrayEquals(new float[]{1, 0}, taus.get(0).get("w").toArray());
        assertArrayEquals(new float[]{1.5f, 3}, TaskVector.apply(pre, taus, new float[]{0.5f, 0.25f}).get("w").toArray());
        assertThrows(IllegalArgumentException.class, () -> TaskVector.apply(pre, taus, new float[]{1}));
    }

    @Test
    void mismatchedModelsAreNamedInTheError() {
        Map<String, Tensor> pre = new LinkedHashMap<>();
        pre.put("a", Tensor.zeros(2, 3));
        pre.put("b", Tensor.zeros(4));
        Map<String, Tensor> shape = new LinkedHashMap<>(pre);
        shape.put("a", Tensor.zeros(3, 2));
        String m = assertThrows(IllegalArgumentException.class, () -> TaskVector.of(pre, shape)).getMessage();
        assertTrue(m.contains("'a'") && m.contains("[2, 3]") && m.contains("[3, 2]"), m);

        Map<String, Tensor> missing = new LinkedHashMap<>(pre);
        missing.remove("b");
        m = assertThrows(IllegalArgumentException.class, () -> TaskVector.of(pre, missing)).getMessage();
        assertTrue(m.contains("'b'"), m);

        Map<String, Tensor> extra = new LinkedHashMap<>(pre);
        extra.put("c", Tensor.zeros(1));
        m = assertThrows(IllegalArgumentException.class, () -> TaskArithmetic.merge(pre, List.of(extra))).getMessage();
        assertTrue(m.contains("'c'"), m);
        assertThrows(IllegalArgumentException.class, () -> WeightAveraging.merge(List.of()));
    }
}
