package adamerge.demo;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The eight tasks of the demo, in a fixed order, and their train/test sets.
 *
 * <ol>
 *   <li>{@code mnist}: handwritten digits, real ({@link MnistSource}).
 *   <li>{@code fashion}: Fashion-MNIST clothing, real ({@link FashionMnistSource}).
 *   <li>{@code svhn-like}: house-number digits on clutter ({@link HouseNumbers}).
 *   <li>{@code gtsrb-like}: traffic signs ({@link TrafficSigns}).
 *   <li>{@code dtd-like}: textures ({@link Textures}).
 *   <li>{@code eurosat-like}: land cover from above ({@link LandCover}).
 *   <li>{@code solids}: posed, shaded 3-D primitives ({@link ShadedSolids}).
 *   <li>{@code sun-like}: outdoor scenes ({@link OutdoorScenes}).
 * </ol>
 *
 * Every task has 10 classes. Real tasks take a seeded random subset of their own train and
 * test splits; synthetic tasks draw train and test from independent seeds derived from the
 * task name, the split and the caller's seed.
 */
public final class DemoTasks {

    public static final List<String> NAMES = List.of("mnist", "fashion", "svhn-like", "gtsrb-like",
            "dtd-like", "eurosat-like", "solids", "sun-like");
    public static final int DEFAULT_TRAIN = 4000;
    public static final int DEFAULT_TEST = 1000;

    /** One task's train and test sets. */
    public record Split(ImageSet train, ImageSet test) {}

    private final Path dataDir;
    private final Map<String, Gray28Set.Split> realData = new HashMap<>();

    /** @param dataDir cache for downloaded data, normally {@link #defaultDataDir()}. */
    public DemoTasks(Path dataDir) {
        this.dataDir = dataDir;
    }

    public static Path defaultDataDir() {
        return Path.of(System.getProperty("user.home"), ".cache", "adamerge4j", "data");
    }

    public static boolean isSynthetic(String name) {
        return !name.equals("mnist") && !name.equals("fashion");
    }

    /** The generator of a synthetic task. */
    public static SyntheticTask synthetic(String name) {
        return switch (name) {
            case "svhn-like" -> new HouseNumbers();
            case "gtsrb-like" -> new TrafficSigns();
            case "dtd-like" -> new Textures();
            case "eurosat-like" -> new LandCover();
            case "solids" -> new ShadedSolids();
            case "sun-like" -> new OutdoorScenes();
            default -> throw new IllegalArgumentException("no synthetic task '" + name + "'; synthetic tasks are "
                    + NAMES.subList(2, NAMES.size()));
        };
    }

    public Split load(String name, int trainSize, int testSize, long seed) throws IOException {
        if (!NAMES.contains(name)) throw new IllegalArgumentException("unknown task '" + name + "'; tasks are " + NAMES);
        long trainSeed = SyntheticTask.imageSeed(seed ^ name.hashCode(), -2);
        long testSeed = SyntheticTask.imageSeed(seed ^ name.hashCode(), -3);
        if (isSynthetic(name)) {
            SyntheticTask task = synthetic(name);
            return new Split(task.generate(trainSize, trainSeed), task.generate(testSize, testSeed));
        }
        Gray28Set.Split real = realData.get(name);
        if (real == null) {
            real = name.equals("mnist") ? new MnistSource(dataDir).load() : new FashionMnistSource(dataDir).load();
            realData.put(name, real);
        }
        return new Split(real.train().toImageSet(trainSize, trainSeed), real.test().toImageSet(testSize, testSeed));
    }
}
