package adamerge.vit.io;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Every output file is written this way: to a hidden temporary file beside it, fsynced, then
 * renamed over it, so its path holds the earlier file or the whole new one, never part of one.
 *
 * <p>The temporary file is named {@code .NAME.tmp-PID-START-RANDOM} after the writing process (its
 * id and start time in epoch milliseconds). A run stopped by SIGINT/SIGTERM deletes it on the way
 * out; one killed mid-write (SIGKILL, a crash, a power cut) leaves it behind, and the next write
 * of NAME removes those whose process is gone. The start time tells a living writer from a dead
 * one whose id was reused, as happens across container runs where every JVM gets the same small
 * id; the temporary files of a living process, this one included, are never touched.
 */
public final class AtomicFile {
    private static final String TMP = ".tmp-";
    private static final long PID = ProcessHandle.current().pid();
    private static final long START = startMillis(ProcessHandle.current());

    private AtomicFile() {
    }

    /** Writes what goes into the file, from its start. */
    @FunctionalInterface
    public interface Content {
        void writeTo(FileChannel ch) throws IOException;
    }

    /**
     * Writes {@code file} atomically; a failure (a full disk, say) is an IOException naming the
     * file, and any earlier file there is unchanged.
     */
    public static void write(Path file, Content content) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        removeStale(dir, file.getFileName().toString());
        Path tmp = dir.resolve(prefix(file.getFileName().toString()) + PID + "-" + START + "-"
                + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()));
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                try {
                    tmp.toFile().deleteOnExit(); // a run stopped by SIGINT/SIGTERM mid-write leaves no temporary file
                } catch (IllegalStateException shuttingDown) {
                    // too late to register: the next write of this file removes it once this process is gone
                }
                content.writeTo(ch);
                ch.force(true); // the bytes are on disk before the name points at them
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException | RuntimeException | Error e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            // e.g. a full disk: "No space left on device" alone names no file
            if (e instanceof IOException io) throw new IOException(file + " could not be written (" + io.getMessage() + "); any earlier file there is unchanged", io);
            throw e;
        }
    }

    /** Removes the temporary files that dead writers of {@code name} left in {@code dir}; best effort. */
    static void removeStale(Path dir, String name) {
        String prefix = prefix(name);
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, f -> f.getFileName().toString().startsWith(prefix))) {
            for (Path f : files)
                if (isStale(f.getFileName().toString().substring(prefix.length()))) Files.deleteIfExists(f);
        } catch (IOException | RuntimeException e) {
            // a leftover that cannot be listed or removed costs disk space, not the write
        }
    }

    /** Whether the writer named by {@code PID-START-RANDOM} is gone; names of another pattern are not ours. */
    static boolean isStale(String writer) {
        String[] parts = writer.split("-");
        if (parts.length != 3) return false;
        long pid, start;
        try {
            pid = Long.parseLong(parts[0]);
            start = Long.parseLong(parts[1]);
        } catch (NumberFormatException notOurs) {
            return false;
        }
        Optional<ProcessHandle> p = ProcessHandle.of(pid);
        if (p.isEmpty() || !p.get().isAlive()) return true;
        long alive = startMillis(p.get());
        return start != 0 && alive != 0 && alive != start; // the id now belongs to another process
    }

    static String prefix(String name) {
        return "." + name + TMP;
    }

    /** The process's start time in epoch milliseconds, 0 where the platform does not tell. */
    private static long startMillis(ProcessHandle p) {
        return p.info().startInstant().map(Instant::toEpochMilli).orElse(0L);
    }
}
