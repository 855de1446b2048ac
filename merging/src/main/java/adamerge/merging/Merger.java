package adamerge.merging;

import adamerge.tensor.Backend;
import adamerge.tensor.Backends;
import adamerge.tensor.DType;
import adamerge.tensor.Tensor;
import adamerge.tensor.cpu.ScalarBackend;
import adamerge.vit.ClassificationHead;
import adamerge.vit.ClipCheckpoint;
import adamerge.vit.Predictions;
import adamerge.vit.VitConfig;
import adamerge.vit.data.ImageDataSet;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.IntConsumer;
import java.util.function.UnaryOperator;

/**
 * The library's entry point: fine-tuned CLIP image encoders merged into one, the way
 * {@code adamerge merge} does it (that command is this class plus option parsing and printing).
 *
 * <pre>{@code
 * Merger m = Merger.load(Path.of("pretrained.safetensors"), List.of(Path.of("a.safetensors"), Path.of("b.safetensors")))
 *         .withTasks(List.of(Path.of("head_a.safetensors"), Path.of("head_b.safetensors")), List.of(Path.of("a_test"), Path.of("b_test")));
 * Merger.Result r = m.merge(Method.ADAMERGING_LAYER, Merger.Settings.DEFAULT.withSteps(100),
 *         (step, loss) -> System.out.println(step + " " + loss));
 * m.write(r.merged(), Path.of("merged.safetensors"));
 * }</pre>
 *
 * Models are kept in the checkpoint's own key convention ("stored" layout: open_clip or Hugging
 * Face) and written back in it. Heads and data are needed by the methods that read data (Fisher,
 * RegMean, AdaMerging: {@link Method#needsData}); with labels they also give per-task accuracy
 * ({@link #evaluate}).
 */
public final class Merger {

    /**
     * Everything a method may read besides the models, with the defaults of {@code adamerge merge}
     * (the official AdaMerging settings).
     *
     * @param scale             the coefficient of the merged task vector: task arithmetic's lambda, DARE's, TSV-Merge's, Iso's
     *                          ({@link #withDefaultScaleOf} sets each method's default)
     * @param ties              TIES-Merging (also the selection of AdaMerging++)
     * @param steps             AdaMerging steps
     * @param batch             images per batch (AdaMerging, and the Fisher/RegMean statistics)
     * @param batchesPerStep    AdaMerging batches per task per step
     * @param adaMerging        prior, learning rate, clamping and Adam's constants
     * @param seed              seed of the AdaMerging batch samplers (task k draws with seed + 1000 k) and of DARE's masks
     * @param samples           Fisher/RegMean: the first {@code samples} images of each task
     * @param fisherNormalize   Fisher: each task's Fisher divided by its norm (FusionBench's option)
     * @param regmeanAlpha      RegMean: off-diagonal scale of the Gram matrices
     * @param taskVectorDType   how AdaMerging holds its task vectors: F32, or F16 at half the memory
     *                          (the merge kernels convert on read; on the demo the same accuracies)
     * @param dropRate          DARE: the probability of dropping an entry of a task vector
     * @param commonFraction    Iso-CTS: the fraction of each matrix's directions taken from the summed task matrix
     */
    public record Settings(float scale, TiesMerge ties, int steps, int batch, int batchesPerStep, AdaMerging.Options adaMerging, long seed,
                           int samples, boolean fisherNormalize, double regmeanAlpha, DType taskVectorDType, double dropRate,
                           double commonFraction) {
        public static final Settings DEFAULT = new Settings(TaskArithmetic.DEFAULT_SCALE, TiesMerge.defaults(), 500, 16, 2,
                AdaMerging.Options.DEFAULT, 0, 256, false, RegMean.DEFAULT_ALPHA, DType.F32, Dare.DEFAULT_DROP_RATE,
                IsoMerge.DEFAULT_COMMON_FRACTION);

        public Settings {
            if (steps < 0) throw new IllegalArgumentException("steps must be 0 or more, got " + steps);
            if (batch < 1 || batchesPerStep < 1 || samples < 1)
                throw new IllegalArgumentException("batch, batches per step and samples must be at least 1, got " + batch + ", " + batchesPerStep + ", " + samples);
            if (taskVectorDType != DType.F32 && taskVectorDType != DType.F16)
                throw new IllegalArgumentException("task vectors are held as F32 or F16, not " + taskVectorDType);
        }

        public Settings withScale(float v) {
            return new Settings(v, ties, steps, batch, batchesPerStep, adaMerging, seed, samples, fisherNormalize, regmeanAlpha, taskVectorDType, dropRate, commonFraction);
        }

        public Settings withTies(TiesMerge v) {
            return new Settings(scale, v, steps, batch, batchesPerStep, adaMerging, seed, samples, fisherNormalize, regmeanAlpha, taskVectorDType, dropRate, commonFraction);
        }

        public Settings withSteps(int v) {
            return new Settings(scale, ties, v, batch, batchesPerStep, adaMerging, seed, samples, fisherNormalize, regmeanAlpha, taskVectorDType, dropRate, commonFraction);
        }

        public Settings withBatch(int v) {
            return new Settings(scale, ties, steps, v, batchesPerStep, adaMerging, seed, samples, fisherNormalize, regmeanAlpha, taskVectorDType, dropRate, commonFraction);
        }

        public Settings withBatchesPerStep(int v) {
            return new Settings(scale, ties, steps, batch, v, adaMerging, seed, samples, fisherNormalize, regmeanAlpha, taskVectorDType, dropRate, commonFraction);
        }

        public Settings withAdaMerging(AdaMerging.Options v) {
            return new Settings(scale, ties, steps, batch, batchesPerStep, v, seed, samples, fisherNormalize, regmeanAlpha, taskVectorDType, dropRate, commonFraction);
        }

        public Settings withSeed(long v) {
            return new Settings(scale, ties, steps, batch, batchesPerStep, adaMerging, v, samples, fisherNormalize, regmeanAlpha, taskVectorDType, dropRate, commonFraction);
        }

        public Settings withSamples(int v) {
            return new Settings(scale, ties, steps, batch, batchesPerStep, adaMerging, seed, v, fisherNormalize, regmeanAlpha, taskVectorDType, dropRate, commonFraction);
        }

        public Settings withFisherNormalize(boolean v) {
            return new Settings(scale, ties, steps, batch, batchesPerStep, adaMerging, seed, samples, v, regmeanAlpha, taskVectorDType, dropRate, commonFraction);
        }

        public Settings withRegmeanAlpha(double v) {
            return new Settings(scale, ties, steps, batch, batchesPerStep, adaMerging, seed, samples, fisherNormalize, v, taskVectorDType, dropRate, commonFraction);
        }

        public Settings withTaskVectorDType(DType v) {
            return new Settings(scale, ties, steps, batch, batchesPerStep, adaMerging, seed, samples, fisherNormalize, regmeanAlpha, v, dropRate, commonFraction);
        }

        public Settings withDropRate(double v) {
            return new Settings(scale, ties, steps, batch, batchesPerStep, adaMerging, seed, samples, fisherNormalize, regmeanAlpha, taskVectorDType, v, commonFraction);
        }

        public Settings withCommonFraction(double v) {
            return new Settings(scale, ties, steps, batch, batchesPerStep, adaMerging, seed, samples, fisherNormalize, regmeanAlpha, taskVectorDType, dropRate, v);
        }

        /** These settings with {@code m}'s default scale ({@link Method#defaultScale}) for the merged task vector and for TIES. */
        public Settings withDefaultScaleOf(Method m) {
            return withScale(m.defaultScale()).withTies(ties.withScale(m.defaultScale()));
        }
    }

    /** Hears each finished AdaMerging step: its number (from 1) and the summed entropy loss. */
    @FunctionalInterface
    public interface StepListener {
        void afterStep(int step, float loss);
    }

    /**
     * A merged encoder in the stored layout; for AdaMerging also the learned coefficients (one row
     * per stored tensor for layer-wise, one row for task-wise; columns in task order) and the loss
     * of every step, else those are empty.
     */
    public record Result(Map<String, Tensor> merged, List<String> coefficientRows, float[][] coefficients, List<Double> lossPerStep) {
        static Result of(Map<String, Tensor> merged) {
            return new Result(merged, List.of(), new float[0][], List.of());
        }
    }

    private final ClipCheckpoint pretrained;
    private final Map<String, Tensor> preSource;
    private final List<Map<String, Tensor>> finetuned;
    private final List<ClassificationHead> heads;
    private final List<ImageDataSet> data;

    private Merger(ClipCheckpoint pretrained, Map<String, Tensor> preSource, List<Map<String, Tensor>> finetuned,
                   List<ClassificationHead> heads, List<ImageDataSet> data) {
        this.pretrained = pretrained;
        this.preSource = preSource;
        this.finetuned = finetuned;
        this.heads = heads;
        this.data = data;
    }

    /** {@link #load(Path, List, Path)} with the config read from the checkpoint. */
    public static Merger load(Path pretrained, List<Path> finetuned) throws IOException {
        return load(pretrained, finetuned, null);
    }

    /**
     * Reads the pretrained and fine-tuned checkpoints (memory-mapped where the format allows) in the
     * pretrained one's convention, onto the current backend ({@link Backends#use}: the CPU unless a
     * scope chose a device; keep the scope open while the merger works). {@code config} is a
     * config.json or a built-in name, or null to read it from the checkpoint. A model with NaN or
     * Inf is an error naming its file and tensor.
     */
    public static Merger load(Path pretrained, List<Path> finetuned, Path config) throws IOException {
        if (finetuned.isEmpty()) throw new IllegalArgumentException("no fine-tuned model given");
        Backend backend = Backends.current();
        ClipCheckpoint pre = ClipCheckpoint.load(pretrained, config);
        Map<String, Tensor> preSource = onto(pre.source(), backend);
        requireFinite(pretrained, preSource);
        List<Map<String, Tensor>> fts = new ArrayList<>();
        for (Path p : finetuned) {
            Map<String, Tensor> ft = onto(pre.sourceOf(ClipCheckpoint.load(p, config)), backend);
            requireFinite(p, ft);
            fts.add(ft);
        }
        return new Merger(pre, preSource, fts, List.of(), List.of());
    }

    /**
     * The same models with one classification head and one data set per fine-tuned model, in the
     * same order: heads as {@link ClassificationHead#load} reads them, data as {@link ImageDataSet#open}.
     */
    public Merger withTasks(List<Path> headFiles, List<Path> dataSets) throws IOException {
        List<ClassificationHead> hs = new ArrayList<>();
        List<ImageDataSet> ds = new ArrayList<>();
        for (Path h : headFiles) hs.add(ClassificationHead.load(h));
        for (Path d : dataSets) ds.add(ImageDataSet.open(d, config().imageSize()));
        return withTaskData(hs, ds);
    }

    /** The same models with one head and one data set (in memory, {@link ImageDataSet#of}) per fine-tuned model, in the same order. */
    public Merger withTaskData(List<ClassificationHead> taskHeads, List<ImageDataSet> taskData) {
        if (taskHeads.size() != finetuned.size() || taskData.size() != finetuned.size())
            throw new IllegalArgumentException("give one head and one data set per fine-tuned model (" + finetuned.size() + " models, "
                    + taskHeads.size() + " heads, " + taskData.size() + " data sets)");
        Backend backend = preSource.values().iterator().next().backend();
        List<ClassificationHead> hs = new ArrayList<>();
        for (ClassificationHead h : taskHeads) {
            if (h.inputDim() != config().outputDim())
                throw new IllegalArgumentException("head " + h.name() + " takes " + h.inputDim() + "-dim features but the encoder gives " + config().outputDim());
            hs.add(h.to(backend));
        }
        for (ImageDataSet d : taskData)
            if (d.imageSize() != config().imageSize())
                throw new IllegalArgumentException("data set " + d.source() + " holds " + d.imageSize() + " px images but the encoder takes " + config().imageSize());
        return new Merger(pretrained, preSource, finetuned, List.copyOf(hs), List.copyOf(taskData));
    }

    public VitConfig config() {
        return pretrained.config();
    }

    /** The pretrained checkpoint: its convention, and the layout merged models are written in. */
    public ClipCheckpoint pretrained() {
        return pretrained;
    }

    public int tasks() {
        return finetuned.size();
    }

    public boolean hasTasks() {
        return !heads.isEmpty();
    }

    /** The fine-tuned models equal to the pretrained one in every tensor (their task vector is zero and adds nothing). */
    public List<Integer> zeroTaskVectors() {
        List<Integer> out = new ArrayList<>();
        for (int k = 0; k < finetuned.size(); k++) if (TaskVector.isZero(preSource, finetuned.get(k))) out.add(k);
        return out;
    }

    /** Merges with {@code method}; {@code listener} (may be null) hears each AdaMerging step. */
    public Result merge(Method method, Settings s, StepListener listener) {
        if (method.needsData() && !hasTasks()) throw new IllegalArgumentException(method.cliName() + " needs a head and data per task (withTasks)");
        return switch (method) {
            case WEIGHT_AVERAGING -> Result.of(WeightAveraging.merge(finetuned));
            case TASK_ARITHMETIC -> Result.of(TaskArithmetic.merge(preSource, finetuned, s.scale()));
            case TIES -> Result.of(s.ties().merge(preSource, finetuned));
            case DARE -> Result.of(new Dare(s.dropRate(), s.seed()).merge(preSource, finetuned, s.scale()));
            case DARE_TIES -> Result.of(new Dare(s.dropRate(), s.seed()).mergeTies(preSource, finetuned, s.ties()));
            case TSV -> Result.of(new TsvMerge(s.scale()).merge(preSource, finetuned));
            case ISO_C -> Result.of(IsoMerge.isoC(s.scale()).merge(preSource, finetuned));
            case ISO_CTS -> Result.of(IsoMerge.isoCts(s.scale(), s.commonFraction()).merge(preSource, finetuned));
            case FISHER -> Result.of(FisherMerge.mergeStored(config(), pretrained, finetuned, heads, k -> firstBatches(k, s), s.fisherNormalize(), k -> {}));
            case REGMEAN -> Result.of(RegMean.mergeStored(config(), pretrained, finetuned, k -> firstBatches(k, s), s.regmeanAlpha(), k -> {}));
            case ADAMERGING_TASK, ADAMERGING_TASK_PLUS, ADAMERGING_LAYER, ADAMERGING_LAYER_PLUS -> {
                AdaMergingRun run = adaMergingRun(method, s);
                for (int step = 1; step <= s.steps(); step++) {
                    float loss = run.step();
                    if (listener != null) listener.afterStep(step, loss);
                }
                yield result(run);
            }
        };
    }

    /**
     * The AdaMerging run {@link #merge} would take, before its first step, for a caller that
     * drives the steps itself: to checkpoint between them ({@link AdaMergingRun#state}) and
     * resume later ({@link AdaMergingRun#resume}), as {@code adamerge merge} does.
     */
    public AdaMergingRun adaMergingRun(Method method, Settings s) {
        if (!hasTasks()) throw new IllegalArgumentException(method.cliName() + " needs a head and data per task (withTasks)");
        List<Map<String, Tensor>> taus = method.taskVectors(preSource, finetuned, s.ties(), taskVectorStorage(s.taskVectorDType()));
        AdaMerging.Options o = s.adaMerging();
        if (o.imagesPerPass() == 0) o = o.withImagesPerPass(onCpu() ? imagesPerPassOnTheHeap() : imagesPerPassOnTheDevice());
        AdaMerging ada = new AdaMerging(config(), pretrained, preSource, taus, heads, method.granularity(), o);
        long[] seeds = new long[data.size()];
        for (int k = 0; k < seeds.length; k++) seeds[k] = s.seed() + 1000L * k;
        return new AdaMergingRun(ada, data, s.batch(), s.batchesPerStep(), seeds);
    }

    /** A run's merged model, coefficients and losses. */
    public static Result result(AdaMergingRun run) {
        AdaMerging ada = run.adaMerging();
        return new Result(ada.merged(), ada.coefficientRows(), ada.coefficients(), run.losses());
    }

    /** Task {@code k}'s predictions by a merged encoder (stored layout); {@code progress} may be null. */
    public Predictions evaluate(Map<String, Tensor> merged, int k, int batch, IntConsumer progress) {
        if (!hasTasks()) throw new IllegalStateException("no heads and data to evaluate on (withTasks)");
        return Predictions.of(pretrained.encoder(merged), heads.get(k), data.get(k), batch, progress);
    }

    /** Task {@code k}'s predictions by a merged encoder (stored layout) with its {@link Surgery} module before the head. */
    public Predictions evaluate(Map<String, Tensor> merged, Surgery surgery, int k, int batch, IntConsumer progress) {
        if (!hasTasks()) throw new IllegalStateException("no heads and data to evaluate on (withTasks)");
        if (surgery.tasks().size() != tasks() || surgery.dim() != config().outputDim())
            throw new IllegalArgumentException("the surgery holds " + surgery.tasks().size() + " tasks of " + surgery.dim() + "-dim features but the merger has "
                    + tasks() + " tasks and " + config().outputDim() + "-dim features");
        Surgery s = surgery.to(preSource.values().iterator().next().backend());
        return Predictions.of(pretrained.encoder(merged), f -> s.apply(k, f), heads.get(k), data.get(k), batch, progress);
    }

    /**
     * Representation Surgery on top of a merged encoder (stored layout): one module per task,
     * trained on the tasks' data (unlabeled is enough) to pull the merged features toward each
     * fine-tuned encoder's ({@link SurgeryTraining}); {@code taskNames} name them in the file.
     * {@code listener} (may be null) hears each iteration.
     */
    public Surgery surgery(Map<String, Tensor> merged, List<String> taskNames, SurgeryTraining.Options o, long seed,
                           SurgeryTraining.Listener listener) {
        if (!hasTasks()) throw new IllegalArgumentException("surgery needs each task's data (withTasks)");
        if (taskNames.size() != tasks()) throw new IllegalArgumentException(taskNames.size() + " task names for " + tasks() + " tasks");
        List<SurgeryTraining.Features> features = new ArrayList<>();
        for (int k = 0; k < tasks(); k++)
            features.add(new SurgeryTraining.Features(pretrained.encoder(merged), pretrained.encoder(finetuned.get(k)), data.get(k)));
        return SurgeryTraining.train(taskNames, features, config().outputDim(), o, seed, listener);
    }

    /** The task's data set (k in fine-tuned order). */
    public ImageDataSet data(int k) {
        return data.get(k);
    }

    /** Writes a merged encoder atomically in the pretrained checkpoint's convention; NaN or Inf is an error naming the tensor. */
    public void write(Map<String, Tensor> merged, Path out) throws IOException {
        requireFinite(out, merged);
        Path dir = out.toAbsolutePath().getParent();
        if (dir != null) Files.createDirectories(dir);
        pretrained.write(out, merged);
    }

    /**
     * How task vectors are kept, applied to each tensor as it is made (after the TIES selection of
     * ++, which reads them as F32). On the CPU they always move to native memory: they are the
     * largest long-lived data of a merge, and off the Java heap the garbage collector neither scans
     * nor moves them, so the heap needs room only for the merged model and one batch's activations.
     * On a device F32 ones stay as made (a copy would only cost time and memory).
     */
    private UnaryOperator<Tensor> taskVectorStorage(DType dtype) {
        return dtype == DType.F32 && !onCpu() ? UnaryOperator.identity() : t -> t.storedAs(dtype);
    }

    private boolean onCpu() {
        return preSource.values().iterator().next().backend() instanceof ScalarBackend;
    }

    /** The images of one AdaMerging pass that fit the Java heap beside the merged model. */
    private int imagesPerPassOnTheHeap() {
        return AdaMerging.imagesFitting(config(), Runtime.getRuntime().maxMemory() - modelBytes());
    }

    /** The images of one AdaMerging pass that fit what the device's memory cap leaves beside the models (0: all, when unbounded). */
    private int imagesPerPassOnTheDevice() {
        OptionalLong left = preSource.values().iterator().next().backend().memoryLeft();
        return left.isPresent() ? AdaMerging.imagesFittingOnDevice(config(), modelBytes(), left.getAsLong()) : 0;
    }

    private long modelBytes() {
        return 4L * preSource.values().stream().mapToLong(Tensor::numel).sum();
    }

    /** The first {@code samples} images of task k, in batches of {@code batch}: the Fisher/RegMean statistics. */
    private List<Tensor> firstBatches(int k, Settings s) {
        ImageDataSet d = data.get(k);
        List<Tensor> out = new ArrayList<>();
        int n = Math.min(s.samples(), d.size());
        for (int from = 0; from < n; from += s.batch()) out.add(d.batch(from, Math.min(n, from + s.batch())));
        return out;
    }

    private static Map<String, Tensor> onto(Map<String, Tensor> m, Backend b) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        m.forEach((k, v) -> out.put(k, v.to(b)));
        return out;
    }

    /** NaN or Inf anywhere in a model is an error naming the file and tensor. */
    static void requireFinite(Path file, Map<String, Tensor> m) {
        for (Map.Entry<String, Tensor> e : m.entrySet()) {
            Tensor t = e.getValue();
            if (Float.isFinite(t.abs().sum().item())) continue; // NaN or Inf propagate into the sum
            for (float v : t.toArray())
                if (!Float.isFinite(v)) throw new IllegalArgumentException(file + ": tensor '" + e.getKey() + "' contains " + v);
        }
    }
}
