package adamerge.merging;

import adamerge.autograd.Var;
import adamerge.tensor.Backend;
import adamerge.tensor.Tensor;
import adamerge.vit.io.SafetensorsReader;
import adamerge.vit.io.SafetensorsWriter;
import com.google.gson.Gson;
import com.google.gson.JsonParseException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Representation Surgery (Yang et al., ICML 2024): one small module per task after the merged
 * encoder, before the task's head, that estimates the merged representation's bias and takes it
 * away (the paper's Eq. 4): {@code f' = f - up relu(down f)}, with {@code down} [rank, dim] and
 * {@code up} [dim, rank], both without bias, as upstream's {@code merging_model.AlphaWrapper}.
 * {@link SurgeryTraining} learns them; this record holds them and reads and writes their file.
 *
 * <p>The file is safetensors: {@code task{k}.down_proj.weight} and {@code task{k}.up_proj.weight}
 * (torch's Linear layout, [out, in]) for k in task order, and metadata {@code format}
 * = {@value #FORMAT}, {@code tasks} (a JSON array of the task names), {@code rank}, {@code dim}.
 */
public record Surgery(List<String> tasks, List<Tensor> down, List<Tensor> up) {
    static final String FORMAT = "adamerge-representation-surgery";

    public Surgery {
        tasks = List.copyOf(tasks);
        down = List.copyOf(down);
        up = List.copyOf(up);
        if (tasks.isEmpty() || down.size() != tasks.size() || up.size() != tasks.size())
            throw new IllegalArgumentException("a surgery needs one down and one up projection per task (" + tasks.size() + " tasks, "
                    + down.size() + " down, " + up.size() + " up)");
        if (tasks.stream().distinct().count() != tasks.size()) throw new IllegalArgumentException("surgery task names repeat: " + tasks);
        int r = down.getFirst().dim(0), d = down.getFirst().dim(1);
        for (int k = 0; k < tasks.size(); k++) {
            if (!Arrays.equals(down.get(k).shape(), new int[]{r, d}) || !Arrays.equals(up.get(k).shape(), new int[]{d, r}))
                throw new IllegalArgumentException("surgery of task '" + tasks.get(k) + "': down " + Arrays.toString(down.get(k).shape()) + " and up "
                        + Arrays.toString(up.get(k).shape()) + ", expected [" + r + ", " + d + "] and [" + d + ", " + r + "]");
        }
    }

    /**
     * The untrained modules, as upstream initialises them: {@code down} as torch's default Linear
     * init (kaiming_uniform with a = sqrt(5), which is U(-1/sqrt(dim), 1/sqrt(dim))), {@code up}
     * zero, so that the surgery starts as the identity and the first step moves only {@code up}.
     * Task k's {@code down} is drawn from {@code seed + k}.
     */
    public static Surgery initial(List<String> tasks, int dim, int rank, long seed) {
        if (dim < 1 || rank < 1) throw new IllegalArgumentException("surgery dim and rank must be at least 1, got " + dim + " and " + rank);
        float bound = (float) (1 / Math.sqrt(dim));
        List<Tensor> down = new ArrayList<>(), up = new ArrayList<>();
        for (int k = 0; k < tasks.size(); k++) {
            down.add(Tensor.rand(seed + k, -bound, bound, rank, dim));
            up.add(Tensor.zeros(dim, rank));
        }
        return new Surgery(tasks, down, up);
    }

    public int rank() {
        return down.getFirst().dim(0);
    }

    /** The feature width the modules take and give: the encoder's output dimension. */
    public int dim() {
        return down.getFirst().dim(1);
    }

    /** The index of a task by name; an unknown name is an error listing the tasks there are. */
    public int task(String name) {
        int k = tasks.indexOf(name);
        if (k < 0) throw new IllegalArgumentException("no surgery for task '" + name + "'; it holds " + tasks);
        return k;
    }

    /** Task k's corrected features of {@code features} [N, dim] (no graph). */
    public Tensor apply(int k, Tensor features) {
        if (features.dim(-1) != dim())
            throw new IllegalArgumentException("the surgery takes " + dim() + "-dim features, got " + features.dim(-1));
        return corrected(Var.constant(features), Var.constant(down.get(k)), Var.constant(up.get(k))).value();
    }

    /** Eq. 4 of the paper on a graph: {@code f - relu(f down^T) up^T}, upstream's forward with its two bias-free Linears. */
    static Var corrected(Var features, Var down, Var up) {
        return features.sub(features.matmul(down.t()).relu().matmul(up.t()));
    }

    /** The same modules with their tensors on {@code backend}. */
    public Surgery to(Backend backend) {
        return new Surgery(tasks, down.stream().map(t -> t.to(backend)).toList(), up.stream().map(t -> t.to(backend)).toList());
    }

    /** Writes the modules atomically (temporary file, then rename); NaN or Inf is an error naming the tensor. */
    public void write(Path file) throws IOException {
        Map<String, Tensor> t = new LinkedHashMap<>();
        for (int k = 0; k < tasks.size(); k++) {
            t.put("task" + k + ".down_proj.weight", down.get(k));
            t.put("task" + k + ".up_proj.weight", up.get(k));
        }
        Merger.requireFinite(file, t);
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", FORMAT);
        meta.put("tasks", new Gson().toJson(tasks));
        meta.put("rank", String.valueOf(rank()));
        meta.put("dim", String.valueOf(dim()));
        Path dir = file.toAbsolutePath().getParent();
        if (dir != null) Files.createDirectories(dir);
        SafetensorsWriter.write(file, t, meta);
    }

    /** Reads a file {@link #write} wrote, onto the heap; anything else is an error naming the file. */
    public static Surgery read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new IOException(file + ": no such surgery file");
        try (SafetensorsReader r = SafetensorsReader.open(file)) {
            Map<String, String> meta = r.metadata();
            if (!FORMAT.equals(meta.get("format")))
                throw new IOException(file + ": not a surgery file (metadata format is " + meta.get("format") + ", expected " + FORMAT
                        + "; merge --surgery writes one)");
            List<String> tasks;
            try {
                tasks = Arrays.asList(new Gson().fromJson(meta.get("tasks"), String[].class));
            } catch (JsonParseException | NullPointerException e) {
                throw new IOException(file + ": metadata 'tasks' is not a JSON array of names: " + meta.get("tasks"));
            }
            List<Tensor> down = new ArrayList<>(), up = new ArrayList<>();
            for (int k = 0; k < tasks.size(); k++) {
                for (String n : List.of("task" + k + ".down_proj.weight", "task" + k + ".up_proj.weight"))
                    if (!r.contains(n)) throw new IOException(file + ": no tensor '" + n + "' for task '" + tasks.get(k) + "'");
                down.add(heap(r.tensor("task" + k + ".down_proj.weight")));
                up.add(heap(r.tensor("task" + k + ".up_proj.weight")));
            }
            try {
                return new Surgery(tasks, down, up);
            } catch (IllegalArgumentException e) {
                throw new IOException(file + ": " + e.getMessage());
            }
        }
    }

    /** A copy on the heap: the reader's mapping is closed when it returns. */
    private static Tensor heap(Tensor mapped) {
        return Tensor.of(mapped.toArray(), mapped.shape());
    }
}
