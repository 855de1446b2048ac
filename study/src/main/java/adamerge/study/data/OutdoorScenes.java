package adamerge.study.data;

import java.awt.BasicStroke;
import java.awt.Graphics2D;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Line2D;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;
import java.util.List;
import java.util.SplittableRandom;

/**
 * SUN-like outdoor scenes seen from the ground: a sky (clear, overcast or dusk gradient, some
 * clouds) above a horizon at a random height (row 10-22), and per class a composition of flat
 * layers and silhouettes drawn with Java2D: beach (sea band over sand), desert (layered
 * dunes), mountains (jagged ridges, snow caps), forest (rows of conifers), city (skyline with
 * windows), field (crop rows converging to a vanishing point), lake (far shore over rippled
 * water), snowfield (white hills), night (dark sky, stars, moon, dark land) and bridge (deck,
 * piers and cables over water). Nuisance: horizon, sky type, an unrelated foreground bush or post, jittered colours, element counts
 * and sizes, mirroring, gain and pixel noise.
 */
final class OutdoorScenes extends SyntheticTask {

    private static final List<String> CLASSES = List.of("beach", "desert", "mountains", "forest", "city",
            "field", "lake", "snowfield", "night", "bridge");

    OutdoorScenes() {
        super("sun-like", CLASSES);
    }

    @Override
    public void render(int label, SplittableRandom rng, float[] out, int offset) {
        Canvas canvas = new Canvas();
        int horizon = rng.nextInt(10, 23);
        int sky = label == 8 ? 3 : rng.nextInt(3);
        double[][] skies = {{0.35, 0.55, 0.9}, {0.75, 0.8, 0.88}, {0.65, 0.7, 0.85}, {0.62, 0.66, 0.72}, {0.35, 0.3, 0.5},
                {0.95, 0.6, 0.35}, {0.02, 0.03, 0.12}, {0.1, 0.12, 0.25}};
        double[] zenith = Canvas.jitter(skies[sky * 2 + (sky == 3 ? 0 : 0)], 0.06, rng);
        double[] low = Canvas.jitter(skies[sky * 2 + 1], 0.06, rng);
        if (sky == 3) { zenith = Canvas.jitter(skies[6], 0.03, rng); low = Canvas.jitter(skies[7], 0.04, rng); }
        for (int y = 0; y < Canvas.N; y++) {
            for (int x = 0; x < Canvas.N; x++) canvas.set(x, y, Canvas.mix(zenith, low, Math.min(1, y / (double) horizon)));
        }
        Graphics2D g = canvas.graphics();
        if (sky != 3) {
            for (int k = rng.nextInt(3); k > 0; k--) {
                g.setColor(Canvas.color(Canvas.jitter(new double[] {0.92, 0.92, 0.94}, 0.05, rng)));
                g.fill(new Ellipse2D.Double(rng.nextDouble(-6, 30), rng.nextDouble(-2, horizon - 4), rng.nextDouble(6, 14), rng.nextDouble(2, 5)));
            }
        }
        double[] water = Canvas.jitter(Canvas.mix(low, new double[] {0.1, 0.3, 0.5}, 0.6), 0.05, rng);
        switch (label) {
            case 0 -> {
                int shore = horizon + rng.nextInt(3, 9);
                fillRect(g, 0, horizon, 32, 32, water);
                fillRect(g, 0, shore, 32, 32, Canvas.jitter(new double[] {0.86, 0.78, 0.58}, 0.06, rng));
                g.setColor(Canvas.color(new double[] {0.95, 0.95, 0.95}));
                g.setStroke(new BasicStroke(1f));
                g.draw(new Line2D.Double(0, shore, 32, shore + rng.nextDouble(-2, 2)));
            }
            case 1 -> {
                double[] sand = Canvas.jitter(new double[] {0.85, 0.65, 0.38}, 0.06, rng);
                for (int layer = 0; layer < 3; layer++) {
                    fillWave(g, horizon + layer * 4, rng.nextDouble(1, 4), rng.nextDouble(10, 25), rng.nextDouble(7), Canvas.mix(sand, new double[3], 0.08 * (2 - layer) + 0.05 * layer));
                }
            }
            case 2 -> {
                for (int layer = 0; layer < 2; layer++) {
                    double[] rock = Canvas.jitter(layer == 0 ? new double[] {0.45, 0.48, 0.58} : new double[] {0.35, 0.3, 0.28}, 0.06, rng);
                    Path2D.Double ridge = new Path2D.Double();
                    ridge.moveTo(-1, 33);
                    for (double x = -1; x < 34; x += rng.nextDouble(3, 8)) ridge.lineTo(x, horizon + layer * 5 - rng.nextDouble(2, 12 - layer * 4));
                    ridge.lineTo(33, 33);
                    ridge.closePath();
                    g.setColor(Canvas.color(rock));
                    g.fill(ridge);
                }
                fillRect(g, 0, horizon + 8, 32, 32, Canvas.jitter(new double[] {0.3, 0.4, 0.2}, 0.06, rng));
            }
            case 3 -> {
                fillRect(g, 0, horizon, 32, 32, Canvas.jitter(new double[] {0.15, 0.28, 0.12}, 0.05, rng));
                double[] tree = Canvas.jitter(new double[] {0.08, 0.3, 0.12}, 0.05, rng);
                for (int k = rng.nextInt(6, 14); k > 0; k--) {
                    double x = rng.nextDouble(-2, 34), base = horizon + rng.nextDouble(0, 12), h = rng.nextDouble(8, 18), w = h * 0.4;
                    Path2D.Double t = new Path2D.Double();
                    t.moveTo(x, base - h);
                    t.lineTo(x + w / 2, base);
                    t.lineTo(x - w / 2, base);
                    t.closePath();
                    g.setColor(Canvas.color(Canvas.jitter(tree, 0.04, rng)));
                    g.fill(t);
                }
            }
            case 4 -> {
                for (double x = rng.nextDouble(-3, 0); x < 32; ) {
                    double w = rng.nextDouble(3, 8), h = rng.nextDouble(4, horizon + 2);
                    double[] facade = Canvas.jitter(new double[] {0.45, 0.45, 0.5}, 0.15, rng);
                    fillRect(g, x, horizon + 4 - h, x + w, 32, facade);
                    for (double wy = horizon + 5 - h; wy < horizon + 2; wy += 2.5) {
                        for (double wx = x + 1; wx < x + w - 1; wx += 2) fillRect(g, wx, wy, wx + 1, wy + 1, Canvas.mix(facade, new double[] {0.95, 0.9, 0.6}, 0.6));
                    }
                    x += w + rng.nextDouble(0, 2);
                }
                fillRect(g, 0, horizon + 4, 32, 32, Canvas.jitter(new double[] {0.3, 0.3, 0.32}, 0.05, rng));
            }
            case 5 -> {
                double[] crop = Canvas.jitter(rng.nextBoolean() ? new double[] {0.75, 0.65, 0.3} : new double[] {0.35, 0.55, 0.2}, 0.06, rng);
                fillRect(g, 0, horizon, 32, 32, crop);
                g.setColor(Canvas.color(Canvas.mix(crop, new double[3], 0.35)));
                g.setStroke(new BasicStroke(0.8f));
                double vx = rng.nextDouble(4, 28);
                for (double x = -40; x < 72; x += rng.nextDouble(4, 7)) g.draw(new Line2D.Double(vx, horizon, x, 32));
            }
            case 6 -> {
                fillRect(g, 0, horizon, 32, 32, water);
                fillWave(g, horizon - rng.nextDouble(1, 4), 1.2, rng.nextDouble(8, 20), rng.nextDouble(7), Canvas.jitter(new double[] {0.15, 0.3, 0.15}, 0.05, rng));
                fillRect(g, 0, horizon + 1, 32, 32, water);
                g.setColor(Canvas.color(Canvas.mix(water, new double[] {1, 1, 1}, 0.35)));
                g.setStroke(new BasicStroke(0.7f));
                for (int k = rng.nextInt(3, 7); k > 0; k--) {
                    double y = rng.nextDouble(horizon + 2, 32), x = rng.nextDouble(-4, 28);
                    g.draw(new Line2D.Double(x, y, x + rng.nextDouble(3, 9), y));
                }
            }
            case 7 -> {
                double[] snow = Canvas.jitter(new double[] {0.9, 0.92, 0.96}, 0.04, rng);
                fillWave(g, horizon - 2, rng.nextDouble(1, 3), rng.nextDouble(15, 30), rng.nextDouble(7), Canvas.mix(snow, new double[] {0.5, 0.6, 0.8}, 0.25));
                fillWave(g, horizon + 2, rng.nextDouble(1, 3), rng.nextDouble(15, 30), rng.nextDouble(7), snow);
            }
            case 8 -> {
                g.setColor(Canvas.color(new double[] {0.9, 0.9, 0.85}));
                for (int k = rng.nextInt(8, 25); k > 0; k--) g.fill(new Rectangle2D.Double(rng.nextInt(32), rng.nextInt(horizon), 1, 1));
                double mr = rng.nextDouble(2, 4);
                g.setColor(Canvas.color(Canvas.jitter(new double[] {0.95, 0.93, 0.8}, 0.04, rng)));
                g.fill(new Ellipse2D.Double(rng.nextDouble(2, 26), rng.nextDouble(1, Math.max(2, horizon - 8)), 2 * mr, 2 * mr));
                fillWave(g, horizon, rng.nextDouble(0.5, 3), rng.nextDouble(10, 25), rng.nextDouble(7), Canvas.jitter(new double[] {0.05, 0.06, 0.08}, 0.03, rng));
            }
            default -> {
                fillRect(g, 0, horizon, 32, 32, water);
                double deck = horizon - rng.nextDouble(0, 5);
                double[] steel = Canvas.jitter(rng.nextBoolean() ? new double[] {0.7, 0.25, 0.15} : new double[] {0.35, 0.35, 0.38}, 0.06, rng);
                fillRect(g, 0, deck, 32, deck + 1.5, steel);
                double span = rng.nextDouble(10, 20), start = rng.nextDouble(-span, 0);
                g.setColor(Canvas.color(steel));
                g.setStroke(new BasicStroke(0.9f));
                for (double px = start; px < 40; px += span) {
                    fillRect(g, px - 1, deck - 9, px + 1, 32, steel);
                    Path2D.Double cable = new Path2D.Double();
                    cable.moveTo(px, deck - 9);
                    cable.quadTo(px + span / 2, deck + 2, px + span, deck - 9);
                    g.draw(cable);
                }
            }
        }
        if (rng.nextDouble() < 0.4) {
            // a foreground bush or post, unrelated to the class
            g.setColor(Canvas.color(Canvas.hsv(rng.nextDouble(0.15, 0.4), rng.nextDouble(0.2, 0.7), rng.nextDouble(0.1, 0.5))));
            double x = rng.nextDouble(-4, 30);
            if (rng.nextBoolean()) g.fill(new Ellipse2D.Double(x, rng.nextDouble(22, 30), rng.nextDouble(5, 12), rng.nextDouble(4, 10)));
            else g.fill(new Rectangle2D.Double(x, rng.nextDouble(6, 18), rng.nextDouble(1, 2.5), 32));
        }
        g.dispose();
        if (rng.nextBoolean()) mirror(canvas);
        canvas.writeTo(out, offset, rng.nextDouble(0.8, 1.2), rng.nextDouble(0.01, 0.04), rng);
    }

    private static void fillRect(Graphics2D g, double x0, double y0, double x1, double y1, double[] c) {
        g.setColor(Canvas.color(c));
        g.fill(new Rectangle2D.Double(x0, y0, x1 - x0, y1 - y0));
    }

    /** Fills everything below the curve y = level + amp * sin(2 pi x / wavelength + phase). */
    private static void fillWave(Graphics2D g, double level, double amp, double wavelength, double phase, double[] c) {
        Path2D.Double p = new Path2D.Double();
        p.moveTo(-1, 33);
        for (int x = -1; x <= 33; x++) p.lineTo(x, level + amp * Math.sin(2 * Math.PI * x / wavelength + phase));
        p.lineTo(33, 33);
        p.closePath();
        g.setColor(Canvas.color(c));
        g.fill(p);
    }

    private static void mirror(Canvas canvas) {
        int[] a = canvas.argb;
        for (int y = 0; y < Canvas.N; y++) {
            for (int x = 0; x < Canvas.N / 2; x++) {
                int i = y * Canvas.N + x, j = y * Canvas.N + Canvas.N - 1 - x;
                int t = a[i]; a[i] = a[j]; a[j] = t;
            }
        }
    }
}
