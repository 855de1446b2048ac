package adamerge.study.data;

import java.util.List;
import java.util.SplittableRandom;

/**
 * DTD-like textures: each class is a procedural pattern evaluated per pixel in rotated
 * coordinates (striped, checkered, dotted lattice, wavy, zigzag, cross-hatched, blotchy value
 * noise, concentric rings, marbled turbulence, random speckles). Nuisance: orientation, period
 * (3.5-10 px), phase, duty cycle, edge softness, two random colours of random contrast, a
 * lighting gradient and pixel noise. Texture classes sit close to each other (stripes vs
 * wavy vs marbled, dotted vs speckled, checkered vs cross-hatched), as in DTD.
 */
final class Textures extends SyntheticTask {

    private static final List<String> CLASSES = List.of("striped", "checkered", "dotted", "wavy",
            "zigzagged", "crosshatched", "blotchy", "ringed", "marbled", "speckled");

    Textures() {
        super("dtd-like", CLASSES);
    }

    @Override
    public void render(int label, SplittableRandom rng, float[] out, int offset) {
        double theta = rng.nextDouble(Math.PI), cos = Math.cos(theta), sin = Math.sin(theta);
        double period = rng.nextDouble(3.5, 10), phase = rng.nextDouble(1), duty = rng.nextDouble(0.3, 0.6);
        double soft = rng.nextDouble(0.02, 0.25);
        double amp = rng.nextDouble(0.15, 0.45) * period * 2, wave = rng.nextDouble(8, 24);
        double ox = rng.nextDouble(-20, 52), oy = rng.nextDouble(-20, 52);
        ValueNoise noise = new ValueNoise(rng.nextLong());
        double noiseScale = rng.nextDouble(0.1, 0.3), turbulence = rng.nextDouble(1.0, 2.2);
        double[] bg = Canvas.hsv(rng.nextDouble(), rng.nextDouble(0.0, 0.8), rng.nextDouble(0.1, 0.95));
        double[] fg = Canvas.hsv(rng.nextDouble(), rng.nextDouble(0.0, 0.8), rng.nextDouble(0.1, 0.95));
        if (Math.abs(Canvas.luma(fg) - Canvas.luma(bg)) < 0.15) fg = Canvas.mix(fg, Canvas.luma(bg) > 0.5 ? new double[3] : new double[] {1, 1, 1}, 0.5);
        double slope = rng.nextDouble(-0.015, 0.015);
        long speckleSeed = rng.nextLong();
        Canvas canvas = new Canvas();
        for (int y = 0; y < Canvas.N; y++) {
            for (int x = 0; x < Canvas.N; x++) {
                double u = (x * cos + y * sin) / period + phase, v = (-x * sin + y * cos) / period;
                double value = switch (label) {
                    case 0 -> band(u, duty, soft);
                    case 1 -> xor(band(u, 0.5, soft), band(v, 0.5, soft));
                    case 2 -> dot(u, v, duty * 0.6, soft);
                    case 3 -> band(u + amp / period * Math.sin(2 * Math.PI * v * period / wave), duty, soft);
                    case 4 -> band(u + amp / period * triangle(v * period / wave), duty, soft);
                    case 5 -> Math.max(band(u, duty * 0.5, soft), band(v, duty * 0.5, soft));
                    case 6 -> smooth((noise.fbm(x * noiseScale, y * noiseScale, 3) - 0.5) / (soft * 0.5 + 0.02));
                    case 7 -> band(Math.hypot(x - ox, y - oy) / period + phase, duty, soft);
                    case 8 -> band(u + turbulence * noise.fbm(x * noiseScale, y * noiseScale, 4), duty, soft);
                    default -> speckle(x, y, speckleSeed, duty);
                };
                double light = 1 + slope * (x - 16);
                double[] c = Canvas.mix(bg, fg, value);
                canvas.set(x, y, c[0] * light, c[1] * light, c[2] * light);
            }
        }
        canvas.writeTo(out, offset, rng.nextDouble(0.8, 1.15), rng.nextDouble(0.01, 0.05), rng);
    }

    /** 1 inside the first {@code duty} of each unit period of {@code t}, 0 outside, edges softened. */
    private static double band(double t, double duty, double soft) {
        double f = t - Math.floor(t);
        double d = Math.min(f, duty - f);
        if (f > duty) d = -Math.min(f - duty, 1 - f);
        return smooth(d / soft);
    }

    private static double dot(double u, double v, double radius, double soft) {
        double du = u - Math.floor(u) - 0.5, dv = v - Math.floor(v) - 0.5;
        return smooth((radius * 0.7 - Math.hypot(du, dv)) / soft);
    }

    private static double xor(double a, double b) {
        return a + b - 2 * a * b;
    }

    private static double triangle(double t) {
        double f = t - Math.floor(t);
        return 4 * Math.abs(f - 0.5) - 1;
    }

    private static double smooth(double s) {
        return Math.clamp(0.5 + 0.5 * s, 0.0, 1.0);
    }

    /** About {@code density}/5 of 2x2 cells hold a dot of hashed size. */
    private static double speckle(int x, int y, long seed, double density) {
        int cx = x >> 1, cy = y >> 1;
        long h = seed ^ (cx * 0x9E3779B97F4A7C15L) ^ (cy * 0xC2B2AE3D27D4EB4FL);
        h = (h ^ (h >>> 31)) * 0xBF58476D1CE4E5B9L;
        h ^= h >>> 29;
        double p = (h >>> 11) * 0x1.0p-53;
        return p < density * 0.4 ? 1 : 0;
    }
}
