package adamerge.study.data;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.SplittableRandom;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Pure implementations of the seven {@link Corruption}s on a 32x32 CHW image in [0, 1]
 * following CIFAR-10-C's {@code make_cifar_c.py}; each returns a new array clamped to [0, 1]
 * and depends only on the image, the severity (1..5) and the seed.
 */
public final class Corruptions {

    private static final int N = ImageSet.SIDE, PLANE = ImageSet.PLANE, SIZE = ImageSet.IMAGE_SIZE;

    private static final double[] GAUSSIAN_SIGMA = {0.04, 0.06, 0.08, 0.09, 0.10};
    private static final double[] IMPULSE_AMOUNT = {0.01, 0.02, 0.03, 0.05, 0.07};
    private static final double[][] MOTION = {{6, 1}, {6, 1.5}, {6, 2}, {8, 2}, {9, 2.5}};
    private static final double[] CONTRAST = {0.75, 0.5, 0.4, 0.3, 0.15};
    private static final int[] JPEG_QUALITY = {80, 65, 58, 50, 40};
    private static final double[] PIXELATE = {0.95, 0.9, 0.85, 0.75, 0.65};
    /** loc, scale, sigma, threshold, intensity, mode (0 water, 1 mud), as CIFAR-10-C. */
    private static final double[][] SPATTER = {
            {0.62, 0.1, 0.7, 0.7, 0.5, 0}, {0.65, 0.1, 0.8, 0.7, 0.5, 0}, {0.65, 0.3, 1.0, 0.69, 0.5, 0},
            {0.65, 0.1, 0.7, 0.69, 0.6, 1}, {0.65, 0.1, 0.5, 0.68, 0.6, 1}};

    private Corruptions() {}

    /** A corrupted copy of every image of {@code set}; image i uses a seed derived from {@code seed} and i. */
    public static ImageSet apply(ImageSet set, Corruption kind, int severity, long seed) {
        float[] out = new float[set.pixels().length];
        for (int i = 0; i < set.size(); i++) {
            float[] img = apply(kind, set.image(i), severity, SyntheticTask.imageSeed(seed, i));
            System.arraycopy(img, 0, out, i * SIZE, SIZE);
        }
        return set.withPixels(out);
    }

    static float[] apply(Corruption kind, float[] chw, int severity, long seed) {
        if (chw.length != SIZE) throw new IllegalArgumentException("image has " + chw.length + " floats, expected 3x32x32 = " + SIZE);
        if (severity < 1 || severity > 5) throw new IllegalArgumentException("severity " + severity + " is outside 1..5");
        int s = severity - 1;
        SplittableRandom rng = new SplittableRandom(seed);
        return switch (kind) {
            case GAUSSIAN_NOISE -> gaussianNoise(chw, GAUSSIAN_SIGMA[s], rng);
            case IMPULSE_NOISE -> impulseNoise(chw, IMPULSE_AMOUNT[s], rng);
            case MOTION_BLUR -> motionBlur(chw, (int) MOTION[s][0], MOTION[s][1], rng.nextDouble(-45, 45));
            case CONTRAST -> contrast(chw, CONTRAST[s]);
            case JPEG -> jpeg(chw, JPEG_QUALITY[s]);
            case PIXELATE -> pixelate(chw, PIXELATE[s]);
            case SPATTER -> spatter(chw, SPATTER[s], rng);
        };
    }

    static float[] gaussianNoise(float[] x, double sigma, SplittableRandom rng) {
        float[] out = new float[SIZE];
        for (int i = 0; i < SIZE; i++) out[i] = clamp(x[i] + sigma * Canvas.gaussian(rng));
        return out;
    }

    /** skimage {@code random_noise(mode='s&p')}: each value becomes 0 or 1 (even odds) with probability {@code amount}. */
    static float[] impulseNoise(float[] x, double amount, SplittableRandom rng) {
        float[] out = x.clone();
        for (int i = 0; i < SIZE; i++) {
            if (rng.nextDouble() < amount) out[i] = rng.nextBoolean() ? 1f : 0f;
        }
        return out;
    }

    /**
     * ImageMagick-style motion blur as used by CIFAR-C: the pixel averages the image at
     * 0..radius-1 pixels behind it along the angle, weighted exp(-k^2 / (2 sigma^2)) and
     * normalised; samples are bilinear, edges clamped.
     */
    static float[] motionBlur(float[] x, int radius, double sigma, double angleDegrees) {
        double a = Math.toRadians(angleDegrees), dx = Math.cos(a), dy = Math.sin(a);
        double[] w = new double[radius];
        double sum = 0;
        for (int k = 0; k < radius; k++) sum += w[k] = Math.exp(-k * k / (2 * sigma * sigma));
        float[] out = new float[SIZE];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < N; y++) {
                for (int xx = 0; xx < N; xx++) {
                    double v = 0;
                    for (int k = 0; k < radius; k++) v += w[k] * bilinear(x, c, xx - k * dx, y - k * dy);
                    out[c * PLANE + y * N + xx] = clamp(v / sum);
                }
            }
        }
        return out;
    }

    static float[] contrast(float[] x, double c) {
        float[] out = new float[SIZE];
        for (int ch = 0; ch < 3; ch++) {
            double mean = 0;
            for (int p = 0; p < PLANE; p++) mean += x[ch * PLANE + p];
            mean /= PLANE;
            for (int p = 0; p < PLANE; p++) out[ch * PLANE + p] = clamp((x[ch * PLANE + p] - mean) * c + mean);
        }
        return out;
    }

    /** A real codec round trip: 8-bit RGB encoded by the JDK's JPEG writer (4:2:0 YCbCr) and decoded again. */
    static float[] jpeg(float[] x, int quality) {
        try {
            BufferedImage img = ImageSet.toBufferedImage(x, 0);
            ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(quality / 100f);
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (MemoryCacheImageOutputStream stream = new MemoryCacheImageOutputStream(bytes)) {
                writer.setOutput(stream);
                writer.write(null, new IIOImage(img, null, null), param);
            } finally {
                writer.dispose();
            }
            BufferedImage back = ImageIO.read(new ByteArrayInputStream(bytes.toByteArray()));
            return ImageSet.fromBufferedImage(back);
        } catch (IOException e) {
            throw new UncheckedIOException("JPEG round trip at quality " + quality + " failed", e);
        }
    }

    /** Box filter down to int(32 c) pixels a side (PIL BOX), then nearest neighbour back to 32. */
    static float[] pixelate(float[] x, double c) {
        int m = (int) (N * c);
        double step = (double) N / m;
        float[] small = new float[3 * m * m];
        for (int ch = 0; ch < 3; ch++) {
            for (int j = 0; j < m; j++) {
                for (int i = 0; i < m; i++) {
                    // area-weighted mean of the source pixels covering [i*step, (i+1)*step)
                    double v = 0, area = 0;
                    for (int y = (int) (j * step); y < Math.min(N, Math.ceil((j + 1) * step)); y++) {
                        double wy = Math.min(y + 1, (j + 1) * step) - Math.max(y, j * step);
                        for (int xx = (int) (i * step); xx < Math.min(N, Math.ceil((i + 1) * step)); xx++) {
                            double wx = Math.min(xx + 1, (i + 1) * step) - Math.max(xx, i * step);
                            v += wx * wy * x[ch * PLANE + y * N + xx];
                            area += wx * wy;
                        }
                    }
                    small[ch * m * m + j * m + i] = (float) (v / area);
                }
            }
        }
        float[] out = new float[SIZE];
        for (int ch = 0; ch < 3; ch++) {
            for (int y = 0; y < N; y++) {
                for (int xx = 0; xx < N; xx++) {
                    int sy = Math.min(m - 1, (int) ((y + 0.5) * m / N)), sx = Math.min(m - 1, (int) ((xx + 0.5) * m / N));
                    out[ch * PLANE + y * N + xx] = clamp(small[ch * m * m + sy * m + sx]);
                }
            }
        }
        return out;
    }

    /**
     * CIFAR-10-C spatter. A liquid layer N(loc, scale^2) per pixel is Gaussian-blurred
     * (sigma) and zeroed below the threshold. Mud (as CIFAR-C): the mask (layer > threshold)
     * is blurred with sigma = intensity, zeroed below 0.8, and blends the pixel towards brown
     * (63, 42, 20)/255. Water, simplified: CIFAR-C shapes the drops with Canny edges, a
     * distance transform, histogram equalisation and an emboss kernel (OpenCV); here the
     * layer is blurred with a 3x3 box, normalised by its maximum, scaled by intensity and adds
     * pale turquoise (175, 238, 238)/255, which keeps the drops' placement and strength but
     * not their embossed rims.
     */
    static float[] spatter(float[] x, double[] p, SplittableRandom rng) {
        double loc = p[0], scale = p[1], sigma = p[2], threshold = p[3], intensity = p[4];
        double[] layer = new double[PLANE];
        for (int i = 0; i < PLANE; i++) layer[i] = loc + scale * Canvas.gaussian(rng);
        layer = gaussianBlur(layer, sigma);
        for (int i = 0; i < PLANE; i++) if (layer[i] < threshold) layer[i] = 0;
        float[] out = new float[SIZE];
        if (p[5] == 0) {
            double[] m = boxBlur3(layer);
            double max = 0;
            for (double v : m) max = Math.max(max, v);
            double[] color = {175 / 255.0, 238 / 255.0, 238 / 255.0};
            for (int ch = 0; ch < 3; ch++) {
                for (int i = 0; i < PLANE; i++) {
                    double w = max > 0 ? m[i] / max * intensity : 0;
                    out[ch * PLANE + i] = clamp(x[ch * PLANE + i] + w * color[ch]);
                }
            }
        } else {
            double[] mask = new double[PLANE];
            for (int i = 0; i < PLANE; i++) mask[i] = layer[i] > threshold ? 1 : 0;
            mask = gaussianBlur(mask, intensity);
            double[] color = {63 / 255.0, 42 / 255.0, 20 / 255.0};
            for (int i = 0; i < PLANE; i++) if (mask[i] < 0.8) mask[i] = 0;
            for (int ch = 0; ch < 3; ch++) {
                for (int i = 0; i < PLANE; i++) {
                    out[ch * PLANE + i] = clamp(x[ch * PLANE + i] * (1 - mask[i]) + color[ch] * mask[i]);
                }
            }
        }
        return out;
    }

    /** Separable Gaussian blur of a 32x32 plane, kernel truncated at 4 sigma, edges clamped (skimage's defaults). */
    static double[] gaussianBlur(double[] plane, double sigma) {
        int r = Math.max(1, (int) Math.ceil(4 * sigma));
        double[] k = new double[2 * r + 1];
        double sum = 0;
        for (int i = -r; i <= r; i++) sum += k[i + r] = Math.exp(-i * i / (2 * sigma * sigma));
        for (int i = 0; i < k.length; i++) k[i] /= sum;
        double[] tmp = new double[PLANE], out = new double[PLANE];
        for (int y = 0; y < N; y++) {
            for (int x = 0; x < N; x++) {
                double v = 0;
                for (int i = -r; i <= r; i++) v += k[i + r] * plane[y * N + Math.clamp(x + i, 0, N - 1)];
                tmp[y * N + x] = v;
            }
        }
        for (int y = 0; y < N; y++) {
            for (int x = 0; x < N; x++) {
                double v = 0;
                for (int i = -r; i <= r; i++) v += k[i + r] * tmp[Math.clamp(y + i, 0, N - 1) * N + x];
                out[y * N + x] = v;
            }
        }
        return out;
    }

    private static double[] boxBlur3(double[] plane) {
        double[] out = new double[PLANE];
        for (int y = 0; y < N; y++) {
            for (int x = 0; x < N; x++) {
                double v = 0;
                for (int dy = -1; dy <= 1; dy++) {
                    for (int dx = -1; dx <= 1; dx++) v += plane[Math.clamp(y + dy, 0, N - 1) * N + Math.clamp(x + dx, 0, N - 1)];
                }
                out[y * N + x] = v / 9;
            }
        }
        return out;
    }

    private static double bilinear(float[] img, int c, double x, double y) {
        x = Math.clamp(x, 0, N - 1);
        y = Math.clamp(y, 0, N - 1);
        int x0 = (int) x, y0 = (int) y, x1 = Math.min(x0 + 1, N - 1), y1 = Math.min(y0 + 1, N - 1);
        double fx = x - x0, fy = y - y0;
        int base = c * PLANE;
        double top = img[base + y0 * N + x0] * (1 - fx) + img[base + y0 * N + x1] * fx;
        double bottom = img[base + y1 * N + x0] * (1 - fx) + img[base + y1 * N + x1] * fx;
        return top + (bottom - top) * fy;
    }

    private static float clamp(double v) {
        return (float) Math.clamp(v, 0.0, 1.0);
    }
}
