package adamerge.study.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Extracts the regular files of a {@code .tgz} (ustar: 512-byte header blocks, name at 0,
 * octal size at 124, type flag at 156, prefix at 345; data padded to 512 bytes; two zero
 * blocks end it). Enough for npm tarballs; links and other entry types are skipped.
 */
final class TarGz {

    private TarGz() {}

    static void extract(Path tgz, Path destination) throws IOException {
        Path root = destination.toAbsolutePath().normalize();
        try (InputStream in = new GZIPInputStream(Files.newInputStream(tgz), 1 << 16)) {
            byte[] header = new byte[512];
            while (readFully(in, header)) {
                if (isZero(header)) break;
                String name = field(header, 0, 100);
                String prefix = field(header, 345, 155);
                if (!prefix.isEmpty()) name = prefix + "/" + name;
                long size = Long.parseLong(field(header, 124, 12).trim().isEmpty() ? "0" : field(header, 124, 12).trim(), 8);
                char type = (char) header[156];
                long padded = (size + 511) / 512 * 512;
                if (type == '0' || type == 0) {
                    Path target = root.resolve(name).normalize();
                    if (!target.startsWith(root)) throw new IOException(tgz + ": entry " + name + " escapes " + root);
                    Files.createDirectories(target.getParent());
                    byte[] data = new byte[(int) size];
                    if (!readFully(in, data)) throw new IOException(tgz + ": truncated at " + name);
                    Files.write(target, data);
                    in.skipNBytes(padded - size);
                } else {
                    in.skipNBytes(padded);
                }
            }
        }
    }

    private static boolean readFully(InputStream in, byte[] buf) throws IOException {
        int n = in.readNBytes(buf, 0, buf.length);
        if (n == 0) return false;
        if (n < buf.length) throw new IOException("truncated tar stream");
        return true;
    }

    private static boolean isZero(byte[] block) {
        for (byte b : block) if (b != 0) return false;
        return true;
    }

    private static String field(byte[] h, int off, int len) {
        int end = off;
        while (end < off + len && h[end] != 0) end++;
        return new String(h, off, end - off, StandardCharsets.US_ASCII);
    }
}
