package adamerge.cli;

import adamerge.bench.DeviceOption;
import adamerge.merging.AdaMerging;
import adamerge.merging.AdaMergingRun;
import adamerge.merging.Merger;
import adamerge.merging.Method;
import adamerge.merging.Surgery;
import adamerge.merging.SurgeryTraining;
import adamerge.merging.TiesMerge;
import adamerge.output.Coefficients;
import adamerge.output.Json;
import adamerge.output.Memory;
import adamerge.output.Progress;
import adamerge.tensor.Backends;
import adamerge.tensor.DType;
import adamerge.tensor.Tensor;
import adamerge.vit.Predictions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code adamerge merge}: every merging method, writing the merged encoder in the input's convention. */
@Command(name = "merge", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Merges fine-tuned CLIP image encoders into one.",
                "Methods: weight-averaging, task-arithmetic, ties, fisher, regmean, dare, dare-ties, tsv, iso-c, iso-cts, adamerging-task, adamerging-layer,",
                "adamerging-task++, adamerging-layer++. --head and --data are given once per fine-tuned model, in the same order",
                "(needed by fisher, regmean and adamerging; with labels, the report holds the merged model's per-task accuracy)."})
public final class MergeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Mixin
    DeviceOption device;

    @Option(names = "--method", required = true, description = "The merging method (see above).")
    String method;
    @Option(names = "--pretrained", required = true, description = "The pretrained encoder checkpoint.")
    Path pretrained;
    @Option(names = "--finetuned", required = true, description = "A fine-tuned encoder checkpoint (repeat).")
    List<Path> finetuned;
    @Option(names = "--out", required = true, description = "Where to write the merged encoder (safetensors).")
    Path out;
    @Option(names = "--config", description = "A built-in config (vit-b-32, vit-b-16, vit-l-14) or a config.json.")
    Path config;
    @Option(names = "--head", description = "Classification head of each task (repeat, in --finetuned order).")
    List<Path> heads = new ArrayList<>();
    @Option(names = "--data", description = "Unlabeled (or labelled) data of each task (repeat, in --finetuned order).")
    List<Path> data = new ArrayList<>();
    @Option(names = "--scale", description = {"The coefficient of the merged task vector: task arithmetic, TIES, DARE (default 0.3),",
            "dare-ties (default 0.5), tsv, iso-c, iso-cts (default 1.0; FusionBench's defaults, where the upstream codes search 0.1..3 on validation)."})
    Float scaleOption;
    /** --scale, or the method's default. */
    float scale;
    @Option(names = "--ties-k", defaultValue = "0.2", description = "TIES: fraction of largest magnitudes kept (default ${DEFAULT-VALUE}).")
    double tiesK;
    @Option(names = "--ties-trim", defaultValue = "global", description = {
            "TIES rule: global (default; the official TIES/AdaMerging code: keep |tau| >= the (int(k D)+1)-th largest over the",
            "whole task vector, ties kept, a zero summed sign takes the majority sign) or per-tensor (mergekit's ties: exactly",
            "int(k n) entries per tensor, ties at the cut by index, +1 where the summed sign is zero)."})
    String tiesTrim;
    @Option(names = "--ties-merge", defaultValue = "sum", description = {"TIES disjoint merge: sum (AdaMerging's and FusionBench's) or mean over the",
            "agreeing entries (the TIES paper's; mergekit's normalize: true, which with --scale 1 is mergekit's default ties)."})
    String tiesMerge;
    @Option(names = "--drop-rate", defaultValue = "0.5", description = {"DARE: the probability of dropping each entry of a task vector; the survivors",
            "are divided by 1 - p (default ${DEFAULT-VALUE}, FusionBench's). The masks are drawn from --seed."})
    double dropRate;
    @Option(names = "--common-fraction", defaultValue = "0.8", description = {"Iso-CTS: the fraction of each matrix's directions taken from the summed task",
            "matrix; the rest are shared out among the tasks (default ${DEFAULT-VALUE}, upstream's)."})
    double commonFraction;
    @Option(names = "--steps", defaultValue = "500", description = "AdaMerging optimisation steps (default ${DEFAULT-VALUE}).")
    int steps;
    @Option(names = "--batch", defaultValue = "16", description = "Batch size (default ${DEFAULT-VALUE}).")
    int batch;
    @Option(names = "--batches-per-step", defaultValue = "2", description = "Batches per task per AdaMerging step (default ${DEFAULT-VALUE}, as the official code).")
    int batchesPerStep;
    @Option(names = "--images-per-pass", defaultValue = "0", description = {"AdaMerging: images of one forward/backward pass; a step's images",
            "go through in as few passes as this allows (default 0: as many as the Java heap holds on the CPU, all on a device). Memory and speed only."})
    int imagesPerPass;
    @Option(names = "--lr", defaultValue = "1e-3", description = "AdaMerging Adam learning rate (default ${DEFAULT-VALUE}).")
    float lr;
    @Option(names = "--prior", defaultValue = "0.3", description = "Initial AdaMerging coefficient (default ${DEFAULT-VALUE}).")
    float prior;
    @Option(names = "--no-clamp", description = "Do not clamp coefficients to [0, 1] (FusionBench's behaviour).")
    boolean noClamp;
    @Option(names = "--samples", defaultValue = "256", description = "Fisher / RegMean: samples per task (default ${DEFAULT-VALUE}).")
    int samples;
    @Option(names = "--fisher-normalize", description = "Fisher: normalise each task's Fisher by its norm (FusionBench's normalize_fisher_weight).")
    boolean fisherNormalize;
    @Option(names = "--regmean-alpha", defaultValue = "0.95", description = "RegMean: off-diagonal scale of the Gram matrices (default ${DEFAULT-VALUE}).")
    double regmeanAlpha;
    @Option(names = "--seed", defaultValue = "0", description = "Seed of the batch shuffles and of DARE's masks (default ${DEFAULT-VALUE}).")
    long seed;
    @Option(names = "--tv-dtype", defaultValue = "f32", description = "AdaMerging: hold task vectors as f32 (default) or f16 (half the memory, any device; on the demo the same accuracies, see README).")
    String tvDtype;
    @Option(names = "--lambdas-out", description = "Write the learned coefficients as JSON (and a heatmap PNG beside it).")
    Path lambdasOut;
    @Option(names = "--lambdas-in", description = "Start from these coefficients (JSON as --lambdas-out writes); with --steps 0 just apply them.")
    Path lambdasIn;
    @Option(names = "--report", description = "Write a JSON report: settings, per-step loss, per-task accuracy/entropy, time, memory.")
    Path report;
    @Option(names = "--checkpoint", description = "AdaMerging: the checkpoint file (default: beside --out, OUT.checkpoint.json).")
    Path checkpoint;
    @Option(names = "--checkpoint-every", defaultValue = "10", description = {"AdaMerging: steps between checkpoints (default ${DEFAULT-VALUE};",
            "0: only after the last step and when stopped by SIGINT/SIGTERM, which always write one)."})
    int checkpointEvery;
    @Option(names = "--surgery", description = {"Representation Surgery (Yang et al., ICML 2024) on top of the merge: one small module per task after",
            "the merged encoder, trained on each task's --data (unlabeled images) to pull the merged features toward that task's",
            "fine-tuned encoder's (L1), written to --surgery-out for eval/encode --surgery. Needs --head and --data per model."})
    boolean surgery;
    @Option(names = "--surgery-out", description = "Where to write the surgery modules (default: beside --out, OUT.surgery.safetensors).")
    Path surgeryOut;
    @Option(names = "--surgery-rank", defaultValue = "16", description = "Surgery: inner width of each task's module (default ${DEFAULT-VALUE}, upstream's).")
    int surgeryRank;
    @Option(names = "--surgery-steps", defaultValue = "500", description = {"Surgery: iterations over the tasks, each one Adam step per batch of each",
            "task, --batches-per-step batches (default ${DEFAULT-VALUE}, upstream's)."})
    int surgerySteps;
    @Option(names = "--surgery-batch", defaultValue = "16", description = "Surgery: images per batch (default ${DEFAULT-VALUE}, upstream's).")
    int surgeryBatch;
    @Option(names = "--surgery-lr", defaultValue = "1e-3", description = "Surgery: Adam learning rate (default ${DEFAULT-VALUE}, upstream's).")
    float surgeryLr;
    @Option(names = "--resume", description = {"AdaMerging: continue from this checkpoint to the result of the uninterrupted run. The inputs",
            "and settings must be those of the checkpoint; --steps may be larger, to run longer."})
    Path resume;

    /** The coefficient heatmap, drawn after the model and report are written (null when there is none). */
    private Runnable heatmap;
    /** The parsed --method. */
    private Method kind;

    @Override
    public Integer call() throws IOException {
        long start = System.nanoTime();
        PrintWriter err = spec.commandLine().getErr();
        checkMethod();
        boolean ada = kind.isAdaMerging();
        // The checkpoint is an output, the --resume file is not an input: a run continues its own checkpoint.
        new InputsAndOutputs().input("--pretrained", pretrained).distinctInputs("--finetuned", finetuned).inputs("--head", heads).inputs("--data", data)
                .input("--config", config).input("--lambdas-in", lambdasIn)
                .output("--out", out).output("--lambdas-out", lambdasOut).output("--report", report)
                .output("--surgery-out", surgery ? surgeryFile() : null)
                .output("--checkpoint", ada ? checkpointFile() : null).check(err);
        if (!ada && (resume != null || checkpoint != null))
            throw new IllegalArgumentException("--resume and --checkpoint apply to the adamerging-* methods, not " + method);
        if (!ada) return merge(null, null, null, err, start);
        RunIdentity identity = new RunIdentity(checkpointSettings(), inputPrints());
        AdaMergingCheckpoint resumed = null;
        if (resume != null) {
            resumed = AdaMergingCheckpoint.read(resume);
            resumed.run().requireSame(resume, identity, "only --steps may change");
            if (resumed.step() > steps)
                throw new IllegalArgumentException("--resume " + resume + " is at step " + resumed.step() + ", beyond --steps " + steps);
        }
        try (Checkpointing ckpt = new Checkpointing(checkpointFile(), checkpointEvery, "the merged model", err)) {
            return merge(ckpt, identity, resumed, err, start);
        }
    }

    private Integer merge(Checkpointing ckpt, RunIdentity identity, AdaMergingCheckpoint resumed, PrintWriter err, long start) throws IOException {
        try (Backends.Scope onDevice = Backends.use(device.backend())) { // every new tensor on the chosen device
            return mergeOnDevice(ckpt, identity, resumed, err, start);
        }
    }

    private Integer mergeOnDevice(Checkpointing ckpt, RunIdentity identity, AdaMergingCheckpoint resumed, PrintWriter err, long start)
            throws IOException {
        Merger merger = Merger.load(pretrained, finetuned, config);
        for (int k : merger.zeroTaskVectors()) {
            err.println("adamerge: warning: --finetuned " + finetuned.get(k) + " equals --pretrained " + pretrained
                    + " in every tensor: its task vector is zero and adds nothing to the merge");
            err.flush();
        }
        if (kind.needsData() || surgery || !heads.isEmpty() || !data.isEmpty()) {
            if (heads.size() != finetuned.size() || data.size() != finetuned.size())
                throw new IllegalArgumentException((surgery && !kind.needsData() ? "--surgery" : method) + " needs one --head and one --data per --finetuned model (" + finetuned.size()
                        + " models, " + heads.size() + " heads, " + data.size() + " data sets)");
            merger = merger.withTasks(heads, data);
        }

        Map<String, Object> rep = new LinkedHashMap<>();
        rep.put("method", method);
        rep.put("settings", settings());
        Merger.Result result = kind.isAdaMerging()
                ? adaMerging(merger, rep, err, ckpt, identity, resumed)
                : merger.merge(kind, mergeSettings(), null);
        if (result == null) return 1; // SIGINT/SIGTERM: the JVM exits with the signal's status; --out stays as it was

        Surgery trained = surgery ? surgery(merger, result.merged(), rep, err) : null;
        if (merger.hasTasks()) rep.put("tasks", evaluate(merger, result.merged(), null, err));
        if (trained != null && merger.hasTasks()) {
            err.println("with surgery:");
            rep.put("tasks_with_surgery", evaluate(merger, result.merged(), trained, err));
        }
        merger.write(result.merged(), out);
        if (trained != null) {
            trained.write(surgeryFile());
            err.printf("wrote %s (surgery of %d tasks, rank %d)%n", surgeryFile(), trained.tasks().size(), trained.rank());
        }
        rep.put("wall_s", (System.nanoTime() - start) / 1e9);
        rep.put("peak_rss_bytes", Memory.peakRssBytes());
        if (report != null) Json.writeAtomically(report, rep);
        err.printf(Locale.ROOT, "wrote %s (%s, %d tensors) in %.1f s%n", out, merger.pretrained().convention(), result.merged().size(),
                (System.nanoTime() - start) / 1e9);
        if (heatmap != null) heatmap.run(); // the figure last: the results are already on disk when it fails
        return 0;
    }

    /** The surgery's modules trained on the merged encoder, with a progress line per iteration. */
    private Surgery surgery(Merger merger, Map<String, Tensor> merged, Map<String, Object> rep, PrintWriter err) {
        SurgeryTraining.Options o = surgeryOptions();
        List<String> names = taskNames();
        List<float[]> losses = new ArrayList<>();
        long t0 = System.nanoTime();
        Surgery s = merger.surgery(merged, names, o, seed, (step, taskLoss) -> {
            losses.add(taskLoss.clone());
            double rate = step / ((System.nanoTime() - t0) / 1e9);
            long eta = Math.round((o.steps() - step) / rate);
            StringBuilder per = new StringBuilder();
            for (int k = 0; k < taskLoss.length; k++) per.append(String.format(Locale.ROOT, " %s=%.4f", names.get(k), taskLoss[k]));
            err.printf(Locale.ROOT, "\rsurgery %d/%d  L1%s  %.2f steps/s  ETA %d:%02d   ", step, o.steps(), per, rate, eta / 60, eta % 60);
            err.flush();
        });
        if (o.steps() > 0) err.println();
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("file", surgeryFile().toString());
        r.putAll(o.asMap());
        r.put("l1_per_step", losses);
        rep.put("surgery", r);
        return s;
    }

    private SurgeryTraining.Options surgeryOptions() {
        return new SurgeryTraining.Options(surgeryRank, surgerySteps, surgeryBatch, batchesPerStep, surgeryLr);
    }

    private Path surgeryFile() {
        if (surgeryOut != null) return surgeryOut;
        String name = out.getFileName().toString();
        String stem = name.endsWith(".safetensors") ? name.substring(0, name.length() - ".safetensors".length()) : name;
        return out.resolveSibling(stem + ".surgery.safetensors");
    }

    private Path checkpointFile() {
        return checkpoint != null ? checkpoint : out.resolveSibling(out.getFileName() + ".checkpoint.json");
    }

    /** The settings a resumed run must share with its checkpoint (not --steps, which only says where to stop). */
    private Map<String, String> checkpointSettings() {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("method", method);
        settings().forEach((k, v) -> {
            boolean ties = k.startsWith("ties_");
            if (!List.of("pretrained", "finetuned", "steps", "scale", "images_per_pass", "drop_rate", "common_fraction").contains(k) && (!ties || kind.plusPlus())) s.put(k, String.valueOf(v));
        });
        return s;
    }

    /** Every input file of an AdaMerging run, in option order, fingerprinted for --resume. */
    private List<RunIdentity.Input> inputPrints() throws IOException {
        List<RunIdentity.Input> in = new ArrayList<>();
        in.add(RunIdentity.Input.of("--pretrained", pretrained));
        for (Path p : finetuned) in.add(RunIdentity.Input.of("--finetuned", p));
        for (Path p : heads) in.add(RunIdentity.Input.of("--head", p));
        for (Path p : data) in.add(RunIdentity.Input.of("--data", p));
        if (config != null && Files.exists(config)) in.add(RunIdentity.Input.of("--config", config));
        if (lambdasIn != null) in.add(RunIdentity.Input.of("--lambdas-in", lambdasIn));
        return in;
    }

    private void checkMethod() {
        kind = Method.byCliName(method);
        if (finetuned.isEmpty()) throw new IllegalArgumentException("no --finetuned model given");
        scale = scaleOption != null ? scaleOption : kind.defaultScale();
        if (!Float.isFinite(scale)) throw new IllegalArgumentException("--scale must be finite, not " + scale);
        if (!(dropRate >= 0 && dropRate < 1)) throw new IllegalArgumentException("--drop-rate must be in [0, 1), not " + dropRate);
        if (!(commonFraction >= 0 && commonFraction <= 1))
            throw new IllegalArgumentException("--common-fraction must be in [0, 1], not " + commonFraction);
        if (!surgery && surgeryOut != null) throw new IllegalArgumentException("--surgery-out " + surgeryOut + " is given without --surgery");
        if (surgery) {
            if (data.isEmpty())
                throw new IllegalArgumentException("--surgery trains on each task's images: give one --head and one --data per --finetuned model");
            surgeryOptions(); // its own one-line error for a bad --surgery-* value, before any work
        }
    }

    private TiesMerge ties() {
        TiesMerge.TrimScope trim = switch (tiesTrim) {
            case "global" -> TiesMerge.TrimScope.GLOBAL;
            case "per-tensor" -> TiesMerge.TrimScope.PER_TENSOR;
            default -> throw new IllegalArgumentException("--ties-trim must be global or per-tensor, not '" + tiesTrim + "'");
        };
        TiesMerge.Aggregate agg = switch (tiesMerge) {
            case "sum" -> TiesMerge.Aggregate.SUM;
            case "mean" -> TiesMerge.Aggregate.MEAN;
            default -> throw new IllegalArgumentException("--ties-merge must be sum or mean, not '" + tiesMerge + "'");
        };
        return TiesMerge.defaults().withDensity(tiesK).withTrimScope(trim).withAggregate(agg).withScale(scale);
    }

    /** The options as the library's settings. */
    private Merger.Settings mergeSettings() {
        if (!tvDtype.equals("f32") && !tvDtype.equals("f16"))
            throw new IllegalArgumentException("--tv-dtype must be f32 or f16, not '" + tvDtype + "'");
        return new Merger.Settings(scale, ties(), steps, batch, batchesPerStep,
                AdaMerging.Options.DEFAULT.withPrior(prior).withLr(lr).withClamp(!noClamp).withImagesPerPass(imagesPerPass), seed,
                samples, fisherNormalize, regmeanAlpha, tvDtype.equals("f16") ? DType.F16 : DType.F32, dropRate, commonFraction);
    }

    /**
     * The AdaMerging run, step by step so that it can be checkpointed and resumed; null when
     * stopped by a signal.
     */
    private Merger.Result adaMerging(Merger merger, Map<String, Object> rep, PrintWriter err, Checkpointing ckpt,
                                     RunIdentity identity, AdaMergingCheckpoint resumed) throws IOException {
        AdaMergingRun run = merger.adaMergingRun(kind, mergeSettings());
        AdaMerging ada = run.adaMerging();
        List<String> taskNames = taskNames();
        List<String> rowNames = ada.coefficientRows();
        if (lambdasIn != null) ada.setRawLambdas(Coefficients.read(lambdasIn, rowNames, taskNames));
        int first = 1;
        if (resumed != null) { // the uninterrupted run's state after that step: coefficients, Adam, samplers, losses
            run.resume(resumed.state());
            first = resumed.step() + 1;
            err.printf(Locale.ROOT, "resuming %s after step %d of %d%n", resume, resumed.step(), steps);
        }
        ckpt.record(AdaMergingCheckpoint.of(identity, run.state()), false);
        long t0 = System.nanoTime();
        for (int s = first; s <= steps; s++) {
            float loss;
            try {
                loss = run.step();
            } catch (AdaMerging.NonFiniteException e) {
                err.println();
                String saved = "";
                if (lambdasOut != null) {
                    ada.setRawLambdas(run.lastGoodRawLambdas());
                    float[][] good = ada.coefficients();
                    Coefficients.write(lambdasOut, rowNames, taskNames, good);
                    Coefficients.heatmapBeside(lambdasOut, rowNames, taskNames, good, err);
                    saved = "; the last good coefficients (after step " + (s - 1) + ") are in " + lambdasOut;
                }
                throw new IllegalStateException("AdaMerging stopped at step " + s + ": " + e.getMessage() + saved + "; no model written");
            }
            ckpt.record(AdaMergingCheckpoint.of(identity, run.state()), s == steps);
            if (ckpt.stopped()) return null;
            double elapsed = (System.nanoTime() - t0) / 1e9, rate = (s - first + 1) / elapsed;
            long eta = Math.round((steps - s) / rate);
            StringBuilder per = new StringBuilder();
            float[] entropy = run.lastTaskEntropy();
            for (int k = 0; k < entropy.length; k++) per.append(String.format(Locale.ROOT, " %s=%.3f", taskNames.get(k), entropy[k]));
            err.printf(Locale.ROOT, "\rstep %d/%d  loss %.4f  entropy%s  %.2f steps/s  ETA %d:%02d   ", s, steps, loss, per, rate, eta / 60, eta % 60);
            err.flush();
        }
        if (steps > 0) err.println();
        if (ckpt.stopped()) return null;
        Merger.Result result = Merger.result(run);
        rep.put("loss_per_step", result.lossPerStep());
        rep.put("images_per_pass_used", ada.imagesPerPass()); // after any halving under --max-device-memory; 0: all of a step
        rep.put("layers", rowNames);
        rep.put("task_names", taskNames);
        rep.put("lambdas", result.coefficients());
        if (lambdasOut != null) {
            Coefficients.write(lambdasOut, rowNames, taskNames, result.coefficients());
            heatmap = () -> Coefficients.heatmapBeside(lambdasOut, rowNames, taskNames, result.coefficients(), err);
        }
        return result;
    }

    /** Task names from the fine-tuned files (their folder when the file has a generic name). */
    private List<String> taskNames() {
        List<String> names = new ArrayList<>();
        for (Path p : finetuned) {
            String f = p.getFileName().toString();
            String stem = f.contains(".") ? f.substring(0, f.lastIndexOf('.')) : f;
            if (List.of("finetuned", "model", "pytorch_model").contains(stem) && p.toAbsolutePath().getParent() != null)
                stem = p.toAbsolutePath().getParent().getFileName().toString();
            names.add(stem);
        }
        return names;
    }

    /** Per-task accuracy and entropy of the merged model, through {@code surgery}'s modules when it is not null. */
    private List<Map<String, Object>> evaluate(Merger merger, Map<String, Tensor> merged, Surgery surgery, PrintWriter err) {
        List<Map<String, Object>> rows = new ArrayList<>();
        List<String> names = taskNames();
        double accSum = 0;
        int labelled = 0;
        for (int k = 0; k < merger.tasks(); k++) {
            Progress progress = new Progress(err, "images", merger.data(k).size());
            Predictions r = surgery == null ? merger.evaluate(merged, k, Math.max(batch, 64), progress::update)
                    : merger.evaluate(merged, surgery, k, Math.max(batch, 64), progress::update);
            progress.finish();
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("task", names.get(k));
            row.put("n", r.size());
            if (r.labelled()) {
                row.put("accuracy", r.accuracy());
                accSum += r.accuracy();
                labelled++;
            }
            row.put("mean_entropy", r.meanEntropy());
            rows.add(row);
            err.printf(Locale.ROOT, "%-16s %s  entropy %.4f%n", names.get(k),
                    r.labelled() ? String.format(Locale.ROOT, "accuracy %.2f%%", 100 * r.accuracy()) : "(no labels)", r.meanEntropy());
        }
        if (labelled > 0) err.printf(Locale.ROOT, "%-16s accuracy %.2f%%%n", "average", 100 * accSum / labelled);
        return rows;
    }

    private Map<String, Object> settings() {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("pretrained", pretrained.toString());
        s.put("finetuned", finetuned.stream().map(Path::toString).toList());
        s.put("device", device.name());
        s.put("scale", scale);
        s.put("ties_k", tiesK);
        s.put("ties_trim", tiesTrim);
        s.put("ties_merge", tiesMerge);
        s.put("drop_rate", dropRate);
        s.put("common_fraction", commonFraction);
        s.put("steps", steps);
        s.put("batch", batch);
        s.put("batches_per_step", batchesPerStep);
        s.put("images_per_pass", imagesPerPass);
        s.put("lr", lr);
        s.put("prior", prior);
        s.put("clamp", !noClamp);
        s.put("seed", seed);
        s.put("tv_dtype", tvDtype);
        return s;
    }
}
