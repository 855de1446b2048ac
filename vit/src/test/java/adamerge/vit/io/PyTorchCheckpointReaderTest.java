package adamerge.vit.io;

import adamerge.tensor.Tensor;
import adamerge.tensor.cpu.MappedStorage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** Checks the readers against fixtures from scripts/make_io_fixtures.py (torch 1.13). */
class PyTorchCheckpointReaderTest {
    private static SafetensorsReader expected;

    @TempDir
    Path dir;

    static Path resource(String name) {
        try {
            return Path.of(PyTorchCheckpointReaderTest.class.getResource("/io/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @BeforeAll
    static void openExpected() throws IOException {
        expected = SafetensorsReader.open(resource("expected.safetensors"));
    }

    @AfterAll
    static void closeExpected() {
        expected.close();
    }

    /** Names, order, shapes and exact values of every tensor the script recorded under {@code stem/}. */
    static void assertMatchesExpected(String stem, Map<String, Tensor> got) {
        List<String> want = new ArrayList<>();
        for (String n : expected.names()) if (n.startsWith(stem + "/")) want.add(n.substring(stem.length() + 1));
        assertFalse(want.isEmpty());
        assertEquals(want, List.copyOf(got.keySet()), stem + " names in state_dict order");
        for (String n : want) {
            Tensor e = expected.tensor(stem + "/" + n), g = got.get(n);
            assertArrayEquals(e.shape(), g.shape(), stem + "/" + n + " shape");
            assertArrayEquals(e.toArray(), g.toArray(), stem + "/" + n + " values");
        }
    }

    @Test
    void readsAStateDictOfMixedFloatTypesAndViews() throws IOException {
        Map<String, Tensor> sd = PyTorchCheckpointReader.read(resource("state_dict.pt"));
        assertMatchesExpected("state_dict", sd);
        assertFalse(sd.containsKey("h.position_ids"), "int64 tensors are left out");
        Tensor t = sd.get("d.transposed");
        assertArrayEquals(new int[]{1, 3}, t.strides(), "transposed view read in place, not copied");
        assertSame(sd.get("e.base").storage(), sd.get("e.view").storage(), "one storage shared by two views");
        assertEquals(2, sd.get("e.view").offset());
        assertInstanceOf(MappedStorage.class, sd.get("c.bf16").storage());
        assertArrayEquals(new int[0], sd.get("f.scalar").shape());
    }

    @Test
    void unwrapsANestedStateDict() throws IOException {
        assertMatchesExpected("nested", PyTorchCheckpointReader.read(resource("nested.pt")));
    }

    @Test
    void readsAWholePickledModuleAsItsStateDict() throws IOException {
        Map<String, Tensor> sd = PyTorchCheckpointReader.read(resource("module.pt"));
        assertMatchesExpected("module", sd);
        assertTrue(sd.containsKey("model.visual.transformer.resblocks.1.attn.in_proj_weight"));
        assertFalse(sd.containsKey("model.attn_mask"), "non-persistent buffers are not in state_dict");
    }

    @Test
    void readsAClassificationHead() throws IOException {
        Map<String, Tensor> head = PyTorchCheckpointReader.read(resource("head_Tiny.pt"));
        assertMatchesExpected("head_Tiny", head);
        assertArrayEquals(new int[]{3, 8}, head.get("weight").shape());
    }

    @Test
    void labelsReadAsLongs() {
        assertArrayEquals(new long[]{3, -1, 7, 1L << 40}, expected.longs("labels"));
        assertEquals("scripts/make_io_fixtures.py", expected.metadata().get("generator"));
    }

    @Test
    void readsTheLegacyFormatInPlace() throws IOException {
        Path f = resource("legacy.pt");
        assertEquals(CheckpointFormat.TORCH_LEGACY, CheckpointFormat.detect(f));
        Map<String, Tensor> sd = PyTorchCheckpointReader.read(f);
        assertMatchesExpected("legacy", sd);
        assertSame(sd.get("e.base").storage(), sd.get("e.view").storage());
        assertInstanceOf(MappedStorage.class, sd.get("w").storage());
        assertMatchesExpected("legacy", Checkpoints.read(f));
    }

    @Test
    void readsAPlainPickleOfAModule() throws IOException {
        Path f = resource("module.pkl"); // pickle.dump, as task_vectors' torch_load_old expects
        assertEquals(CheckpointFormat.PICKLE, CheckpointFormat.detect(f));
        assertMatchesExpected("module", PyTorchCheckpointReader.read(f));
    }

    @Test
    void truncatedLegacyFileSaysTruncated() throws IOException {
        byte[] all = Files.readAllBytes(resource("legacy.pt"));
        Path f = dir.resolve("cut-legacy.pt");
        Files.write(f, Arrays.copyOf(all, all.length - 5));
        IOException e = assertThrows(IOException.class, () -> PyTorchCheckpointReader.read(f));
        assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void truncatedArchiveFailsClearly() throws IOException {
        byte[] all = Files.readAllBytes(resource("module.pt"));
        Path f = dir.resolve("cut.pt");
        Files.write(f, Arrays.copyOf(all, all.length / 2));
        IOException e = assertThrows(IOException.class, () -> PyTorchCheckpointReader.read(f));
        assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void checkpointsChoosesTheReaderByMagicBytes() throws IOException {
        assertMatchesExpected("head_Tiny", Checkpoints.read(resource("head_Tiny.pt")));
        Map<String, Tensor> st = Checkpoints.read(resource("expected.safetensors"));
        assertFalse(st.containsKey("labels"), "integer tensors are left out");
        assertEquals(expected.names().size() - 1, st.size());

        Path junk = dir.resolve("junk.bin");
        Files.write(junk, new byte[]{0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0, 0, 0, 0});
        IOException e = assertThrows(IOException.class, () -> Checkpoints.read(junk));
        assertTrue(e.getMessage().startsWith("not a checkpoint: " + junk) && e.getMessage().contains("47 49 46 38"), e.getMessage());

        Path pickle = dir.resolve("none.pkl"); // pickle.dumps(None, protocol=4): no tensors
        Files.write(pickle, new byte[]{(byte) 0x80, 4, (byte) 0x95, 1, 0, 0, 0, 0, 0, 0, 0, 0x4e, 0x2e});
        assertTrue(Checkpoints.read(pickle).isEmpty());

        Path empty = dir.resolve("empty.pt");
        Files.write(empty, new byte[0]);
        e = assertThrows(IOException.class, () -> Checkpoints.read(empty));
        assertTrue(e.getMessage().contains("empty file"), e.getMessage());
    }
}
