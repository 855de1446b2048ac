package adamerge.cli;

import adamerge.study.Demo;
import adamerge.study.Reports;
import adamerge.study.StudySettings;
import adamerge.study.data.DemoTasks;
import adamerge.study.models.Recipe;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code adamerge demo}: the paper's whole study in miniature, from checkpoints to tables and figures. */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Runs a miniature of the AdaMerging paper's study on a small CLIP ViT and 8 small tasks:",
                "Table 1 (the paper's 12 methods, then DARE, DARE-TIES, TSV-Merge, Iso-C and Iso-CTS with their defaults, and",
                "Representation Surgery on Task Arithmetic and layer-wise AdaMerging), generalisation to unseen tasks,",
                "robustness to 7 corruptions, the entropy-vs-loss analysis and the coefficient figures. Writes Markdown, JSON",
                "and PNG into --results (README.md shows them).",
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
        PrintWriter err = spec.commandLine().getErr(), out = spec.commandLine().getOut();
        if (full && tiny) throw new IllegalArgumentException("--full and --tiny exclude each other");
        StudySettings s = tiny ? StudySettings.tiny() : full ? StudySettings.full() : StudySettings.fast();
        if (steps != null) s = s.withSteps(steps);
        if (seeds != null) s = s.withSeeds(seeds);
        Recipe recipe = recipeName == null ? Recipe.STANDARD : Recipe.named(recipeName);
        Demo.Outcome o = new Demo(s, recipe, full, validation, models, dataDir != null ? dataDir : DemoTasks.defaultDataDir(), results).run(err);

        StudySettings ran = o.results().settings;
        out.println("# Table 1 analogue (" + ran.name() + (validation ? ", on the validation split" : "") + ": " + ran.steps() + " AdaMerging steps, "
                + ran.seeds() + " seed(s))");
        out.println();
        out.print(o.table1Markdown());
        out.printf(Locale.ROOT, "%nWrote %s (README.md, tables, figures, JSON). Wall time %s (checkpoints %s, study %s).%n",
                results, Reports.clock(o.totalSeconds()), Reports.clock(o.modelSeconds()), Reports.clock(o.results().totalSeconds));
        out.flush();
        return 0;
    }
}
