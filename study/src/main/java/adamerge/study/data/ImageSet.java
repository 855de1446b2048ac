package adamerge.study.data;

import java.awt.image.BufferedImage;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * N labelled 32x32 RGB images of one task.
 *
 * <p>{@code pixels} holds the images back to back, channel-planar (NCHW): image {@code i},
 * channel {@code c}, row {@code y}, column {@code x} is at
 * {@code i*3072 + c*1024 + y*32 + x}; values are in [0, 1]. {@code labels[i]} indexes
 * {@code classNames}.
 */
public record ImageSet(String task, List<String> classNames, float[] pixels, int[] labels) {

    public static final int SIDE = 32;
    public static final int CHANNELS = 3;
    public static final int PLANE = SIDE * SIDE;
    /** Floats per image: 3 * 32 * 32. */
    public static final int IMAGE_SIZE = CHANNELS * PLANE;

    public ImageSet {
        Objects.requireNonNull(task, "task");
        classNames = List.copyOf(classNames);
        if (pixels.length != labels.length * IMAGE_SIZE) {
            throw new IllegalArgumentException("task " + task + ": " + pixels.length + " floats for "
                    + labels.length + " labels, expected " + labels.length * IMAGE_SIZE);
        }
        for (int l : labels) {
            if (l < 0 || l >= classNames.size()) {
                throw new IllegalArgumentException("task " + task + ": label " + l + " outside 0.."
                        + (classNames.size() - 1));
            }
        }
    }

    public int size() {
        return labels.length;
    }

    public int numClasses() {
        return classNames.size();
    }

    /** A copy of image {@code i}, 3072 floats CHW. */
    public float[] image(int i) {
        return Arrays.copyOfRange(pixels, i * IMAGE_SIZE, (i + 1) * IMAGE_SIZE);
    }

    /** Images {@code from} (inclusive) to {@code to} (exclusive), copied. */
    public ImageSet slice(int from, int to) {
        Objects.checkFromToIndex(from, to, size());
        return new ImageSet(task, classNames,
                Arrays.copyOfRange(pixels, from * IMAGE_SIZE, to * IMAGE_SIZE),
                Arrays.copyOfRange(labels, from, to));
    }

    /** The images at {@code indices}, in that order, copied. */
    public ImageSet select(int[] indices) {
        float[] px = new float[indices.length * IMAGE_SIZE];
        int[] lb = new int[indices.length];
        for (int k = 0; k < indices.length; k++) {
            System.arraycopy(pixels, indices[k] * IMAGE_SIZE, px, k * IMAGE_SIZE, IMAGE_SIZE);
            lb[k] = labels[indices[k]];
        }
        return new ImageSet(task, classNames, px, lb);
    }

    /** Same labels, other pixels (e.g. a corrupted copy). */
    public ImageSet withPixels(float[] newPixels) {
        return new ImageSet(task, classNames, newPixels, labels);
    }

    /** How many images each class has. */
    public int[] classCounts() {
        int[] counts = new int[numClasses()];
        for (int l : labels) counts[l]++;
        return counts;
    }

    public BufferedImage toBufferedImage(int i) {
        return toBufferedImage(pixels, i * IMAGE_SIZE);
    }

    /** Renders one CHW image starting at {@code offset} as a TYPE_INT_RGB image (rounded to 8 bits). */
    public static BufferedImage toBufferedImage(float[] chw, int offset) {
        BufferedImage img = new BufferedImage(SIDE, SIDE, BufferedImage.TYPE_INT_RGB);
        int[] argb = new int[PLANE];
        for (int p = 0; p < PLANE; p++) {
            argb[p] = to8(chw[offset + p]) << 16 | to8(chw[offset + PLANE + p]) << 8
                    | to8(chw[offset + 2 * PLANE + p]);
        }
        img.setRGB(0, 0, SIDE, SIDE, argb, 0, SIDE);
        return img;
    }

    /** Writes a 32x32 image into {@code out[offset .. offset+3072)} as CHW floats in [0, 1]. */
    public static void fromBufferedImage(BufferedImage img, float[] out, int offset) {
        if (img.getWidth() != SIDE || img.getHeight() != SIDE) {
            throw new IllegalArgumentException("image is " + img.getWidth() + "x" + img.getHeight()
                    + ", expected 32x32");
        }
        int[] argb = img.getRGB(0, 0, SIDE, SIDE, null, 0, SIDE);
        fromArgb(argb, out, offset);
    }

    public static float[] fromBufferedImage(BufferedImage img) {
        float[] out = new float[IMAGE_SIZE];
        fromBufferedImage(img, out, 0);
        return out;
    }

    static void fromArgb(int[] argb, float[] out, int offset) {
        for (int p = 0; p < PLANE; p++) {
            int c = argb[p];
            out[offset + p] = ((c >> 16) & 0xff) / 255f;
            out[offset + PLANE + p] = ((c >> 8) & 0xff) / 255f;
            out[offset + 2 * PLANE + p] = (c & 0xff) / 255f;
        }
    }

    static int to8(float v) {
        return Math.round(Math.clamp(v, 0f, 1f) * 255f);
    }
}
