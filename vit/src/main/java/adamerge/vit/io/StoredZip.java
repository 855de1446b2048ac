package adamerge.vit.io;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The entries of a memory-mapped zip archive as slices of the mapping. torch.save writes every
 * entry STORED (uncompressed) and 64-byte aligned, so tensor data can be read in place.
 *
 * <pre>
 *   [local header 30 B + name + extra][data] ...  central directory ...  [zip64 EOCD, locator]  EOCD 22 B
 * </pre>
 */
final class StoredZip {
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private StoredZip() {
    }

    /** Entry name -> its data, in central-directory order. */
    static Map<String, MemorySegment> entries(Path file, MemorySegment zip) throws IOException {
        long size = zip.byteSize();
        long eocd = -1;
        for (long p = size - 22; p >= Math.max(0, size - 22 - 65535); p--)
            if (zip.get(U32, p) == 0x06054b50) {
                eocd = p;
                break;
            }
        if (eocd < 0) throw new IOException(file + ": no zip end-of-central-directory record (truncated or not a zip)");
        long count = u16(zip, eocd + 10), cdOffset = u32(zip, eocd + 16);
        if ((count == 0xffff || cdOffset == 0xffffffffL) && eocd >= 20 && zip.get(U32, eocd - 20) == 0x07064b50) {
            long z64 = zip.get(U64, eocd - 20 + 8);
            check(file, z64 >= 0 && z64 + 56 <= size && zip.get(U32, z64) == 0x06064b50, "bad zip64 end record");
            count = zip.get(U64, z64 + 32);
            cdOffset = zip.get(U64, z64 + 48);
        }
        Map<String, MemorySegment> out = new LinkedHashMap<>();
        long p = cdOffset;
        for (long i = 0; i < count; i++) {
            check(file, p >= 0 && p + 46 <= size && zip.get(U32, p) == 0x02014b50, "bad central directory entry " + i);
            int method = u16(zip, p + 10);
            long csize = u32(zip, p + 20), usize = u32(zip, p + 24);
            int nameLen = u16(zip, p + 28), extraLen = u16(zip, p + 30), commentLen = u16(zip, p + 32);
            long local = u32(zip, p + 42);
            check(file, p + 46 + nameLen + extraLen <= size, "central directory runs past the end (truncated)");
            String name = new String(zip.asSlice(p + 46, nameLen).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
            // zip64 extra field (id 1): the 8-byte values present are those whose 4-byte field is 0xffffffff
            for (long x = p + 46 + nameLen, end = x + extraLen; x + 4 <= end; ) {
                int id = u16(zip, x), len = u16(zip, x + 2);
                if (id == 1) {
                    long q = x + 4;
                    if (usize == 0xffffffffL) { usize = zip.get(U64, q); q += 8; }
                    if (csize == 0xffffffffL) { csize = zip.get(U64, q); q += 8; }
                    if (local == 0xffffffffL) local = zip.get(U64, q);
                }
                x += 4 + len;
            }
            check(file, local >= 0 && local + 30 <= size && zip.get(U32, local) == 0x04034b50, "bad local header of " + name);
            long data = local + 30 + u16(zip, local + 26) + u16(zip, local + 28);
            if (method != 0)
                throw new IOException(file + ": zip entry " + name + " is compressed (method " + method
                        + "); torch.save writes entries uncompressed - re-save the checkpoint with torch.save");
            if (data + csize > size)
                throw new IOException(file + ": zip entry " + name + " runs past the end of the file: the file is truncated");
            out.put(name, zip.asSlice(data, csize));
            p += 46 + nameLen + extraLen + commentLen;
        }
        return out;
    }

    private static void check(Path file, boolean ok, String what) throws IOException {
        if (!ok) throw new IOException(file + ": " + what + " (truncated or not a zip)");
    }

    private static int u16(MemorySegment s, long at) {
        return Short.toUnsignedInt(s.get(U16, at));
    }

    private static long u32(MemorySegment s, long at) {
        return Integer.toUnsignedLong(s.get(U32, at));
    }
}
