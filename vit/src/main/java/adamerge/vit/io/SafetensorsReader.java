package adamerge.vit.io;

import adamerge.tensor.DType;
import adamerge.tensor.Tensor;
import adamerge.tensor.cpu.HeapStorage;
import adamerge.tensor.cpu.MappedStorage;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A memory-mapped .safetensors file. Float tensors are zero-copy views of the mapping, so the
 * file must stay open (or its arena alive) while they are used.
 *
 * <pre>
 *   u64 LE  N                      header length
 *   N bytes UTF-8 JSON             {"name": {"dtype": "F32", "shape": [..], "data_offsets": [b, e]},
 *                                   "__metadata__": {str: str}}   (padded with spaces)
 *   data    tensor bytes, little-endian, offsets relative to here
 * </pre>
 */
public final class SafetensorsReader implements AutoCloseable {
    /** Headers larger than this are refused (the Rust implementation's limit). */
    public static final long MAX_HEADER_BYTES = 100_000_000L;
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** One header entry; offsets are relative to the data section. */
    public record Entry(String name, String dtype, long[] shape, long begin, long end) {
        public long numel() {
            long n = 1;
            for (long d : shape) n *= d;
            return n;
        }
    }

    private final Path file;
    private final Arena arena;
    private final boolean ownsArena;
    private final MemorySegment data;
    private final Map<String, Entry> entries;
    private final Map<String, String> metadata;

    private SafetensorsReader(Path file, Arena arena, boolean ownsArena, MemorySegment data,
                              Map<String, Entry> entries, Map<String, String> metadata) {
        this.file = file;
        this.arena = arena;
        this.ownsArena = ownsArena;
        this.data = data;
        this.entries = entries;
        this.metadata = metadata;
    }

    /** Maps {@code file} in a shared arena that {@link #close()} releases. */
    public static SafetensorsReader open(Path file) throws IOException {
        Arena arena = Arena.ofShared();
        try {
            return open(file, arena, true);
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    /** Maps {@code file} in the caller's arena (e.g. {@link Arena#ofAuto()}); close() leaves it alone. */
    public static SafetensorsReader open(Path file, Arena arena) throws IOException {
        return open(file, arena, false);
    }

    private static SafetensorsReader open(Path file, Arena arena, boolean ownsArena) throws IOException {
        MemorySegment all;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8)
                throw new IOException(file + ": " + size + " bytes is too short for a safetensors file (truncated? it needs an 8-byte header length first)");
            all = ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
        }
        long size = all.byteSize();
        long n = all.get(U64, 0);
        if (n < 0 || n > size - 8)
            throw new IOException(file + ": header length " + Long.toUnsignedString(n) + " exceeds the " + (size - 8)
                    + " bytes after it: the file is truncated or not safetensors");
        if (n > MAX_HEADER_BYTES)
            throw new IOException(file + ": header length " + n + " is over the " + MAX_HEADER_BYTES + "-byte limit: not a safetensors file?");
        String json;
        try {
            json = StandardCharsets.UTF_8.newDecoder()
                    .decode(all.asSlice(8, n).asByteBuffer()).toString();
        } catch (CharacterCodingException e) {
            throw new IOException(file + ": the header is not valid UTF-8");
        }
        MemorySegment data = all.asSlice(8 + n);
        Map<String, String> metadata = new LinkedHashMap<>();
        Map<String, Entry> entries = parseHeader(file, json, data.byteSize(), metadata);
        return new SafetensorsReader(file, arena, ownsArena, data, entries, metadata);
    }

    private static Map<String, Entry> parseHeader(Path file, String json, long dataBytes, Map<String, String> metadata) throws IOException {
        JsonObject root;
        try {
            JsonElement e = JsonParser.parseString(json);
            if (!e.isJsonObject()) throw new IOException(file + ": malformed JSON header: expected an object, got " + abbreviate(json));
            root = e.getAsJsonObject();
        } catch (JsonParseException e) {
            throw new IOException(file + ": malformed JSON header: " + e.getMessage());
        }
        Map<String, Entry> entries = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> kv : root.entrySet()) {
            String name = kv.getKey();
            JsonElement v = kv.getValue();
            if (name.equals("__metadata__")) {
                if (!v.isJsonObject()) throw new IOException(file + ": __metadata__ must be an object of strings");
                for (Map.Entry<String, JsonElement> m : v.getAsJsonObject().entrySet()) {
                    if (!m.getValue().isJsonPrimitive() || !m.getValue().getAsJsonPrimitive().isString())
                        throw new IOException(file + ": __metadata__ value of \"" + m.getKey() + "\" is not a string");
                    metadata.put(m.getKey(), m.getValue().getAsString());
                }
                continue;
            }
            entries.put(name, parseEntry(file, name, v, dataBytes));
        }
        List<Entry> byOffset = new ArrayList<>();
        for (Entry e : entries.values()) if (e.end > e.begin) byOffset.add(e);
        byOffset.sort(Comparator.comparingLong(Entry::begin));
        for (int i = 1; i < byOffset.size(); i++) {
            Entry a = byOffset.get(i - 1), b = byOffset.get(i);
            if (b.begin < a.end)
                throw new IOException(file + ": tensor " + b.name + " bytes [" + b.begin + ", " + b.end + ") overlap tensor "
                        + a.name + " bytes [" + a.begin + ", " + a.end + ")");
        }
        return entries;
    }

    private static Entry parseEntry(Path file, String name, JsonElement v, long dataBytes) throws IOException {
        String at = file + ": tensor " + name;
        try {
            if (!v.isJsonObject()) throw new IOException(at + ": expected {dtype, shape, data_offsets}, got " + abbreviate(v.toString()));
            JsonObject o = v.getAsJsonObject();
            if (!o.has("dtype") || !o.has("shape") || !o.has("data_offsets"))
                throw new IOException(at + ": needs dtype, shape and data_offsets, got " + abbreviate(o.toString()));
            String dtype = o.get("dtype").getAsString();
            int itemBytes = elementBytes(dtype);
            if (itemBytes < 0) throw new IOException(at + ": unknown dtype " + dtype);
            var shapeJson = o.get("shape").getAsJsonArray();
            long[] shape = new long[shapeJson.size()];
            long numel = 1;
            for (int i = 0; i < shape.length; i++) {
                shape[i] = shapeJson.get(i).getAsLong();
                if (shape[i] < 0) throw new IOException(at + ": negative dimension in shape " + Arrays.toString(shape));
                numel = Math.multiplyExact(numel, shape[i]);
            }
            var off = o.get("data_offsets").getAsJsonArray();
            if (off.size() != 2) throw new IOException(at + ": data_offsets must be [begin, end], got " + off);
            long begin = off.get(0).getAsLong(), end = off.get(1).getAsLong();
            if (begin < 0 || end < begin)
                throw new IOException(at + ": bad data_offsets [" + begin + ", " + end + "] (need 0 <= begin <= end)");
            if (end > dataBytes)
                throw new IOException(at + ": data_offsets [" + begin + ", " + end + "] run past the " + dataBytes
                        + " data bytes: the file is truncated");
            if (Math.multiplyExact(numel, (long) itemBytes) != end - begin)
                throw new IOException(at + ": shape " + Arrays.toString(shape) + " of " + dtype + " needs " + numel * itemBytes
                        + " bytes but data_offsets [" + begin + ", " + end + "] hold " + (end - begin));
            return new Entry(name, dtype, shape, begin, end);
        } catch (ArithmeticException e) {
            throw new IOException(at + ": shape is too large");
        } catch (IllegalStateException | UnsupportedOperationException | NumberFormatException | ClassCastException e) {
            throw new IOException(at + ": malformed entry " + abbreviate(v.toString()));
        }
    }

    /** Bytes per element of a safetensors dtype, or -1 when unknown. */
    static int elementBytes(String dtype) {
        return switch (dtype) {
            case "BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3" -> 1;
            case "I16", "U16", "F16", "BF16" -> 2;
            case "I32", "U32", "F32" -> 4;
            case "I64", "U64", "F64" -> 8;
            default -> -1;
        };
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }

    public Path file() {
        return file;
    }

    /** Tensor names in header order (the metadata entry excluded). */
    public List<String> names() {
        return List.copyOf(entries.keySet());
    }

    public boolean contains(String name) {
        return entries.containsKey(name);
    }

    public Entry entry(String name) {
        Entry e = entries.get(name);
        if (e == null) throw new IllegalArgumentException(file + " has no tensor named " + name);
        return e;
    }

    /** True for F32, F16, BF16 and F64 entries, the ones {@link #tensor} reads. */
    public boolean isFloat(String name) {
        return switch (entry(name).dtype) {
            case "F32", "F16", "BF16", "F64" -> true;
            default -> false;
        };
    }

    /** The {@code __metadata__} map (empty when absent). */
    public Map<String, String> metadata() {
        return Collections.unmodifiableMap(metadata);
    }

    /**
     * A float tensor: F32/F16/BF16 are zero-copy views of the mapping (converted on read), F64 is
     * copied to float32 on the heap.
     */
    public Tensor tensor(String name) {
        Entry e = entry(name);
        int[] shape = intShape(e);
        MemorySegment bytes = data.asSlice(e.begin, e.end - e.begin);
        return switch (e.dtype) {
            case "F32" -> new Tensor(new MappedStorage(bytes, DType.F32), shape);
            case "F16" -> new Tensor(new MappedStorage(bytes, DType.F16), shape);
            case "BF16" -> new Tensor(new MappedStorage(bytes, DType.BF16), shape);
            case "F64" -> {
                float[] a = new float[(int) e.numel()];
                for (int i = 0; i < a.length; i++)
                    a[i] = (float) bytes.getAtIndex(ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), i);
                yield new Tensor(new HeapStorage(a), shape);
            }
            default -> throw new IllegalArgumentException(file + ": tensor " + name + " has dtype " + e.dtype
                    + ", not a float type; read integer tensors with longs(name)");
        };
    }

    /** Every float tensor, in header order; integer entries (e.g. HF position_ids) are left out. */
    public Map<String, Tensor> floatTensors() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (String name : entries.keySet()) if (isFloat(name)) out.put(name, tensor(name));
        return out;
    }

    /** An integer or BOOL tensor, flattened and widened to long (U64 values above 2^63-1 wrap). */
    public long[] longs(String name) {
        Entry e = entry(name);
        long n = e.numel();
        if (n > Integer.MAX_VALUE) throw new IllegalArgumentException(file + ": tensor " + name + " has too many elements for long[]");
        MemorySegment b = data.asSlice(e.begin, e.end - e.begin);
        long[] out = new long[(int) n];
        ByteOrder le = ByteOrder.LITTLE_ENDIAN;
        for (int i = 0; i < out.length; i++) {
            out[i] = switch (e.dtype) {
                case "I64", "U64" -> b.getAtIndex(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(le), i);
                case "I32" -> b.getAtIndex(ValueLayout.JAVA_INT_UNALIGNED.withOrder(le), i);
                case "U32" -> Integer.toUnsignedLong(b.getAtIndex(ValueLayout.JAVA_INT_UNALIGNED.withOrder(le), i));
                case "I16" -> b.getAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(le), i);
                case "U16" -> Short.toUnsignedLong(b.getAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(le), i));
                case "I8" -> b.get(ValueLayout.JAVA_BYTE, i);
                case "U8", "BOOL" -> Byte.toUnsignedLong(b.get(ValueLayout.JAVA_BYTE, i));
                default -> throw new IllegalArgumentException(file + ": tensor " + name + " has dtype " + e.dtype
                        + ", not an integer type; read float tensors with tensor(name)");
            };
        }
        return out;
    }

    private int[] intShape(Entry e) {
        if (e.numel() > Integer.MAX_VALUE)
            throw new IllegalArgumentException(file + ": tensor " + e.name + " of shape " + Arrays.toString(e.shape) + " has more than 2^31-1 elements");
        int[] s = new int[e.shape.length];
        for (int i = 0; i < s.length; i++) s[i] = (int) e.shape[i];
        return s;
    }

    /** Unmaps the file if this reader owns its arena; tensors from it must not be used afterwards. */
    @Override
    public void close() {
        if (ownsArena && arena.scope().isAlive()) arena.close();
    }
}
