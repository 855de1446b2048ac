package adamerge.study.data;

import java.util.List;
import java.util.SplittableRandom;

/**
 * EuroSAT-like land-cover tiles seen from above, with EuroSAT's ten classes built per pixel
 * from seeded value noise and rotated coordinates: crop fields (patches of colour with fine
 * rows), forest (dark high-frequency crowns), herbaceous vegetation (patchy olive), highway
 * (a grey band, sometimes bent, across vegetation), industrial (large pale roofs and lots),
 * pasture (smooth light green), permanent crop (orchard dot lattice on soil), residential
 * (street grid with small roofs and gardens), river (a meandering dark band) and sea/lake
 * (water, sometimes with a shore). Nuisance: orientation, scales, jittered colours, haze,
 * gain and pixel noise; vegetation classes look alike on purpose, as in EuroSAT.
 */
final class LandCover extends SyntheticTask {

    private static final List<String> CLASSES = List.of("annual-crop", "forest", "herbaceous", "highway",
            "industrial", "pasture", "permanent-crop", "residential", "river", "sea-lake");

    LandCover() {
        super("eurosat-like", CLASSES);
    }

    @Override
    public void render(int label, SplittableRandom rng, float[] out, int offset) {
        double theta = rng.nextDouble(Math.PI), cos = Math.cos(theta), sin = Math.sin(theta);
        ValueNoise noise = new ValueNoise(rng.nextLong());
        long hashSeed = rng.nextLong();
        double s = rng.nextDouble(0.7, 1.4);
        double[] green = Canvas.jitter(new double[] {0.32, 0.45, 0.22}, 0.07, rng);
        double[] dark = Canvas.jitter(new double[] {0.1, 0.22, 0.1}, 0.04, rng);
        double[] soil = Canvas.jitter(new double[] {0.5, 0.4, 0.28}, 0.07, rng);
        double[] grey = Canvas.jitter(new double[] {0.55, 0.55, 0.55}, 0.08, rng);
        double[] water = Canvas.jitter(new double[] {0.07, 0.18, 0.3}, 0.05, rng);
        double period = rng.nextDouble(7, 12), width = rng.nextDouble(1.2, 3.2);
        double bend = rng.nextDouble() < 0.5 ? 0 : rng.nextDouble(1, 4), wavelength = rng.nextDouble(14, 30);
        double offsetV = rng.nextDouble(-6, 6), phase = rng.nextDouble(2 * Math.PI);
        double shoreLevel = rng.nextDouble() < 0.5 ? rng.nextDouble(-0.6, -0.2) : -9;
        double[] haze = {0.6, 0.62, 0.68};
        double hazeAmount = rng.nextDouble(0, 0.3);
        Canvas canvas = new Canvas();
        for (int y = 0; y < Canvas.N; y++) {
            for (int x = 0; x < Canvas.N; x++) {
                double u = ((x - 16) * cos + (y - 16) * sin) / s, v = (-(x - 16) * sin + (y - 16) * cos) / s;
                double n1 = noise.fbm(x * 0.12, y * 0.12, 3), n2 = noise.fbm(x * 0.5 + 40, y * 0.5, 2);
                double[] c = switch (label) {
                    case 0 -> {
                        int field = (int) Math.floor(u / period) * 31 + (int) Math.floor(v / (period * 1.7));
                        double[] base = pick(hash(hashSeed, field), green, soil, new double[] {0.6, 0.55, 0.3});
                        yield Canvas.mix(base, dark, 0.25 * band(v / 2.2));
                    }
                    case 1 -> Canvas.mix(dark, Canvas.mix(dark, green, 0.5), n2 * 1.4 - 0.2);
                    case 2 -> Canvas.mix(Canvas.mix(green, soil, 0.45), dark, Math.max(0, n2 - 0.55) * 2 + 0.3 * n1);
                    case 3 -> {
                        double[] land = Canvas.mix(green, soil, n1);
                        double d = Math.abs(v - offsetV - bend * Math.sin(u / wavelength * 2 * Math.PI + phase));
                        yield d < width ? (d < 0.35 && width > 2 ? new double[] {0.8, 0.8, 0.75} : grey) : land;
                    }
                    case 4 -> {
                        double bu = mod(u, period * 1.6), bv = mod(v, period * 1.3);
                        int lot = (int) Math.floor(u / (period * 1.6)) * 17 + (int) Math.floor(v / (period * 1.3));
                        double h = hash(hashSeed, lot);
                        if (bu < 1.5 || bv < 1.5) yield Canvas.mix(grey, new double[3], 0.4);
                        yield h < 0.7 ? Canvas.mix(grey, new double[] {0.85, 0.85, 0.88}, h) : Canvas.mix(soil, grey, 0.5);
                    }
                    case 5 -> Canvas.mix(Canvas.mix(green, new double[] {0.5, 0.65, 0.3}, 0.5), green, n1 * 0.6);
                    case 6 -> {
                        double du = mod(u, 3.6) - 1.8, dv = mod(v, 3.6) - 1.8;
                        yield du * du + dv * dv < 1.6 ? dark : Canvas.mix(soil, green, 0.3 * n1);
                    }
                    case 7 -> {
                        double bu = mod(u, period), bv = mod(v, period);
                        if (bu < 1.4 || bv < 1.4) yield grey;
                        int house = (int) Math.floor(u / (period / 2)) * 13 + (int) Math.floor(v / (period / 2));
                        double h = hash(hashSeed, house);
                        yield h < 0.55 ? pick(h / 0.55, new double[] {0.65, 0.3, 0.25}, new double[] {0.7, 0.7, 0.7},
                                new double[] {0.45, 0.35, 0.35}) : Canvas.mix(green, dark, n2);
                    }
                    case 8 -> {
                        double[] land = Canvas.mix(Canvas.mix(green, soil, n1), dark, 0.5 * n2);
                        double d = Math.abs(v - offsetV - (bend + 2) * Math.sin(u / wavelength * 2 * Math.PI + phase));
                        yield d < width + 0.5 ? Canvas.mix(water, land, 0.15 * n2) : land;
                    }
                    default -> {
                        double shore = n1 - 0.5 + shoreLevel + 0.04 * u;
                        yield shore > 0 ? Canvas.mix(green, soil, n2) : Canvas.mix(water, new double[] {0.1, 0.3, 0.35}, 0.4 * n1);
                    }
                };
                canvas.set(x, y, Canvas.mix(c, haze, hazeAmount));
            }
        }
        canvas.writeTo(out, offset, rng.nextDouble(0.8, 1.25), rng.nextDouble(0.01, 0.03), rng);
    }

    private static double mod(double a, double m) {
        return a - m * Math.floor(a / m);
    }

    private static double band(double t) {
        return t - Math.floor(t) < 0.5 ? 1 : 0;
    }

    private static double[] pick(double h, double[]... options) {
        return options[Math.min(options.length - 1, (int) (h * options.length))];
    }

    private static double hash(long seed, long k) {
        long h = seed ^ (k * 0x9E3779B97F4A7C15L);
        h = (h ^ (h >>> 31)) * 0xBF58476D1CE4E5B9L;
        h = (h ^ (h >>> 29)) * 0x94D049BB133111EBL;
        return ((h ^ (h >>> 32)) >>> 11) * 0x1.0p-53;
    }
}
