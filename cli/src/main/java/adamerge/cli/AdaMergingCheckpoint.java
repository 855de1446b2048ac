package adamerge.cli;

import adamerge.merging.AdaMergingRun;
import adamerge.output.Json;
import adamerge.tensor.Tensor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything an AdaMerging run needs to continue exactly where it stopped, as one JSON file written
 * atomically: the raw coefficients and Adam's state after {@code step} steps, the loss of every
 * step so far, the settings, and a fingerprint of every input. The batch samplers' state is the
 * step count (they replay it, see {@code BatchSampler.skip}). Floats are written by Gson in their
 * shortest round-tripping form, so a resumed run starts from bit-identical values.
 *
 * @param adam Adam's state by name ("step", "exp_avg.0", "exp_avg_sq.0"), each as its shape and values
 */
record AdaMergingCheckpoint(String format, int step, Map<String, String> settings, List<RunIdentity.Input> inputs, float[][] rawLambdas,
                            Map<String, Stored> adam, List<Double> lossPerStep) implements Checkpointing.Checkpoint {
    static final String FORMAT = "adamerge-adamerging-checkpoint/1";

    /** A tensor as its shape and row-major values. */
    record Stored(int[] shape, float[] values) {
    }

    /** A run's state with the settings and inputs it was made from. */
    static AdaMergingCheckpoint of(RunIdentity run, AdaMergingRun.State state) {
        Map<String, Stored> adam = new LinkedHashMap<>();
        state.adam().forEach((k, t) -> adam.put(k, new Stored(t.shape(), t.toArray())));
        return new AdaMergingCheckpoint(FORMAT, state.step(), run.settings(), run.inputs(), state.rawLambdas(), adam, state.lossPerStep());
    }

    /** The run's state as {@link AdaMergingRun#resume} takes it. */
    AdaMergingRun.State state() {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        adam.forEach((k, st) -> tensors.put(k, Tensor.of(st.values(), st.shape())));
        return new AdaMergingRun.State(rawLambdas, tensors, lossPerStep);
    }

    @Override
    public void write(Path file) throws IOException {
        Json.writeAtomically(file, this);
    }

    /** Reads a checkpoint; a missing, truncated or foreign file is a one-line error naming it. */
    static AdaMergingCheckpoint read(Path file) throws IOException {
        String text;
        try {
            text = new String(Files.readAllBytes(file), java.nio.charset.StandardCharsets.UTF_8); // lenient: binary garbage fails as JSON below
        } catch (NoSuchFileException e) {
            throw new IOException("--resume " + file + ": no such checkpoint");
        }
        AdaMergingCheckpoint c;
        try {
            c = Json.GSON.fromJson(text, AdaMergingCheckpoint.class);
        } catch (RuntimeException e) { // Gson: JsonParseException for broken JSON, IllegalStateException or others for the wrong shape
            throw Checkpointing.notComplete(file, "AdaMerging", e);
        }
        if (c == null || !FORMAT.equals(c.format()) || c.rawLambdas() == null || c.adam() == null || c.settings() == null
                || c.inputs() == null || c.lossPerStep() == null || c.step() < 0 || c.lossPerStep().size() != c.step())
            throw Checkpointing.notComplete(file, FORMAT, null);
        return c;
    }

    /** The settings and inputs this checkpoint was made from. */
    RunIdentity run() {
        return new RunIdentity(settings, inputs);
    }
}
