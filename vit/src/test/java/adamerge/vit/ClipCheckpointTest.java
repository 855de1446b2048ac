package adamerge.vit;

import adamerge.tensor.Tensor;
import adamerge.vit.io.SafetensorsReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** Every key convention loads to the same canonical weights and writes back in its own keys. */
class ClipCheckpointTest {
    static final Path DIR = Path.of("src/test/resources/fixtures");

    @Test
    void conventionsAgree() throws IOException {
        ClipCheckpoint oc = ClipCheckpoint.load(DIR.resolve("vit_openclip.safetensors"), null);
        assertEquals(ClipCheckpoint.Convention.OPEN_CLIP, oc.convention());
        Map<String, Tensor> ref = oc.canonical();
        assertEquals(ClipWeights.names(oc.config()), List.copyOf(ref.keySet()));
        assertFalse(oc.sourceNames().contains("text_projection"), "text-tower leftovers are not encoder layers");
        assertEquals(32, oc.sourceNames().size());

        for (Path p : List.of(DIR.resolve("vit_hf"), DIR.resolve("vit_hf_noprefix.safetensors"), DIR.resolve("vit_openclip.pt"))) {
            ClipCheckpoint ck = ClipCheckpoint.load(p, null);
            assertEquals(oc.config(), ck.config(), p.toString());
            Map<String, Tensor> c = ck.canonical();
            for (String n : ref.keySet()) assertArrayEquals(ref.get(n).toArray(), c.get(n).toArray(), p + " " + n);
        }
        ClipCheckpoint hf = ClipCheckpoint.load(DIR.resolve("vit_hf"), null);
        assertEquals(ClipCheckpoint.Convention.HUGGING_FACE, hf.convention());
        assertEquals(2 * 16 + 8, hf.sourceNames().size(), "q, k, v split: 16 tensors per layer + 8 outside");
        assertTrue(hf.sourceNames().contains("visual_projection.weight"));
        assertTrue(ClipCheckpoint.load(DIR.resolve("vit_openclip.pt"), null).sourceNames().get(0).startsWith("model.visual."));
    }

    @Test
    void writesBackInTheInputConvention(@TempDir Path tmp) throws IOException {
        ClipCheckpoint hf = ClipCheckpoint.load(DIR.resolve("vit_hf"), null);
        Map<String, Tensor> src = new LinkedHashMap<>(hf.source());
        src.put("vision_model.encoder.layers.1.self_attn.k_proj.bias", Tensor.full(7f, 128));
        Path out = tmp.resolve("m.safetensors");
        hf.write(out, src);
        try (SafetensorsReader r = SafetensorsReader.open(out)) {
            assertTrue(r.names().contains("vision_model.encoder.layers.1.self_attn.q_proj.weight"));
            assertEquals(7f, r.tensor("vision_model.encoder.layers.1.self_attn.k_proj.bias").toArray()[3]);
        }
        ClipCheckpoint back = ClipCheckpoint.load(out, null);
        assertEquals(hf.config(), back.config(), "the config travels in the file's metadata");
        float[] bias = back.canonical().get("transformer.resblocks.1.attn.in_proj_bias").toArray();
        assertEquals(7f, bias[128 + 5], "k rows sit in the middle of the packed bias");
        // gradients map like weights: canonical -> source -> canonical is the identity
        Map<String, Tensor> round = hf.toCanonical(hf.toSource(hf.canonical()));
        hf.canonical().forEach((k, v) -> assertArrayEquals(v.toArray(), round.get(k).toArray(), k));
    }

    @Test
    void badFilesAreNamed(@TempDir Path tmp) throws IOException {
        IOException e = assertThrows(IOException.class, () -> ClipCheckpoint.load(tmp.resolve("missing.safetensors"), null));
        assertTrue(e.getMessage().contains("missing.safetensors"), e.getMessage());
        Path junk = tmp.resolve("junk.safetensors");
        Files.writeString(junk, "GIF89a not a checkpoint");
        e = assertThrows(IOException.class, () -> ClipCheckpoint.load(junk, null));
        assertTrue(e.getMessage().contains("junk.safetensors"), e.getMessage());
        Path notClip = tmp.resolve("other.safetensors");
        adamerge.vit.io.SafetensorsWriter.write(notClip, Map.of("fc.weight", Tensor.zeros(2, 2)));
        e = assertThrows(IOException.class, () -> ClipCheckpoint.load(notClip, null));
        assertTrue(e.getMessage().contains("not a CLIP image encoder"), e.getMessage());
    }
}
