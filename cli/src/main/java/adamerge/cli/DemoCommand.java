package adamerge.cli;

import adamerge.study.DemoModels;
import adamerge.study.Reports;
import adamerge.study.Study;
import adamerge.study.StudyResults;
import adamerge.study.StudySettings;
import adamerge.study.data.DemoTasks;
import adamerge.study.models.DemoCheckpoints;
import adamerge.study.models.Recipe;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code adamerge demo}: the paper's whole study in miniature, from checkpoints to tables and figures. */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Runs a miniature of the AdaMerging paper's study on a small CLIP ViT and 8 small tasks:",
                "Table 1 (12 methods), generalisation to unseen tasks, robustness to 7 corruptions, the entropy-vs-loss",
                "analysis and the coefficient figures. Writes Markdown, JSON and PNG into --results (README.md shows them).",
                "Default: the shipped checkpoints (built if missing) and fewer AdaMerging steps; --full: everything from",
                "scratch with the paper's settings (500 steps, 3 seeds)."})
public final class DemoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--full", description = "Retrain every checkpoint and run the paper's settings (500 steps, 3 seeds, 1000 test images per task).")
    boolean full;
    @Option(names = "--steps", paramLabel = "N", description = "AdaMerging steps (default: " + StudySettings.FAST_STEPS + ", with --full 500, with --tiny 2).")
    Integer steps;
    @Option(names = "--seeds", paramLabel = "N", description = "Seeds of the methods that sample data (default: 1, with --full 3).")
    Integer seeds;
    @Option(names = "--results", paramLabel = "DIR", defaultValue = "results", description = "Output folder (default: ${DEFAULT-VALUE}).")
    Path results;
    @Option(names = "--models", paramLabel = "DIR",
            description = "Checkpoint folder (default: the shipped models/demo; with --full ~/.cache/adamerge4j/demo-models-full).")
    Path models;
    @Option(names = "--data-dir", paramLabel = "DIR", description = "Cache of the downloaded data sets (default: ~/.cache/adamerge4j/data).")
    Path dataDir;
    @Option(names = "--recipe", paramLabel = "NAME",
            description = "Checkpoint recipe when building (default: the shipped one; the ones tried are in models/demo/README.md).")
    String recipeName;
    @Option(names = "--validation", description = {"Recipe selection: Table 1 alone, adapting on and scoring each task's validation split",
            "(carved from its train data) instead of its test split."})
    boolean validation;
    @Option(names = "--tiny", description = "A tiny configuration (24 test images per task, 2 steps, 1 seed) that proves the pipeline.")
    boolean tiny;

    @Override
    public Integer call() throws IOException {
        long start = System.nanoTime();
        PrintWriter err = spec.commandLine().getErr(), out = spec.commandLine().getOut();
        if (full && tiny) throw new IllegalArgumentException("--full and --tiny exclude each other");
        StudySettings s = tiny ? StudySettings.tiny() : full ? StudySettings.full() : StudySettings.fast();
        if (steps != null) s = s.withSteps(steps);
        if (seeds != null) s = s.withSeeds(seeds);
        Recipe recipe = recipeName == null ? Recipe.STANDARD : Recipe.named(recipeName);
        s = s.withDataSeed(recipe.dataSeed()); // the split the checkpoints were trained and tested on
        Path data = dataDir != null ? dataDir : DemoTasks.defaultDataDir();
        Path modelDir = models != null ? models
                : full ? data.resolveSibling("demo-models-full")
                : recipe != Recipe.STANDARD ? data.resolveSibling("demo-models-" + recipe.name()) : shippedModels();

        // Checkpoints: use a complete folder as it is; otherwise (or with --full) build with the standard recipe.
        long t0 = System.nanoTime();
        if (full || !DemoModels.missing(modelDir, DemoTasks.NAMES).isEmpty()) {
            err.println("== checkpoints: " + (full ? "training everything from scratch" : "building what is missing") + " in " + modelDir);
            err.flush();
            DemoCheckpoints.Report rep = new DemoCheckpoints(recipe, new DemoTasks(data), data.resolveSibling("demo-data"))
                    .ensure(modelDir, full, err);
            err.println("   built " + rep.built().size() + " files, kept " + rep.skipped().size() + "; seconds " + rep.seconds());
        }
        double modelSeconds = (System.nanoTime() - t0) / 1e9;

        err.printf(Locale.ROOT, "== settings: %s; AdaMerging %d steps x %d batches of %d per task, %d seed(s), %d test images per task%n",
                s.name(), s.steps(), s.batchesPerStep(), s.batch(), s.seeds(), s.testPerTask());
        err.flush();
        DemoTasks tasks = new DemoTasks(data);
        Study.TaskSource source = !validation ? tasks::load
                : (task, train, test, seed) -> new DemoTasks.Split(tasks.part(task, DemoTasks.Part.TRAIN, train, seed),
                        tasks.part(task, DemoTasks.Part.VALIDATION, test, seed));
        StudyResults r = Study.runAndWrite(modelDir, s, source, results, modelSeconds, validation, err);

        double total = (System.nanoTime() - start) / 1e9;
        out.println("# Table 1 analogue (" + s.name() + (validation ? ", on the validation split" : "") + ": " + s.steps() + " AdaMerging steps, " + s.seeds() + " seed(s))");
        out.println();
        out.print(new Reports(r, results).table1Markdown());
        out.printf(Locale.ROOT, "%nWrote %s (README.md, tables, figures, JSON). Wall time %s (checkpoints %s, study %s).%n",
                results, clock(total), clock(modelSeconds), clock(r.totalSeconds));
        out.flush();
        return 0;
    }

    private static String clock(double seconds) {
        long s = Math.round(seconds);
        return String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }

    /** models/demo in the working directory, else in the repository holding this jar. */
    private static Path shippedModels() {
        Path here = Path.of("models", "demo");
        if (Files.isDirectory(here)) return here;
        try {
            Path jar = Path.of(DemoCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path root = jar.getParent() != null && jar.getParent().getParent() != null ? jar.getParent().getParent().getParent() : null;
            if (root != null && Files.isDirectory(root.resolve("models/demo"))) return root.resolve("models/demo");
        } catch (Exception ignored) {
            // no code source (unusual class loader): fall back to the working directory
        }
        return here;
    }
}
