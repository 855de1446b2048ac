package adamerge.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Inputs are sacred: the files a command reads and the files it writes, checked before any work.
 * An output that is an input (compared as real paths, so links and {@code ./} spellings count; an
 * output not yet written by its folder's real path and its name) or lies inside an input folder
 * is refused, as is an output into a folder that does not exist; a model given twice to one
 * option gets a warning. Every command that writes a file declares its options here.
 */
final class InputsAndOutputs {
    private record Named(String option, Path path, boolean distinct) {
        @Override
        public String toString() {
            return option + " " + path;
        }
    }

    private final List<Named> inputs = new ArrayList<>(), outputs = new ArrayList<>();

    /** An input file or folder (null: the option was not given). */
    InputsAndOutputs input(String option, Path path) {
        if (path != null) inputs.add(new Named(option, path, false));
        return this;
    }

    /** Inputs that may repeat (one data set or head shared by tasks). */
    InputsAndOutputs inputs(String option, List<Path> paths) {
        for (Path p : paths) input(option, p);
        return this;
    }

    /** Inputs that should differ (the models merged): a file given twice is a warning naming both spellings. */
    InputsAndOutputs distinctInputs(String option, List<Path> paths) {
        for (Path p : paths) inputs.add(new Named(option, p, true));
        return this;
    }

    /** A file the command writes (null: the option was not given). */
    InputsAndOutputs output(String option, Path path) {
        if (path != null) outputs.add(new Named(option, path, false));
        return this;
    }

    /**
     * Throws a one-line error for the first output that would overwrite an input, lands inside an
     * input folder, is a folder, shares its path with another output, or has no folder to go in;
     * prints a warning on {@code err} for each file given twice to a {@link #distinctInputs} option.
     */
    void check(PrintWriter err) {
        Map<Path, Named> written = new LinkedHashMap<>();
        for (Named out : outputs) {
            Path real = realOutput(out);
            Named before = written.putIfAbsent(real, out);
            if (before != null) throw new IllegalArgumentException(before + " and " + out + " are the same file: give each output its own path");
            for (Named in : inputs) {
                Path realIn = realInput(in);
                if (realIn == null) continue; // a missing input is the loader's one-line error
                if (realIn.equals(real) || sameFile(real, realIn)) // sameFile: a hard link to the input
                    throw new IllegalArgumentException(out + " is the " + in.option() + " file " + in.path()
                            + ": writing there would destroy an input; choose another " + out.option());
                if (Files.isDirectory(realIn) && real.startsWith(realIn))
                    throw new IllegalArgumentException(out + " lies inside the " + in.option() + " folder " + in.path()
                            + ", which this command reads: choose another " + out.option());
            }
        }
        Map<String, Named> read = new LinkedHashMap<>();
        for (Named in : inputs) {
            Path realIn = realInput(in);
            if (realIn == null || !in.distinct()) continue;
            // Within one option only: the pretrained file given as fine-tuned is merge's zero task vector warning.
            Named before = read.putIfAbsent(in.option() + " " + realIn, in);
            if (before != null) {
                err.println("adamerge: warning: " + before + " and " + in + " are the same file, given twice");
                err.flush();
            }
        }
    }

    private static boolean sameFile(Path a, Path b) {
        try {
            return Files.exists(a) && Files.isSameFile(a, b);
        } catch (IOException e) {
            return false;
        }
    }

    /** The real path an output will have: its own when it exists, else its folder's real path and its name. */
    private static Path realOutput(Named out) {
        Path abs = out.path().toAbsolutePath().normalize();
        if (Files.isDirectory(abs)) throw new IllegalArgumentException(out + " is a folder: give a file name");
        try {
            if (Files.exists(abs)) return abs.toRealPath();
            Path dir = abs.getParent();
            if (dir == null || !Files.isDirectory(dir))
                throw new IllegalArgumentException(out + ": the output folder " + dir + " does not exist; create it first");
            return dir.toRealPath().resolve(abs.getFileName());
        } catch (IOException e) {
            throw new UncheckedIOException(out + ": cannot resolve the path (" + e.getMessage() + ")", e);
        }
    }

    /** The input's real path, or null when it does not exist (a built-in --config name, or a missing file). */
    private static Path realInput(Named in) {
        try {
            return Files.exists(in.path()) ? in.path().toRealPath() : null;
        } catch (IOException e) {
            return null;
        }
    }
}
