package adamerge.merging;

import adamerge.tensor.Tensor;
import adamerge.vit.Fixtures;
import adamerge.vit.io.Checkpoints;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Loads the PyTorch-generated merging fixtures (scripts/fixtures/make_merging_fixtures.py) onto the heap. */
final class MergeFixtures {
    static final Path DIR = Path.of("src/test/resources/fixtures");

    private MergeFixtures() {
    }

    static Map<String, Tensor> read(String file) throws IOException {
        return Checkpoints.read(DIR.resolve(file));
    }

    /** The tensors whose names start with {@code prefix}, with the prefix removed, in file order. */
    static Map<String, Tensor> group(Map<String, Tensor> all, String prefix) {
        Map<String, Tensor> m = new LinkedHashMap<>();
        all.forEach((k, v) -> {
            if (k.startsWith(prefix)) m.put(k.substring(prefix.length()), v);
        });
        if (m.isEmpty()) throw new IllegalArgumentException("no fixture tensors under '" + prefix + "'");
        return m;
    }

    static void assertRelClose(Tensor expected, Tensor actual, double rtol, String what) {
        Fixtures.assertRelClose(expected, actual, rtol, what);
    }

    static void assertAllRelClose(Map<String, Tensor> expected, Map<String, Tensor> actual, double rtol, String what) {
        assertTrue(expected.keySet().equals(actual.keySet()), what + ": keys " + actual.keySet() + ", expected " + expected.keySet());
        expected.forEach((k, e) -> assertRelClose(e, actual.get(k), rtol, what + " '" + k + "'"));
    }

    /** Bitwise equality (so +0 and -0 differ), for exact dyadic fixtures. */
    static void assertBitwiseEqual(Tensor expected, Tensor actual, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
        float[] e = expected.toArray(), a = actual.toArray();
        for (int i = 0; i < e.length; i++)
            assertTrue(Float.floatToRawIntBits(e[i]) == Float.floatToRawIntBits(a[i]),
                    what + "[" + i + "]: expected " + e[i] + ", got " + a[i]);
    }
}
