package adamerge.study;

import adamerge.vit.Predictions;
import org.apache.commons.math3.stat.correlation.SpearmansCorrelation;

import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * The paper's entropy-vs-loss analysis (its Figure 2 / Section 3.2.2): the test samples of a
 * model sorted by prediction entropy into 11 groups of equal count (the paper does not say
 * whether its bins are equal-count or equal-width; we use equal-count quantiles), the mean
 * entropy and mean cross-entropy per group, and the Spearman rank correlation between the
 * two group means.
 *
 * @param groupEntropy mean entropy of each group, low to high
 * @param groupLoss    mean cross-entropy of each group
 * @param samples      samples analysed
 * @param spearman     rank correlation of (groupEntropy, groupLoss)
 */
public record EntropyLoss(String name, double[] groupEntropy, double[] groupLoss, int samples, double spearman) {

    public static final int GROUPS = 11;

    /** The analysis over the pooled samples of {@code predictions}. */
    public static EntropyLoss of(String name, List<Predictions> predictions) {
        int n = predictions.stream().mapToInt(Predictions::size).sum();
        double[] h = new double[n], ce = new double[n];
        int j = 0;
        for (Predictions p : predictions)
            for (int i = 0; i < p.size(); i++, j++) {
                h[j] = p.entropy(i);
                ce[j] = p.crossEntropy(i);
            }
        return of(name, h, ce);
    }

    public static EntropyLoss of(String name, double[] entropy, double[] loss) {
        int n = entropy.length, groups = Math.min(GROUPS, n);
        if (groups < 2) throw new IllegalArgumentException("entropy-vs-loss of '" + name + "' needs at least 2 samples, got " + n);
        Integer[] order = IntStream.range(0, n).boxed().toArray(Integer[]::new);
        Arrays.sort(order, Comparator.comparingDouble(i -> entropy[i]));
        double[] gh = new double[groups], gl = new double[groups];
        for (int g = 0; g < groups; g++) {
            int from = (int) ((long) g * n / groups), to = (int) ((long) (g + 1) * n / groups);
            for (int r = from; r < to; r++) {
                gh[g] += entropy[order[r]];
                gl[g] += loss[order[r]];
            }
            gh[g] /= to - from;
            gl[g] /= to - from;
        }
        double rho = new SpearmansCorrelation().correlation(gh, gl);
        return new EntropyLoss(name, gh, gl, n, rho);
    }
}
