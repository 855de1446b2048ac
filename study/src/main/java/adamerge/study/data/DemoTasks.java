package adamerge.study.data;

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

    /**
     * The disjoint parts of a task's data. {@code TRAIN} fine-tunes the task's encoder,
     * {@code VALIDATION} chooses the demo's recipe (never the test split), {@code PRETRAIN} may
     * feed pretraining, and {@code TEST} is what the study adapts on and reports. Real tasks carve
     * the first three from one seeded order of their own train split, at fixed offsets (train
     * {@code [0, 4000)}, validation {@code [4000, 5000)}, pretraining from 5000 on); the test part
     * is the data set's own test split. Synthetic tasks draw each part from its own seed.
     */
    public enum Part {
        TRAIN(0, -2), TEST(0, -3), VALIDATION(DEFAULT_TRAIN, -4), PRETRAIN(DEFAULT_TRAIN + VALIDATION_SIZE, -5);

        /** Where the part starts in the shuffled train split of a real task. */
        final int offset;
        /** The stream index that derives the part's seed for a synthetic task. */
        final long stream;

        Part(int offset, long stream) {
            this.offset = offset;
            this.stream = stream;
        }

        /** The most images a real task's train split leaves for this part. */
        int capacity(int splitSize) {
            return switch (this) {
                case TRAIN -> DEFAULT_TRAIN;
                case VALIDATION -> VALIDATION_SIZE;
                case PRETRAIN -> splitSize - offset;
                case TEST -> splitSize;
            };
        }
    }

    /** Validation images per task that the real train splits set aside. */
    public static final int VALIDATION_SIZE = 1000;

    public Split load(String name, int trainSize, int testSize, long seed) throws IOException {
        return new Split(part(name, Part.TRAIN, trainSize, seed), part(name, Part.TEST, testSize, seed));
    }

    /** {@code n} images of one part of a task's data (see {@link Part}). */
    public ImageSet part(String name, Part part, int n, long seed) throws IOException {
        if (!NAMES.contains(name)) throw new IllegalArgumentException("unknown task '" + name + "'; tasks are " + NAMES);
        long partSeed = SyntheticTask.imageSeed(seed ^ name.hashCode(), part.stream);
        if (isSynthetic(name)) return synthetic(name).generate(n, partSeed);
        Gray28Set.Split real = realData.get(name);
        if (real == null) {
            real = name.equals("mnist") ? new MnistSource(dataDir).load() : new FashionMnistSource(dataDir).load();
            realData.put(name, real);
        }
        if (part == Part.TEST) return real.test().toImageSet(n, partSeed);
        int room = part.capacity(real.train().size());
        if (n > room)
            throw new IllegalArgumentException(name + ": the " + part.name().toLowerCase(java.util.Locale.ROOT) + " part holds at most " + room
                    + " images, asked for " + n);
        // One order of the train split for all three parts (the TRAIN part's seed), cut at fixed offsets.
        long orderSeed = SyntheticTask.imageSeed(seed ^ name.hashCode(), Part.TRAIN.stream);
        return real.train().toImageSet(part.offset, part.offset + n, orderSeed);
    }
}
