package adamerge.vit.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * An output path holds the earlier file or the whole new one, never part of one, even when the
 * writer is killed with SIGKILL mid-write; the temporary file such a writer leaves is removed by
 * the next write of that path, and only if its writer is gone.
 */
class AtomicFileTest {
    static final int SIZE = 1 << 20;

    @TempDir
    Path dir;

    static byte[] content(int n, byte fill) {
        byte[] b = new byte[n];
        Arrays.fill(b, fill);
        return b;
    }

    static void write(Path file, byte[] bytes) throws IOException {
        AtomicFile.write(file, ch -> ch.write(ByteBuffer.wrap(bytes)));
    }

    List<String> leftovers(String name) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(f -> f.startsWith(AtomicFile.prefix(name))).sorted().toList();
        }
    }

    /** A child JVM killed with SIGKILL half-way through writing {@code out}; returns once it is dead. */
    void killMidWrite(Path out) throws Exception {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", System.getProperty("java.class.path"),
                HalfWriter.class.getName(), out.toString(), Integer.toString(SIZE)).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream()))) {
            assertEquals("half", r.readLine(), "the child writes half the file, then waits");
            assertEquals(1, leftovers(out.getFileName().toString()).size(), "half the file is in a temporary file");
            p.destroyForcibly(); // SIGKILL: no shutdown hook, no deleteOnExit
            p.waitFor();
        }
    }

    @Test
    void aWriterKilledMidWriteLeavesTheEarlierFileWhoseLeftoverTheNextWriteRemoves() throws Exception {
        Path out = dir.resolve("model.safetensors");
        byte[] earlier = content(1000, (byte) 'e');
        write(out, earlier);
        killMidWrite(out);
        assertArrayEquals(earlier, Files.readAllBytes(out), "the earlier file, whole");
        assertEquals(1, leftovers("model.safetensors").size(), "SIGKILL leaves the temporary file");
        byte[] next = content(SIZE, (byte) 'n');
        write(out, next);
        assertArrayEquals(next, Files.readAllBytes(out));
        assertEquals(List.of(), leftovers("model.safetensors"), "the dead writer's temporary file is removed");
    }

    @Test
    void aWriterKilledMidWriteOfANewFileLeavesNoFile() throws Exception {
        Path out = dir.resolve("new.json");
        killMidWrite(out);
        assertFalse(Files.exists(out));
        write(out, content(10, (byte) 'x'));
        assertEquals(List.of(), leftovers("new.json"));
    }

    /** Leftovers of dead writers go; those of a living writer (this JVM), of another pattern and of another file stay. */
    @Test
    void onlyTheLeftoversOfDeadWritersOfThatFileAreRemoved() throws Exception {
        Process done = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-version").start();
        done.waitFor();
        long self = ProcessHandle.current().pid(), dead = done.pid();
        long started = ProcessHandle.current().info().startInstant().map(Instant::toEpochMilli).orElse(0L);
        String p = AtomicFile.prefix("out.bin");
        List<String> gone = List.of(p + dead + "-12345-0a", p + self + "-" + (started - 1000) + "-0b"); // a dead writer; one whose id was reused
        List<String> kept = List.of(p + self + "-" + started + "-0c", p + "notours", AtomicFile.prefix("other.bin") + dead + "-12345-0d");
        for (String f : gone) Files.write(dir.resolve(f), content(7, (byte) 'p'));
        for (String f : kept) Files.write(dir.resolve(f), content(7, (byte) 'p'));
        write(dir.resolve("out.bin"), content(3, (byte) 'o'));
        for (String f : gone) assertFalse(Files.exists(dir.resolve(f)), f);
        for (String f : kept) assertTrue(Files.exists(dir.resolve(f)), f);
        assertArrayEquals(content(3, (byte) 'o'), Files.readAllBytes(dir.resolve("out.bin")));
    }

    @Test
    void aFailedWriteNamesTheFileAndKeepsTheEarlierOne() throws IOException {
        Path out = dir.resolve("kept.json");
        write(out, content(5, (byte) 'k'));
        IOException e = assertThrows(IOException.class, () -> AtomicFile.write(out, ch -> {
            throw new IOException("No space left on device");
        }));
        assertEquals(out + " could not be written (No space left on device); any earlier file there is unchanged", e.getMessage());
        assertArrayEquals(content(5, (byte) 'k'), Files.readAllBytes(out));
        assertEquals(List.of(), leftovers("kept.json"));
    }
}
