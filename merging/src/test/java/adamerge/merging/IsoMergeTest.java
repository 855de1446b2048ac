package adamerge.merging;

import adamerge.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static adamerge.merging.MergeFixtures.*;
import static org.junit.jupiter.api.Assertions.*;

class IsoMergeTest {

    @Test
    void isoCMatchesTheUpstreamAlgorithmInFloat64() throws IOException {
        Map<String, Tensor> f = read("svd_merges.safetensors");
        List<Map<String, Tensor>> taus = TsvMergeTest.taskVectors(f);
        assertAllRelClose(group(f, "iso_c."), IsoMerge.isoC(1f).merge(TsvMergeTest.zeros(taus.get(0)), taus), 1e-6, "Iso-C");
    }

    /** The fixture's shapes meet every rounding of the common/task split: 0.5 -> 0 (half to even), 0.75 -> 1, 1.5 -> 2. */
    @Test
    void isoCtsMatchesTheUpstreamAlgorithmInFloat64() throws IOException {
        Map<String, Tensor> f = read("svd_merges.safetensors");
        List<Map<String, Tensor>> taus = TsvMergeTest.taskVectors(f);
        assertAllRelClose(group(f, "iso_cts."), IsoMerge.isoCts(1f, 0.8).merge(TsvMergeTest.zeros(taus.get(0)), taus), 1e-6, "Iso-CTS");
    }

    @Test
    void isoCFlattensTheSpectrumOfTheSum() {
        // sum = diag(3, 1) -> mean singular value 2: the isotropic matrix is 2 I
        Map<String, Tensor> pre = Map.of("w", Tensor.zeros(2, 2));
        List<Map<String, Tensor>> ft = List.of(Map.of("w", Tensor.of(new float[] {2, 0, 0, 1}, 2, 2)), Map.of("w", Tensor.of(new float[] {1, 0, 0, 0}, 2, 2)));
        assertArrayEquals(new float[] {2, 0, 0, 2}, IsoMerge.isoC(1f).merge(new LinkedHashMap<>(pre), ft).get("w").toArray(), 1e-6f);
    }

    @Test
    void aCommonFractionThatLeavesNoRoomIsNamed() {
        Map<String, Tensor> pre = new LinkedHashMap<>();
        pre.put("w", Tensor.zeros(5, 4));
        List<Map<String, Tensor>> ft = new java.util.ArrayList<>();
        for (int k = 0; k < 6; k++) ft.add(Map.of("w", Tensor.randn(k, 5, 4)));
        var e = assertThrows(IllegalArgumentException.class, () -> IsoMerge.isoCts(1f, 0).merge(pre, ft));
        assertTrue(e.getMessage().contains("'w'") && e.getMessage().contains("common fraction"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> IsoMerge.isoCts(1f, 1.5));
    }
}
