package adamerge.study;

import adamerge.merging.AdaMerging;
import adamerge.merging.AdaMergingRun;
import adamerge.merging.Dare;
import adamerge.merging.Disentanglement;
import adamerge.merging.FisherMerge;
import adamerge.merging.IsoMerge;
import adamerge.merging.Merger;
import adamerge.merging.Method;
import adamerge.merging.RegMean;
import adamerge.merging.Surgery;
import adamerge.merging.SurgeryTraining;
import adamerge.merging.TaskArithmetic;
import adamerge.merging.TaskVector;
import adamerge.merging.TiesMerge;
import adamerge.merging.TsvMerge;
import adamerge.merging.WeightAveraging;
import adamerge.output.Progress;
import adamerge.study.data.Corruption;
import adamerge.study.data.Corruptions;
import adamerge.study.data.DemoTasks;
import adamerge.study.data.ImageSet;
import adamerge.study.models.DemoModel;
import adamerge.tensor.Tensor;
import adamerge.vit.ClassificationHead;
import adamerge.vit.ClipVisionEncoder;
import adamerge.vit.Predictions;
import adamerge.vit.data.ImageDataSet;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.UnaryOperator;

/**
 * The paper's study on the demo models, in-process with the merging library:
 * <ol>
 *   <li>Table 1: the paper's twelve methods and the merges published since on eight tasks (sampling
 *       methods repeated over seeds);</li>
 *   <li>generalisation (the paper's Table 3): merge six tasks, evaluate the two unseen ones;</li>
 *   <li>robustness (Table 7): four tasks, seven corruptions and clean, Task Arithmetic vs
 *       layer-wise AdaMerging adapting on the corrupted test data;</li>
 *   <li>entropy vs. loss of the Task Arithmetic model (Figure 2).</li>
 * </ol>
 * As the paper, AdaMerging adapts on the unlabeled test images it is evaluated on.
 */
public final class Study {

    /** Where the task data comes from ({@link DemoTasks#load} normally; tests substitute generators). */
    @FunctionalInterface
    public interface TaskSource {
        DemoTasks.Split load(String task, int trainSize, int testSize, long seed) throws IOException;
    }

    /** The paper's Table 3 splits, mapped to the demo's tasks: the two tasks left out of each merge. */
    public static final List<List<String>> UNSEEN = List.of(List.of("mnist", "eurosat-like"), List.of("solids", "svhn-like"));
    /** The four tasks of the robustness study (the paper: Cars, EuroSAT, RESISC45, GTSRB). */
    public static final List<String> ROBUSTNESS_TASKS = List.of("fashion", "eurosat-like", "solids", "gtsrb-like");

    /** The corruptions in the column order of the paper's Table 7. */
    public static final List<Corruption> CORRUPTIONS = List.of(Corruption.MOTION_BLUR, Corruption.IMPULSE_NOISE, Corruption.GAUSSIAN_NOISE,
            Corruption.PIXELATE, Corruption.SPATTER, Corruption.CONTRAST, Corruption.JPEG);

    private final DemoModels models;
    private final StudySettings s;
    private final TaskSource source;
    private final PrintWriter log;
    private final List<String> tasks;
    private final Map<String, ImageSet> testSets = new LinkedHashMap<>();
    private final Map<String, ImageDataSet> test = new LinkedHashMap<>();
    private final Map<String, ImageDataSet> trainPool = new LinkedHashMap<>();
    private final StudyResults results = new StudyResults();
    private final StudyProgress progress;

    public Study(DemoModels models, StudySettings settings, TaskSource source, PrintWriter log) {
        this.models = models;
        this.s = settings;
        this.source = source;
        this.log = log;
        this.tasks = List.copyOf(models.heads().keySet());
        this.progress = new StudyProgress(log, StudyProgress.plannedUnits(tasks, settings));
    }

    /**
     * Loads the checkpoints in {@code modelsDir}, runs the whole study and writes every report
     * into {@code resultsDir}; returns what was measured.
     */
    public static StudyResults runAndWrite(Path modelsDir, StudySettings settings, TaskSource source, Path resultsDir, double modelSeconds,
                                           boolean table1Only, PrintWriter log) throws IOException {
        DemoModels models = DemoModels.load(modelsDir, DemoTasks.NAMES);
        log.printf(Locale.ROOT, "demo study (%s): %s, %,d encoder parameters, from %s%n", settings.name(),
                models.config(), models.parameters(), modelsDir);
        Study study = new Study(models, settings, source, log);
        StudyResults r = table1Only ? study.runTable1() : study.run();
        r.modelSeconds = modelSeconds;
        Reports reports = new Reports(r, resultsDir);
        if (table1Only) reports.writeTable1(log); else reports.writeAll(log);
        return r;
    }

    public StudyResults run() throws IOException {
        runTable1();
        timed("generalisation", this::generalisation);
        timed("robustness", this::robustness);
        results.totalSeconds = progress.seconds();
        return results;
    }

    /** Table 1 and the task vectors' diagnostics (what the recipe search compares on the validation split). */
    public StudyResults runTable1() throws IOException {
        results.settings = s;
        results.tasks = tasks;
        results.model = String.format(Locale.ROOT, "CLIP ViT %dpx, patch %d, width %d, %d layers, %d heads, %d-dim features",
                models.config().imageSize(), models.config().patchSize(), models.config().width(), models.config().layers(),
                models.config().heads(), models.config().outputDim());
        results.parameters = models.parameters();
        if (models.config().imageSize() != ImageSet.SIDE)
            throw new IllegalArgumentException(models.dir() + "/config.json: the demo images are " + ImageSet.SIDE + "x" + ImageSet.SIDE
                    + " but the model takes " + models.config().imageSize() + "x" + models.config().imageSize());

        timed("data", this::loadData);
        timed("table1", this::table1);
        timed("diagnostics", this::diagnostics);
        results.totalSeconds = progress.seconds();
        return results;
    }

    private interface Phase {
        void run() throws IOException;
    }

    /** Runs one phase and records its seconds under {@code name}. */
    private void timed(String name, Phase phase) throws IOException {
        long t = System.nanoTime();
        phase.run();
        results.seconds.put(name, StudyProgress.secs(t));
    }

    // ---- data ----

    private void loadData() throws IOException {
        int pool = s.seeds() == 1 ? s.fisherSamples() : s.trainPool();
        progress.phase("data: " + tasks.size() + " tasks, " + s.testPerTask() + " test and " + pool + " train images each");
        Progress p = new Progress(log, "tasks", tasks.size());
        int i = 0;
        for (String task : tasks) {
            DemoTasks.Split split = source.load(task, pool, s.testPerTask(), s.dataSeed());
            ClassificationHead h = models.heads().get(task);
            if (split.test().numClasses() != h.classes())
                throw new IllegalArgumentException("task " + task + " has " + split.test().numClasses() + " classes but its head "
                        + models.dir().resolve("heads/" + task + ".safetensors") + " has " + h.classes());
            testSets.put(task, split.test());
            test.put(task, DemoModel.dataSet(split.test()));
            trainPool.put(task, DemoModel.dataSet(split.train()));
            p.update(++i);
        }
        p.finish();
    }

    // ---- Table 1 ----

    private void table1() throws IOException {
        List<Map<String, Tensor>> ft = models.finetuned(tasks);
        List<ClassificationHead> heads = models.heads(tasks);
        Map<String, Tensor> pre = models.preSource();

        record("Pretrained", evaluate("Pretrained", pre, tasks, test));
        Map<String, Double> individual = new LinkedHashMap<>();
        for (String task : tasks) {
            Map<String, Predictions> p = evaluate("Individual (" + task + ")", models.finetuned().get(task), List.of(task), test);
            individual.put(task, p.get(task).accuracyPercent());
        }
        results.table1.put("Individual", new ArrayList<>(List.of(individual)));
        record("Traditional MTL", evaluate("Traditional MTL", models.mtlSource(), tasks, test));
        record("Weight Averaging", evaluate("Weight Averaging", WeightAveraging.merge(ft), tasks, test));
        Map<String, Tensor> taMerged = TaskArithmetic.merge(pre, ft, TaskArithmetic.DEFAULT_SCALE);
        Map<String, Predictions> ta = evaluate("Task Arithmetic", taMerged, tasks, test);
        record("Task Arithmetic", ta);
        record("TIES-Merging", evaluate("TIES-Merging", TiesMerge.defaults().merge(pre, ft), tasks, test));
        for (Method m : StudyResults.LATER_MERGES)
            if (!drawsMasks(m)) record(m.paperName(), evaluate(m.paperName(), laterMerge(m, pre, ft, 0), tasks, test));

        // Entropy vs. loss of the Task Arithmetic model (the paper's Figure 2).
        for (String task : tasks) results.entropyLoss.add(EntropyLoss.of(task, List.of(ta.get(task))));
        results.entropyLoss.add(EntropyLoss.of("all tasks", new ArrayList<>(ta.values())));

        for (int seed = 0; seed < s.seeds(); seed++) {
            record("Fisher Merging", evaluate("Fisher Merging, seed " + seed, fisher(ft, heads, seed), tasks, test));
            record("RegMean", evaluate("RegMean, seed " + seed, regMean(ft, seed), tasks, test));
            for (Method m : StudyResults.LATER_MERGES)
                if (drawsMasks(m)) record(m.paperName(), evaluate(m.paperName() + ", seed " + seed, laterMerge(m, pre, ft, seed), tasks, test));
            for (Method method : Method.adaMergingVariants()) {
                String name = method.paperName();
                Map<String, Tensor> merged = adaMerge(name + ", seed " + seed, tasks, test, method, seed);
                record(name, evaluate(name + ", seed " + seed, merged, tasks, test));
                if (method == Method.ADAMERGING_LAYER) record(LAYERWISE_SURGERY, withSurgery(LAYERWISE_SURGERY + ", seed " + seed, merged, seed));
            }
            record(TA_SURGERY, withSurgery(TA_SURGERY + ", seed " + seed, taMerged, seed));
        }
        printTable1();
    }

    private void record(String method, Map<String, Predictions> p) {
        Map<String, Double> acc = new LinkedHashMap<>();
        p.forEach((task, pr) -> acc.put(task, pr.accuracyPercent()));
        results.table1.computeIfAbsent(method, k -> new ArrayList<>()).add(acc);
    }

    private void printTable1() {
        log.println();
        log.println("Table 1 analogue (test accuracy %, mean over " + s.seeds() + " seed(s) for the sampling methods):");
        StringBuilder h = new StringBuilder(String.format(Locale.ROOT, "%-24s", "method"));
        for (String t : tasks) h.append(String.format(Locale.ROOT, " %12s", t));
        log.println(h.append(String.format(Locale.ROOT, " %7s", "avg")));
        for (String m : StudyResults.METHODS) {
            Map<String, Double> mean = results.mean(m);
            StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%-24s", m));
            for (String t : tasks) row.append(String.format(Locale.ROOT, " %12.1f", mean.get(t)));
            log.println(row.append(String.format(Locale.ROOT, " %7.1f", mean.get("avg"))));
        }
        log.flush();
    }

    /** Table 1's Representation Surgery rows: the surgery on top of the two methods upstream applies it to. */
    static final String TA_SURGERY = "Task Arithmetic + Surgery", LAYERWISE_SURGERY = "Layer-wise AdaMerging + Surgery";

    /**
     * Representation Surgery (Yang et al., ICML 2024) on a merged encoder with upstream's defaults
     * ({@link SurgeryTraining.Options#DEFAULT}), trained on each task's unlabeled test images as
     * AdaMerging adapts on them (and as upstream does), then each task evaluated through its module.
     */
    private Map<String, Predictions> withSurgery(String label, Map<String, Tensor> merged, int seed) {
        SurgeryTraining.Options o = SurgeryTraining.Options.DEFAULT;
        progress.phase(label + ": " + o.steps() + " steps, " + o.batchesPerStep() + "x" + o.batch() + " unlabeled test images per task per step");
        ClipVisionEncoder enc = models.pretrained().encoder(merged);
        List<SurgeryTraining.Features> features = new ArrayList<>();
        for (String t : tasks) features.add(new SurgeryTraining.Features(enc, models.pretrained().encoder(models.finetuned().get(t)), test.get(t)));
        Progress p = new Progress(log, "steps", o.steps());
        Surgery surgery = SurgeryTraining.train(tasks, features, models.config().outputDim(), o, seed, (step, loss) -> p.update(step));
        p.finish();
        progress.add(StudyProgress.surgeryUnits(tasks.size(), s.testPerTask()));
        return evaluate(label, merged, surgery, tasks, test);
    }

    /** DARE's drop masks come from the seed: its rows are repeated over the study's seeds, as the sampling methods'. */
    static boolean drawsMasks(Method m) {
        return m == Method.DARE || m == Method.DARE_TIES;
    }

    /**
     * A later merge exactly as {@code adamerge merge --method m --seed seed} runs it with every other
     * option at its default ({@link Merger.Settings#withDefaultScaleOf}: DARE 0.3, DARE-TIES 0.5,
     * TSV-Merge and Iso 1.0; drop rate 0.5, Iso-CTS common fraction 0.8). Nothing is chosen on data:
     * the upstream codes of TSV-Merge and Iso pick their scale on validation, the study picks no
     * method's scale.
     */
    static Map<String, Tensor> laterMerge(Method m, Map<String, Tensor> pre, List<Map<String, Tensor>> ft, long seed) {
        Merger.Settings d = Merger.Settings.DEFAULT.withDefaultScaleOf(m).withSeed(seed);
        return switch (m) {
            case DARE -> new Dare(d.dropRate(), d.seed()).merge(pre, ft, d.scale());
            case DARE_TIES -> new Dare(d.dropRate(), d.seed()).mergeTies(pre, ft, d.ties());
            case TSV -> new TsvMerge(d.scale()).merge(pre, ft);
            case ISO_C -> IsoMerge.isoC(d.scale()).merge(pre, ft);
            case ISO_CTS -> IsoMerge.isoCts(d.scale(), d.commonFraction()).merge(pre, ft);
            default -> throw new IllegalArgumentException(m.cliName() + " is not one of the later merges " + StudyResults.LATER_MERGES);
        };
    }

    /** The settings {@link #laterMerge} gives {@code m}, for reports: the command line's option names and values. */
    static Map<String, Object> laterMergeSettings(Method m) {
        Merger.Settings d = Merger.Settings.DEFAULT.withDefaultScaleOf(m);
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("method", m.cliName());
        o.put("scale", d.scale());
        if (drawsMasks(m)) o.put("drop-rate", d.dropRate());
        if (m == Method.DARE_TIES) o.put("ties-k", d.ties().density());
        if (m == Method.ISO_CTS) o.put("common-fraction", d.commonFraction());
        if (drawsMasks(m)) o.put("seed", "the study's seed");
        return o;
    }

    /** The seed's Fisher/RegMean sample: {@code fisherSamples} train images per task, drawn without replacement. */
    private List<Tensor> statsBatches(String task, int seed) {
        ImageDataSet pool = trainPool.get(task);
        int n = Math.min(s.fisherSamples(), pool.size());
        int[] idx = new int[pool.size()];
        for (int i = 0; i < idx.length; i++) idx[i] = i;
        SplittableRandom r = new SplittableRandom(s.dataSeed() * 31 + seed * 7919L + task.hashCode());
        for (int i = 0; i < n; i++) { // partial Fisher-Yates
            int j = i + r.nextInt(idx.length - i), tmp = idx[i];
            idx[i] = idx[j];
            idx[j] = tmp;
        }
        List<Tensor> out = new ArrayList<>();
        for (int from = 0; from < n; from += s.statsBatch())
            out.add(pool.batch(java.util.Arrays.copyOfRange(idx, from, Math.min(n, from + s.statsBatch()))));
        return out;
    }

    private Map<String, Tensor> fisher(List<Map<String, Tensor>> ft, List<ClassificationHead> heads, int seed) {
        progress.phase("Fisher Merging, seed " + seed + ": diagonal Fisher from " + s.fisherSamples() + " train samples per task");
        Progress p = new Progress(log, "tasks", tasks.size());
        Map<String, Tensor> merged = FisherMerge.mergeStored(models.config(), models.pretrained(), ft, heads,
                k -> statsBatches(tasks.get(k), seed), false, k -> p.update(k + 1));
        p.finish();
        progress.advance(StudyProgress.TRAIN_COST * s.fisherSamples() * tasks.size());
        return merged;
    }

    private Map<String, Tensor> regMean(List<Map<String, Tensor>> ft, int seed) {
        progress.phase("RegMean, seed " + seed + ": Gram matrices from " + s.fisherSamples() + " train samples per task");
        Progress p = new Progress(log, "tasks", tasks.size());
        Map<String, Tensor> merged = RegMean.mergeStored(models.config(), models.pretrained(), ft,
                k -> statsBatches(tasks.get(k), seed), RegMean.DEFAULT_ALPHA, k -> p.update(k + 1));
        p.finish();
        progress.advance(1.5 * s.fisherSamples() * tasks.size());
        return merged;
    }

    /**
     * AdaMerging of {@code mergeTasks}, adapting on their (unlabeled) images in {@code data} with
     * the official protocol; records the coefficients under the run's method name when it is a
     * Table 1 run. Returns the merged encoder (stored layout).
     */
    private Map<String, Tensor> adaMerge(String label, List<String> mergeTasks, Map<String, ImageDataSet> data, Method method, int seed) {
        progress.phase(label + ": " + s.steps() + " steps, " + s.batchesPerStep() + "x" + s.batch() + " unlabeled test images per task per step");
        Map<String, Tensor> pre = models.preSource();
        List<Map<String, Tensor>> ft = models.finetuned(mergeTasks);
        List<Map<String, Tensor>> taus = method.taskVectors(pre, ft, TiesMerge.defaults(), java.util.function.UnaryOperator.identity());
        AdaMerging.Granularity g = method.granularity();
        AdaMerging.Options o = AdaMerging.Options.DEFAULT.withPrior(s.prior()).withLr(s.lr()).withClamp(true);
        AdaMerging ada = new AdaMerging(models.config(), models.pretrained(), pre, taus, models.heads(mergeTasks), g, o);
        long[] seeds = new long[mergeTasks.size()];
        List<ImageDataSet> images = new ArrayList<>();
        for (int k = 0; k < mergeTasks.size(); k++) {
            seeds[k] = 1_000_003L * seed + 1000L * k;
            images.add(data.get(mergeTasks.get(k)));
        }
        AdaMergingRun run = new AdaMergingRun(ada, images, s.batch(), s.batchesPerStep(), seeds);
        Progress p = new Progress(log, "steps", s.steps());
        double unitsPerStep = StudyProgress.TRAIN_COST * mergeTasks.size() * s.batch() * s.batchesPerStep();
        for (int step = 1; step <= s.steps(); step++) {
            run.step();
            progress.add(unitsPerStep);
            p.update(step);
        }
        List<Double> losses = run.losses();
        p.finish();
        if (!losses.isEmpty())
            log.printf(Locale.ROOT, "  entropy loss %.4f -> %.4f%n", losses.get(0), losses.get(losses.size() - 1));
        if (mergeTasks.equals(tasks)) { // a Table 1 run
            results.coefficients.computeIfAbsent(method.paperName(), k -> new ArrayList<>())
                    .add(new StudyResults.Coefficients(ada.coefficientRows(), mergeTasks, ada.coefficients(), losses));
        }
        return ada.merged();
    }

    // ---- evaluation ----

    /** Each task's predictions of the encoder (stored layout) with that task's head. */
    private Map<String, Predictions> evaluate(String label, Map<String, Tensor> source, List<String> on, Map<String, ImageDataSet> data) {
        return evaluate(label, source, null, on, data);
    }

    /** The same, each task's features through its {@code surgery} module (null: none) before the head. */
    private Map<String, Predictions> evaluate(String label, Map<String, Tensor> source, Surgery surgery, List<String> on, Map<String, ImageDataSet> data) {
        ClipVisionEncoder enc = models.pretrained().encoder(source);
        int n = on.stream().mapToInt(t -> data.get(t).size()).sum();
        Progress p = new Progress(log, "images", n);
        Map<String, Predictions> out = new LinkedHashMap<>();
        int done = 0;
        for (String task : on) {
            ImageDataSet d = data.get(task);
            UnaryOperator<Tensor> module = surgery == null ? UnaryOperator.identity() : f -> surgery.apply(surgery.task(task), f);
            out.put(task, Predictions.of(enc, module, models.heads().get(task), d, s.evalBatch(), null));
            done += d.size();
            p.update(done);
            progress.add(d.size());
        }
        p.finish();
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "  %-34s", label));
        double sum = 0;
        for (Map.Entry<String, Predictions> e : out.entrySet()) {
            double a = e.getValue().accuracyPercent();
            sum += a;
            if (out.size() <= 8) line.append(String.format(Locale.ROOT, " %s %.1f", e.getKey(), a));
        }
        if (out.size() > 1) line.append(String.format(Locale.ROOT, "  | avg %.1f", sum / out.size()));
        log.println(line);
        progress.print();
        return out;
    }

    // ---- why merging works or not (Disentanglement) ----

    /** Curves a = 0 .. 1.5 by 0.1; eq. 5's error over a grid that holds task arithmetic's 0.3 and a whole task vector. */
    static final double[] CURVE_ALPHAS = {0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1, 1.2, 1.3, 1.4, 1.5};
    static final double[] ERROR_ALPHAS = {0.3, 0.6, 1.0};

    private void diagnostics() {
        progress.phase("disentanglement: task-vector norms and cosines, single-task curves and eq. 5's error on " + s.diagnosticImages()
                + " test images per task");
        Map<String, Tensor> pre = models.preSource();
        List<Map<String, Tensor>> taus = TaskVector.of(pre, models.finetuned(tasks));
        List<Disentanglement.Task> data = new ArrayList<>();
        for (String task : tasks) {
            data.add(Disentanglement.Task.of(task, models.heads().get(task), test.get(task), s.diagnosticImages()));
        }
        java.util.function.Function<Map<String, Tensor>, ClipVisionEncoder> encoder = models.pretrained()::encoder;
        double[][][] curves = Disentanglement.curves(encoder, pre, taus, data, CURVE_ALPHAS);
        for (double[][] byAlpha : curves) for (double[] row : byAlpha) for (int t = 0; t < row.length; t++) row[t] *= 100;
        results.diagnostics = new StudyResults.Diagnostics(data.getFirst().labels().length, Disentanglement.relativeNorms(pre, taus),
                Disentanglement.cosines(taus), CURVE_ALPHAS, curves, ERROR_ALPHAS,
                Disentanglement.errors(encoder, pre, taus, data, ERROR_ALPHAS));
        log.printf(Locale.ROOT, "  |tau|/|theta_pre| %s; mean pairwise cosine %.3f, mean eq. 5 error %.3f%n",
                java.util.Arrays.toString(java.util.Arrays.stream(results.diagnostics.relativeNorms()).map(v -> Math.round(v * 1e4) / 1e4).toArray()),
                Disentanglement.meanOverPairs(results.diagnostics.cosines()), Disentanglement.meanOverPairs(results.diagnostics.errors()));
        progress.print();
    }

    // ---- generalisation (Table 3) ----

    private void generalisation() throws IOException {
        for (List<String> unseen : UNSEEN) {
            List<String> seen = tasks.stream().filter(t -> !unseen.contains(t)).toList();
            if (seen.size() == tasks.size()) continue; // a task of the split is not in this model set
            progress.phase("generalisation: merge " + seen + ", unseen " + unseen);
            List<Map<String, Tensor>> ft = models.finetuned(seen);
            Map<String, Tensor> pre = models.preSource();
            Map<String, Map<String, Double>> acc = new LinkedHashMap<>();
            acc.put("Task Arithmetic", accuracy(evaluate("Task Arithmetic (6 tasks)", TaskArithmetic.merge(pre, ft, TaskArithmetic.DEFAULT_SCALE), tasks, test)));
            acc.put("TIES-Merging", accuracy(evaluate("TIES-Merging (6 tasks)", TiesMerge.defaults().merge(pre, ft), tasks, test)));
            Map<String, Tensor> ada = adaMerge("Layer-wise AdaMerging (6 tasks), seed 0", seen, test, Method.ADAMERGING_LAYER, 0);
            acc.put("Layer-wise AdaMerging", accuracy(evaluate("Layer-wise AdaMerging (6 tasks)", ada, tasks, test)));
            results.generalisation.add(new StudyResults.GeneralisationSplit(seen, unseen, acc));
        }
    }

    // ---- robustness (Table 7) ----

    private void robustness() {
        List<String> rt = ROBUSTNESS_TASKS.stream().filter(tasks::contains).toList();
        results.robustnessTasks = rt;
        if (rt.size() < 2) return;
        List<Map<String, Tensor>> ft = models.finetuned(rt);
        Map<String, Tensor> ta = TaskArithmetic.merge(models.preSource(), ft, TaskArithmetic.DEFAULT_SCALE);
        List<String> conditions = new ArrayList<>(List.of("clean"));
        for (Corruption c : CORRUPTIONS) conditions.add(c.id());
        for (String cond : conditions) {
            progress.phase("robustness: " + rt + " on " + cond + " test images" + (cond.equals("clean") ? "" : " (severity " + s.severity() + ")"));
            Map<String, ImageDataSet> data = new LinkedHashMap<>();
            for (String task : rt) {
                ImageSet set = testSets.get(task);
                if (!cond.equals("clean")) {
                    Corruption c = Corruption.byId(cond);
                    set = Corruptions.apply(set, c, s.severity(), s.dataSeed() * 131 + c.ordinal());
                }
                data.put(task, DemoModel.dataSet(set));
            }
            results.robustness.computeIfAbsent("Task Arithmetic", k -> new LinkedHashMap<>())
                    .put(cond, accuracy(evaluate("Task Arithmetic, " + cond, ta, rt, data)));
            Map<String, Tensor> ada = adaMerge("Layer-wise AdaMerging, " + cond + ", seed 0",
                    rt, data, Method.ADAMERGING_LAYER, 0);
            results.robustness.computeIfAbsent("Layer-wise AdaMerging", k -> new LinkedHashMap<>())
                    .put(cond, accuracy(evaluate("Layer-wise AdaMerging, " + cond, ada, rt, data)));
        }
    }

    private static Map<String, Double> accuracy(Map<String, Predictions> p) {
        Map<String, Double> out = new LinkedHashMap<>();
        p.forEach((k, v) -> out.put(k, v.accuracyPercent()));
        return out;
    }
}
