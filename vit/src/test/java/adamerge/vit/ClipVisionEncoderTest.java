package adamerge.vit;

import adamerge.autograd.Losses;
import adamerge.autograd.Var;
import adamerge.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** The encoder's features and entropy gradients against PyTorch (fixtures from make_vit_fixtures.py). */
class ClipVisionEncoderTest {

    static Map<String, Tensor> visual(Map<String, Tensor> all) {
        Map<String, Tensor> m = new LinkedHashMap<>();
        all.forEach((k, v) -> {
            if (k.startsWith("visual.")) m.put(k.substring("visual.".length()), v);
        });
        return m;
    }

    void checkAgainstTorch(String weights, String io, VitConfig.Activation act) throws Exception {
        VitConfig c = new VitConfig(32, 8, 128, 2, 2, 512, 48, act, 1e-5f);
        Map<String, Tensor> w = visual(Fixtures.read(weights));
        Map<String, Tensor> ref = Fixtures.read(io);

        Map<String, Var> params = new LinkedHashMap<>();
        w.forEach((k, v) -> params.put(k, Var.param(v)));
        ClipVisionEncoder enc = new ClipVisionEncoder(c, params);
        Var features = enc.forward(ref.get("pixel_values"));
        Fixtures.assertRelClose(ref.get("features"), features.value(), 1e-4, "features");

        ClassificationHead head = new ClassificationHead("t", ref.get("head.weight"), null);
        Var logits = head.logits(features);
        Fixtures.assertRelClose(ref.get("logits"), logits.value(), 1e-4, "logits");
        Var loss = Losses.entropy(logits);
        assertEquals(ref.get("entropy_loss").item(), loss.value().item(), 1e-4 * Math.abs(ref.get("entropy_loss").item()));
        loss.backward();
        for (String name : ClipWeights.names(c))
            Fixtures.assertRelClose(ref.get("grad.visual." + name), params.get(name).grad(), 1e-3, "grad " + name);
    }

    @Test
    void quickGeluModelMatchesPyTorch() throws Exception {
        checkAgainstTorch("vit_openclip.safetensors", "vit_io.safetensors", VitConfig.Activation.QUICK_GELU);
    }

    @Test
    void geluModelMatchesPyTorch() throws Exception {
        checkAgainstTorch("vit_gelu_openclip.safetensors", "vit_gelu_io.safetensors", VitConfig.Activation.GELU);
    }

    @Test
    void inferenceMatchesTrainingForward() throws Exception {
        VitConfig c = VitConfig.of(32, 8, 64, 2, 16);
        Map<String, Tensor> w = ClipWeights.random(c, 3);
        Tensor x = Tensor.randn(9, 2, 3, 32, 32);
        Tensor a = ClipVisionEncoder.frozen(c, w).encode(x);
        Map<String, Var> p = new LinkedHashMap<>();
        w.forEach((k, v) -> p.put(k, Var.param(v)));
        Var b = new ClipVisionEncoder(c, p).forward(x);
        assertTrue(b.requiresGrad());
        assertArrayEquals(a.toArray(), b.value().toArray(), 1e-6f);
    }

    /** The last block on the class token alone (the default) against the full block (taken when inputs are observed). */
    @Test
    void classTokenShortcutMatchesTheFullLastBlock() {
        VitConfig c = VitConfig.of(32, 8, 64, 3, 16);
        Map<String, Tensor> w = ClipWeights.random(c, 4);
        Tensor x = Tensor.randn(5, 2, 3, 32, 32);
        Tensor shortcut = ClipVisionEncoder.frozen(c, w).encode(x);
        int[] observed = {0};
        Tensor full = ClipVisionEncoder.frozen(c, w).observeLinearInputs((name, rows) -> observed[0]++).encode(x);
        assertEquals(4 * 3, observed[0]);
        assertArrayEquals(full.toArray(), shortcut.toArray(), 1e-5f);
    }

    @Test
    void badShapesAreNamed() {
        VitConfig c = VitConfig.of(32, 8, 64, 1, 16);
        Map<String, Tensor> w = ClipWeights.random(c, 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ClipVisionEncoder.frozen(c, w).encode(Tensor.zeros(1, 3, 16, 16)));
        assertTrue(e.getMessage().contains("[1, 3, 16, 16]"), e.getMessage());
        w.put("proj", Tensor.zeros(64, 17));
        e = assertThrows(IllegalArgumentException.class, () -> ClipVisionEncoder.frozen(c, w));
        assertTrue(e.getMessage().contains("proj") && e.getMessage().contains("[64, 17]"), e.getMessage());
    }
}
