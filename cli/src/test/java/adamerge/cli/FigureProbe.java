package adamerge.cli;

import adamerge.output.Coefficients;
import adamerge.output.PixelFont;
import adamerge.study.Charts;

import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;

/**
 * Run in a child JVM by {@link NoSystemFontsTest}: {@code awt} draws text the way the figures
 * did before {@link PixelFont} (the control, which must fail where fonts are hidden);
 * {@code figures DIR} draws the heatmap and every chart kind into DIR.
 */
public final class FigureProbe {
    public static void main(String[] args) throws Exception {
        if (args[0].equals("awt")) {
            Graphics2D g = new BufferedImage(50, 20, BufferedImage.TYPE_INT_RGB).createGraphics();
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
            g.drawString("text", 2, 15);
            System.out.println("drawn with system fonts");
            return;
        }
        Path dir = Path.of(args[1]);
        Coefficients.heatmap(dir.resolve("heatmap.png"), List.of("a", "b", "c"), List.of("mnist", "eurosat-like"),
                new float[][]{{0.1f, 0.2f}, {0.3f, 0.4f}, {0.5f, 0.6f}});
        // one chart of each kind, with rotated labels and the Greek letters the study uses
        Charts.groupedBars(dir.resolve("bars.png"), "Learned task-wise coefficients λ_k (prior 0.3)", "λ",
                List.of("a rather long category name", "b"), List.of("one", "two"), new double[][]{{1, 2}, {3, Double.NaN}},
                new double[][]{{0.1, 0.2}, {0.3, 0.4}});
        Charts.lines(dir.resolve("lines.png"), "lines", "x", "y", List.of("s"), new double[][]{{0, 1, 2}}, new double[][]{{1, 0.5, 2}});
        Charts.panels(dir.resolve("panels.png"), "panels", "entropy", "loss", List.of("p (Spearman ρ = 0.90)", "q"),
                new double[][]{{0, 1}, {1, 2}}, new double[][]{{1, 2}, {2, 1}}, 2);
        System.out.println("figures drawn");
    }
}
