package adamerge.cli;

import adamerge.merging.Disentanglement;
import adamerge.merging.TaskVector;
import adamerge.output.Coefficients;
import adamerge.output.Json;
import adamerge.tensor.Tensor;
import adamerge.vit.ClassificationHead;
import adamerge.vit.ClipCheckpoint;
import adamerge.vit.ClipVisionEncoder;
import adamerge.vit.VitConfig;
import adamerge.vit.data.ImageDataSet;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code adamerge inspect}: why a set of checkpoints merges well or not ({@link Disentanglement}). */
@Command(name = "inspect", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Diagnoses task vectors before merging: |tau_k| / |theta_pre| and the cosines between task vectors (no data",
                "needed); with one --head and --data per fine-tuned model also the accuracy of theta_pre + a tau_k on every task",
                "and the weight-disentanglement error of Ortiz-Jimenez et al. (NeurIPS 2023, eq. 5) for every pair."})
public final class InspectCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--pretrained", required = true, description = "The pretrained encoder checkpoint.")
    Path pretrained;
    @Option(names = "--finetuned", required = true, description = "A fine-tuned encoder checkpoint (repeat).")
    List<Path> finetuned;
    @Option(names = "--config", description = "A built-in config (vit-b-32, vit-b-16, vit-l-14) or a config.json.")
    Path config;
    @Option(names = "--head", description = "Classification head of each task (repeat, in --finetuned order).")
    List<Path> heads = new ArrayList<>();
    @Option(names = "--data", description = "Labelled data of each task (repeat, in --finetuned order).")
    List<Path> data = new ArrayList<>();
    @Option(names = "--images", defaultValue = "500", description = "Images per task for the curves and errors (default ${DEFAULT-VALUE}; the first ones).")
    int images;
    @Option(names = "--alphas", split = ",", defaultValue = "0,0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9,1,1.1,1.2,1.3,1.4,1.5",
            description = "Coefficients a of the single-task curves (default 0 to 1.5 by 0.1).")
    double[] alphas;
    @Option(names = "--error-alphas", split = ",", defaultValue = "0.5,1",
            description = "The grid of (a_i, a_j) over which eq. 5's error is averaged (default ${DEFAULT-VALUE}).")
    double[] errorAlphas;
    @Option(names = "--json", description = "Write the figures as one JSON object to this file.")
    Path json;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        if (!heads.isEmpty() || !data.isEmpty()) {
            if (heads.size() != finetuned.size() || data.size() != finetuned.size())
                throw new IllegalArgumentException("the curves need one --head and one --data per --finetuned model (" + finetuned.size()
                        + " models, " + heads.size() + " heads, " + data.size() + " data sets)");
        }
        if (images < 1) throw new IllegalArgumentException("--images must be at least 1, got " + images);
        new InputsAndOutputs().input("--pretrained", pretrained).distinctInputs("--finetuned", finetuned).inputs("--head", heads)
                .inputs("--data", data).input("--config", config).output("--json", json).check(spec.commandLine().getErr());
        ClipCheckpoint pre = ClipCheckpoint.load(pretrained, config);
        VitConfig cfg = pre.config();
        List<Map<String, Tensor>> taus = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (Path p : finetuned) {
            taus.add(TaskVector.of(pre.source(), pre.sourceOf(ClipCheckpoint.load(p, config))));
            names.add(p.getFileName().toString().replaceFirst("\\.[^.]*$", ""));
        }
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("tasks", names);
        double[] norms = Disentanglement.relativeNorms(pre.source(), taus);
        double[][] cos = Disentanglement.cosines(taus);
        report.put("relative_norms", norms);
        report.put("cosines", cos);
        out.println("|tau_k| / |theta_pre|:");
        for (int k = 0; k < names.size(); k++) out.printf(Locale.ROOT, "  %-20s %.4f%n", names.get(k), norms[k]);
        out.println("cosine between task vectors:");
        printMatrix(out, names, cos, "%7.3f");

        if (!data.isEmpty()) {
            List<Disentanglement.Task> tasks = new ArrayList<>();
            for (int k = 0; k < finetuned.size(); k++) {
                ImageDataSet ds = ImageDataSet.open(data.get(k), cfg.imageSize());
                tasks.add(Disentanglement.Task.of(names.get(k), ClassificationHead.load(heads.get(k)), ds, images));
            }
            java.util.function.Function<Map<String, Tensor>, ClipVisionEncoder> encoder = pre::encoder;
            double[][][] curves = Disentanglement.curves(encoder, pre.source(), taus, tasks, alphas);
            double[][] xi = Disentanglement.errors(encoder, pre.source(), taus, tasks, errorAlphas);
            report.put("alphas", alphas);
            report.put("accuracy_curves", curves);
            report.put("error_alphas", errorAlphas);
            report.put("disentanglement_error", xi);
            out.println("accuracy of theta_pre + a tau_k: on task k itself, and the mean over the other tasks");
            StringBuilder head = new StringBuilder(String.format(Locale.ROOT, "  %-20s", "a ="));
            for (double a : alphas) head.append(String.format(Locale.ROOT, " %5.2f", a));
            out.println(head);
            for (int k = 0; k < names.size(); k++) {
                StringBuilder own = new StringBuilder(String.format(Locale.ROOT, "  %-20s", names.get(k)));
                StringBuilder others = new StringBuilder(String.format(Locale.ROOT, "  %-20s", "  others"));
                for (int a = 0; a < alphas.length; a++) {
                    own.append(String.format(Locale.ROOT, " %5.1f", 100 * curves[k][a][k]));
                    others.append(String.format(Locale.ROOT, " %5.1f", 100 * Disentanglement.othersMean(curves[k][a], k)));
                }
                out.println(own);
                out.println(others);
            }
            out.println("weight-disentanglement error (eq. 5, mean over a_i, a_j in " + Arrays.toString(errorAlphas) + "; 0 = none, 2 = all changed):");
            printMatrix(out, names, xi, "%7.3f");
        }
        out.flush();
        if (json != null) Json.writeAtomically(json, report);
        return 0;
    }

    private static void printMatrix(PrintWriter out, List<String> names, double[][] m, String cell) {
        StringBuilder h = new StringBuilder(String.format(Locale.ROOT, "  %-14s", ""));
        for (String n : names) h.append(String.format(Locale.ROOT, " %7.7s", n));
        out.println(h);
        for (int i = 0; i < names.size(); i++) {
            StringBuilder r = new StringBuilder(String.format(Locale.ROOT, "  %-14.14s", names.get(i)));
            for (int j = 0; j < names.size(); j++) r.append(String.format(Locale.ROOT, " " + cell, m[i][j]));
            out.println(r);
        }
    }
}
