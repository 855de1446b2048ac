package adamerge.study.data;

import java.awt.geom.Path2D;
import java.util.ArrayList;
import java.util.List;

/**
 * A tiny stroke font for the digits 0-9, drawn as polylines in a unit box (x right, y down,
 * both in [0, 1]). It replaces system fonts so that rendered digits are the same on every
 * machine, fonts installed or not; style comes from the caller's stroke width, shear and
 * aspect.
 */
final class StrokeDigits {

    private static final List<List<double[]>> GLYPHS = List.of(
            strokes(arc(0.5, 0.5, 0.42, 0.5, 0, 360)),
            strokes(line(0.25, 0.22, 0.55, 0.0, 0.55, 1.0)),
            strokes(join(arc(0.5, 0.3, 0.4, 0.3, 180, 390), line(0.1, 1.0, 0.92, 1.0))),
            strokes(join(arc(0.5, 0.27, 0.36, 0.27, 200, 450), arc(0.5, 0.77, 0.42, 0.23, 270, 520))),
            strokes(line(0.72, 1.0, 0.72, 0.0, 0.05, 0.7, 0.95, 0.7)),
            strokes(join(line(0.85, 0.0, 0.22, 0.0), arc(0.5, 0.67, 0.4, 0.33, 225, 520))),
            strokes(join(arc(0.55, 0.6, 0.45, 0.6, 300, 180), arc(0.5, 0.72, 0.4, 0.28, 180, 540))),
            strokes(line(0.08, 0.0, 0.92, 0.0, 0.38, 1.0)),
            strokes(arc(0.5, 0.25, 0.33, 0.25, 0, 360), arc(0.5, 0.73, 0.42, 0.27, 0, 360)),
            strokes(join(arc(0.5, 0.3, 0.4, 0.3, 0, 360), line(0.9, 0.3, 0.6, 1.0))));

    private StrokeDigits() {}

    /** The outline of {@code digit} as an open path in the unit box. */
    static Path2D path(int digit) {
        Path2D.Double p = new Path2D.Double();
        for (double[] poly : GLYPHS.get(digit)) {
            p.moveTo(poly[0], poly[1]);
            for (int i = 2; i < poly.length; i += 2) p.lineTo(poly[i], poly[i + 1]);
        }
        return p;
    }

    private static List<double[]> strokes(double[]... polylines) {
        return List.of(polylines);
    }

    private static double[] line(double... xy) {
        return xy;
    }

    /** An elliptic arc from angle {@code a0} to {@code a1} degrees (y down: 270 is the top). */
    private static double[] arc(double cx, double cy, double rx, double ry, double a0, double a1) {
        int steps = Math.max(2, (int) Math.ceil(Math.abs(a1 - a0) / 15));
        double[] xy = new double[2 * (steps + 1)];
        for (int i = 0; i <= steps; i++) {
            double t = Math.toRadians(a0 + (a1 - a0) * i / steps);
            xy[2 * i] = cx + rx * Math.cos(t);
            xy[2 * i + 1] = cy + ry * Math.sin(t);
        }
        return xy;
    }

    private static double[] join(double[]... parts) {
        List<Double> all = new ArrayList<>();
        for (double[] part : parts) for (double v : part) all.add(v);
        double[] xy = new double[all.size()];
        for (int i = 0; i < xy.length; i++) xy[i] = all.get(i);
        return xy;
    }
}
