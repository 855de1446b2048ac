package adamerge.merging;

import adamerge.autograd.GradCheck;
import adamerge.autograd.Var;
import adamerge.tensor.Tensor;
import adamerge.vit.io.SafetensorsWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static adamerge.merging.MergeFixtures.*;
import static org.junit.jupiter.api.Assertions.*;

class SurgeryTest {
    private static final double LR = 1e-3, B1 = 0.9, B2 = 0.999, EPS = 1e-8;

    @TempDir
    Path tmp;

    /**
     * Two Adam steps on a 2-image, 3-feature, rank-2 case, worked out by hand. Step 1: up = 0, so
     * the surgery is the identity, the loss is mean|f - t| = 4/6, down has no gradient, and each
     * entry of up moves by lr against the sign of its gradient -sum_b s_bi h_bj / 6 (Adam's first
     * step is lr g / (|g| + eps)). Step 2: down's first row gets the gradient it now has.
     */
    @Test
    void twoStepsMatchTheUpdateWorkedOutByHand() {
        float[] f = {1, 2, 0, 0, 1, -1};           // merged features [2, 3]
        float[] t = {1.5f, 1, 0.5f, -1, 1.5f, -1.5f}; // fine-tuned features: f - t = [[-.5, 1, -.5], [1, -.5, .5]]
        float[] down0 = {0.5f, 0.25f, 0, 0, -0.5f, 0.5f}; // pre-activations f down^T = [[1, -1], [0.25, -1]]: relu keeps column 0
        Surgery start = new Surgery(List.of("a"), List.of(Tensor.of(down0, 2, 3)), List.of(Tensor.zeros(3, 2)));
        SurgeryTraining training = new SurgeryTraining(start, (float) LR);
        Tensor mf = Tensor.of(f, 2, 3), tf = Tensor.of(t, 2, 3);

        assertEquals(4.0 / 6, training.step(0, mf, tf), 3e-7, "loss before step 1");
        // h = [[1, 0], [0.25, 0]], s = sign(f - t) = [[-1, 1, -1], [1, -1, 1]]
        // d loss / d up[i][0] = -(s_0i * 1 + s_1i * 0.25) / 6 = (0.125, -0.125, 0.125); column 1 has h = 0
        double g = 0.125, step1 = LR * g / (g + EPS);
        double[] up1 = {-step1, 0, step1, 0, -step1, 0};
        assertClose(up1, training.surgery().up().getFirst(), 1e-9, "up after step 1");
        assertClose(toDouble(down0), training.surgery().down().getFirst(), 0, "down after step 1 (no gradient while up = 0)");

        // Step 2: corrected = f - h up^T moves each row by h_b0 * up[:, 0]; no sign of f - t changes.
        double[] corrected = {1 + step1, 2 - step1, step1, 0.25 * step1, 1 - 0.25 * step1, -1 + 0.25 * step1};
        double loss2 = 0;
        for (int i = 0; i < 6; i++) loss2 += Math.abs(corrected[i] - t[i]) / 6;
        assertEquals(loss2, training.step(0, mf, tf), 3e-7, "loss before step 2");
        // up's gradient is again (0.125, -0.125, 0.125) in column 0; Adam's second step with an
        // unchanged gradient is lr again (m-hat = g, v-hat = g^2).
        double step2 = LR * g / (g + EPS);
        assertClose(new double[]{-step1 - step2, 0, step1 + step2, 0, -step1 - step2, 0}, training.surgery().up().getFirst(), 1e-9, "up after step 2");
        // d loss / d h[b][0] = -sum_i s_bi up[i][0] / 6 = (-3 step1 / 6, +3 step1 / 6); both pre-activations of column 0 are > 0,
        // so d loss / d down[0][c] = sum_b dh_b0 f[b][c] = (step1 / 2) (f[1][c] - f[0][c]) = -step1 / 2 for every c; row 1 stays.
        double gd = -step1 / 2;
        double m = (1 - B1) * gd, v = (1 - B2) * gd * gd; // step 1 left down's moments at 0
        double mHat = m / (1 - B1 * B1), vHat = v / (1 - B2 * B2);
        double moved = LR * mHat / (Math.sqrt(vHat) + EPS);
        double[] down2 = toDouble(down0);
        for (int c = 0; c < 3; c++) down2[c] -= moved;
        assertClose(down2, training.surgery().down().getFirst(), 1e-7, "down after step 2");
        assertTrue(moved < 0, "down's first row grows: its gradient is negative");
    }

    /** Upstream's loss and its gradients (a torch.nn.L1Loss on upstream's forward), and 4 iterations of its loop over 2 tasks. */
    @Test
    void lossAndStepsMatchUpstreamsPyTorchLoop() throws IOException {
        Map<String, Tensor> fx = read("surgery.safetensors");
        Var down = Var.param(fx.get("probe.down_proj.weight")), up = Var.param(fx.get("probe.up_proj.weight"));
        Var corrected = Surgery.corrected(Var.constant(fx.get("probe.merged")), down, up);
        assertRelClose(fx.get("probe.corrected"), corrected.value(), 1e-5, "probe corrected features");
        Var loss = SurgeryTraining.l1(corrected, Var.constant(fx.get("probe.individual")));
        assertRelClose(fx.get("probe.loss"), loss.value(), 1e-5, "probe loss");
        loss.backward();
        assertRelClose(fx.get("probe.grad.down_proj.weight"), down.grad(), 1e-4, "probe d loss / d down");
        assertRelClose(fx.get("probe.grad.up_proj.weight"), up.grad(), 1e-4, "probe d loss / d up");

        List<String> tasks = List.of("t0", "t1");
        Surgery start = new Surgery(tasks,
                List.of(fx.get("init.task0.down_proj.weight"), fx.get("init.task1.down_proj.weight")),
                List.of(fx.get("init.task0.up_proj.weight"), fx.get("init.task1.up_proj.weight")));
        SurgeryTraining training = new SurgeryTraining(start, 1e-3f);
        float[] losses = fx.get("losses").toArray(); // [iterations, K, batches]
        int iterations = fx.get("losses").dim(0), k = fx.get("losses").dim(1), batches = fx.get("losses").dim(2);
        for (int i = 0; i < iterations; i++)
            for (int task = 0; task < k; task++)
                for (int b = 0; b < batches; b++) {
                    String key = "task" + task + ".it" + i + ".b" + b;
                    float l = training.step(task, fx.get("merged." + key), fx.get("individual." + key));
                    float expected = losses[(i * k + task) * batches + b];
                    assertEquals(expected, l, 1e-4 * Math.abs(expected), "loss of " + key);
                }
        Surgery done = training.surgery();
        for (int task = 0; task < k; task++) {
            assertRelClose(fx.get("final.task" + task + ".down_proj.weight"), done.down().get(task), 1e-4, "down of task " + task);
            assertRelClose(fx.get("final.task" + task + ".up_proj.weight"), done.up().get(task), 1e-4, "up of task " + task);
        }
    }

    @Test
    void lossGradientPassesAFiniteDifferenceCheck() {
        Tensor f = Tensor.randn(1, 4, 6), t = Tensor.randn(2, 4, 6).mul(0.5f).add(f);
        GradCheck.Result r = GradCheck.check(v -> SurgeryTraining.l1(Surgery.corrected(Var.constant(f), v.get(0), v.get(1)), Var.constant(t)),
                List.of(Tensor.randn(3, 3, 6).mul(0.5f), Tensor.randn(4, 6, 3).mul(0.5f)), 1e-2, 2e-3, 2e-2);
        assertTrue(r.ok(), r.worst());
    }

    @Test
    void theUntrainedSurgeryIsTheIdentityAndDownHasTorchsLinearInitRange() {
        Surgery s = Surgery.initial(List.of("a", "b"), 64, 16, 7);
        assertEquals(16, s.rank());
        assertEquals(64, s.dim());
        for (Tensor d : s.down()) assertTrue(d.abs().max(-1, false).max(0, false).item() <= 1 / Math.sqrt(64));
        assertNotEquals(s.down().get(0).sum().item(), s.down().get(1).sum().item(), "tasks draw their own init");
        Tensor f = Tensor.randn(3, 5, 64);
        assertArrayEquals(f.toArray(), s.apply(1, f).toArray());
    }

    @Test
    void fileRoundTripsAndForeignFilesAreRefusedByName() throws IOException {
        Surgery s = new Surgery(List.of("mnist", "svhn"), List.of(Tensor.randn(1, 2, 5), Tensor.randn(2, 2, 5)),
                List.of(Tensor.randn(3, 5, 2), Tensor.randn(4, 5, 2)));
        Path file = tmp.resolve("m.surgery.safetensors");
        s.write(file);
        Surgery back = Surgery.read(file);
        assertEquals(s.tasks(), back.tasks());
        for (int k = 0; k < 2; k++) {
            assertArrayEquals(s.down().get(k).toArray(), back.down().get(k).toArray());
            assertArrayEquals(s.up().get(k).toArray(), back.up().get(k).toArray());
        }
        assertEquals(1, back.task("svhn"));
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> back.task("dtd"));
        assertTrue(unknown.getMessage().contains("dtd") && unknown.getMessage().contains("mnist"), unknown.getMessage());

        Path foreign = tmp.resolve("model.safetensors");
        SafetensorsWriter.write(foreign, Map.of("w", Tensor.zeros(2, 2)));
        IOException e = assertThrows(IOException.class, () -> Surgery.read(foreign));
        assertTrue(e.getMessage().startsWith(foreign.toString()) && e.getMessage().contains("not a surgery file"), e.getMessage());
    }

    private static double[] toDouble(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) d[i] = a[i];
        return d;
    }

    private static void assertClose(double[] expected, Tensor actual, double tol, String what) {
        float[] a = actual.toArray();
        assertEquals(expected.length, a.length, what + ": size");
        for (int i = 0; i < a.length; i++) assertEquals(expected[i], a[i], tol, what + "[" + i + "]");
    }
}
