package adamerge.merging;

import adamerge.tensor.Tensor;
import adamerge.vit.ClassificationHead;
import adamerge.vit.ClipVisionEncoder;
import adamerge.vit.ClipWeights;
import adamerge.vit.VitConfig;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.*;

class DisentanglementTest {
    static final VitConfig CONFIG = new VitConfig(16, 8, 16, 1, 1, 32, 8, VitConfig.Activation.QUICK_GELU, 1e-5f);
    static final Function<Map<String, Tensor>, ClipVisionEncoder> ENCODER = m -> ClipVisionEncoder.frozen(CONFIG, m);

    private static Map<String, Tensor> vector(float... v) {
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("a", Tensor.of(new float[] {v[0], v[1]}, 2));
        m.put("b", Tensor.of(new float[] {v[2]}, 1));
        return m;
    }

    @Test
    void normsAndCosinesOfHandMadeVectors() {
        // |pre| = sqrt(9 + 16 + 144) = 13; |tau_0| = 1.3 -> 0.1; |tau_1| = 2.6 -> 0.2
        Map<String, Tensor> pre = vector(3, 4, 12);
        List<Map<String, Tensor>> taus = List.of(vector(0.3f, 0.4f, 1.2f), vector(0, 0, 2.6f), vector(-0.6f, -0.8f, -2.4f), vector(0.8f, -0.6f, 0));
        double[] n = Disentanglement.relativeNorms(pre, taus);
        assertEquals(0.1, n[0], 1e-6);
        assertEquals(0.2, n[1], 1e-6);
        double[][] c = Disentanglement.cosines(taus);
        for (int i = 0; i < 4; i++) assertEquals(1, c[i][i], 1e-6, "diagonal");
        assertEquals(-1, c[0][2], 1e-6, "anti-parallel");
        assertEquals(0, c[1][3], 1e-7, "orthogonal");
        assertEquals(0, c[0][3], 1e-7, "orthogonal"); // 0.24 - 0.24 + 0
        assertEquals(12 / 13.0, c[0][1], 1e-6, "1.2 * 2.6 / (1.3 * 2.6)");
        assertEquals(c[1][0], c[0][1], 0, "symmetric");
        // Pairs (0,1) 12/13, (0,2) -1, (0,3) 0, (1,2) -12/13, (1,3) 0, (2,3) 0: their mean is -1/6.
        assertEquals(-1 / 6.0, Disentanglement.meanOverPairs(c), 1e-6);
    }

    /** Two random tasks on a tiny ViT, fine-tuned models = pre + random perturbations. */
    private record Setup(Map<String, Tensor> pre, List<Map<String, Tensor>> taus, List<Disentanglement.Task> tasks) {}

    private static Setup setup() {
        Map<String, Tensor> pre = ClipWeights.random(CONFIG, 3);
        List<Map<String, Tensor>> taus = new ArrayList<>();
        List<Disentanglement.Task> tasks = new ArrayList<>();
        for (int k = 0; k < 2; k++) {
            Map<String, Tensor> tau = new LinkedHashMap<>();
            int s = 100 * k;
            for (Map.Entry<String, Tensor> e : pre.entrySet()) tau.put(e.getKey(), Tensor.randn(++s + 17, e.getValue().shape()).mul(0.3f));
            taus.add(tau);
            int n = 40;
            int[] labels = new int[n];
            for (int i = 0; i < n; i++) labels[i] = (i * 7 + k) % 5;
            tasks.add(new Disentanglement.Task("t" + k, new ClassificationHead("t" + k, Tensor.randn(50 + k, 5, 8).mul(10), Tensor.zeros(5)),
                    Tensor.randn(60 + k, n, 3, 16, 16), labels));
        }
        return new Setup(pre, taus, tasks);
    }

    /** Top-1 predictions computed here from the encoder's features and the head's rows, cosine by cosine. */
    private static int[] predictByHand(Map<String, Tensor> model, Disentanglement.Task task) {
        float[] f = ClipVisionEncoder.frozen(CONFIG, model).encode(task.images()).toArray();
        float[] w = task.head().weight().toArray();
        int n = task.labels().length, d = 8, c = task.head().classes();
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            double norm = 0;
            for (int j = 0; j < d; j++) norm += f[i * d + j] * f[i * d + j];
            double best = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < c; k++) {
                double z = 0;
                for (int j = 0; j < d; j++) z += f[i * d + j] * w[k * d + j];
                z /= Math.sqrt(norm);
                if (z > best) {
                    best = z;
                    out[i] = k;
                }
            }
        }
        return out;
    }

    private static double accuracyByHand(Map<String, Tensor> model, Disentanglement.Task task) {
        int[] p = predictByHand(model, task);
        int right = 0;
        for (int i = 0; i < p.length; i++) if (p[i] == task.labels()[i]) right++;
        return (double) right / p.length;
    }

    private static Map<String, Tensor> plus(Map<String, Tensor> pre, List<Map<String, Tensor>> taus, float... a) {
        Map<String, Tensor> m = new LinkedHashMap<>();
        pre.forEach((k, v) -> {
            Tensor t = v;
            for (int i = 0; i < a.length; i++) t = t.add(taus.get(i).get(k).mul(a[i]));
            m.put(k, t);
        });
        return m;
    }

    @Test
    void curvesStartAtThePretrainedAccuracyAndReachTheFineTunedOne() {
        Setup s = setup();
        double[][][] c = Disentanglement.curves(ENCODER, s.pre, s.taus, s.tasks, new double[] {0, 0.5, 1});
        for (int k = 0; k < 2; k++)
            for (int t = 0; t < 2; t++) {
                assertEquals(accuracyByHand(s.pre, s.tasks.get(t)), c[k][0][t], 1e-12, "a = 0 is the pretrained model");
                assertEquals(accuracyByHand(plus(s.pre, List.of(s.taus.get(k)), 0.5f), s.tasks.get(t)), c[k][1][t], 1e-12, "a = 0.5");
                assertEquals(accuracyByHand(plus(s.pre, List.of(s.taus.get(k)), 1f), s.tasks.get(t)), c[k][2][t], 1e-12, "a = 1: theta_k");
            }
        // The perturbations are large: some accuracy must move, or the test proves nothing.
        assertNotEquals(c[0][0][0], c[0][2][0], 1e-12);
    }

    @Test
    void errorIsTheDisagreementOfEquationFive() {
        Setup s = setup();
        double[][] xi = Disentanglement.errors(ENCODER, s.pre, s.taus, s.tasks, new double[] {1});
        Map<String, Tensor> both = plus(s.pre, s.taus, 1, 1);
        double expected = 0;
        for (int t = 0; t < 2; t++) {
            int[] alone = predictByHand(plus(s.pre, List.of(s.taus.get(t)), 1), s.tasks.get(t)), merged = predictByHand(both, s.tasks.get(t));
            int differ = 0;
            for (int i = 0; i < alone.length; i++) if (alone[i] != merged[i]) differ++;
            expected += (double) differ / alone.length;
        }
        assertTrue(expected > 0, "large random vectors must interfere, or the check is empty");
        assertEquals(expected, xi[0][1], 1e-12);
        assertEquals(xi[0][1], xi[1][0], 0);
        assertEquals(0, xi[0][0], 0);

        // A zero vector for task 1 and alpha 0 for both: every model is theta_pre, so nothing disagrees.
        Map<String, Tensor> zero = new LinkedHashMap<>();
        s.pre.forEach((k, v) -> zero.put(k, Tensor.zeros(v.shape())));
        assertEquals(0, Disentanglement.errors(ENCODER, s.pre, List.of(zero, zero), s.tasks, new double[] {0, 1})[0][1], 0);
    }
}
