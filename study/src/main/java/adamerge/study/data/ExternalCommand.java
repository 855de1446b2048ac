package adamerge.study.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs an ordinary client (npm, apt-get, dpkg-deb) in a folder and fails with one clear line. */
final class ExternalCommand {

    private ExternalCommand() {}

    /**
     * Runs {@code command} in {@code dir}; on a missing program, a non-zero exit or a timeout
     * throws an IOException whose message ends with {@code advice}.
     */
    static void run(Path dir, long timeoutSeconds, String advice, String... command) throws IOException {
        String shown = String.join(" ", command);
        Process p;
        try {
            p = new ProcessBuilder(List.of(command)).directory(dir.toFile()).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IOException("cannot run '" + shown + "' (" + e.getMessage() + "): " + advice, e);
        }
        try {
            p.getOutputStream().close();
            byte[] output = p.getInputStream().readAllBytes();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("'" + shown + "' did not finish in " + timeoutSeconds + " s: " + advice);
            }
            if (p.exitValue() != 0) {
                String text = new String(output, StandardCharsets.UTF_8).strip();
                String last = text.isEmpty() ? "" : text.substring(text.lastIndexOf('\n') + 1);
                throw new IOException("'" + shown + "' in " + dir + " exited with " + p.exitValue()
                        + (last.isEmpty() ? "" : " (" + last + ")") + ": " + advice);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running '" + shown + "'", e);
        }
    }
}
