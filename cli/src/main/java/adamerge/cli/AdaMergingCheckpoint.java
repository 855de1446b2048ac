package adamerge.cli;

import adamerge.merging.AdaMerging;
import adamerge.tensor.Backend;
import adamerge.tensor.Tensor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Everything an AdaMerging run needs to continue exactly where it stopped, as one JSON file written
 * atomically: the raw coefficients and Adam's state after {@code step} steps, the loss of every
 * step so far, the settings, and a fingerprint of every input. The batch samplers' state is the
 * step count (they replay it, see {@code BatchSampler.skip}). Floats are written by Gson in their
 * shortest round-tripping form, so a resumed run starts from bit-identical values.
 *
 * @param adam Adam's state by name ("step", "exp_avg.0", "exp_avg_sq.0"), each as its shape and values
 */
record AdaMergingCheckpoint(String format, int step, Map<String, String> settings, List<Input> inputs, float[][] rawLambdas,
                            Map<String, Stored> adam, List<Double> lossPerStep) {
    static final String FORMAT = "adamerge-adamerging-checkpoint/1";

    /** An input file by option, position and path, with its fingerprint. */
    record Input(String option, String path, long size, String sha256) {
        static Input of(String option, Path p) throws IOException {
            try {
                Fingerprint f = Fingerprint.of(p);
                return new Input(option, p.toString(), f.size(), f.sha256());
            } catch (NoSuchFileException e) {
                throw new IOException(option + " " + p + ": no such file or folder");
            }
        }
    }

    /** A tensor as its shape and row-major values. */
    record Stored(int[] shape, float[] values) {
    }

    /** The state of {@code ada} after {@code step} steps. */
    static AdaMergingCheckpoint of(int step, Map<String, String> settings, List<Input> inputs, AdaMerging ada, List<Double> lossPerStep) {
        Map<String, Stored> adam = new LinkedHashMap<>();
        ada.adamState().forEach((k, t) -> adam.put(k, new Stored(t.shape(), t.toArray())));
        return new AdaMergingCheckpoint(FORMAT, step, settings, inputs, ada.rawLambdas(), adam, List.copyOf(lossPerStep));
    }

    /** Puts the coefficients and Adam's state back into {@code ada} (its tensors on {@code backend}). */
    void restore(AdaMerging ada, Backend backend) {
        ada.setRawLambdas(rawLambdas);
        Map<String, Tensor> state = new LinkedHashMap<>();
        adam.forEach((k, st) -> state.put(k, Tensor.of(st.values(), st.shape()).to(backend)));
        ada.loadAdamState(state);
    }

    void write(Path file) throws IOException {
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
            throw new IOException("--resume " + file + ": not a complete AdaMerging checkpoint (corrupt or truncated: "
                    + firstLine(e.getMessage()) + "); start again without --resume");
        }
        if (c == null || !FORMAT.equals(c.format()) || c.rawLambdas() == null || c.adam() == null || c.settings() == null
                || c.inputs() == null || c.lossPerStep() == null || c.step() < 0 || c.lossPerStep().size() != c.step())
            throw new IOException("--resume " + file + ": not a complete " + FORMAT + " file; start again without --resume");
        return c;
    }

    /** Refuses, in one line, a resume whose settings or inputs differ from the checkpoint's. */
    void requireSameRun(Path file, Map<String, String> nowSettings, List<Input> nowInputs) {
        for (String key : union(settings.keySet(), nowSettings.keySet())) {
            String was = settings.get(key), now = nowSettings.get(key);
            if (!Objects.equals(was, now))
                throw new IllegalArgumentException("--resume " + file + ": setting " + key + " was " + was + " in the checkpoint but is " + now
                        + " now; resume with the same settings (only --steps may change)");
        }
        if (inputs.size() != nowInputs.size())
            throw new IllegalArgumentException("--resume " + file + ": the checkpoint was made from " + inputs.size() + " input files, this run gives "
                    + nowInputs.size() + "; resume with the same inputs");
        for (int i = 0; i < inputs.size(); i++) {
            Input was = inputs.get(i), now = nowInputs.get(i);
            if (!was.option().equals(now.option()) || was.size() != now.size() || !was.sha256().equals(now.sha256()))
                throw new IllegalArgumentException("--resume " + file + ": " + now.option() + " " + now.path() + " is not the file the checkpoint was made from ("
                        + was.option() + " " + was.path() + ", " + was.size() + " bytes); resume with the same inputs");
        }
    }

    private static List<String> union(Set<String> a, Set<String> b) {
        Map<String, Boolean> m = new LinkedHashMap<>();
        a.forEach(k -> m.put(k, true));
        b.forEach(k -> m.put(k, true));
        return List.copyOf(m.keySet());
    }

    private static String firstLine(String s) {
        return s == null ? "unreadable" : s.lines().findFirst().orElse(s);
    }
}
