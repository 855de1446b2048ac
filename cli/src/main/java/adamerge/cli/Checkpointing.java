package adamerge.cli;

import adamerge.merging.AdaMerging;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Checkpoints of a running AdaMerging merge: every {@code every} steps, after the last step, and
 * when the run is stopped by SIGINT or SIGTERM (a shutdown hook writes the state of the last
 * finished step; the JVM then exits non-zero, 130 or 143, and the merged model is not written).
 */
final class Checkpointing implements AutoCloseable {
    private final Path file;
    private final int every;
    private final Map<String, String> settings;
    private final List<AdaMergingCheckpoint.Input> inputs;
    private final Thread hook;
    private volatile AdaMergingCheckpoint latest;
    private volatile boolean stopped;

    Checkpointing(Path file, int every, Map<String, String> settings, List<AdaMergingCheckpoint.Input> inputs, PrintWriter err) {
        if (every < 0) throw new IllegalArgumentException("--checkpoint-every must be 0 (only on interruption and at the end) or more, got " + every);
        this.file = file;
        this.every = every;
        this.settings = settings;
        this.inputs = inputs;
        this.hook = new Thread(() -> {
            stopped = true; // from now on the file holds exactly the state reported below
            AdaMergingCheckpoint c = latest;
            if (c == null) return;
            try {
                c.write(file);
                err.println();
                err.println("adamerge: stopped after step " + c.step() + "; checkpoint written to " + file + " (continue with --resume " + file
                        + "); the merged model was not written");
            } catch (IOException | RuntimeException e) {
                err.println("adamerge: stopped, and the checkpoint could not be written to " + file + ": " + e.getMessage());
            }
            err.flush();
        }, "adamerge-checkpoint-on-exit");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** Records the state after {@code step} steps; writes it when a checkpoint is due or {@code last}. */
    void record(int step, AdaMerging ada, List<Double> lossPerStep, boolean last) throws IOException {
        if (stopped) return; // the main thread runs on while the JVM shuts down: its later steps are not kept
        AdaMergingCheckpoint c = AdaMergingCheckpoint.of(step, settings, inputs, ada, lossPerStep);
        latest = c;
        if (last || (every > 0 && step > 0 && step % every == 0)) c.write(file);
    }

    Path file() {
        return file;
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
