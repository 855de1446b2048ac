package adamerge.study.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;

import static org.junit.jupiter.api.Assertions.*;

class DemoTasksTest {

    @Test
    void eightDistinctTasksInFixedOrder() {
        assertEquals(8, DemoTasks.NAMES.size());
        assertEquals(8, new HashSet<>(DemoTasks.NAMES).size());
        assertEquals("mnist", DemoTasks.NAMES.get(0));
        assertEquals("fashion", DemoTasks.NAMES.get(1));
        assertEquals(6, DemoTasks.NAMES.stream().filter(DemoTasks::isSynthetic).count());
    }

    @Test
    void syntheticSplitsHaveTheAskedSizesAndDifferentImages(@TempDir Path cache) throws IOException {
        DemoTasks tasks = new DemoTasks(cache);
        for (String name : DemoTasks.NAMES) {
            if (!DemoTasks.isSynthetic(name)) continue;
            DemoTasks.Split split = tasks.load(name, 30, 20, 1);
            assertEquals(30, split.train().size());
            assertEquals(20, split.test().size());
            assertEquals(10, split.train().numClasses(), name);
            assertNotEquals(split.train().image(0)[100], split.test().image(0)[100], name);
            assertArrayEquals(split.train().pixels(), tasks.load(name, 30, 20, 1).train().pixels(), name);
        }
    }

    /** The images of a set as strings of their pixels, to compare sets by content. */
    private static java.util.Set<String> contents(ImageSet set) {
        java.util.Set<String> out = new HashSet<>();
        for (int i = 0; i < set.size(); i++) out.add(java.util.Arrays.toString(set.image(i)));
        return out;
    }

    private static void assertDisjoint(ImageSet a, ImageSet b, String what) {
        java.util.Set<String> common = contents(a);
        common.retainAll(contents(b));
        assertTrue(common.isEmpty(), what + ": " + common.size() + " images in both");
    }

    @Test
    void rangesOfOneShuffledOrderAreDisjointAndTileIt() {
        int n = 12;
        byte[] px = new byte[n * Gray28Set.SIZE];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            px[i * Gray28Set.SIZE] = (byte) (i + 1); // image i is told apart by its first pixel
            labels[i] = i % 3;
        }
        Gray28Set set = new Gray28Set("toy", java.util.List.of("a", "b", "c"), px, labels);
        ImageSet all = set.toImageSet(9, 5), first = set.toImageSet(0, 4, 5), second = set.toImageSet(4, 9, 5);
        assertDisjoint(first, second, "ranges");
        for (int i = 0; i < 9; i++) {
            ImageSet part = i < 4 ? first : second;
            assertArrayEquals(all.image(i), part.image(i < 4 ? i : i - 4), "image " + i);
            assertEquals(all.labels()[i], part.labels()[i < 4 ? i : i - 4]);
        }
        assertThrows(IllegalArgumentException.class, () -> set.toImageSet(10, 13, 5));
    }

    @Test
    void syntheticPartsShareNoImageWithTheTestSplit(@TempDir Path cache) throws IOException {
        DemoTasks tasks = new DemoTasks(cache);
        for (String name : DemoTasks.NAMES) {
            if (!DemoTasks.isSynthetic(name)) continue;
            ImageSet test = tasks.part(name, DemoTasks.Part.TEST, 200, 2024);
            for (DemoTasks.Part p : java.util.List.of(DemoTasks.Part.TRAIN, DemoTasks.Part.VALIDATION, DemoTasks.Part.PRETRAIN))
                assertDisjoint(tasks.part(name, p, 200, 2024), test, name + " " + p);
            assertDisjoint(tasks.part(name, DemoTasks.Part.TRAIN, 200, 2024), tasks.part(name, DemoTasks.Part.VALIDATION, 200, 2024), name);
        }
    }

    /** The shipped recipe's real parts at their full sizes: train, validation and pretraining images never meet the test split. */
    @Test
    void realPartsAtTheRecipesSizesShareNoImage() throws IOException {
        DemoTasks tasks = new DemoTasks(DemoTasks.defaultDataDir());
        org.junit.jupiter.api.Assumptions.assumeTrue(new MnistSource(DemoTasks.defaultDataDir()).isCached()
                && (java.nio.file.Files.isDirectory(FashionMnistSource.SYSTEM_DIR)
                || java.nio.file.Files.isDirectory(DemoTasks.defaultDataDir().resolve("fashion-mnist-deb"))), "skipped: the real data sets are not cached (run bin/adamerge demo once)");
        var r = adamerge.study.models.Recipe.STANDARD;
        for (String name : java.util.List.of("mnist", "fashion")) {
            ImageSet train = tasks.part(name, DemoTasks.Part.TRAIN, r.trainPerTask(), r.dataSeed());
            ImageSet val = tasks.part(name, DemoTasks.Part.VALIDATION, DemoTasks.VALIDATION_SIZE, r.dataSeed());
            ImageSet pre = tasks.part(name, DemoTasks.Part.PRETRAIN, r.pretrainPerTask(), r.dataSeed());
            ImageSet test = tasks.part(name, DemoTasks.Part.TEST, r.testPerTask(), r.dataSeed());
            assertArrayEquals(tasks.load(name, r.trainPerTask(), r.testPerTask(), r.dataSeed()).train().pixels(), train.pixels(), "TRAIN is load's train");
            // Exact duplicates inside MNIST's own splits exist in principle; count them against test, expecting none.
            assertDisjoint(train, test, name + " train/test");
            assertDisjoint(val, test, name + " validation/test");
            assertDisjoint(pre, test, name + " pretraining/test");
            assertDisjoint(train, val, name + " train/validation");
            assertDisjoint(train, pre, name + " train/pretraining");
            assertDisjoint(val, pre, name + " validation/pretraining");
        }
    }

    @Test
    void unknownTaskIsNamed(@TempDir Path cache) {
        var e = assertThrows(IllegalArgumentException.class, () -> new DemoTasks(cache).load("cifar", 1, 1, 0));
        assertTrue(e.getMessage().contains("cifar"));
    }
}
