package adamerge.vit.io;

import adamerge.tensor.Backend;
import adamerge.tensor.DType;
import adamerge.tensor.Storage;
import adamerge.tensor.Tensor;
import adamerge.tensor.cpu.CpuBackends;
import adamerge.tensor.cpu.HeapStorage;
import adamerge.tensor.cpu.MappedStorage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

class SafetensorsTest {
    @TempDir
    Path dir;

    private static Map<String, Tensor> sample() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("w", Tensor.randn(1, 3, 4));
        m.put("wt", Tensor.randn(2, 4, 3).t()); // non-contiguous view
        m.put("empty", Tensor.zeros(0, 3));
        m.put("scalar", HeapStorage.wrap(new float[]{-2.75f}));
        m.put("v", HeapStorage.wrap(new float[]{1e-8f, 65504f, -0f, Float.POSITIVE_INFINITY, 3.14159f}, 5));
        return m;
    }

    private static float round(float v, DType d) {
        return switch (d) {
            case F32 -> v;
            case F16 -> DType.f16ToFloat(DType.floatToF16(v));
            case BF16 -> DType.bf16ToFloat(DType.floatToBf16(v));
        };
    }

    @Test
    void roundTripsEveryFloatTypeWithMetadataAndLongs() throws IOException {
        for (DType d : DType.values()) {
            Path f = dir.resolve("m-" + d + ".safetensors");
            Map<String, Tensor> in = sample();
            long[] labels = {3, -1, 1L << 40};
            SafetensorsWriter.write(f, in, Map.of("format", "pt", "note", "é"), Map.of("labels", labels), d);
            long n = ByteBuffer.wrap(Files.readAllBytes(f), 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
            assertEquals(0, (8 + n) % 8, "header padded to 8 bytes");
            try (SafetensorsReader r = SafetensorsReader.open(f)) {
                assertEquals(List.of("w", "wt", "empty", "scalar", "v", "labels"), r.names());
                assertEquals(Map.of("format", "pt", "note", "é"), r.metadata());
                assertArrayEquals(labels, r.longs("labels"));
                assertFalse(r.isFloat("labels"));
                for (var e : in.entrySet()) {
                    Tensor t = r.tensor(e.getKey());
                    assertInstanceOf(MappedStorage.class, t.storage());
                    assertEquals(d.safetensorsName(), r.entry(e.getKey()).dtype());
                    assertArrayEquals(e.getValue().shape(), t.shape(), e.getKey());
                    float[] want = e.getValue().toArray(), got = t.toArray();
                    for (int i = 0; i < want.length; i++) want[i] = round(want[i], d);
                    assertArrayEquals(want, got, e.getKey() + " as " + d);
                }
                assertEquals(in.keySet(), r.floatTensors().keySet());
            }
        }
    }

    /** The same tensors and metadata give the same bytes, whatever order the metadata map iterates in. */
    @Test
    void metadataOrderDoesNotChangeTheFile() throws IOException {
        Map<String, Tensor> t = Map.of("w", Tensor.of(new float[]{1, 2, 3}, 3));
        Map<String, String> ab = new LinkedHashMap<>(), ba = new LinkedHashMap<>();
        ab.put("a", "1");
        ab.put("b", "2");
        ba.put("b", "2");
        ba.put("a", "1");
        Path f1 = dir.resolve("ab.safetensors"), f2 = dir.resolve("ba.safetensors");
        SafetensorsWriter.write(f1, t, ab);
        SafetensorsWriter.write(f2, t, ba);
        assertArrayEquals(Files.readAllBytes(f1), Files.readAllBytes(f2));
    }

    @Test
    void closeUnmaps() throws IOException {
        Path f = dir.resolve("a.safetensors");
        SafetensorsWriter.write(f, Map.of("x", HeapStorage.wrap(new float[]{1, 2}, 2)));
        Tensor x;
        try (SafetensorsReader r = SafetensorsReader.open(f)) {
            x = r.tensor("x");
            assertEquals(2f, x.get(1));
        }
        Tensor gone = x;
        assertThrows(IllegalStateException.class, () -> ((MappedStorage) gone.storage()).get(0));
    }

    @Test
    void integerTensorsAreNotFloats() throws IOException {
        Path f = dir.resolve("ints.safetensors");
        SafetensorsWriter.write(f, Map.of(), Map.of(), Map.of("position_ids", new long[]{0, 1, 2}), DType.F32);
        try (SafetensorsReader r = SafetensorsReader.open(f)) {
            var e = assertThrows(IllegalArgumentException.class, () -> r.tensor("position_ids"));
            assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("position_ids") && e.getMessage().contains("I64"), e.getMessage());
            assertTrue(r.floatTensors().isEmpty());
            assertThrows(IllegalArgumentException.class, () -> r.tensor("nope"));
        }
    }

    // ---- hand-made bad files ----

    private Path file(String json, int dataBytes) throws IOException {
        byte[] h = json.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h);
        Path f = Files.createTempFile(dir, "bad", ".safetensors");
        Files.write(f, b.array());
        return f;
    }

    private static void fails(Path f, String... words) {
        IOException e = assertThrows(IOException.class, () -> SafetensorsReader.open(f).close());
        String msg = e.getMessage();
        assertTrue(msg.contains(f.toString()), msg);
        assertFalse(msg.contains("\n"), "one-line message: " + msg);
        for (String w : words) assertTrue(msg.contains(w), "'" + w + "' missing from: " + msg);
    }

    @Test
    void rejectsFilesShorterThanTheLengthField() throws IOException {
        Path f = dir.resolve("short.safetensors");
        Files.write(f, new byte[]{1, 2, 3});
        fails(f, "too short", "truncated");
    }

    @Test
    void rejectsHeaderLongerThanTheFile() throws IOException {
        Path f = dir.resolve("long.safetensors");
        Files.write(f, ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putLong(1000).array());
        fails(f, "header length 1000", "truncated");
        Files.write(f, ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putLong(-1).array());
        fails(f, "18446744073709551615", "truncated");
    }

    @Test
    void rejectsHeaderOver100MB() throws IOException {
        Path f = dir.resolve("huge.safetensors");
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            raf.setLength(100_000_100L); // sparse
            raf.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(100_000_001L).array());
        }
        fails(f, "100000001", "limit");
    }

    @Test
    void rejectsMalformedJson() throws IOException {
        fails(file("{\"a\": {\"dtype\": ", 0), "malformed JSON");
        fails(file("[1, 2]  ", 0), "malformed JSON");
        fails(file("{\"a\": [1]}", 0), "tensor a");
        fails(file("{\"a\": {\"dtype\": \"F32\", \"shape\": [1]}}", 4), "tensor a", "data_offsets");
    }

    @Test
    void rejectsUnknownDtype() throws IOException {
        fails(file("{\"a\": {\"dtype\": \"F99\", \"shape\": [1], \"data_offsets\": [0, 4]}}", 4), "tensor a", "unknown dtype F99");
    }

    @Test
    void rejectsOffsetsPastTheEndAsTruncated() throws IOException {
        fails(file("{\"a\": {\"dtype\": \"F32\", \"shape\": [4], \"data_offsets\": [0, 16]}}", 8), "tensor a", "truncated");
    }

    @Test
    void rejectsEndBeforeBegin() throws IOException {
        fails(file("{\"a\": {\"dtype\": \"F32\", \"shape\": [0], \"data_offsets\": [8, 4]}}", 8), "tensor a", "[8, 4]");
        fails(file("{\"a\": {\"dtype\": \"F32\", \"shape\": [0], \"data_offsets\": [-4, 0]}}", 8), "tensor a", "[-4, 0]");
    }

    @Test
    void rejectsOverlappingTensors() throws IOException {
        fails(file("{\"a\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]},"
                + " \"b\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [4, 12]}}", 12), "overlap", "tensor b", "tensor a");
    }

    @Test
    void rejectsShapeThatDoesNotMatchTheBytes() throws IOException {
        fails(file("{\"a\": {\"dtype\": \"F16\", \"shape\": [2, 3], \"data_offsets\": [0, 8]}}", 8), "tensor a", "needs 12 bytes", "hold 8");
    }

    @Test
    void rejectsNegativeDimensions() throws IOException {
        fails(file("{\"a\": {\"dtype\": \"F32\", \"shape\": [-1, 2], \"data_offsets\": [0, 0]}}", 0), "tensor a", "negative");
    }

    @Test
    void rejectsBadMetadata() throws IOException {
        fails(file("{\"__metadata__\": {\"k\": 3}}", 0), "__metadata__");
    }

    @Test
    void truncatedFileSaysTruncated() throws IOException {
        Path f = dir.resolve("t.safetensors");
        SafetensorsWriter.write(f, Map.of("x", Tensor.zeros(16)));
        byte[] all = Files.readAllBytes(f);
        Files.write(f, java.util.Arrays.copyOf(all, all.length - 4));
        fails(f, "tensor x", "truncated");
    }

    // ---- atomic writes ----

    /** Storage that no backend can read: toArray throws midway through a write. */
    private static final class Unreadable extends Storage {
        @Override
        public int size() {
            return 4;
        }

        @Override
        public Backend backend() {
            return CpuBackends.active();
        }
    }

    @Test
    void failedWriteLeavesTargetUnchangedAndNoTempFile() throws IOException {
        Path f = dir.resolve("model.safetensors");
        SafetensorsWriter.write(f, Map.of("old", HeapStorage.wrap(new float[]{7}, 1)));
        byte[] before = Files.readAllBytes(f);
        Map<String, Tensor> bad = new LinkedHashMap<>();
        bad.put("big", Tensor.zeros(600_000)); // more than one write buffer goes out first
        bad.put("broken", new Tensor(new Unreadable(), 4));
        assertThrows(IllegalArgumentException.class, () -> SafetensorsWriter.write(f, bad));
        assertArrayEquals(before, Files.readAllBytes(f));
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of(f), s.toList(), "no temp file left");
        }
        // and a fresh target is not created at all
        Path g = dir.resolve("new.safetensors");
        assertThrows(IllegalArgumentException.class, () -> SafetensorsWriter.write(g, bad));
        assertFalse(Files.exists(g));
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(1, s.count());
        }
    }

    @Test
    void rejectsDuplicateOrReservedNames() {
        Path f = dir.resolve("dup.safetensors");
        assertThrows(IllegalArgumentException.class, () -> SafetensorsWriter.write(f, Map.of("a", Tensor.zeros(1)),
                Map.of(), Map.of("a", new long[]{1}), DType.F32));
        assertThrows(IllegalArgumentException.class, () -> SafetensorsWriter.write(f, Map.of("__metadata__", Tensor.zeros(1))));
        assertFalse(Files.exists(f));
    }
}
