package adamerge.demo;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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

    @Test
    void unknownTaskIsNamed(@TempDir Path cache) {
        var e = assertThrows(IllegalArgumentException.class, () -> new DemoTasks(cache).load("cifar", 1, 1, 0));
        assertTrue(e.getMessage().contains("cifar"));
    }
}
