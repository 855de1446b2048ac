package adamerge.cli;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** JSON output files, written atomically (temp file, then rename) so no half-written file is left. */
public final class Json {
    public static final Gson GSON = new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create();

    private Json() {
    }

    public static void writeAtomically(Path file, Object value) throws IOException {
        writeAtomically(file, GSON.toJson(value) + "\n");
    }

    /**
     * A temporary output is deleted when the JVM exits, so a run stopped by SIGINT/SIGTERM
     * mid-write leaves no partial file. Once the JVM is shutting down that can no longer be
     * registered, and a write then in progress is lost with the run anyway.
     */
    public static void deleteOnExit(Path tmp) {
        try {
            tmp.toFile().deleteOnExit();
        } catch (IllegalStateException shuttingDown) {
            // the finally block of the write still deletes it if the write gets that far
        }
    }

    public static void writeAtomically(Path file, String text) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
        try {
            deleteOnExit(tmp);
            Files.writeString(tmp, text);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) { // e.g. a full disk: "No space left on device" alone names no file
            throw new IOException(file + " could not be written (" + e.getMessage() + "); any earlier file there is unchanged", e);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
