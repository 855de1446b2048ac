package adamerge.study;

import adamerge.merging.Method;
import adamerge.merging.SurgeryTraining;
import adamerge.output.Coefficients;
import adamerge.output.Figures;
import adamerge.output.Json;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes a {@link StudyResults} into a results folder: Markdown tables, PNG figures, raw JSON
 * and a README.md that shows them beside the paper's ViT-B/32 numbers. Every file is written
 * atomically (temp file, then rename).
 */
public final class Reports {

    /** The paper's Table 1 averages, ViT-B/32 (Yang et al., ICLR 2024). */
    static final Map<String, Double> PAPER_AVG = paperAverages();

    /** The paper's Table 1, ViT-B/32, as printed (copied from the paper). */
    static final String PAPER_TABLE = """
            | Method | SUN397 | Cars | RESISC45 | EuroSAT | SVHN | GTSRB | MNIST | DTD | Avg |
            |---|---|---|---|---|---|---|---|---|---|
            | Pretrained | 62.3 | 59.7 | 60.7 | 45.5 | 31.4 | 32.6 | 48.5 | 43.8 | 48.0 |
            | Individual | 75.3 | 77.7 | 96.1 | 99.7 | 97.5 | 98.7 | 99.7 | 79.4 | 90.5 |
            | Traditional MTL | 73.9 | 74.4 | 93.9 | 98.2 | 95.8 | 98.9 | 99.5 | 77.9 | 88.9 |
            | Weight Averaging | 65.3 | 63.4 | 71.4 | 71.7 | 64.2 | 52.8 | 87.5 | 50.1 | 65.8 |
            | Fisher Merging | 68.6 | 69.2 | 70.7 | 66.4 | 72.9 | 51.1 | 87.9 | 59.9 | 68.3 |
            | RegMean | 65.3 | 63.5 | 75.6 | 78.6 | 78.1 | 67.4 | 93.7 | 52.0 | 71.8 |
            | Task Arithmetic | 55.2 | 54.9 | 66.7 | 78.9 | 80.2 | 69.7 | 97.3 | 50.4 | 69.1 |
            | TIES-Merging | 59.8 | 58.6 | 70.7 | 79.7 | 86.2 | 72.1 | 98.3 | 54.2 | 72.4 |
            | Task-wise AdaMerging | 58.0 | 53.2 | 68.8 | 85.7 | 81.1 | 84.4 | 92.4 | 44.8 | 71.1 |
            | Task-wise AdaMerging++ | 60.8 | 56.9 | 73.1 | 83.4 | 87.3 | 82.4 | 95.7 | 50.1 | 73.7 |
            | Layer-wise AdaMerging | 64.5 | 68.1 | 79.2 | 93.8 | 87.0 | 91.9 | 97.5 | 59.1 | 80.1 |
            | Layer-wise AdaMerging++ | 66.6 | 68.3 | 82.2 | 94.2 | 89.6 | 89.0 | 98.3 | 60.6 | 81.1 |
            """;

    private final StudyResults r;
    private final Path dir;

    public Reports(StudyResults results, Path dir) {
        this.r = results;
        this.dir = dir;
    }

    private static Map<String, Double> paperAverages() {
        Map<String, Double> m = new LinkedHashMap<>();
        for (String line : PAPER_TABLE.strip().split("\n")) {
            String[] c = line.split("\\|");
            if (c.length < 3 || c[1].isBlank() || c[1].contains("Method") || c[1].contains("---")) continue;
            m.put(c[1].strip(), Double.parseDouble(c[c.length - 1].strip()));
        }
        return m;
    }

    /** Writes every file, the figures last (a figure that cannot be drawn is a warning on {@code log}); returns Table 1 as Markdown. */
    public String writeAll(PrintWriter log) throws IOException {
        String t1 = writeTable1(log);
        String gen = generalisationMarkdown(), rob = robustnessMarkdown(), el = entropyLossMarkdown();
        Json.writeAtomically(dir.resolve("generalisation.md"), "# Generalisation to unseen tasks (Table 3 analogue)\n\n" + gen);
        Json.writeAtomically(dir.resolve("generalisation.json"), r.generalisation);
        Json.writeAtomically(dir.resolve("robustness.md"), "# Robustness to corrupted test data (Table 7 analogue)\n\n" + rob);
        Json.writeAtomically(dir.resolve("robustness.json"), Json.object("tasks", r.robustnessTasks, "accuracy", r.robustness,
                "severity", r.settings.severity()));
        Json.writeAtomically(dir.resolve("entropy_vs_loss.md"), "# Entropy vs. cross-entropy loss (Figure 2 analogue)\n\n" + el);
        Json.writeAtomically(dir.resolve("entropy_vs_loss.json"), r.entropyLoss);
        Json.writeAtomically(dir.resolve("README.md"), readme(t1, gen, rob, el));
        figures(log);
        return t1;
    }

    /** Writes Table 1's files and the diagnostics (all of a {@link Study#runTable1} run); returns Table 1 as Markdown. */
    public String writeTable1(PrintWriter log) throws IOException {
        String t1 = table1Markdown();
        Json.writeAtomically(dir.resolve("table1.md"), "# Table 1 analogue: multi-task merging on the demo's 8 tasks\n\n" + t1);
        Json.writeAtomically(dir.resolve("table1.json"), table1Json());
        Json.writeAtomically(dir.resolve("table1_runs.json"), rawJson());
        if (r.diagnostics != null) {
            Json.writeAtomically(dir.resolve("disentanglement.md"), "# Why merging works or not: the task vectors' disentanglement\n\n"
                    + DisentanglementReport.markdown(r.tasks, r.diagnostics));
            Json.writeAtomically(dir.resolve("disentanglement.json"), r.diagnostics);
            Path png = dir.resolve("disentanglement.png");
            Figures.drawOrWarn(log, png, () -> DisentanglementReport.figure(png, r.tasks, r.diagnostics));
        }
        return t1;
    }

    // ---- Table 1 ----

    private boolean sampled(String method) {
        return r.table1.get(method).size() > 1;
    }

    public String table1Markdown() {
        StringBuilder b = new StringBuilder("| Method |");
        for (String t : r.tasks) b.append(' ').append(t).append(" |");
        b.append(" Avg |\n|---|");
        b.append("---|".repeat(r.tasks.size() + 1)).append('\n');
        for (String m : StudyResults.METHODS) {
            Map<String, Double> mean = r.mean(m), std = r.std(m);
            b.append("| ").append(m).append(" |");
            for (String t : r.tasks) b.append(' ').append(cell(mean.get(t), std.get(t), sampled(m))).append(" |");
            b.append(" **").append(cell(mean.get("avg"), std.get("avg"), sampled(m))).append("** |\n");
        }
        int n = r.table1.get("Layer-wise AdaMerging").size();
        b.append('\n').append(String.format(Locale.ROOT, "Test accuracy (%%) on %d test images per task. Fisher Merging, RegMean, the "
                + "AdaMerging rows, DARE, DARE-TIES and the Surgery rows are the mean%s over %d seed%s (the seed draws their data, DARE's drop "
                + "masks, or the surgery modules' initialisation and batches); "
                + "the other rows sample nothing.%n",
                r.settings.testPerTask(), n > 1 ? " ± sample std" : "", n, n > 1 ? "s" : ""));
        b.append('\n').append(laterMergesNote());
        b.append('\n').append(surgeryNote());
        return b.toString();
    }

    /** What the rows after the paper's are and how they were run. */
    static String laterMergesNote() {
        List<String> each = new ArrayList<>();
        for (Method m : StudyResults.LATER_MERGES) {
            Map<String, Object> o = Study.laterMergeSettings(m);
            StringBuilder e = new StringBuilder(m.paperName()).append(" (`--method ").append(o.get("method")).append("`: ");
            List<String> opts = new ArrayList<>();
            o.forEach((k, v) -> {
                if (!k.equals("method") && !k.equals("seed")) opts.add(k + " " + (v instanceof Number x ? fmt(x.doubleValue()) : v));
            });
            each.add(e.append(String.join(", ", opts)).append(')').toString());
        }
        return "The rows after Layer-wise AdaMerging++ are merges published since the paper, each run as `adamerge merge` runs it "
                + "with every option at its default: " + String.join("; ", each) + "; DARE's masks from `--seed` = the study's seed. "
                + "Their upstream codes choose the scale of TSV-Merge and Iso on validation data; the study chooses no method's scale "
                + "(Task Arithmetic and TIES keep 0.3 as well).\n";
    }

    /** What the Surgery rows are. */
    static String surgeryNote() {
        SurgeryTraining.Options o = SurgeryTraining.Options.DEFAULT;
        return String.format(Locale.ROOT, "The Surgery rows put Representation Surgery (Yang et al., ICML 2024) on the Task Arithmetic and the "
                + "Layer-wise AdaMerging models above, as `merge --surgery` does with its defaults (upstream's): per task a module "
                + "`f - up relu(down f)` of rank %d before the head, trained for %d iterations (Adam, lr %s, %d batches of %d per task "
                + "per iteration) to pull the merged features toward the fine-tuned encoder's (L1) on the same unlabeled test images "
                + "AdaMerging adapts on. It needs each fine-tuned encoder at adaptation time.%n",
                o.rank(), o.steps(), Float.toString(o.lr()), o.batchesPerStep(), o.batch());
    }

    private static String fmt(double v) {
        return v == Math.rint(v) ? String.format(Locale.ROOT, "%.1f", v) : String.format(Locale.ROOT, "%s", (float) v);
    }

    private static String cell(double mean, double std, boolean withStd) {
        return withStd && Double.isFinite(std) ? String.format(Locale.ROOT, "%.1f ± %.1f", mean, std) : String.format(Locale.ROOT, "%.1f", mean);
    }

    private Map<String, Map<String, Double>> table1Json() {
        Map<String, Map<String, Double>> out = new LinkedHashMap<>();
        for (String m : StudyResults.METHODS) out.put(m, r.mean(m));
        return out;
    }

    private Map<String, Object> rawJson() {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("settings", r.settings.asMap());
        o.put("model", r.model);
        o.put("encoder_parameters", r.parameters);
        o.put("tasks", r.tasks);
        Map<String, Object> methods = new LinkedHashMap<>();
        for (String m : StudyResults.METHODS) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("per_seed", r.table1.get(m));
            e.put("mean", r.mean(m));
            e.put("std", r.std(m));
            methods.put(m, e);
        }
        o.put("methods", methods);
        Map<String, Object> coeff = new LinkedHashMap<>();
        r.coefficients.forEach((m, runs) -> coeff.put(m, runs));
        o.put("adamerging_runs", coeff);
        o.put("seconds", r.seconds);
        o.put("model_seconds", r.modelSeconds);
        o.put("total_seconds", r.totalSeconds);
        return o;
    }

    // ---- generalisation ----

    String generalisationMarkdown() {
        StringBuilder b = new StringBuilder();
        int i = 1;
        for (StudyResults.GeneralisationSplit g : r.generalisation) {
            b.append("**Split ").append(i++).append("**: merge ").append(String.join(", ", g.seen())).append("; unseen ")
                    .append(String.join(", ", g.unseen())).append(".\n\n| Method | Seen avg |");
            for (String u : g.unseen()) b.append(' ').append(u).append(" (unseen) |");
            b.append(" Unseen avg |\n|---|---|").append("---|".repeat(g.unseen().size() + 1)).append('\n');
            g.accuracy().forEach((m, acc) -> {
                b.append("| ").append(m).append(String.format(Locale.ROOT, " | %.1f |", avg(acc, g.seen())));
                for (String u : g.unseen()) b.append(String.format(Locale.ROOT, " %.1f |", acc.get(u)));
                b.append(String.format(Locale.ROOT, " **%.1f** |%n", avg(acc, g.unseen())));
            });
            b.append('\n');
        }
        b.append("The merged encoder of six tasks is evaluated on the two others with their own heads. AdaMerging adapts on the "
                + "six seen tasks' unlabeled test images only (layer-wise, seed 0).\n");
        return b.toString();
    }

    private static double avg(Map<String, Double> acc, List<String> tasks) {
        return tasks.stream().mapToDouble(acc::get).average().orElse(Double.NaN);
    }

    // ---- robustness ----

    private List<String> conditions() {
        return r.robustness.isEmpty() ? List.of() : List.copyOf(r.robustness.values().iterator().next().keySet());
    }

    String robustnessMarkdown() {
        if (r.robustness.isEmpty()) return "Not run: the robustness tasks are not among this model set's tasks.\n";
        List<String> cond = conditions();
        StringBuilder b = new StringBuilder("Average test accuracy (%) over " + String.join(", ", r.robustnessTasks)
                + "; corruptions at severity " + r.settings.severity() + ".\n\n| Method |");
        for (String c : cond) b.append(' ').append(c).append(" |");
        b.append("\n|---|").append("---|".repeat(cond.size())).append('\n');
        r.robustness.forEach((m, byCond) -> {
            b.append("| ").append(m).append(" |");
            for (String c : cond) b.append(String.format(Locale.ROOT, " %.1f |", avg(byCond.get(c), r.robustnessTasks)));
            b.append('\n');
        });
        b.append("\nPer task:\n\n| Method | Condition |");
        for (String t : r.robustnessTasks) b.append(' ').append(t).append(" |");
        b.append("\n|---|---|").append("---|".repeat(r.robustnessTasks.size())).append('\n');
        r.robustness.forEach((m, byCond) -> byCond.forEach((c, acc) -> {
            b.append("| ").append(m).append(" | ").append(c).append(" |");
            for (String t : r.robustnessTasks) b.append(String.format(Locale.ROOT, " %.1f |", acc.get(t)));
            b.append('\n');
        }));
        b.append("\nBoth merge the same four task vectors; AdaMerging (layer-wise, seed 0) adapts on each condition's corrupted, "
                + "unlabeled test images, Task Arithmetic uses λ = 0.3 throughout.\n");
        return b.toString();
    }

    // ---- entropy vs loss ----

    String entropyLossMarkdown() {
        StringBuilder b = new StringBuilder("Task Arithmetic model (λ = 0.3, 8 tasks): test samples sorted by prediction entropy into "
                + EntropyLoss.GROUPS + " equal-count groups (low to high); mean cross-entropy per group; Spearman ρ between group "
                + "mean entropy and group mean loss. The paper reports a positive correlation.\n\n| Samples of | n | Spearman ρ |\n|---|---|---|\n");
        for (EntropyLoss e : r.entropyLoss)
            b.append(String.format(Locale.ROOT, "| %s | %d | %.3f |%n", e.name(), e.samples(), e.spearman()));
        EntropyLoss all = r.entropyLoss.get(r.entropyLoss.size() - 1);
        b.append("\nGroups of \"").append(all.name()).append("\":\n\n| Group | Mean entropy | Mean cross-entropy |\n|---|---|---|\n");
        for (int g = 0; g < all.groupEntropy().length; g++)
            b.append(String.format(Locale.ROOT, "| %d | %.4f | %.4f |%n", g + 1, all.groupEntropy()[g], all.groupLoss()[g]));
        return b.toString();
    }

    // ---- figures ----

    private void figures(PrintWriter log) throws IOException {
        // Table 1 averages beside the paper's.
        List<String> ms = StudyResults.METHODS;
        double[][] v = new double[2][ms.size()], e = new double[2][ms.size()];
        for (int i = 0; i < ms.size(); i++) {
            v[0][i] = r.mean(ms.get(i)).get("avg");
            e[0][i] = r.std(ms.get(i)).get("avg");
            v[1][i] = PAPER_AVG.getOrDefault(ms.get(i), Double.NaN);
            e[1][i] = Double.NaN;
        }
        Path avgPng = dir.resolve("table1_average.png");
        Figures.drawOrWarn(log, avgPng, () -> Charts.groupedBars(avgPng, "Average accuracy over 8 tasks (Table 1)", "accuracy (%)", ms,
                List.of("demo (this run)", "paper, ViT-B/32"), v, e));

        // Layer-wise coefficients heatmap (first seed), tasks x layers.
        List<StudyResults.Coefficients> lw = r.coefficients.get("Layer-wise AdaMerging");
        if (lw != null && !lw.isEmpty()) {
            StudyResults.Coefficients c = lw.get(0);
            Json.writeAtomically(dir.resolve("layerwise_coefficients.json"), Json.object("lambdas", c.lambdas(), "layers", c.rows(), "tasks", c.tasks()));
            Path png = dir.resolve("layerwise_coefficients.png");
            Figures.drawOrWarn(log, png, () -> Coefficients.heatmap(png, c.rows(), c.tasks(), c.lambdas()));
        }

        // Task-wise coefficients, mean over seeds.
        List<String> series = new ArrayList<>();
        List<double[]> vals = new ArrayList<>();
        for (String m : List.of("Task-wise AdaMerging", "Task-wise AdaMerging++")) {
            List<StudyResults.Coefficients> runs = r.coefficients.get(m);
            if (runs == null || runs.isEmpty()) continue;
            double[] mean = new double[r.tasks.size()];
            for (StudyResults.Coefficients c : runs) for (int k = 0; k < mean.length; k++) mean[k] += c.lambdas()[0][k] / runs.size();
            series.add(m);
            vals.add(mean);
        }
        if (!series.isEmpty()) {
            Map<String, Object> j = new LinkedHashMap<>();
            j.put("tasks", r.tasks);
            for (int i = 0; i < series.size(); i++) j.put(series.get(i), vals.get(i));
            Json.writeAtomically(dir.resolve("taskwise_coefficients.json"), j);
            Path png = dir.resolve("taskwise_coefficients.png");
            Figures.drawOrWarn(log, png, () -> Charts.groupedBars(png, "Learned task-wise coefficients λ_k (prior 0.3)", "λ",
                    r.tasks, series, vals.toArray(double[][]::new), null));
        }

        // Entropy vs loss: one panel per task, the pooled samples last.
        int ns = r.entropyLoss.size();
        double[][] xs = new double[ns][], ys = new double[ns][];
        List<String> names = new ArrayList<>();
        for (int i = 0; i < ns; i++) {
            EntropyLoss el = r.entropyLoss.get(i);
            xs[i] = el.groupEntropy();
            ys[i] = el.groupLoss();
            names.add(String.format(Locale.ROOT, "%s (Spearman ρ = %.2f)", el.name(), el.spearman()));
        }
        Path elPng = dir.resolve("entropy_vs_loss.png");
        Figures.drawOrWarn(log, elPng, () -> Charts.panels(elPng, "Task Arithmetic model: mean cross-entropy of 11 equal-count entropy groups",
                "mean entropy (nats)", "mean cross-entropy (nats)", names, xs, ys, 3));

        // Robustness averages.
        if (!r.robustness.isEmpty()) {
            List<String> cond = conditions(), methods = List.copyOf(r.robustness.keySet());
            double[][] rv = new double[methods.size()][cond.size()];
            for (int m = 0; m < methods.size(); m++)
                for (int c = 0; c < cond.size(); c++) rv[m][c] = avg(r.robustness.get(methods.get(m)).get(cond.get(c)), r.robustnessTasks);
            Path png = dir.resolve("robustness.png");
            Figures.drawOrWarn(log, png, () -> Charts.groupedBars(png, "Corrupted test data: average accuracy over 4 tasks", "accuracy (%)",
                    cond, methods, rv, null));
        }
    }

    // ---- README ----

    private String readme(String t1, String gen, String rob, String el) {
        StudySettings s = r.settings;
        StringBuilder b = new StringBuilder();
        b.append("# AdaMerging demo study: results\n\n");
        b.append("A miniature of the whole study of *AdaMerging: Adaptive Model Merging for Multi-Task Learning* (Yang et al., ICLR 2024), "
                + "run by `bin/adamerge demo").append(s.name().equals("fast") ? "" : " --" + s.name()).append("` on the demo's small CLIP ViT (")
                .append(r.model).append(String.format(Locale.ROOT, "; %,d encoder parameters) and its 8 tasks (%s).%n%n", r.parameters, String.join(", ", r.tasks)));
        b.append("## Settings\n\n");
        b.append(String.format(Locale.ROOT, "- configuration: **%s**; AdaMerging **%d steps** (the paper: 500), %d batches of %d unlabeled test images per task per step, "
                        + "prior %.1f, Adam lr %s, coefficients clamped to [0, 1]%n", s.name(), s.steps(), s.batchesPerStep(), s.batch(), s.prior(),
                Float.toString(s.lr())));
        if (s.steps() < 500)
            b.append(String.format(Locale.ROOT, "  - with %d steps of Adam at lr %s a coefficient moves at most about %.3f from the prior 0.3, so the "
                    + "AdaMerging rows stay close to Task Arithmetic / TIES; `bin/adamerge demo --full` runs the paper's 500 steps%n",
                    s.steps(), Float.toString(s.lr()), s.steps() * s.lr()));
        b.append(String.format(Locale.ROOT, "- %d seed%s for the methods that sample data (AdaMerging batches, Fisher/RegMean samples, DARE masks)%n", s.seeds(), s.seeds() > 1 ? "s" : ""));
        b.append(String.format(Locale.ROOT, "- Fisher Merging and RegMean: %d train samples per task; Task Arithmetic and TIES: λ = 0.3, TIES keeps the top 20%%%n", s.fisherSamples()));
        b.append("- DARE, DARE-TIES, TSV-Merge, Iso-C, Iso-CTS: the command line's defaults (below Table 1), no scale chosen on any data\n");
        b.append("- Representation Surgery: upstream's defaults (below Table 1), on the test images as AdaMerging\n");
        b.append(String.format(Locale.ROOT, "- %d test images per task (AdaMerging adapts on them, as the paper, and they are evaluated in full)%n", s.testPerTask()));
        b.append(String.format(Locale.ROOT, "- measured wall time: **%s** for the study", clock(r.totalSeconds)));
        if (r.modelSeconds >= 1) b.append(String.format(Locale.ROOT, ", plus %s to prepare the checkpoints", clock(r.modelSeconds)));
        b.append(" (").append(phases()).append(")\n");
        b.append("- nothing was tuned on the merged models' test accuracy\n\n");
        b.append("## Table 1: merging 8 tasks\n\n").append(t1).append('\n');
        b.append("For comparison, the paper's Table 1 (ViT-B/32, its 8 tasks; Yang et al., ICLR 2024). The demo's tasks are "
                + "analogues (mnist ~ MNIST, svhn-like ~ SVHN, gtsrb-like ~ GTSRB, dtd-like ~ DTD, eurosat-like ~ EuroSAT, "
                + "sun-like ~ SUN397, plus fashion and solids), so compare the ordering of methods, not the per-task numbers.\n\n");
        b.append(PAPER_TABLE).append('\n');
        b.append("Averages side by side:\n\n| Method | Demo avg | Paper avg (ViT-B/32) |\n|---|---|---|\n");
        for (String m : StudyResults.METHODS)
            b.append(String.format(Locale.ROOT, "| %s | %s | %s |%n", m, cell(r.mean(m).get("avg"), r.std(m).get("avg"), sampled(m)),
                    PAPER_AVG.containsKey(m) ? String.format(Locale.ROOT, "%.1f", PAPER_AVG.get(m)) : "not in the paper"));
        b.append("\n![Average accuracy](table1_average.png)\n\n");
        if (r.diagnostics != null) b.append("## Why merging works or not: disentanglement\n\n").append(DisentanglementReport.markdown(r.tasks, r.diagnostics)).append('\n');
        b.append("## Learned coefficients\n\n![Layer-wise coefficients](layerwise_coefficients.png)\n\n"
                + "![Task-wise coefficients](taskwise_coefficients.png)\n\n"
                + "The paper's learned task-wise λ for ViT-B/32: 0.2202, 0.1413, 0.2826, 0.3284, 0.2841, 0.4003, 0.1978, 0.1692 "
                + "(SUN397, Cars, RESISC45, EuroSAT, SVHN, GTSRB, MNIST, DTD).\n\n");
        b.append("## Generalisation (Table 3 analogue)\n\n").append(gen).append('\n');
        b.append("## Robustness (Table 7 analogue)\n\n").append(rob).append("\n![Robustness](robustness.png)\n\n");
        b.append("For context, ViT-B/32 averages over Cars, EuroSAT, RESISC45 and GTSRB as FusionBench reports them (clean, motion blur, "
                + "impulse noise, gaussian noise, pixelate, spatter, contrast, JPEG): Layer-wise AdaMerging 88.5, 81.2, 68.0, 71.4, 41.5, "
                + "73.7, 79.9, 80.1; Task Arithmetic 77.9, 65.9, 57.6, 59.8, 30.0, 63.3, 66.0, 67.8. The paper reports AdaMerging "
                + "6.8 to 12.4 points above Task Arithmetic under every corruption.\n\n");
        b.append("## Entropy vs. loss (Figure 2 analogue)\n\n").append(el).append("\n![Entropy vs loss](entropy_vs_loss.png)\n\n");
        b.append("## Files\n\n`table1.json` (method -> task -> accuracy %, and `avg`), `table1_runs.json` (every seed, coefficients, "
                + "per-step loss, settings, timings), `generalisation.json`, `robustness.json`, `entropy_vs_loss.json`, "
                + "`layerwise_coefficients.json`, `taskwise_coefficients.json`, the Markdown tables and the PNG figures.\n");
        return b.toString();
    }

    private String phases() {
        List<String> parts = new ArrayList<>();
        r.seconds.forEach((k, v) -> parts.add(k + " " + clock(v)));
        return String.join(", ", parts);
    }

    /** h:mm:ss, or m:ss under an hour. */
    public static String clock(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}
