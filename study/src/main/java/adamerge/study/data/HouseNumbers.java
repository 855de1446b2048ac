package adamerge.study.data;

import java.awt.BasicStroke;
import java.awt.Graphics2D;
import java.awt.Shape;
import java.awt.geom.AffineTransform;
import java.util.List;
import java.util.SplittableRandom;

/**
 * SVHN-like house numbers: the class is the digit in the centre, drawn with {@link StrokeDigits}
 * in a random colour, height (15-24 px), width, stroke weight, italic shear and small rotation
 * over a cluttered background (a two-colour value-noise wall with random plates and a lighting
 * gradient). Like cropped SVHN digits, the neighbouring digits of the same number usually show
 * at the left and right, in the same style and partly cut off; a random gain, a blur on some
 * images and pixel noise finish it. Foreground and background differ in luma by at least 0.2,
 * sometimes barely more.
 */
final class HouseNumbers extends SyntheticTask {

    private static final List<String> CLASSES =
            List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");

    HouseNumbers() {
        super("svhn-like", CLASSES);
    }

    @Override
    public void render(int label, SplittableRandom rng, float[] out, int offset) {
        Canvas canvas = new Canvas();
        double[] bgA = Canvas.hsv(rng.nextDouble(), rng.nextDouble(0.05, 0.7), rng.nextDouble(0.15, 0.95));
        double[] bgB = Canvas.jitter(bgA, 0.25, rng);
        ValueNoise noise = new ValueNoise(rng.nextLong());
        double scale = rng.nextDouble(0.08, 0.3), slope = rng.nextDouble(-0.012, 0.012);
        for (int y = 0; y < Canvas.N; y++) {
            for (int x = 0; x < Canvas.N; x++) {
                double[] c = Canvas.mix(bgA, bgB, noise.fbm(x * scale, y * scale, 2));
                double light = 1 + slope * (x - 16) + slope * (y - 16);
                canvas.set(x, y, c[0] * light, c[1] * light, c[2] * light);
            }
        }
        Graphics2D g = canvas.graphics();
        for (int k = rng.nextInt(3); k > 0; k--) {
            g.setColor(Canvas.color(Canvas.jitter(bgA, 0.35, rng)));
            g.fillRect(rng.nextInt(-8, 30), rng.nextInt(-8, 30), rng.nextInt(4, 20), rng.nextInt(4, 20));
        }
        double bgLuma = Canvas.luma(bgA);
        double[] fg = Canvas.hsv(rng.nextDouble(), rng.nextDouble(0, 0.9), rng.nextDouble());
        for (int tries = 0; tries < 8 && Math.abs(Canvas.luma(fg) - bgLuma) < 0.2; tries++) {
            fg = Canvas.hsv(rng.nextDouble(), rng.nextDouble(0, 0.9), rng.nextDouble());
        }
        if (Math.abs(Canvas.luma(fg) - bgLuma) < 0.2) fg = bgLuma > 0.5 ? new double[3] : new double[] {1, 1, 1};

        double h = rng.nextDouble(15, 24), w = h * rng.nextDouble(0.45, 0.7);
        double shear = rng.nextDouble(-0.25, 0.25), angle = rng.nextDouble(-0.14, 0.14);
        double cx = 16 + rng.nextDouble(-2.5, 2.5), cy = 16 + rng.nextDouble(-2, 2);
        double gap = rng.nextDouble(1.5, 5);
        g.setColor(Canvas.color(fg));
        g.setStroke(new BasicStroke((float) rng.nextDouble(1.6, 3.4), BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
        g.draw(glyph(label, cx, cy, w, h, shear, angle));
        if (rng.nextDouble() < 0.8) g.draw(glyph(rng.nextInt(10), cx - (w + gap) * Math.cos(angle), cy - (w + gap) * Math.sin(angle), w, h, shear, angle));
        if (rng.nextDouble() < 0.8) g.draw(glyph(rng.nextInt(10), cx + (w + gap) * Math.cos(angle), cy + (w + gap) * Math.sin(angle), w, h, shear, angle));
        g.dispose();
        if (rng.nextDouble() < 0.3) canvas.blur();
        canvas.writeTo(out, offset, rng.nextDouble(0.75, 1.15), rng.nextDouble(0.01, 0.05), rng);
    }

    private static Shape glyph(int digit, double cx, double cy, double w, double h, double shear, double angle) {
        AffineTransform t = new AffineTransform();
        t.translate(cx, cy);
        t.rotate(angle);
        t.shear(-shear, 0);
        t.scale(w, h);
        t.translate(-0.5, -0.5);
        return t.createTransformedShape(StrokeDigits.path(digit));
    }
}
