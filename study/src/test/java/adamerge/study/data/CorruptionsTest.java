package adamerge.study.data;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.junit.jupiter.api.Assertions.*;

class CorruptionsTest {

    private static float[] image;

    @BeforeAll
    static void textured() {
        // a mid-grey textured image: nothing clipped, plenty of edges
        image = DemoTasks.synthetic("dtd-like").generate(1, 4).image(0);
        for (int i = 0; i < image.length; i++) image[i] = 0.2f + 0.6f * image[i];
    }

    @ParameterizedTest
    @EnumSource(Corruption.class)
    void everyCorruptionChangesTheImageDeterministicallyWithinRange(Corruption c) {
        for (int s = 1; s <= 5; s++) {
            float[] out = c.apply(image, s, 7);
            assertEquals(image.length, out.length);
            assertTrue(meanAbsDiff(out, image) > 1e-4, c + " severity " + s + " left the image unchanged");
            for (float v : out) assertTrue(v >= 0 && v <= 1, c + " value " + v);
            assertArrayEquals(out, c.apply(image, s, 7), c + " is not deterministic");
        }
        assertEquals(0.2f + 0.6f * DemoTasks.synthetic("dtd-like").generate(1, 4).image(0)[0], image[0], 1e-6f,
                "input must not be modified");
    }

    @Test
    void gaussianNoiseStdGrowsWithSeverity() {
        double last = 0;
        for (int s = 1; s <= 5; s++) {
            double std = rmsDiff(Corruption.GAUSSIAN_NOISE.apply(image, s, 1), image);
            assertTrue(std > last, "severity " + s);
            last = std;
        }
        assertEquals(0.10, last, 0.01);
    }

    @Test
    void impulseNoiseHitsMoreValuesWithSeverity() {
        double[] amounts = {0.01, 0.02, 0.03, 0.05, 0.07};
        for (int s = 1; s <= 5; s++) {
            float[] out = Corruption.IMPULSE_NOISE.apply(image, s, 1);
            int hit = 0;
            for (int i = 0; i < out.length; i++) if (out[i] != image[i]) hit++;
            assertEquals(amounts[s - 1], hit / (double) out.length, 0.012, "severity " + s);
        }
    }

    @Test
    void contrastShrinksStdByItsFactor() {
        double std0 = SyntheticTasksTest.std(image);
        double[] factors = {0.75, 0.5, 0.4, 0.3, 0.15};
        for (int s = 1; s <= 5; s++) {
            double ratio = SyntheticTasksTest.std(Corruption.CONTRAST.apply(image, s, 0)) / std0;
            assertEquals(factors[s - 1], ratio, 0.05, "severity " + s);
        }
    }

    @Test
    void blurAndPixelateRemoveDetailWithSeverity() {
        for (Corruption c : new Corruption[] {Corruption.MOTION_BLUR, Corruption.PIXELATE}) {
            double first = roughness(c.apply(image, 1, 3)), last = roughness(c.apply(image, 5, 3));
            assertTrue(first < roughness(image) && last < first, c + ": " + roughness(image) + " " + first + " " + last);
        }
    }

    @Test
    void jpegRoundTripIsCloseButLossyAndWorseAtLowQuality() {
        double q80 = meanAbsDiff(Corruption.JPEG.apply(image, 1, 0), image);
        double q40 = meanAbsDiff(Corruption.JPEG.apply(image, 5, 0), image);
        assertTrue(q80 > 0.002 && q80 < 0.08, "quality 80 error " + q80);
        assertTrue(q40 > q80, q40 + " vs " + q80);
    }

    @Test
    void spatterWaterBrightensAndMudDarkens() {
        assertTrue(mean(Corruption.SPATTER.apply(image, 3, 2)) > mean(image));
        assertTrue(mean(Corruption.SPATTER.apply(image, 5, 2)) < mean(image));
    }

    @Test
    void badSeverityAndShapeAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> Corruption.JPEG.apply(image, 6, 0));
        assertThrows(IllegalArgumentException.class, () -> Corruption.JPEG.apply(new float[10], 1, 0));
        assertEquals(Corruption.MOTION_BLUR, Corruption.byId("motion-blur"));
    }

    @Test
    void setLevelApplyKeepsLabels() {
        ImageSet set = DemoTasks.synthetic("solids").generate(4, 1);
        ImageSet out = Corruptions.apply(set, Corruption.PIXELATE, 3, 1);
        assertArrayEquals(set.labels(), out.labels());
        assertArrayEquals(Corruption.PIXELATE.apply(set.image(2), 3, SyntheticTask.imageSeed(1, 2)), out.image(2));
    }

    /** Mean absolute difference between horizontally adjacent pixels. */
    private static double roughness(float[] x) {
        double s = 0;
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < 32; y++) {
                for (int i = 1; i < 32; i++) s += Math.abs(x[c * 1024 + y * 32 + i] - x[c * 1024 + y * 32 + i - 1]);
            }
        }
        return s / (3 * 32 * 31);
    }

    private static double meanAbsDiff(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += Math.abs(a[i] - b[i]);
        return s / a.length;
    }

    private static double rmsDiff(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += (a[i] - b[i]) * (a[i] - b[i]);
        return Math.sqrt(s / a.length);
    }

    private static double mean(float[] a) {
        double s = 0;
        for (float v : a) s += v;
        return s / a.length;
    }
}
