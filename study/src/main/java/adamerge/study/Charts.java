package adamerge.study;

import adamerge.output.Figures;
import adamerge.output.PixelFont;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Headless PNG charts for the study report (java.awt + javax.imageio): grouped bar charts with
 * optional error bars, and line charts with markers. Text is drawn by {@link PixelFont}, so no
 * system font is needed. Written atomically (temp file, then rename).
 */
public final class Charts {
    static {
        System.setProperty("java.awt.headless", "true");
    }

    /** Colour-blind-friendly palette (Okabe-Ito, then greys). */
    private static final Color[] PALETTE = {new Color(0, 114, 178), new Color(230, 159, 0), new Color(0, 158, 115),
            new Color(204, 121, 167), new Color(86, 180, 233), new Color(213, 94, 0), new Color(240, 228, 66),
            new Color(0, 0, 0), new Color(120, 120, 120), new Color(170, 170, 170)};
    private static final PixelFont TITLE = PixelFont.TITLE, LABEL = PixelFont.LABEL, SMALL = PixelFont.SMALL;

    private Charts() {
    }

    /**
     * Bars grouped by category, one colour per series. {@code values[s][c]}; {@code errors}
     * (same shape, or null) draws +-error whiskers; NaN values are left out.
     */
    public static void groupedBars(Path png, String title, String yLabel, List<String> categories, List<String> series,
                                   double[][] values, double[][] errors) throws IOException {
        int nc = categories.size(), ns = series.size();
        int groupW = Math.max(40, Math.min(120, 22 * ns + 16));
        int left = 80, right = 30, top = ns > 1 ? 80 : 50;
        int plotW = Math.max(500, groupW * nc), plotH = 360;
        double slot = (double) plotW / nc;
        boolean rotate = false;
        int longest = 0;
        for (String c : categories) longest = Math.max(longest, LABEL.width(c));
        if (longest > slot - 6) rotate = true;
        int bottom = rotate ? 30 + (int) (longest * Math.sin(Math.toRadians(40))) + 20 : 50;
        int w = left + plotW + right, h = top + plotH + bottom;
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = canvas(img);
        double max = 0;
        for (int s = 0; s < ns; s++)
            for (int c = 0; c < nc; c++) {
                double v = values[s][c] + (errors != null && Double.isFinite(errors[s][c]) ? errors[s][c] : 0);
                if (Double.isFinite(v)) max = Math.max(max, v);
            }
        double yMax = niceCeil(max <= 0 ? 1 : max * 1.08);
        axes(g, left, top, plotW, plotH, 0, yMax, yLabel, LABEL);
        title(g, title, w);

        double barW = Math.min(28, (slot - 12) / ns);
        for (int c = 0; c < nc; c++) {
            double x0 = left + c * slot + (slot - barW * ns) / 2;
            for (int s = 0; s < ns; s++) {
                double v = values[s][c];
                if (!Double.isFinite(v)) continue;
                int bx = (int) Math.round(x0 + s * barW), bw = (int) Math.max(2, Math.round(barW) - 2);
                int by = yOf(v, 0, yMax, top, plotH);
                g.setColor(PALETTE[s % PALETTE.length]);
                g.fillRect(bx, by, bw, top + plotH - by);
                if (errors != null && Double.isFinite(errors[s][c]) && errors[s][c] > 0) {
                    g.setColor(Color.BLACK);
                    int cx = bx + bw / 2, lo = yOf(v - errors[s][c], 0, yMax, top, plotH), hi = yOf(v + errors[s][c], 0, yMax, top, plotH);
                    g.drawLine(cx, lo, cx, hi);
                    g.drawLine(cx - 3, lo, cx + 3, lo);
                    g.drawLine(cx - 3, hi, cx + 3, hi);
                }
                if (ns == 1) { // one series: print the value on the bar
                    g.setColor(Color.DARK_GRAY);
                    String t = String.format(Locale.ROOT, yMax <= 2 ? "%.3f" : "%.1f", v);
                    SMALL.draw(g, t, bx + bw / 2 - SMALL.width(t) / 2, by - 4);
                }
            }
            categoryLabel(g, categories.get(c), left + (int) Math.round((c + 0.5) * slot), top + plotH + 8, rotate);
        }
        if (ns > 1) legend(g, series, left, 50, w - right);
        write(img, png);
    }

    /** Lines with round markers, one per series; {@code xs[s]} and {@code ys[s]} are that series' points. */
    public static void lines(Path png, String title, String xLabel, String yLabel, List<String> series, double[][] xs, double[][] ys)
            throws IOException {
        int ns = series.size();
        int left = 80, right = 30, top = ns > 1 ? 50 + 22 * ((ns + 3) / 4) : 50, bottom = 70;
        int plotW = 720, plotH = 400;
        BufferedImage img = new BufferedImage(left + plotW + right, top + plotH + bottom, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = canvas(img);
        int[] colours = new int[ns];
        for (int s = 0; s < ns; s++) colours[s] = s;
        linePanel(g, left, top, plotW, plotH, xs, ys, colours, xLabel, yLabel, LABEL);
        title(g, title, img.getWidth());
        if (ns > 1) legend(g, series, left, 50, img.getWidth() - right);
        write(img, png);
    }

    /**
     * Small multiples: one line panel per series (each titled), {@code cols} panels a row, so
     * that many series stay readable. Axes are shared, so panels compare directly.
     */
    public static void panels(Path png, String title, String xLabel, String yLabel, List<String> panelTitles, double[][] xs, double[][] ys,
                              int cols) throws IOException {
        int n = panelTitles.size();
        double[][][] x3 = new double[n][][], y3 = new double[n][][];
        int[][] colours = new int[n][];
        for (int i = 0; i < n; i++) {
            x3[i] = new double[][]{xs[i]};
            y3[i] = new double[][]{ys[i]};
            colours[i] = new int[]{i == n - 1 ? 7 : 0};
        }
        panels(png, title, xLabel, yLabel, panelTitles, x3, y3, colours, cols);
    }

    /** Small multiples with several lines a panel: {@code xs[panel][line]}, coloured by the palette in line order. */
    public static void panels(Path png, String title, String xLabel, String yLabel, List<String> panelTitles, double[][][] xs, double[][][] ys,
                              int cols) throws IOException {
        int[][] colours = new int[panelTitles.size()][];
        for (int i = 0; i < colours.length; i++) colours[i] = java.util.stream.IntStream.range(0, xs[i].length).toArray();
        panels(png, title, xLabel, yLabel, panelTitles, xs, ys, colours, cols);
    }

    private static void panels(Path png, String title, String xLabel, String yLabel, List<String> panelTitles, double[][][] xs, double[][][] ys,
                               int[][] colours, int cols) throws IOException {
        int n = panelTitles.size(), rows = (n + cols - 1) / cols;
        int panelW = 300, panelH = 210, padL = 62, padT = 30, padB = 48, padR = 18, top = 44;
        int cellW = padL + panelW + padR, cellH = padT + panelH + padB;
        BufferedImage img = new BufferedImage(cols * cellW, top + rows * cellH, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = canvas(img);
        double[][] xr = {range(java.util.Arrays.stream(xs).flatMap(java.util.Arrays::stream).toArray(double[][]::new))},
                yr = {range(java.util.Arrays.stream(ys).flatMap(java.util.Arrays::stream).toArray(double[][]::new))};
        for (int i = 0; i < n; i++) {
            int x = (i % cols) * cellW + padL, y = top + (i / cols) * cellH + padT;
            g.setColor(Color.BLACK);
            String t = panelTitles.get(i);
            LABEL.draw(g, t, x + panelW / 2 - LABEL.width(t) / 2, y - 10);
            linePanel(g, x, y, panelW, panelH, xs[i], ys[i], colours[i], xLabel, yLabel, SMALL, xr[0][1], yr[0][1]);
        }
        title(g, title, img.getWidth());
        write(img, png);
    }

    private static double[] range(double[][] vs) {
        double max = 0;
        for (double[] v : vs) for (double d : v) if (Double.isFinite(d)) max = Math.max(max, d);
        return new double[]{0, max};
    }

    private static void linePanel(Graphics2D g, int left, int top, int plotW, int plotH, double[][] xs, double[][] ys, int[] colours,
                                  String xLabel, String yLabel, PixelFont labelFont) {
        linePanel(g, left, top, plotW, plotH, xs, ys, colours, xLabel, yLabel, labelFont, range(xs)[1], range(ys)[1]);
    }

    private static void linePanel(Graphics2D g, int left, int top, int plotW, int plotH, double[][] xs, double[][] ys, int[] colours,
                                  String xLabel, String yLabel, PixelFont labelFont, double xData, double yData) {
        double xMax = niceCeil(xData <= 0 ? 1 : xData * 1.05), yMax = niceCeil(yData <= 0 ? 1 : yData * 1.05);
        axes(g, left, top, plotW, plotH, 0, yMax, yLabel, labelFont);
        double xStep = niceStep(xMax / (plotW >= 500 ? 6 : 4));
        for (double x = 0; x <= xMax + 1e-9; x += xStep) {
            int px = left + (int) Math.round(x / xMax * plotW);
            g.setColor(Color.BLACK);
            g.drawLine(px, top + plotH, px, top + plotH + 5);
            String t = fmt(x, xStep);
            SMALL.draw(g, t, px - SMALL.width(t) / 2, top + plotH + 18);
        }
        labelFont.draw(g, xLabel, left + plotW / 2 - labelFont.width(xLabel) / 2, top + plotH + 38);
        for (int s = 0; s < xs.length; s++) {
            g.setColor(PALETTE[colours[s] % PALETTE.length]);
            g.setStroke(new BasicStroke(2f));
            int px = -1, py = -1;
            for (int i = 0; i < xs[s].length; i++) {
                if (!Double.isFinite(xs[s][i]) || !Double.isFinite(ys[s][i])) continue;
                int x = left + (int) Math.round(xs[s][i] / xMax * plotW), y = yOf(ys[s][i], 0, yMax, top, plotH);
                if (px >= 0) g.drawLine(px, py, x, y);
                g.fillOval(x - 3, y - 3, 7, 7);
                px = x;
                py = y;
            }
        }
        g.setStroke(new BasicStroke(1f));
    }

    private static Graphics2D canvas(BufferedImage img) {
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, img.getWidth(), img.getHeight());
        return g;
    }

    private static void title(Graphics2D g, String title, int w) {
        g.setColor(Color.BLACK);
        TITLE.draw(g, title, Math.max(8, w / 2 - TITLE.width(title) / 2), 24);
    }

    /** Frame, horizontal grid lines with y ticks, and the rotated y label. */
    private static void axes(Graphics2D g, int left, int top, int plotW, int plotH, double yMin, double yMax, String yLabel, PixelFont labelFont) {
        double step = niceStep((yMax - yMin) / (plotH >= 300 ? 6 : 4));
        for (double y = yMin; y <= yMax + 1e-9; y += step) {
            int py = yOf(y, yMin, yMax, top, plotH);
            g.setColor(new Color(225, 225, 225));
            g.drawLine(left, py, left + plotW, py);
            g.setColor(Color.BLACK);
            String t = fmt(y, step);
            SMALL.draw(g, t, left - 8 - SMALL.width(t), py + SMALL.ascent() / 2);
        }
        g.setColor(Color.BLACK);
        g.drawLine(left, top, left, top + plotH);
        g.drawLine(left, top + plotH, left + plotW, top + plotH);
        AffineTransform saved = g.getTransform();
        g.rotate(-Math.PI / 2);
        labelFont.draw(g, yLabel, -(top + plotH / 2) - labelFont.width(yLabel) / 2, left - 58 + labelFont.ascent());
        g.setTransform(saved);
    }

    /** A category name under its group: horizontal, or rotated 40 degrees when some name of the chart does not fit. */
    private static void categoryLabel(Graphics2D g, String text, int cx, int y, boolean rotate) {
        g.setColor(Color.BLACK);
        int tw = LABEL.width(text);
        if (!rotate) {
            LABEL.draw(g, text, cx - tw / 2, y + LABEL.ascent());
            return;
        }
        AffineTransform saved = g.getTransform();
        g.translate(cx + 4, y + 4);
        g.rotate(-Math.toRadians(40));
        LABEL.draw(g, text, -tw, LABEL.ascent() / 2);
        g.setTransform(saved);
    }

    private static void legend(Graphics2D g, List<String> series, int x0, int y0, int maxX) {
        int x = x0, y = y0;
        for (int s = 0; s < series.size(); s++) {
            int itemW = 18 + LABEL.width(series.get(s)) + 18;
            if (x + itemW > maxX && x > x0) {
                x = x0;
                y += 22;
            }
            g.setColor(PALETTE[s % PALETTE.length]);
            g.fillRect(x, y - 11, 12, 12);
            g.setColor(Color.BLACK);
            LABEL.draw(g, series.get(s), x + 17, y);
            x += itemW;
        }
    }

    private static int yOf(double v, double yMin, double yMax, int top, int plotH) {
        return top + plotH - (int) Math.round((v - yMin) / (yMax - yMin) * plotH);
    }

    /** 1, 2 or 5 times a power of ten, at least {@code raw}. */
    static double niceStep(double raw) {
        if (raw <= 0 || !Double.isFinite(raw)) return 1;
        double p = Math.pow(10, Math.floor(Math.log10(raw)));
        for (double m : new double[]{1, 2, 5, 10}) if (m * p >= raw - 1e-12) return m * p;
        return 10 * p;
    }

    static double niceCeil(double v) {
        double step = niceStep(v / 6);
        return Math.ceil(v / step - 1e-9) * step;
    }

    private static String fmt(double v, double step) {
        if (step >= 1) return String.format(Locale.ROOT, "%.0f", v);
        int decimals = (int) Math.ceil(-Math.log10(step) - 1e-9);
        return String.format(Locale.ROOT, "%." + decimals + "f", v);
    }

    static void write(BufferedImage img, Path png) throws IOException {
        Path dir = png.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Figures.writePng(img, png);
    }
}
