package adamerge.study.data;

import java.util.List;
import java.util.SplittableRandom;

/**
 * A seeded generator of one synthetic image-classification task.
 *
 * <p>Image {@code i} of {@code generate(n, seed)} depends only on {@code seed} and {@code i}
 * (its own {@link SplittableRandom}), so the same seed gives byte-identical sets and a larger
 * set starts with the images of a smaller one only in label order, not by construction.
 * Labels are balanced (counts differ by at most one) and shuffled with the seed.
 */
public abstract class SyntheticTask {
    private final String name;
    private final List<String> classNames;

    protected SyntheticTask(String name, List<String> classNames) {
        this.name = name;
        this.classNames = List.copyOf(classNames);
    }

    public final String name() {
        return name;
    }

    public final List<String> classNames() {
        return classNames;
    }

    /** Draws one image of class {@code label} into {@code out[offset .. offset+3072)}, CHW in [0, 1]. */
    public abstract void render(int label, SplittableRandom rng, float[] out, int offset);

    public final ImageSet generate(int n, long seed) {
        int k = classNames().size();
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) labels[i] = i % k;
        SplittableRandom shuffle = new SplittableRandom(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = shuffle.nextInt(i + 1);
            int t = labels[i]; labels[i] = labels[j]; labels[j] = t;
        }
        float[] pixels = new float[n * ImageSet.IMAGE_SIZE];
        for (int i = 0; i < n; i++) {
            render(labels[i], new SplittableRandom(imageSeed(seed, i)), pixels, i * ImageSet.IMAGE_SIZE);
        }
        return new ImageSet(name(), classNames(), pixels, labels);
    }

    /** A well-mixed seed for image {@code i} (SplitMix64 finaliser). */
    public static long imageSeed(long seed, long i) {
        long z = seed + (i + 1) * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
