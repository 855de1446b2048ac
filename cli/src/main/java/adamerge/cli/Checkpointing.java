package adamerge.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;

/**
 * Checkpoints of a long run (an AdaMerging merge, a fine-tuning): every {@code every} steps,
 * after the last step, and when the run is stopped by SIGINT or SIGTERM (a shutdown hook writes
 * the state of the last finished step; the JVM then exits non-zero, 130 or 143, and {@code --out}
 * is not written).
 */
final class Checkpointing implements AutoCloseable {

    /** A run's state after {@link #step()} steps, able to write itself atomically. */
    interface Checkpoint {
        int step();

        void write(Path file) throws IOException;
    }

    private final Path file;
    private final int every;
    private final Thread hook;
    private volatile Checkpoint latest;
    private volatile boolean stopped;

    /** @param unwritten what a stopped run does not write, for the message ("the merged model") */
    Checkpointing(Path file, int every, String unwritten, PrintWriter err) {
        if (every < 0) throw new IllegalArgumentException("--checkpoint-every must be 0 (only on interruption and at the end) or more, got " + every);
        this.file = file;
        this.every = every;
        this.hook = new Thread(() -> {
            stopped = true; // from now on the file holds exactly the state reported below
            Checkpoint c = latest;
            if (c == null) return;
            try {
                c.write(file);
                err.println();
                err.println("adamerge: stopped after step " + c.step() + "; checkpoint written to " + file + " (continue with --resume " + file
                        + "); " + unwritten + " was not written");
            } catch (IOException | RuntimeException e) {
                err.println("adamerge: stopped, and the checkpoint could not be written to " + file + ": " + e.getMessage());
            }
            err.flush();
        }, "adamerge-checkpoint-on-exit");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /**
     * Records the state after a step; writes it when a checkpoint is due or {@code last}. The
     * state must not change afterwards: the shutdown hook may write it from another thread.
     */
    void record(Checkpoint c, boolean last) throws IOException {
        if (stopped) return; // the main thread runs on while the JVM shuts down: its later steps are not kept
        latest = c;
        int step = c.step();
        if (last || (every > 0 && step > 0 && step % every == 0)) c.write(file);
    }

    /** Whether SIGINT/SIGTERM stopped the run: it must then leave its outputs alone. */
    boolean stopped() {
        return stopped;
    }

    Path file() {
        return file;
    }

    /** The one-line error for a --resume file that cannot be read as a checkpoint of {@code kind}. */
    static IOException notComplete(Path file, String kind, Exception why) {
        String detail = why == null ? "" : " (corrupt or truncated: " + firstLine(why.getMessage()) + ")";
        return new IOException("--resume " + file + ": not a complete " + kind + " checkpoint" + detail + "; start again without --resume", why);
    }

    private static String firstLine(String s) {
        return s == null ? "unreadable" : s.lines().findFirst().orElse(s);
    }

    /** The run ended (written or failed): an exit from now on writes nothing more. */
    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is already running or done
        }
    }
}
