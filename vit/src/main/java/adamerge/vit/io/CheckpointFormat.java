package adamerge.vit.io;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/** What a checkpoint file is, told from its first bytes. */
public enum CheckpointFormat {
    /** u64 header length, then a JSON object. */
    SAFETENSORS,
    /** torch.save since PyTorch 1.6: a zip archive ("PK\3\4"). */
    TORCH_ZIP,
    /** torch.save before 1.6: a pickled magic number 0x1950a86a20f9469cfc6c, then more pickles. */
    TORCH_LEGACY,
    /** Some other pickle stream (e.g. pickle.dump of a module). */
    PICKLE,
    UNKNOWN;

    /** protocol 2, LONG1 of 10 bytes, then torch's magic number little-endian */
    private static final byte[] LEGACY_MAGIC = {(byte) 0x80, 0x02, (byte) 0x8a, 0x0a,
            0x6c, (byte) 0xfc, (byte) 0x9c, 0x46, (byte) 0xf9, 0x20, 0x6a, (byte) 0xa8, 0x50, 0x19};

    public static CheckpointFormat detect(Path file) throws IOException {
        byte[] head = new byte[16];
        int n = 0;
        try (InputStream in = Files.newInputStream(file)) {
            for (int r; n < head.length && (r = in.read(head, n, head.length - n)) > 0; ) n += r;
        }
        return detect(Arrays.copyOf(head, n), Files.size(file));
    }

    static CheckpointFormat detect(MemorySegment file) {
        return detect(file.asSlice(0, Math.min(16, file.byteSize())).toArray(ValueLayout.JAVA_BYTE), file.byteSize());
    }

    static CheckpointFormat detect(byte[] head, long size) {
        if (head.length >= 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4) return TORCH_ZIP;
        if (head.length >= LEGACY_MAGIC.length && Arrays.equals(head, 0, LEGACY_MAGIC.length, LEGACY_MAGIC, 0, LEGACY_MAGIC.length))
            return TORCH_LEGACY;
        if (head.length >= 9) {
            long n = ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
            if (n >= 2 && n <= size - 8 && head[8] == '{') return SAFETENSORS;
        }
        if (head.length >= 2 && (head[0] & 0xff) == 0x80 && head[1] >= 2 && head[1] <= 5) return PICKLE;
        return UNKNOWN;
    }

    /** The first bytes in hex, for error messages. */
    static String describe(Path file) throws IOException {
        byte[] head = new byte[8];
        int n;
        try (InputStream in = Files.newInputStream(file)) {
            n = Math.max(0, in.readNBytes(head, 0, head.length));
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) sb.append(i == 0 ? "" : " ").append(String.format("%02x", head[i]));
        return n == 0 ? "(empty file)" : sb.toString();
    }
}
