package adamerge.study.data;

import java.awt.AlphaComposite;
import java.awt.BasicStroke;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.Shape;
import java.awt.geom.AffineTransform;
import java.awt.geom.Area;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The pretraining corpus, kept apart from the eight demo tasks: generic scenes of flat 2-D
 * primitives, labelled by the kind of the one large foreground primitive (ellipse, rectangle,
 * triangle, pentagon, hexagon, star, cross, ring, crescent, arrow, parallel bars, scribble).
 * Each image has a background of one of three generic kinds (flat, linear gradient, smooth
 * colour noise), 2-6 small translucent primitives of any kind as clutter, and the foreground
 * primitive at 10-26 px, random rotation, aspect, position and colour, filled or outlined.
 * It teaches edges, colour, shape and figure/ground, which all eight tasks need, but holds no
 * digits, signs, textures, land cover, shaded 3-D solids, scenes or clothing, so an encoder
 * pretrained on it transfers to each task only in part.
 */
public final class PretrainCorpus extends SyntheticTask {

    private static final List<String> CLASSES = List.of("ellipse", "rectangle", "triangle", "pentagon",
            "hexagon", "star", "cross", "ring", "crescent", "arrow", "bars", "scribble");

    public PretrainCorpus() {
        super("pretrain-primitives", CLASSES);
    }

    @Override
    public void render(int label, SplittableRandom rng, float[] out, int offset) {
        Canvas canvas = new Canvas();
        double[] bgA = Canvas.hsv(rng.nextDouble(), rng.nextDouble(0, 0.8), rng.nextDouble(0.1, 0.95));
        double[] bgB = Canvas.hsv(rng.nextDouble(), rng.nextDouble(0, 0.8), rng.nextDouble(0.1, 0.95));
        Graphics2D g = canvas.graphics();
        switch (rng.nextInt(3)) {
            case 0 -> {
                g.setColor(Canvas.color(bgA));
                g.fillRect(0, 0, 32, 32);
            }
            case 1 -> {
                g.setPaint(new GradientPaint(rng.nextInt(32), rng.nextInt(32), Canvas.color(bgA),
                        rng.nextInt(32), rng.nextInt(32), Canvas.color(bgB)));
                g.fillRect(0, 0, 32, 32);
            }
            default -> {
                ValueNoise noise = new ValueNoise(rng.nextLong());
                double s = rng.nextDouble(0.05, 0.2);
                for (int y = 0; y < 32; y++) {
                    for (int x = 0; x < 32; x++) canvas.set(x, y, Canvas.mix(bgA, bgB, noise.at(x * s, y * s)));
                }
            }
        }
        for (int k = rng.nextInt(2, 7); k > 0; k--) {
            g.setComposite(AlphaComposite.getInstance(AlphaComposite.SRC_OVER, (float) rng.nextDouble(0.25, 0.6)));
            draw(g, rng.nextInt(CLASSES.size()), rng.nextDouble(32), rng.nextDouble(32), rng.nextDouble(3, 9), rng);
        }
        g.setComposite(AlphaComposite.SrcOver);
        double[] bgMean = Canvas.mix(bgA, bgB, 0.5);
        double[] fg = Canvas.hsv(rng.nextDouble(), rng.nextDouble(0, 1), rng.nextDouble(0, 1));
        if (Math.abs(Canvas.luma(fg) - Canvas.luma(bgMean)) < 0.2) fg = Canvas.mix(fg, Canvas.luma(bgMean) > 0.5 ? new double[3] : new double[] {1, 1, 1}, 0.6);
        g.setColor(Canvas.color(fg));
        draw(g, label, 16 + rng.nextDouble(-6, 6), 16 + rng.nextDouble(-6, 6), rng.nextDouble(5, 13), rng);
        g.dispose();
        canvas.writeTo(out, offset, rng.nextDouble(0.85, 1.15), rng.nextDouble(0, 0.04), rng);
    }

    /** Draws primitive {@code kind} of radius {@code r} around (cx, cy) in the current colour (clutter gets a random one). */
    private static void draw(Graphics2D g, int kind, double cx, double cy, double r, SplittableRandom rng) {
        if (g.getComposite() != AlphaComposite.SrcOver) {
            g.setColor(Canvas.color(Canvas.hsv(rng.nextDouble(), rng.nextDouble(), rng.nextDouble())));
        }
        AffineTransform t = new AffineTransform();
        t.translate(cx, cy);
        t.rotate(rng.nextDouble(2 * Math.PI));
        t.scale(r * rng.nextDouble(0.75, 1.25), r);
        float width = (float) rng.nextDouble(1.2, 2.8);
        g.setStroke(new BasicStroke(width, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
        if (kind == 11) {
            Path2D.Double p = new Path2D.Double();
            p.moveTo(rng.nextDouble(-1, 1), rng.nextDouble(-1, 1));
            for (int k = rng.nextInt(2, 4); k > 0; k--) {
                p.curveTo(rng.nextDouble(-1, 1), rng.nextDouble(-1, 1), rng.nextDouble(-1, 1), rng.nextDouble(-1, 1),
                        rng.nextDouble(-1, 1), rng.nextDouble(-1, 1));
            }
            g.draw(t.createTransformedShape(p));
            return;
        }
        Shape s = t.createTransformedShape(SHAPES[kind]);
        if (rng.nextDouble() < 0.7) g.fill(s); else g.draw(s);
    }

    /** The unit shapes of kinds 0..10, built once (Area geometry is slow). */
    private static final Shape[] SHAPES = new Shape[11];

    static {
        for (int k = 0; k < SHAPES.length; k++) SHAPES[k] = shape(k);
    }

    private static Shape shape(int kind) {
        return switch (kind) {
            case 0 -> new Ellipse2D.Double(-1, -0.7, 2, 1.4);
            case 1 -> new Rectangle2D.Double(-1, -0.6, 2, 1.2);
            case 2 -> polygon(3, 1, 1);
            case 3 -> polygon(5, 1, 1);
            case 4 -> polygon(6, 1, 1);
            case 5 -> polygon(10, 1, 0.45);
            case 6 -> {
                Area a = new Area(new Rectangle2D.Double(-1, -0.3, 2, 0.6));
                a.add(new Area(new Rectangle2D.Double(-0.3, -1, 0.6, 2)));
                yield a;
            }
            case 7 -> {
                Area a = new Area(new Ellipse2D.Double(-1, -1, 2, 2));
                a.subtract(new Area(new Ellipse2D.Double(-0.55, -0.55, 1.1, 1.1)));
                yield a;
            }
            case 8 -> {
                Area a = new Area(new Ellipse2D.Double(-1, -1, 2, 2));
                a.subtract(new Area(new Ellipse2D.Double(-0.45, -1.05, 2, 2)));
                yield a;
            }
            case 9 -> {
                Path2D.Double p = new Path2D.Double();
                p.moveTo(1, 0); p.lineTo(0.2, -0.8); p.lineTo(0.2, -0.3); p.lineTo(-1, -0.3);
                p.lineTo(-1, 0.3); p.lineTo(0.2, 0.3); p.lineTo(0.2, 0.8); p.closePath();
                yield p;
            }
            default -> {
                Area a = new Area();
                for (int k = 0; k < 3; k++) a.add(new Area(new Rectangle2D.Double(-1, -0.9 + k * 0.7, 2, 0.4)));
                yield a;
            }
        };
    }

    /** A polygon with {@code points} vertices alternating between radius 1 and {@code inner}. */
    private static Shape polygon(int points, double outer, double inner) {
        Path2D.Double p = new Path2D.Double();
        for (int k = 0; k < points; k++) {
            double a = -Math.PI / 2 + 2 * Math.PI * k / points, r = k % 2 == 0 ? outer : inner;
            if (k == 0) p.moveTo(r * Math.cos(a), r * Math.sin(a)); else p.lineTo(r * Math.cos(a), r * Math.sin(a));
        }
        p.closePath();
        return p;
    }
}
