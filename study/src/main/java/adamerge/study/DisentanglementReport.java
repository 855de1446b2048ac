package adamerge.study;

import adamerge.merging.Disentanglement;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The study's disentanglement diagnostics as Markdown and as a figure of single-task curves. */
final class DisentanglementReport {
    private DisentanglementReport() {
    }

    static String markdown(List<String> tasks, StudyResults.Diagnostics d) {
        int k = tasks.size();
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "Measured on the task vectors tau_k = theta_k - theta_pre and the first %d test images per task. "
                + "In CLIP's regime (fine-tuning at lr 1e-5) task vectors are small next to the weights and nearly orthogonal (cosines "
                + "0.01-0.05, Ilharco et al. 2023), and adding one barely changes the others' predictions (weight disentanglement, "
                + "Ortiz-Jimenez et al. 2023).%n%n", d.images()));
        b.append("| task | |tau_k| / |theta_pre| | own accuracy at a = 0 / 0.3 / 1 | others' mean at a = 0 / 0.3 / 1 |\n|---|---|---|---|\n");
        int a0 = indexOf(d.alphas(), 0), a3 = indexOf(d.alphas(), 0.3), a1 = indexOf(d.alphas(), 1);
        for (int i = 0; i < k; i++)
            b.append(String.format(Locale.ROOT, "| %s | %.4f | %.1f / %.1f / %.1f | %.1f / %.1f / %.1f |%n", tasks.get(i), d.relativeNorms()[i],
                    d.curves()[i][a0][i], d.curves()[i][a3][i], d.curves()[i][a1][i],
                    Disentanglement.othersMean(d.curves()[i][a0], i), Disentanglement.othersMean(d.curves()[i][a3], i), Disentanglement.othersMean(d.curves()[i][a1], i)));
        b.append("\nCosine between task vectors:\n\n").append(matrix(tasks, d.cosines(), "%.3f"));
        b.append(String.format(Locale.ROOT, "%nWeight-disentanglement error (Ortiz-Jimenez et al., NeurIPS 2023, eq. 5): for tasks i, j the "
                + "fraction of task i's images whose prediction under theta_pre + a_i tau_i changes when a_j tau_j is added, plus the same "
                + "for task j; mean over a_i, a_j in %s (0 = fully disentangled, 2 = every prediction changed):%n%n",
                java.util.Arrays.toString(d.errorAlphas()))).append(matrix(tasks, d.errors(), "%.3f"));
        b.append(String.format(Locale.ROOT, "%nMean over the %d pairs: cosine %.3f, error %.3f.%n%n![Single-task curves](disentanglement.png)%n",
                k * (k - 1) / 2, Disentanglement.meanOverPairs(d.cosines()), Disentanglement.meanOverPairs(d.errors())));
        return b.toString();
    }

    private static String matrix(List<String> tasks, double[][] m, String fmt) {
        StringBuilder b = new StringBuilder("| |");
        for (String t : tasks) b.append(' ').append(t).append(" |");
        b.append("\n|---|").append("---|".repeat(tasks.size())).append('\n');
        for (int i = 0; i < m.length; i++) {
            b.append("| ").append(tasks.get(i)).append(" |");
            for (double v : m[i]) b.append(' ').append(String.format(Locale.ROOT, fmt, v)).append(" |");
            b.append('\n');
        }
        return b.toString();
    }

    private static int indexOf(double[] xs, double x) {
        for (int i = 0; i < xs.length; i++) if (Math.abs(xs[i] - x) < 1e-9) return i;
        throw new IllegalArgumentException("no coefficient " + x + " among " + java.util.Arrays.toString(xs));
    }


    /** One panel per task vector: accuracy on its own task and the mean over the others, against a. */
    static void figure(Path png, List<String> tasks, StudyResults.Diagnostics d) throws IOException {
        int k = tasks.size();
        double[][][] xs = new double[k][2][], ys = new double[k][2][];
        List<String> titles = new ArrayList<>();
        for (int i = 0; i < k; i++) {
            xs[i][0] = xs[i][1] = d.alphas();
            ys[i][0] = new double[d.alphas().length];
            ys[i][1] = new double[d.alphas().length];
            for (int a = 0; a < d.alphas().length; a++) {
                ys[i][0][a] = d.curves()[i][a][i];
                ys[i][1][a] = Disentanglement.othersMean(d.curves()[i][a], i);
            }
            titles.add(String.format(Locale.ROOT, "theta_pre + a tau(%s)", tasks.get(i)));
        }
        Charts.panels(png, "Adding one task vector: accuracy on its own task (blue) and the mean over the other 7 (orange)",
                "a", "accuracy (%)", titles, xs, ys, 4);
    }
}
