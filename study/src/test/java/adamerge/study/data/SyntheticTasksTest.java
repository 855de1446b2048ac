package adamerge.study.data;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

class SyntheticTasksTest {

    static Stream<SyntheticTask> generators() {
        List<SyntheticTask> all = new ArrayList<>();
        for (String name : DemoTasks.NAMES) if (DemoTasks.isSynthetic(name)) all.add(DemoTasks.synthetic(name));
        all.add(new PretrainCorpus());
        return all.stream();
    }

    @ParameterizedTest
    @MethodSource("generators")
    void sameSeedGivesIdenticalImagesAndOtherSeedDiffers(SyntheticTask task) {
        ImageSet a = task.generate(40, 11), b = task.generate(40, 11), c = task.generate(40, 12);
        assertArrayEquals(a.pixels(), b.pixels(), task.name());
        assertArrayEquals(a.labels(), b.labels(), task.name());
        assertFalse(Arrays.equals(a.pixels(), c.pixels()), task.name());
    }

    @ParameterizedTest
    @MethodSource("generators")
    void labelsAreBalancedAndPixelsInRange(SyntheticTask task) {
        int n = 3 * task.classNames().size() + 2;
        ImageSet set = task.generate(n, 5);
        assertEquals(task.name(), set.task());
        assertEquals(new HashSet<>(task.classNames()).size(), set.numClasses(), "class names are unique");
        int[] counts = set.classCounts();
        assertTrue(Arrays.stream(counts).max().getAsInt() - Arrays.stream(counts).min().getAsInt() <= 1,
                task.name() + " counts " + Arrays.toString(counts));
        for (float v : set.pixels()) assertTrue(v >= 0f && v <= 1f, task.name() + " value " + v);
        for (int i = 0; i < set.size(); i++) {
            float[] img = set.image(i);
            assertTrue(std(img) > 0.02, task.name() + " image " + i + " is nearly flat");
        }
    }

    @ParameterizedTest
    @MethodSource("generators")
    void classesDifferOnAverage(SyntheticTask task) {
        // mean image per class over 8 samples each: no two classes may coincide
        int k = task.classNames().size();
        ImageSet set = task.generate(8 * k, 3);
        double[][] mean = new double[k][ImageSet.IMAGE_SIZE];
        for (int i = 0; i < set.size(); i++) {
            for (int p = 0; p < ImageSet.IMAGE_SIZE; p++) mean[set.labels()[i]][p] += set.pixels()[i * ImageSet.IMAGE_SIZE + p] / 8;
        }
        for (int a = 0; a < k; a++) {
            for (int b = a + 1; b < k; b++) {
                double d = 0;
                for (int p = 0; p < ImageSet.IMAGE_SIZE; p++) d += Math.abs(mean[a][p] - mean[b][p]);
                assertTrue(d / ImageSet.IMAGE_SIZE > 1e-3, task.name() + ": classes " + a + " and " + b);
            }
        }
    }

    static double std(float[] x) {
        double m = 0, s = 0;
        for (float v : x) m += v;
        m /= x.length;
        for (float v : x) s += (v - m) * (v - m);
        return Math.sqrt(s / x.length);
    }
}
