package adamerge.vit;

import adamerge.tensor.Tensor;
import adamerge.vit.io.Checkpoints;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** Loads the PyTorch-generated fixtures (scripts/fixtures/make_vit_fixtures.py). */
public final class Fixtures {
    static final Path DIR = Path.of("src/test/resources/fixtures");

    static Map<String, Tensor> read(String file) throws IOException {
        return Checkpoints.read(DIR.resolve(file));
    }

    /** max |a - e| <= rtol * max |e| (relative to the tensor's scale, so near-zero entries do not dominate). */
    public static void assertRelClose(Tensor expected, Tensor actual, double rtol, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
        float[] e = expected.toArray(), a = actual.toArray();
        double scale = 0, worst = 0;
        int at = -1;
        for (float v : e) scale = Math.max(scale, Math.abs(v));
        for (int i = 0; i < e.length; i++) {
            double d = Math.abs(e[i] - a[i]);
            if (!(d <= worst)) {
                worst = d;
                at = i;
            }
        }
        assertTrue(worst <= rtol * Math.max(scale, 1e-30), what + ": max error " + worst + " at " + at + " (expected "
                + (at >= 0 ? e[at] : 0) + ", got " + (at >= 0 ? a[at] : 0) + ", scale " + scale + ")");
    }

    private Fixtures() {
    }
}
