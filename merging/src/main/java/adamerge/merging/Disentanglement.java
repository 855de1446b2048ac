package adamerge.merging;

import adamerge.tensor.Tensor;
import adamerge.vit.ClassificationHead;
import adamerge.vit.ClipVisionEncoder;
import adamerge.vit.Predictions;
import adamerge.vit.data.ImageDataSet;

import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Why a set of task vectors merges well or not, measured before any merging:
 * <ul>
 *   <li>{@link #relativeNorms}: {@code |tau_k| / |theta_pre|}. CLIP fine-tuned at lr 1e-5 moves
 *       its weights by a few percent at most: merging then stays near the pretrained model, where
 *       the network is close to linear in its weights.</li>
 *   <li>{@link #cosines}: {@code cos(tau_i, tau_j)} of the flattened vectors; Ilharco et al. (2023)
 *       report 0.01-0.05 between CLIP's task vectors. Aligned vectors add up to interference.</li>
 *   <li>{@link #curves}: accuracy of {@code theta_pre + a tau_k} on task k and on every other task;
 *       in a disentangled model task k's curve rises while the others stay flat.</li>
 *   <li>{@link #errors}: the weight-disentanglement error of Ortiz-Jimenez et al. (NeurIPS 2023,
 *       eq. 5), {@code xi(a_i, a_j) = sum_{t in {i,j}} E_{x ~ task t} [ f(x; theta_pre + a_t tau_t)
 *       != f(x; theta_pre + a_i tau_i + a_j tau_j) ]}, with f the top-1 prediction of task t's head:
 *       0 when adding the other task's vector changes no prediction on this task's data.</li>
 * </ul>
 * Models and task vectors are maps of named tensors in one layout; {@code encoder} turns a model
 * of that layout into a frozen encoder.
 */
public final class Disentanglement {
    private Disentanglement() {
    }

    /** One task's labelled evaluation images (normalised, [N, 3, S, S]) and its frozen head. */
    public record Task(String name, ClassificationHead head, Tensor images, int[] labels) {
        public Task {
            if (images.dim(0) != labels.length)
                throw new IllegalArgumentException("task " + name + ": " + images.dim(0) + " images but " + labels.length + " labels");
        }

        /** The first {@code images} images of a labelled data set (all of them when it holds fewer). */
        public static Task of(String name, ClassificationHead head, ImageDataSet data, int images) {
            if (!data.hasLabels()) throw new IllegalArgumentException(data.source() + " has no labels: the curves need labelled data");
            int n = Math.min(images, data.size());
            return new Task(name, head, data.batch(0, n), java.util.Arrays.copyOf(data.labels(), n));
        }
    }

    /** {@code |tau_k| / |theta_pre|} over all tensors, per task vector. */
    public static double[] relativeNorms(Map<String, Tensor> pretrained, List<Map<String, Tensor>> taus) {
        double pre = Math.sqrt(dot(pretrained, pretrained));
        double[] out = new double[taus.size()];
        for (int k = 0; k < taus.size(); k++) out[k] = Math.sqrt(dot(taus.get(k), taus.get(k))) / pre;
        return out;
    }

    /** The K x K cosine matrix of the flattened task vectors (NaN against an all-zero vector). */
    public static double[][] cosines(List<Map<String, Tensor>> taus) {
        int k = taus.size();
        double[][] g = new double[k][k];
        for (int i = 0; i < k; i++)
            for (int j = i; j < k; j++) g[i][j] = g[j][i] = dot(taus.get(i), taus.get(j));
        double[][] cos = new double[k][k];
        for (int i = 0; i < k; i++)
            for (int j = 0; j < k; j++) cos[i][j] = g[i][j] / Math.sqrt(g[i][i] * g[j][j]);
        return cos;
    }

    /**
     * {@code out[k][a][t]}: top-1 accuracy (fraction) of {@code theta_pre + alphas[a] tau_k} on
     * task t. {@code a = 0} is the pretrained model on every row.
     */
    public static double[][][] curves(Function<Map<String, Tensor>, ClipVisionEncoder> encoder, Map<String, Tensor> pretrained,
                                      List<Map<String, Tensor>> taus, List<Task> tasks, double[] alphas) {
        double[][][] out = new double[taus.size()][alphas.length][tasks.size()];
        for (int k = 0; k < taus.size(); k++)
            for (int a = 0; a < alphas.length; a++) {
                ClipVisionEncoder enc = encoder.apply(TaskVector.apply(pretrained, List.of(taus.get(k)), new float[] {(float) alphas[a]}));
                for (int t = 0; t < tasks.size(); t++) out[k][a][t] = accuracy(predictions(enc, tasks.get(t)), tasks.get(t).labels());
            }
        return out;
    }

    /**
     * {@code out[i][j]}: eq. 5's error of the pair (i, j), averaged over the grid
     * {@code (a_i, a_j) in alphas x alphas}; a fraction in [0, 2] (two tasks' disagreement rates
     * summed). The diagonal is 0 by definition.
     */
    public static double[][] errors(Function<Map<String, Tensor>, ClipVisionEncoder> encoder, Map<String, Tensor> pretrained,
                                    List<Map<String, Tensor>> taus, List<Task> tasks, double[] alphas) {
        int k = taus.size();
        if (tasks.size() != k) throw new IllegalArgumentException(k + " task vectors but " + tasks.size() + " tasks");
        // Each task's predictions under its own vector alone, per alpha: reused by every pair.
        int[][][] alone = new int[k][alphas.length][];
        for (int t = 0; t < k; t++)
            for (int a = 0; a < alphas.length; a++)
                alone[t][a] = predictions(encoder.apply(TaskVector.apply(pretrained, List.of(taus.get(t)), new float[] {(float) alphas[a]})), tasks.get(t));
        double[][] out = new double[k][k];
        for (int i = 0; i < k; i++)
            for (int j = i + 1; j < k; j++) {
                double sum = 0;
                for (int a = 0; a < alphas.length; a++)
                    for (int b = 0; b < alphas.length; b++) {
                        ClipVisionEncoder both = encoder.apply(TaskVector.apply(pretrained, List.of(taus.get(i), taus.get(j)),
                                new float[] {(float) alphas[a], (float) alphas[b]}));
                        sum += disagreement(alone[i][a], predictions(both, tasks.get(i)))
                                + disagreement(alone[j][b], predictions(both, tasks.get(j)));
                    }
                out[i][j] = out[j][i] = sum / (alphas.length * alphas.length);
            }
        return out;
    }

    /** The mean of a symmetric pairwise matrix over its pairs i < j (the diagonal left out). */
    public static double meanOverPairs(double[][] m) {
        double s = 0;
        int pairs = 0;
        for (int i = 0; i < m.length; i++)
            for (int j = i + 1; j < m.length; j++) {
                s += m[i][j];
                pairs++;
            }
        return s / pairs;
    }

    /** The mean of {@code byTask} over every task but {@code skip}: a curve's accuracy on the other tasks. */
    public static double othersMean(double[] byTask, int skip) {
        double s = 0;
        for (int t = 0; t < byTask.length; t++) if (t != skip) s += byTask[t];
        return byTask.length > 1 ? s / (byTask.length - 1) : Double.NaN;
    }

    /** Top-1 predictions of the task's head on the encoder's features of its images. */
    static int[] predictions(ClipVisionEncoder encoder, Task task) {
        ImageDataSet images = ImageDataSet.of(task.name(), task.images(), task.labels(), List.of());
        return Predictions.of(encoder, task.head(), images, 256, null).predicted();
    }

    static double accuracy(int[] predicted, int[] labels) {
        int right = 0;
        for (int i = 0; i < labels.length; i++) if (predicted[i] == labels[i]) right++;
        return (double) right / labels.length;
    }

    static double disagreement(int[] a, int[] b) {
        int differ = 0;
        for (int i = 0; i < a.length; i++) if (a[i] != b[i]) differ++;
        return (double) differ / a.length;
    }

    /** {@code <x, y>} over all tensors of two same-layout maps, in double. */
    static double dot(Map<String, Tensor> x, Map<String, Tensor> y) {
        Models.requireSameLayout("the first vector", x, "the second vector", y);
        double s = 0;
        for (Map.Entry<String, Tensor> e : x.entrySet()) {
            float[] a = e.getValue().toArray(), b = y.get(e.getKey()).toArray();
            for (int i = 0; i < a.length; i++) s += (double) a[i] * b[i];
        }
        return s;
    }
}
