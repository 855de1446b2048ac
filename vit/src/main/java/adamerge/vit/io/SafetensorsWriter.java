package adamerge.vit.io;

import adamerge.tensor.DType;
import adamerge.tensor.Tensor;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

/**
 * Writes tensors as a .safetensors file atomically ({@link AtomicFile}: readers see the old file or
 * the whole new one, never a half-written one). Tensors are streamed one at a time.
 */
public final class SafetensorsWriter {
    private static final int CHUNK = 1 << 20;

    private SafetensorsWriter() {
    }

    public static void write(Path file, Map<String, Tensor> tensors) throws IOException {
        write(file, tensors, Map.of(), Map.of(), DType.F32);
    }

    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        write(file, tensors, metadata, Map.of(), DType.F32);
    }

    /**
     * @param tensors  float tensors, written in map order as {@code dtype} (F32, F16 or BF16)
     * @param metadata the {@code __metadata__} strings (may be empty)
     * @param longs    integer arrays written as rank-1 I64 tensors after the float ones (e.g. labels)
     */
    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata,
                             Map<String, long[]> longs, DType dtype) throws IOException {
        byte[] header = header(file, tensors, metadata, longs, dtype);
        AtomicFile.write(file, ch -> {
            writeFully(ch, ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, header.length));
            writeFully(ch, ByteBuffer.wrap(header));
            ByteBuffer buf = ByteBuffer.allocate(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
            for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
                float[] a = e.getValue().toArray(); // contiguous copy, also for strided views
                if (a.length != e.getValue().numel())
                    throw new IOException("tensor " + e.getKey() + " gave " + a.length + " elements for shape of " + e.getValue().numel());
                for (float v : a) {
                    switch (dtype) {
                        case F32 -> buf.putFloat(v);
                        case F16 -> buf.putShort(DType.floatToF16(v));
                        case BF16 -> buf.putShort(DType.floatToBf16(v));
                    }
                    drain(ch, buf, 8);
                }
            }
            for (long[] a : longs.values())
                for (long v : a) {
                    buf.putLong(v);
                    drain(ch, buf, 8);
                }
            buf.flip();
            writeFully(ch, buf);
        });
    }

    /** The JSON header, padded with spaces to a multiple of 8 bytes as the reference writers do. */
    private static byte[] header(Path file, Map<String, Tensor> tensors, Map<String, String> metadata,
                                 Map<String, long[]> longs, DType dtype) {
        JsonObject root = new JsonObject();
        if (!metadata.isEmpty()) {
            JsonObject m = new JsonObject();
            new java.util.TreeMap<>(metadata).forEach(m::addProperty); // sorted: the same bytes whatever the map's order
            root.add("__metadata__", m);
        }
        long at = 0;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            long bytes = (long) e.getValue().numel() * dtype.bytes;
            root.add(checkName(file, root, e.getKey()), entry(dtype.safetensorsName(), e.getValue().shape(), at, at + bytes));
            at += bytes;
        }
        for (Map.Entry<String, long[]> e : longs.entrySet()) {
            long bytes = 8L * e.getValue().length;
            root.add(checkName(file, root, e.getKey()), entry("I64", new int[]{e.getValue().length}, at, at + bytes));
            at += bytes;
        }
        byte[] json = root.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        byte[] out = new byte[padded];
        System.arraycopy(json, 0, out, 0, json.length);
        for (int i = json.length; i < padded; i++) out[i] = ' ';
        return out;
    }

    private static String checkName(Path file, JsonObject root, String name) {
        if (name.equals("__metadata__") || root.has(name))
            throw new IllegalArgumentException("cannot write " + file + ": tensor name " + name + " is reserved or used twice");
        return name;
    }

    private static JsonObject entry(String dtype, int[] shape, long begin, long end) {
        JsonObject o = new JsonObject();
        o.addProperty("dtype", dtype);
        JsonArray s = new JsonArray();
        for (int d : shape) s.add(d);
        o.add("shape", s);
        JsonArray off = new JsonArray();
        off.add(begin);
        off.add(end);
        o.add("data_offsets", off);
        return o;
    }

    /** Writes out the buffer once fewer than {@code room} bytes are left. */
    private static void drain(FileChannel ch, ByteBuffer buf, int room) throws IOException {
        if (buf.remaining() >= room) return;
        buf.flip();
        writeFully(ch, buf);
        buf.clear();
    }

    private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) ch.write(b);
    }
}
