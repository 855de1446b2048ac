package adamerge.study.data;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.util.SplittableRandom;

/**
 * A 32x32 RGB drawing surface shared by the generators: per-pixel writes into its packed
 * {@code int} raster and Java2D drawing through {@link #graphics()}, always with the same hints
 * (antialiasing on, pure stroke control) so output is the same on every run.
 */
final class Canvas {

    static {
        System.setProperty("java.awt.headless", "true");
    }

    static final int N = ImageSet.SIDE;

    /** Standard normal draws from a fixed seed: pixel noise picks from them, far cheaper than Box-Muller per value. */
    private static final double[] NORMALS = new double[4096];

    static {
        SplittableRandom r = new SplittableRandom(0x5EED);
        for (int i = 0; i < NORMALS.length; i++) NORMALS[i] = gaussian(r);
    }

    final BufferedImage image = new BufferedImage(N, N, BufferedImage.TYPE_INT_RGB);
    final int[] argb = ((DataBufferInt) image.getRaster().getDataBuffer()).getData();

    Graphics2D graphics() {
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
        g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
        return g;
    }

    void set(int x, int y, double r, double g, double b) {
        argb[y * N + x] = rgb(r, g, b);
    }

    void set(int x, int y, double[] c) {
        argb[y * N + x] = rgb(c[0], c[1], c[2]);
    }

    /** 3x3 box blur of the whole canvas, edges clamped. */
    void blur() {
        int[] src = argb.clone();
        for (int y = 0; y < N; y++) {
            for (int x = 0; x < N; x++) {
                int r = 0, g = 0, b = 0;
                for (int dy = -1; dy <= 1; dy++) {
                    for (int dx = -1; dx <= 1; dx++) {
                        int c = src[Math.clamp(y + dy, 0, N - 1) * N + Math.clamp(x + dx, 0, N - 1)];
                        r += (c >> 16) & 0xff; g += (c >> 8) & 0xff; b += c & 0xff;
                    }
                }
                argb[y * N + x] = (r / 9) << 16 | (g / 9) << 8 | (b / 9);
            }
        }
    }

    /**
     * Copies the canvas into {@code out} as CHW floats, scaling by {@code gain} and adding
     * Gaussian pixel noise of standard deviation {@code noise}, clamped to [0, 1].
     */
    void writeTo(float[] out, int offset, double gain, double noise, SplittableRandom rng) {
        int plane = ImageSet.PLANE;
        for (int p = 0; p < plane; p++) {
            int c = argb[p];
            for (int ch = 0; ch < 3; ch++) {
                double v = ((c >> (16 - 8 * ch)) & 0xff) / 255.0 * gain;
                if (noise > 0) v += noise * NORMALS[rng.nextInt(NORMALS.length)];
                out[offset + ch * plane + p] = (float) Math.clamp(v, 0.0, 1.0);
            }
        }
    }

    static int rgb(double r, double g, double b) {
        return to8(r) << 16 | to8(g) << 8 | to8(b);
    }

    static Color color(double[] c) {
        return new Color(rgb(c[0], c[1], c[2]));
    }

    private static int to8(double v) {
        return (int) Math.round(Math.clamp(v, 0.0, 1.0) * 255);
    }

    /** HSV (all in [0, 1]) to RGB. */
    static double[] hsv(double h, double s, double v) {
        h = (h - Math.floor(h)) * 6;
        int i = (int) h;
        double f = h - i, p = v * (1 - s), q = v * (1 - s * f), t = v * (1 - s * (1 - f));
        return switch (i) {
            case 0 -> new double[] {v, t, p};
            case 1 -> new double[] {q, v, p};
            case 2 -> new double[] {p, v, t};
            case 3 -> new double[] {p, q, v};
            case 4 -> new double[] {t, p, v};
            default -> new double[] {v, p, q};
        };
    }

    /** Rec. 601 luma. */
    static double luma(double[] c) {
        return 0.299 * c[0] + 0.587 * c[1] + 0.114 * c[2];
    }

    static double[] mix(double[] a, double[] b, double t) {
        return new double[] {a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t};
    }

    /** Jitters each channel of {@code c} by up to +-{@code amount}. */
    static double[] jitter(double[] c, double amount, SplittableRandom rng) {
        return new double[] {c[0] + rng.nextDouble(-amount, amount), c[1] + rng.nextDouble(-amount, amount),
                c[2] + rng.nextDouble(-amount, amount)};
    }

    /** Standard normal draw (Box-Muller), deterministic for a given generator. */
    static double gaussian(SplittableRandom rng) {
        double u = 1.0 - rng.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.nextDouble());
    }
}
