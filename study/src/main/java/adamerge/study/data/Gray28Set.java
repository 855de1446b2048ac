package adamerge.study.data;

import java.util.List;
import java.util.SplittableRandom;

/**
 * Grayscale 28x28 images as read from MNIST-style data, one byte per pixel (0 = black), kept
 * compact until a subset is turned into 32x32 RGB by {@link #toImageSet}.
 */
public record Gray28Set(String task, List<String> classNames, byte[] pixels, int[] labels) {

    public static final int SIDE = 28;
    public static final int SIZE = SIDE * SIDE;

    public Gray28Set {
        classNames = List.copyOf(classNames);
        if (pixels.length != labels.length * SIZE) {
            throw new IllegalArgumentException(task + ": " + pixels.length + " bytes for " + labels.length
                    + " images of 28x28");
        }
    }

    public int size() {
        return labels.length;
    }

    /**
     * {@code n} images in an order shuffled by {@code seed}, as 32x32 RGB: the 28x28 digit is
     * centred with 2 black pixels of padding on each side (no resampling) and copied to R, G, B.
     */
    public ImageSet toImageSet(int n, long seed) {
        return toImageSet(0, n, seed);
    }

    /**
     * Images {@code from .. to-1} of the order shuffled by {@code seed}, as {@link #toImageSet(int, long)}:
     * disjoint ranges of one seed's order are disjoint subsets of the split (the demo carves its
     * train, validation and pretraining parts from the train split this way).
     */
    public ImageSet toImageSet(int from, int to, long seed) {
        if (from < 0 || to < from || to > size()) {
            throw new IllegalArgumentException(task + ": asked for images " + from + ".." + to + " of a split of " + size());
        }
        int n = to - from;
        int[] order = new int[size()];
        for (int i = 0; i < order.length; i++) order[i] = i;
        SplittableRandom rng = new SplittableRandom(seed);
        for (int i = order.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = order[i]; order[i] = order[j]; order[j] = t;
        }
        float[] out = new float[n * ImageSet.IMAGE_SIZE];
        int[] lb = new int[n];
        int pad = (ImageSet.SIDE - SIDE) / 2;
        for (int k = 0; k < n; k++) {
            int src = order[from + k] * SIZE, dst = k * ImageSet.IMAGE_SIZE;
            lb[k] = labels[order[from + k]];
            for (int y = 0; y < SIDE; y++) {
                for (int x = 0; x < SIDE; x++) {
                    float v = (pixels[src + y * SIDE + x] & 0xff) / 255f;
                    int p = (y + pad) * ImageSet.SIDE + x + pad;
                    out[dst + p] = v;
                    out[dst + ImageSet.PLANE + p] = v;
                    out[dst + 2 * ImageSet.PLANE + p] = v;
                }
            }
        }
        return new ImageSet(task, classNames, out, lb);
    }

    /** Train and test halves of one data set. */
    public record Split(Gray28Set train, Gray28Set test) {}
}
