package adamerge.cli;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What a resumed run must share with the run that wrote its checkpoint: the settings that shape
 * its result, and every input file by fingerprint (the paths may differ: a moved input still
 * resumes).
 */
record RunIdentity(Map<String, String> settings, List<Input> inputs) {

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

    /**
     * Refuses, in one line naming the setting or the file, a run {@code now} that is not the one
     * checkpointed in {@code file}; {@code mayChange} says which options may differ (or is empty).
     */
    void requireSame(Path file, RunIdentity now, String mayChange) {
        Set<String> keys = new LinkedHashSet<>(settings.keySet());
        keys.addAll(now.settings.keySet());
        for (String key : keys) {
            String was = settings.get(key), is = now.settings.get(key);
            if (!Objects.equals(was, is))
                throw new IllegalArgumentException("--resume " + file + ": setting " + key + " was " + was + " in the checkpoint but is " + is
                        + " now; resume with the same settings" + (mayChange.isEmpty() ? "" : " (" + mayChange + ")"));
        }
        if (inputs.size() != now.inputs.size())
            throw new IllegalArgumentException("--resume " + file + ": the checkpoint was made from " + inputs.size() + " input files, this run gives "
                    + now.inputs.size() + "; resume with the same inputs");
        for (int i = 0; i < inputs.size(); i++) {
            Input was = inputs.get(i), is = now.inputs.get(i);
            if (!was.option().equals(is.option()) || was.size() != is.size() || !was.sha256().equals(is.sha256()))
                throw new IllegalArgumentException("--resume " + file + ": " + is.option() + " " + is.path() + " is not the file the checkpoint was made from ("
                        + was.option() + " " + was.path() + ", " + was.size() + " bytes); resume with the same inputs");
        }
    }
}
