package adamerge.study.data;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.Shape;
import java.awt.geom.AffineTransform;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;
import java.util.List;
import java.util.SplittableRandom;

/**
 * GTSRB-like traffic signs: each class is a combination of a shape (circle, disk, octagon,
 * triangle, inverted triangle, diamond), a colour scheme (red ring on white, red, blue,
 * yellow on white) and an inner glyph (stroke digits "30"/"50"/"80", bar, "!", arrows), so
 * several classes share a shape and differ only in a few pixels of glyph, as the speed limits
 * of GTSRB do. Nuisance: sign radius 6-13 px, position, small rotation, a horizontal squash
 * standing in for perspective, jittered paint colours, a value-noise background in sky,
 * foliage or wall tones with an optional pole, and strong global illumination changes
 * (gain 0.35-1.3), blur on some images and pixel noise.
 */
final class TrafficSigns extends SyntheticTask {

    private static final List<String> CLASSES = List.of("speed-30", "speed-50", "speed-80", "no-entry",
            "stop", "yield", "danger", "keep-right", "ahead-only", "priority-road");

    TrafficSigns() {
        super("gtsrb-like", CLASSES);
    }

    private static final double[][] BACKGROUNDS = {
            {0.55, 0.7, 0.9}, {0.25, 0.4, 0.2}, {0.45, 0.42, 0.4}, {0.7, 0.65, 0.55}, {0.15, 0.2, 0.15}};

    @Override
    public void render(int label, SplittableRandom rng, float[] out, int offset) {
        Canvas canvas = new Canvas();
        double[] bgA = Canvas.jitter(BACKGROUNDS[rng.nextInt(BACKGROUNDS.length)], 0.12, rng);
        double[] bgB = Canvas.jitter(BACKGROUNDS[rng.nextInt(BACKGROUNDS.length)], 0.12, rng);
        ValueNoise noise = new ValueNoise(rng.nextLong());
        double scale = rng.nextDouble(0.1, 0.4);
        for (int y = 0; y < Canvas.N; y++) {
            for (int x = 0; x < Canvas.N; x++) canvas.set(x, y, Canvas.mix(bgA, bgB, noise.fbm(x * scale, y * scale, 3)));
        }
        double r = rng.nextDouble(6, 13);
        double cx = 16 + rng.nextDouble(-3, 3), cy = 16 + rng.nextDouble(-3, 3);
        Graphics2D g = canvas.graphics();
        if (rng.nextDouble() < 0.4) {
            g.setColor(Canvas.color(Canvas.jitter(new double[] {0.5, 0.5, 0.5}, 0.1, rng)));
            g.fill(new Rectangle2D.Double(cx - r * 0.12, cy, r * 0.24, 40));
        }
        AffineTransform t = new AffineTransform();
        t.translate(cx, cy);
        t.rotate(rng.nextDouble(-0.15, 0.15));
        t.scale(r * rng.nextDouble(0.75, 1.0), r);

        Color red = Canvas.color(Canvas.jitter(new double[] {0.78, 0.1, 0.12}, 0.1, rng));
        Color white = Canvas.color(Canvas.jitter(new double[] {0.9, 0.9, 0.88}, 0.07, rng));
        Color black = Canvas.color(Canvas.jitter(new double[] {0.1, 0.1, 0.1}, 0.06, rng));
        Color blue = Canvas.color(Canvas.jitter(new double[] {0.1, 0.25, 0.7}, 0.1, rng));
        Color yellow = Canvas.color(Canvas.jitter(new double[] {0.95, 0.75, 0.1}, 0.08, rng));
        switch (label) {
            case 0, 1, 2 -> {
                fill(g, t, circle(1.0), red);
                fill(g, t, circle(0.74), white);
                int tens = label == 0 ? 3 : label == 1 ? 5 : 8;
                g.setColor(black);
                g.setStroke(new BasicStroke((float) (r * 0.13), BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
                g.draw(t.createTransformedShape(digit(tens, -0.24)));
                g.draw(t.createTransformedShape(digit(0, 0.24)));
            }
            case 3 -> {
                fill(g, t, circle(1.0), red);
                fill(g, t, new Rectangle2D.Double(-0.65, -0.17, 1.3, 0.34), white);
            }
            case 4 -> {
                fill(g, t, polygon(8, 1.0, Math.PI / 8), white);
                fill(g, t, polygon(8, 0.88, Math.PI / 8), red);
                for (int k = 0; k < 4; k++) fill(g, t, new Rectangle2D.Double(-0.62 + k * 0.32, -0.2, 0.18, 0.4), white);
            }
            case 5 -> {
                fill(g, t, polygon(3, 1.1, Math.PI / 2), red);
                fill(g, t, polygon(3, 0.6, Math.PI / 2), white);
            }
            case 6 -> {
                fill(g, t, polygon(3, 1.1, -Math.PI / 2), red);
                fill(g, t, polygon(3, 0.68, -Math.PI / 2), white);
                fill(g, t, new Rectangle2D.Double(-0.07, -0.3, 0.14, 0.35), black);
                fill(g, t, new Rectangle2D.Double(-0.07, 0.14, 0.14, 0.13), black);
            }
            case 7, 8 -> {
                fill(g, t, circle(1.0), blue);
                AffineTransform a = new AffineTransform(t);
                if (label == 7) a.rotate(Math.PI * 0.75);
                fill(g, a, arrow(), white);
            }
            default -> {
                fill(g, t, polygon(4, 1.05, 0), white);
                fill(g, t, polygon(4, 0.75, 0), yellow);
            }
        }
        g.dispose();
        if (rng.nextDouble() < 0.4) canvas.blur();
        canvas.writeTo(out, offset, rng.nextDouble(0.35, 1.3), rng.nextDouble(0.01, 0.04), rng);
    }

    private static void fill(Graphics2D g, AffineTransform t, Shape s, Color c) {
        g.setColor(c);
        g.fill(t.createTransformedShape(s));
    }

    private static Shape circle(double radius) {
        return new Ellipse2D.Double(-radius, -radius, 2 * radius, 2 * radius);
    }

    /** Regular polygon with a vertex at angle {@code phase} (radians, y down). */
    private static Shape polygon(int sides, double radius, double phase) {
        Path2D.Double p = new Path2D.Double();
        for (int k = 0; k < sides; k++) {
            double a = phase + 2 * Math.PI * k / sides;
            if (k == 0) p.moveTo(radius * Math.cos(a), radius * Math.sin(a));
            else p.lineTo(radius * Math.cos(a), radius * Math.sin(a));
        }
        p.closePath();
        return p;
    }

    private static Shape arrow() {
        Path2D.Double p = new Path2D.Double();
        p.moveTo(0, -0.65);
        p.lineTo(0.42, -0.12);
        p.lineTo(0.13, -0.12);
        p.lineTo(0.13, 0.65);
        p.lineTo(-0.13, 0.65);
        p.lineTo(-0.13, -0.12);
        p.lineTo(-0.42, -0.12);
        p.closePath();
        return p;
    }

    private static Shape digit(int d, double cx) {
        AffineTransform t = new AffineTransform();
        t.translate(cx - 0.17, -0.3);
        t.scale(0.34, 0.6);
        return t.createTransformedShape(StrokeDigits.path(d));
    }
}
