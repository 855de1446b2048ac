package adamerge.study;

import adamerge.study.data.DemoTasks;
import adamerge.study.models.DemoCheckpoints;
import adamerge.study.models.Recipe;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The demo from end to end: the checkpoints a run needs (the shipped ones, or built by a recipe
 * where they are missing or {@code full} asks to retrain), then the study on them, its reports
 * written into {@code results}.
 *
 * @param settings   the study's settings (fast, full or tiny, with any overrides)
 * @param recipe     the recipe of the checkpoints (its data seed is the split they were trained on)
 * @param full       retrain every checkpoint from scratch
 * @param validation recipe selection: Table 1 alone, adapting on and scoring each task's validation split
 * @param models     the checkpoint folder, or null for the recipe's default
 * @param dataDir    the cache of downloaded data sets
 * @param results    where the reports go
 */
public record Demo(StudySettings settings, Recipe recipe, boolean full, boolean validation, Path models, Path dataDir, Path results) {

    /** What a run measured, with the seconds spent on checkpoints and in all. */
    public record Outcome(StudyResults results, String table1Markdown, double modelSeconds, double totalSeconds) {
    }

    public Outcome run(PrintWriter log) throws IOException {
        long start = System.nanoTime();
        StudySettings s = settings.withDataSeed(recipe.dataSeed()); // the split the checkpoints were trained and tested on
        Path modelDir = models != null ? models
                : full ? dataDir.resolveSibling("demo-models-full")
                : recipe != Recipe.STANDARD ? dataDir.resolveSibling("demo-models-" + recipe.name()) : shippedModels();

        // Checkpoints: a complete folder is used as it is; otherwise (or with full) the recipe builds them.
        if (full || !DemoModels.missing(modelDir, DemoTasks.NAMES).isEmpty()) {
            log.println("== checkpoints: " + (full ? "training everything from scratch" : "building what is missing") + " in " + modelDir);
            log.flush();
            DemoCheckpoints.Report rep = new DemoCheckpoints(recipe, new DemoTasks(dataDir), dataDir.resolveSibling("demo-data"))
                    .ensure(modelDir, full, log);
            log.println("   built " + rep.built().size() + " files, kept " + rep.skipped().size() + "; seconds " + rep.seconds());
        }
        double modelSeconds = (System.nanoTime() - start) / 1e9;

        log.printf(Locale.ROOT, "== settings: %s; AdaMerging %d steps x %d batches of %d per task, %d seed(s), %d test images per task%n",
                s.name(), s.steps(), s.batchesPerStep(), s.batch(), s.seeds(), s.testPerTask());
        log.flush();
        DemoTasks tasks = new DemoTasks(dataDir);
        Study.TaskSource source = !validation ? tasks::load
                : (task, train, test, seed) -> new DemoTasks.Split(tasks.part(task, DemoTasks.Part.TRAIN, train, seed),
                        tasks.part(task, DemoTasks.Part.VALIDATION, test, seed));
        StudyResults r = Study.runAndWrite(modelDir, s, source, results, modelSeconds, validation, log);
        return new Outcome(r, new Reports(r, results).table1Markdown(), modelSeconds, (System.nanoTime() - start) / 1e9);
    }

    /**
     * models/demo in the working directory, else in the nearest folder above this jar that has one:
     * the repository (study/target/classes, cli/target/lib/study.jar) or the unpacked archive
     * (lib/adamerge4j/study.jar).
     */
    static Path shippedModels() {
        Path here = Path.of("models", "demo");
        if (Files.isDirectory(here)) return here;
        try {
            Path at = Path.of(Demo.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            for (int up = 0; up < 5 && at != null; up++, at = at.getParent())
                if (Files.isDirectory(at.resolve("models/demo"))) return at.resolve("models/demo");
        } catch (Exception ignored) {
            // no code source (unusual class loader): fall back to the working directory
        }
        return here;
    }
}
