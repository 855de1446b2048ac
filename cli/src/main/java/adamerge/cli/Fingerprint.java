package adamerge.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * What tells a resumed run that an input is the one the checkpoint was made from, cheaply enough
 * for multi-gigabyte checkpoints: a file's size and a SHA-256 of its first and last MiB (a
 * rewritten or different checkpoint changes its header, which safetensors and PyTorch archives keep
 * at one end); a folder's, over the sorted relative paths and sizes of its files. The path itself
 * is not part of it: a moved or copied input still resumes.
 */
record Fingerprint(long size, String sha256) {
    private static final int EDGE = 1 << 20;

    static Fingerprint of(Path p) throws IOException {
        MessageDigest md = newDigest();
        if (Files.isDirectory(p)) {
            long total = 0;
            List<Path> files;
            try (Stream<Path> s = Files.walk(p)) {
                files = s.filter(Files::isRegularFile).sorted().toList();
            }
            for (Path f : files) {
                long n = Files.size(f);
                total += n;
                md.update((p.relativize(f) + "\t" + n + "\n").getBytes(StandardCharsets.UTF_8));
            }
            return new Fingerprint(total, HexFormat.of().formatHex(md.digest()));
        }
        try (FileChannel ch = FileChannel.open(p)) {
            long n = ch.size();
            digest(ch, md, 0, Math.min(n, EDGE));
            if (n > EDGE) digest(ch, md, Math.max(EDGE, n - EDGE), n);
            return new Fingerprint(n, HexFormat.of().formatHex(md.digest()));
        }
    }

    private static void digest(FileChannel ch, MessageDigest md, long from, long to) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
        for (long pos = from; pos < to; ) {
            buf.clear().limit((int) Math.min(buf.capacity(), to - pos));
            int r = ch.read(buf, pos);
            if (r < 0) throw new IOException("file shrank while being read");
            md.update(buf.flip());
            pos += r;
        }
    }

    private static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256", e);
        }
    }
}
