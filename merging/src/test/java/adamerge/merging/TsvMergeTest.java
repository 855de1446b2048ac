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

class TsvMergeTest {

    /** The fixture's task vectors as fine-tuned models of a zero pretrained one, so that a merge at scale 1 is the merged task vector. */
    static List<Map<String, Tensor>> taskVectors(Map<String, Tensor> f) {
        List<Map<String, Tensor>> taus = new ArrayList<>();
        for (int k = 0; k < 4; k++) taus.add(group(f, "tau" + k + "."));
        return taus;
    }

    static Map<String, Tensor> zeros(Map<String, Tensor> like) {
        Map<String, Tensor> z = new LinkedHashMap<>();
        like.forEach((k, v) -> z.put(k, Tensor.zeros(v.shape())));
        return z;
    }

    @Test
    void matchesTheUpstreamAlgorithmInFloat64() throws IOException {
        Map<String, Tensor> f = read("svd_merges.safetensors");
        List<Map<String, Tensor>> taus = taskVectors(f);
        assertAllRelClose(group(f, "tsv."), new TsvMerge(1f).merge(zeros(taus.get(0)), taus), 1e-6, "TSV-Merge");
    }

    @Test
    void theScaleMultipliesTheMergedTaskVectorAddedToThePretrainedModel() throws IOException {
        Map<String, Tensor> f = read("svd_merges.safetensors");
        List<Map<String, Tensor>> taus = taskVectors(f);
        Map<String, Tensor> pre = new LinkedHashMap<>(), expected = new LinkedHashMap<>();
        List<Map<String, Tensor>> ft = new ArrayList<>();
        group(f, "tsv.").forEach((k, v) -> {
            pre.put(k, Tensor.zeros(v.shape()).add(0.5f));
            expected.put(k, v.mul(0.3f).add(0.5f));
        });
        for (Map<String, Tensor> t : taus) {
            Map<String, Tensor> m = new LinkedHashMap<>();
            t.forEach((k, v) -> m.put(k, v.add(0.5f)));
            ft.add(m);
        }
        assertAllRelClose(expected, new TsvMerge(0.3f).merge(pre, ft), 1e-5, "TSV-Merge at 0.3 on theta_pre = 0.5");
    }

    @Test
    void oneTaskKeepsItsWholeMatrixAndNonMatricesAreAveraged() {
        // K = 1 keeps all r triplets of the one task: its own SVD, reassembled, is the task matrix
        Map<String, Tensor> pre = new LinkedHashMap<>(), ft = new LinkedHashMap<>();
        pre.put("w", Tensor.zeros(3, 2));
        pre.put("b", Tensor.zeros(2));
        ft.put("w", Tensor.of(new float[] {1, 2, 0, -1, 3, 1}, 3, 2));
        ft.put("b", Tensor.of(new float[] {4, -2}, 2));
        Map<String, Tensor> one = new TsvMerge(1f).merge(pre, List.of(ft));
        assertArrayEquals(ft.get("w").toArray(), one.get("w").toArray(), 1e-6f);
        Map<String, Tensor> ft2 = new LinkedHashMap<>(ft);
        ft2.put("b", Tensor.of(new float[] {0, 2}, 2));
        assertArrayEquals(new float[] {2, 0}, new TsvMerge(1f).merge(pre, List.of(ft, ft2)).get("b").toArray(), 0f);
    }
}
