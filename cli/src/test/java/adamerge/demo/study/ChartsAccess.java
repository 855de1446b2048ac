package adamerge.demo.study;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** Draws one chart of each kind Charts makes, with rotated labels and the Greek letters the study uses. */
public final class ChartsAccess {
    private ChartsAccess() {
    }

    public static void drawAll(Path dir) throws IOException {
        Charts.groupedBars(dir.resolve("bars.png"), "Learned task-wise coefficients λ_k (prior 0.3)", "λ",
                List.of("a rather long category name", "b"), List.of("one", "two"), new double[][]{{1, 2}, {3, Double.NaN}},
                new double[][]{{0.1, 0.2}, {0.3, 0.4}});
        Charts.lines(dir.resolve("lines.png"), "lines", "x", "y", List.of("s"), new double[][]{{0, 1, 2}}, new double[][]{{1, 0.5, 2}});
        Charts.panels(dir.resolve("panels.png"), "panels", "entropy", "loss", List.of("p (Spearman ρ = 0.90)", "q"),
                new double[][]{{0, 1}, {1, 2}}, new double[][]{{1, 2}, {2, 1}}, 2);
    }
}
