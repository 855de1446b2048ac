package adamerge.bench;

import adamerge.merging.AdaMerging;
import adamerge.opencl.DeviceStorage;
import adamerge.opencl.OpenClBackend;
import adamerge.output.Memory;
import adamerge.tensor.Backend;
import adamerge.tensor.Backends;
import adamerge.tensor.DType;
import adamerge.tensor.Tensor;
import adamerge.tensor.cpu.CpuBackends;
import adamerge.tensor.cpu.Parallel;
import adamerge.vit.ClassificationHead;
import adamerge.vit.ClipWeights;
import adamerge.vit.VitConfig;
import adamerge.vit.WeightLayout;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.Callable;

/**
 * {@code adamerge bench adamerging}: seconds per layer-wise AdaMerging step on random weights in
 * the real shapes: a random pretrained encoder, K task vectors of small random perturbations,
 * K frozen heads (100 x row-normalised random rows, as task_vectors' zero-shot heads) and random
 * image batches. One step = merge, forward + backward of every task's batches, the
 * {@code <g, tau>} coefficient gradients and an Adam update. Also reports the peak resident set
 * (VmHWM) and, on OpenCL, the device memory held.
 */
@Command(name = "adamerging", mixinStandardHelpOptions = true,
        description = "Seconds per layer-wise AdaMerging step (K tasks x batches of random images) and peak memory.")
public final class AdaMergingBench implements Callable<Integer> {
    @Option(names = "--config", defaultValue = "vit-b-32", paramLabel = "NAME",
            description = "Built-in model (vit-b-32, vit-b-16, vit-l-14) or a config.json (default: ${DEFAULT-VALUE}).")
    String config;

    @Option(names = "--tasks", defaultValue = "8", paramLabel = "K", description = "Task vectors merged (default: ${DEFAULT-VALUE}).")
    int tasks;

    @Option(names = "--batch", defaultValue = "16", paramLabel = "N", description = "Images per batch (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--batches-per-step", defaultValue = "1", paramLabel = "B",
            description = "Batches per task in one step (official code: 2, FusionBench: 1; default: ${DEFAULT-VALUE}).")
    int batchesPerStep;

    @Option(names = "--steps", defaultValue = "3", paramLabel = "S", description = "Timed steps after one warm-up step (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--images-per-pass", defaultValue = "0", paramLabel = "N",
            description = "Images of one forward/backward pass (default: 0, as many as the Java heap holds beside the models on the CPU, all on a device).")
    int imagesPerPass;

    @Option(names = "--classes", defaultValue = "10", paramLabel = "C", description = "Classes of each random head (default: ${DEFAULT-VALUE}).")
    int classes;

    @Option(names = "--json", description = "One JSON object: step_s (median), step_mean_s, peak_rss_bytes, device (on OpenCL also peak_device_bytes, launches per step and, with -Dadamerge.opencl.profile=true, device time per kernel).")
    boolean json;

    @Option(names = "--tv-dtype", defaultValue = "f32", paramLabel = "f32|f16", description = "How task vectors are held, as merge's --tv-dtype (default: ${DEFAULT-VALUE}).")
    String tvDtype = "f32";

    @Mixin
    DeviceOption device;

    @Override
    public Integer call() throws IOException {
        if (tasks < 1 || batch < 1 || batchesPerStep < 1 || steps < 1 || classes < 2)
            throw new IllegalArgumentException("--tasks, --batch, --batches-per-step and --steps must be at least 1 and --classes at least 2");
        if (!tvDtype.equals("f32") && !tvDtype.equals("f16")) throw new IllegalArgumentException("--tv-dtype must be f32 or f16, not '" + tvDtype + "'");
        DType tv = tvDtype.equals("f16") ? DType.F16 : DType.F32;
        VitConfig cfg = VitConfig.named(config);
        Backend backend = device.backend();
        try (Backends.Scope onDevice = Backends.use(backend)) {
            Inputs in;
            // Everything is drawn on the CPU, then moved: the same random model on every device.
            try (Backends.Scope onCpu = Backends.use(CpuBackends.active())) {
                in = Inputs.draw(cfg, tasks, classes, batch, batchesPerStep, backend, tv);
            }
            measure(cfg, in, backend);
        }
        return 0;
    }

    /** The random model, task vectors, heads and image batches of a run, on its backend. */
    private record Inputs(Map<String, Tensor> pretrained, List<Map<String, Tensor>> taskVectors, List<ClassificationHead> heads,
                          List<List<Tensor>> batches) {
        static Inputs draw(VitConfig cfg, int tasks, int classes, int batch, int batchesPerStep, Backend backend, DType tv) {
            Map<String, Tensor> pretrained = moved(ClipWeights.random(cfg, 1), backend);
            List<Map<String, Tensor>> taskVectors = new ArrayList<>();
            List<ClassificationHead> heads = new ArrayList<>();
            List<List<Tensor>> batches = new ArrayList<>();
            long seed = 1000;
            for (int k = 0; k < tasks; k++) {
                Map<String, Tensor> tau = new LinkedHashMap<>();
                for (Map.Entry<String, Tensor> e : pretrained.entrySet()) { // fine-tuning moves weights by about 1e-3
                    Tensor t = Tensor.randn(seed++, e.getValue().shape()).mul(1e-3f);
                    // on the CPU in native memory, as merge keeps them
                    tau.put(e.getKey(), backend == CpuBackends.active() ? t.storedAs(tv) : tv == DType.F32 ? t.to(backend) : onDevice(t, backend, tv));
                }
                taskVectors.add(tau);
                Tensor w = Tensor.randn(seed++, classes, cfg.outputDim());
                w = w.div(w.mul(w).sum(1, true).sqrt()).mul(100f); // logit scale 100 x unit-norm class embeddings
                heads.add(new ClassificationHead("random-" + k, w.to(backend), null));
                List<Tensor> perTask = new ArrayList<>();
                for (int b = 0; b < batchesPerStep; b++)
                    perTask.add(Tensor.randn(seed++, batch, 3, cfg.imageSize(), cfg.imageSize()).to(backend));
                batches.add(perTask);
            }
            return new Inputs(pretrained, taskVectors, heads, batches);
        }
    }

    /** {@code t} on {@code backend}, stored there as {@code dtype} (the F32 copy freed at once). */
    private static Tensor onDevice(Tensor t, Backend backend, DType dtype) {
        Tensor f32 = t.to(backend);
        Tensor stored = backend.storedAs(f32, dtype);
        if (f32.storage() instanceof DeviceStorage d) d.release();
        return stored;
    }

    /** Times the steps on {@code backend} (the current one) and prints the figures. */
    private void measure(VitConfig cfg, Inputs in, Backend backend) {
        Map<String, Tensor> pretrained = in.pretrained();
        List<List<Tensor>> batches = in.batches();
        long modelBytes = 4L * pretrained.values().stream().mapToLong(Tensor::numel).sum();
        OptionalLong deviceLeft = backend.memoryLeft();
        int perPass = imagesPerPass > 0 ? imagesPerPass
                : deviceLeft.isPresent() ? AdaMerging.imagesFittingOnDevice(cfg, modelBytes, deviceLeft.getAsLong())
                : AdaMerging.imagesFitting(cfg, Runtime.getRuntime().maxMemory() - 2 * modelBytes); // pretrained and merged on the heap
        AdaMerging engine = new AdaMerging(cfg, WeightLayout.CANONICAL, pretrained, in.taskVectors(), in.heads(),
                AdaMerging.Granularity.LAYER_WISE, AdaMerging.Options.DEFAULT.withImagesPerPass(perPass));
        OpenClBackend cl = backend instanceof OpenClBackend o ? o : null;
        double warmUp = timedStep(engine, batches, cl);
        OpenClBackend.Stats before = cl != null ? cl.stats() : null;
        if (cl != null) cl.resetProfile();
        double[] s = new double[steps];
        float loss = 0;
        for (int i = 0; i < steps; i++) {
            long t0 = System.nanoTime();
            loss = engine.step(batches);
            if (cl != null) cl.finish();
            s[i] = (System.nanoTime() - t0) * 1e-9;
        }
        double mean = Arrays.stream(s).average().orElse(0);
        Arrays.sort(s);
        double median = s[steps / 2];
        long rss = Memory.peakRssBytes();
        String dev = cl != null ? cl.device().name().replace("\"", "'") : "cpu";

        if (json) {
            StringBuilder j = new StringBuilder(String.format(Locale.ROOT,
                    "{\"config\":\"%s\",\"tasks\":%d,\"batch\":%d,\"batches_per_step\":%d,\"images_per_pass\":%d,\"steps\":%d,\"device\":\"%s\",\"threads\":%d,"
                            + "\"step_s\":%.4f,\"step_mean_s\":%.4f,\"warmup_s\":%.4f,\"loss\":%.5f,\"model_bytes\":%d,\"peak_rss_bytes\":%d,\"max_heap_bytes\":%d",
                    config, tasks, batch, batchesPerStep, engine.imagesPerPass(), steps, dev, Parallel.THREADS, median, mean, warmUp, loss, modelBytes, rss,
                    Runtime.getRuntime().maxMemory()));
            if (cl != null) {
                OpenClBackend.Stats after = cl.stats();
                j.append(String.format(Locale.ROOT, ",\"peak_device_bytes\":%d,\"gc_reclaims\":%d,\"launches_per_step\":%d,\"uploads_per_step\":%d,\"waits_per_step\":%d",
                        cl.peakDeviceBytes(), cl.reclaims(), (after.launches() - before.launches()) / steps,
                        (after.uploads() - before.uploads()) / steps, (after.waits() - before.waits()) / steps));
                Map<String, long[]> prof = cl.profile();
                if (!prof.isEmpty()) {
                    j.append(String.format(Locale.ROOT, ",\"device_busy_s_per_step\":%.4f,\"kernels\":{", busyNanos(prof) * 1e-9 / steps));
                    j.append(String.join(",", prof.entrySet().stream()
                            .sorted((a, b) -> Long.compare(b.getValue()[1], a.getValue()[1]))
                            .map(e -> String.format(Locale.ROOT, "\"%s\":[%d,%.4f]", e.getKey(), e.getValue()[0] / steps, e.getValue()[1] * 1e-9 / steps))
                            .toList())).append('}');
                }
            }
            System.out.println(j.append('}'));
        } else {
            System.out.printf(Locale.ROOT, "layer-wise AdaMerging, %s, %d tasks x %d batch(es) of %d images, %d timed steps after a warm-up, on %s%n",
                    config, tasks, batchesPerStep, batch, steps, cl != null ? cl.toString() : "cpu (" + Parallel.THREADS + " threads)");
            System.out.printf(Locale.ROOT, "step (median)     %9.3f s   (mean %.3f s, warm-up %.3f s, loss %.4f)%n", median, mean, warmUp, loss);
            System.out.printf(Locale.ROOT, "peak RSS          %9.1f MiB  (model %.1f MiB; target (K+2) x model + 1.5 GiB = %.1f MiB)%n",
                    rss / 1048576.0, modelBytes / 1048576.0, ((tasks + 2) * modelBytes + 1.5 * (1L << 30)) / 1048576.0);
            // The task vectors are off the heap; the heap itself grows toward its cap before the collector works hard.
            System.out.printf(Locale.ROOT, "Java heap cap     %9.1f MiB  (the heap grows toward it; cap it with ADAMERGE_JAVA_OPTS=-Xmx...)%n",
                    Runtime.getRuntime().maxMemory() / 1048576.0);
            if (cl != null) {
                OpenClBackend.Stats after = cl.stats();
                System.out.printf(Locale.ROOT, "device memory     %9.1f MiB peak (%d GCs to reclaim buffers of unreachable tensors)%n",
                        cl.peakDeviceBytes() / 1048576.0, cl.reclaims());
                System.out.printf(Locale.ROOT, "per step          %d kernel launches, %d uploads, %d waits on the queue%n",
                        (after.launches() - before.launches()) / steps, (after.uploads() - before.uploads()) / steps,
                        (after.waits() - before.waits()) / steps);
                Map<String, long[]> prof = cl.profile();
                if (!prof.isEmpty()) {
                    System.out.printf(Locale.ROOT, "device busy       %9.3f s per step (kernel time; the rest is host time and gaps)%n", busyNanos(prof) * 1e-9 / steps);
                    prof.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue()[1], a.getValue()[1])).limit(12)
                            .forEach(e -> System.out.printf(Locale.ROOT, "  %-18s %7d launches %9.4f s per step%n",
                                    e.getKey(), e.getValue()[0] / steps, e.getValue()[1] * 1e-9 / steps));
                }
            }
        }
    }

    private static long busyNanos(Map<String, long[]> profile) {
        return profile.values().stream().mapToLong(v -> v[1]).sum();
    }

    private static double timedStep(AdaMerging engine, List<List<Tensor>> batches, OpenClBackend cl) {
        long t0 = System.nanoTime();
        engine.step(batches);
        if (cl != null) cl.finish();
        return (System.nanoTime() - t0) * 1e-9;
    }

    /** Copies of the host tensors on {@code backend} (the same map when it is the CPU). */
    private static Map<String, Tensor> moved(Map<String, Tensor> m, Backend backend) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        m.forEach((k, v) -> out.put(k, v.to(backend)));
        return out;
    }

}
