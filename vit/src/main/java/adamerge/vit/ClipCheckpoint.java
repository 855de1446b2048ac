package adamerge.vit;

import adamerge.tensor.Backend;
import adamerge.tensor.Backends;
import adamerge.tensor.Tensor;
import adamerge.vit.io.Checkpoints;
import adamerge.vit.io.SafetensorsReader;
import adamerge.vit.io.SafetensorsWriter;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A CLIP image encoder as stored in a file, in one of the key conventions people ship:
 * <ul>
 *   <li>OpenAI / open_clip: {@code visual.conv1.weight}, ... (prefix {@code visual.}, none, or
 *       task_vectors' {@code model.visual.}); q;k;v packed in {@code attn.in_proj_weight};
 *       {@code visual.proj} [width, out].</li>
 *   <li>Hugging Face CLIPVisionModel / CLIPModel: {@code vision_model.embeddings...} (or no
 *       prefix in newer transformers); q, k, v split; {@code visual_projection.weight} [out, width].</li>
 * </ul>
 * Loading detects the convention; the encoder works on the canonical layout ({@link ClipWeights});
 * a merged model is written back in the convention it came in, with every other tensor of the
 * file (text tower leftovers) passed through unchanged.
 */
public final class ClipCheckpoint implements WeightLayout {
    public enum Convention {OPEN_CLIP, HUGGING_FACE}

    /** How one piece of a canonical tensor is stored: rows [from, to) of it, possibly transposed. */
    private record Part(String key, int from, int to, boolean transposed) {
    }

    private final Path path;
    private final Convention convention;
    private final VitConfig config;
    private final Map<String, Tensor> all;
    private final Map<String, List<Part>> layout; // canonical name -> stored pieces
    private final List<String> sourceNames;        // stored visual keys, file order

    private ClipCheckpoint(Path path, Convention convention, VitConfig config, Map<String, Tensor> all, Map<String, List<Part>> layout) {
        this.path = path;
        this.convention = convention;
        this.config = config;
        this.all = all;
        this.layout = layout;
        List<String> keys = new ArrayList<>();
        for (List<Part> parts : layout.values()) for (Part p : parts) keys.add(p.key);
        List<String> ordered = new ArrayList<>();
        for (String k : all.keySet()) if (keys.contains(k)) ordered.add(k);
        this.sourceNames = ordered;
    }

    /**
     * Loads a checkpoint file, or a folder holding {@code model.safetensors} (or
     * {@code pytorch_model.bin}) and {@code config.json}. The config comes from {@code config}
     * when given, else a config.json beside the weights, else the file's own metadata, else it is
     * inferred from tensor shapes (heads = width / 64, QuickGELU).
     */
    public static ClipCheckpoint load(Path path, Path config) throws IOException {
        Path file = path;
        if (Files.isDirectory(path)) {
            file = Files.exists(path.resolve("model.safetensors")) ? path.resolve("model.safetensors") : path.resolve("pytorch_model.bin");
            if (!Files.exists(file)) throw new IOException(path + ": folder has neither model.safetensors nor pytorch_model.bin");
        }
        if (!Files.exists(file)) throw new IOException(file + ": no such file");
        Map<String, Tensor> all = Checkpoints.read(file);
        Convention conv;
        String prefix;
        String conv1 = find(all, "conv1.weight"), patch = find(all, "embeddings.patch_embedding.weight");
        if (conv1 != null) {
            conv = Convention.OPEN_CLIP;
            prefix = conv1.substring(0, conv1.length() - "conv1.weight".length());
        } else if (patch != null) {
            conv = Convention.HUGGING_FACE;
            prefix = patch.substring(0, patch.length() - "embeddings.patch_embedding.weight".length());
        } else {
            throw new IOException(file + ": not a CLIP image encoder (no 'conv1.weight' or 'embeddings.patch_embedding.weight' key among "
                    + all.size() + " tensors)");
        }
        String projKey = conv == Convention.OPEN_CLIP ? prefix + "proj" : find(all, "visual_projection.weight");
        if (projKey == null || !all.containsKey(projKey))
            throw new IOException(file + ": no image projection ('" + (conv == Convention.OPEN_CLIP ? prefix + "proj" : "visual_projection.weight")
                    + "'); a CLIPVisionModel without projection must be saved with its CLIPModel's visual_projection.weight");

        VitConfig cfg = config != null ? VitConfig.named(config.toString()) : null;
        Path sibling = file.resolveSibling("config.json");
        if (cfg == null && Files.exists(sibling)) cfg = VitConfig.fromHuggingFace(sibling);
        if (cfg == null) cfg = fromMetadata(file);
        if (cfg == null) cfg = infer(all, conv, prefix, projKey, file);

        Map<String, List<Part>> layout = layout(cfg, conv, prefix, projKey);
        ClipCheckpoint ck = new ClipCheckpoint(file, conv, cfg, all, layout);
        ClipWeights.check(cfg, ck.canonical()); // shape mismatches name the tensor
        return ck;
    }

    private static String find(Map<String, Tensor> all, String suffix) {
        String best = null;
        for (String k : all.keySet())
            if ((k.equals(suffix) || k.endsWith("." + suffix)) && (best == null || k.length() < best.length())) best = k;
        return best;
    }

    private static VitConfig fromMetadata(Path file) throws IOException {
        if (!file.toString().endsWith(".safetensors")) return null;
        try (SafetensorsReader r = SafetensorsReader.open(file, Arena.ofConfined())) {
            String json = r.metadata().get("adamerge.config");
            if (json == null) return null;
            Path tmp = Files.createTempFile("adamerge-config", ".json");
            try {
                Files.writeString(tmp, json);
                return VitConfig.fromHuggingFace(tmp);
            } finally {
                Files.deleteIfExists(tmp);
            }
        }
    }

    private static VitConfig infer(Map<String, Tensor> all, Convention conv, String prefix, String projKey, Path file) throws IOException {
        boolean oc = conv == Convention.OPEN_CLIP;
        Tensor conv1 = all.get(prefix + (oc ? "conv1.weight" : "embeddings.patch_embedding.weight"));
        Tensor pos = all.get(prefix + (oc ? "positional_embedding" : "embeddings.position_embedding.weight"));
        if (pos == null) throw new IOException(file + ": no positional embedding tensor");
        int width = conv1.dim(0), patch = conv1.dim(2), tokens = pos.dim(0);
        int grid = (int) Math.round(Math.sqrt(tokens - 1));
        if (grid * grid != tokens - 1) throw new IOException(file + ": positional embedding of " + tokens + " tokens is not a square grid plus a class token");
        int layers = 0;
        while (all.containsKey(prefix + (oc ? "transformer.resblocks." + layers + ".ln_1.weight" : "encoder.layers." + layers + ".layer_norm1.weight"))) layers++;
        Tensor fc = all.get(prefix + (oc ? "transformer.resblocks.0.mlp.c_fc.weight" : "encoder.layers.0.mlp.fc1.weight"));
        Tensor proj = all.get(projKey);
        int out = oc ? proj.dim(1) : proj.dim(0);
        return new VitConfig(grid * patch, patch, width, layers, Math.max(1, width / 64), fc == null ? 4 * width : fc.dim(0), out,
                VitConfig.Activation.QUICK_GELU, 1e-5f);
    }

    private static Map<String, List<Part>> layout(VitConfig c, Convention conv, String prefix, String projKey) {
        Map<String, List<Part>> m = new LinkedHashMap<>();
        int w = c.width();
        for (String name : ClipWeights.names(c)) {
            if (conv == Convention.OPEN_CLIP) {
                m.put(name, List.of(new Part(prefix + name, 0, -1, false)));
                continue;
            }
            if (name.equals("proj")) {
                m.put(name, List.of(new Part(projKey, 0, -1, true)));
            } else if (name.endsWith("attn.in_proj_weight") || name.endsWith("attn.in_proj_bias")) {
                String base = prefix + "encoder.layers." + layerOf(name) + ".self_attn.";
                String leaf = name.endsWith("weight") ? "weight" : "bias";
                m.put(name, List.of(new Part(base + "q_proj." + leaf, 0, w, false), new Part(base + "k_proj." + leaf, w, 2 * w, false),
                        new Part(base + "v_proj." + leaf, 2 * w, 3 * w, false)));
            } else {
                m.put(name, List.of(new Part(prefix + huggingFaceName(name), 0, -1, false)));
            }
        }
        return m;
    }

    private static int layerOf(String name) {
        String rest = name.substring("transformer.resblocks.".length());
        return Integer.parseInt(rest.substring(0, rest.indexOf('.')));
    }

    private static String huggingFaceName(String canonical) {
        return switch (canonical) {
            case "conv1.weight" -> "embeddings.patch_embedding.weight";
            case "class_embedding" -> "embeddings.class_embedding";
            case "positional_embedding" -> "embeddings.position_embedding.weight";
            case "ln_pre.weight" -> "pre_layrnorm.weight"; // sic: the real key
            case "ln_pre.bias" -> "pre_layrnorm.bias";
            case "ln_post.weight" -> "post_layernorm.weight";
            case "ln_post.bias" -> "post_layernorm.bias";
            default -> {
                String rest = canonical.substring(canonical.indexOf('.', "transformer.resblocks.".length()) + 1);
                String layer = "encoder.layers." + layerOf(canonical) + ".";
                yield layer + rest.replace("ln_1.", "layer_norm1.").replace("ln_2.", "layer_norm2.")
                        .replace("attn.out_proj.", "self_attn.out_proj.").replace("mlp.c_fc.", "mlp.fc1.").replace("mlp.c_proj.", "mlp.fc2.");
            }
        };
    }

    public Path path() {
        return path;
    }

    public Convention convention() {
        return convention;
    }

    public VitConfig config() {
        return config;
    }

    /** The visual tensors' keys as stored (the "layers" of layer-wise AdaMerging), in file order. */
    public List<String> sourceNames() {
        return sourceNames;
    }

    /** The visual tensors as stored, by key. */
    public Map<String, Tensor> source() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        for (String k : sourceNames) m.put(k, all.get(k));
        return m;
    }

    /** Canonical encoder weights of this checkpoint. */
    public Map<String, Tensor> canonical() {
        return toCanonical(source());
    }

    /**
     * A frozen (inference-only) encoder over weights in this checkpoint's stored layout, on the
     * current backend ({@link Backends#use}): weights held elsewhere are copied there.
     */
    public ClipVisionEncoder encoder(Map<String, Tensor> stored) {
        Backend backend = Backends.current();
        Map<String, Tensor> weights = new LinkedHashMap<>();
        toCanonical(stored).forEach((k, v) -> weights.put(k, v.to(backend)));
        return ClipVisionEncoder.frozen(config, weights);
    }

    /** This checkpoint's own encoder, frozen, on the current backend. */
    public ClipVisionEncoder encoder() {
        return encoder(source());
    }

    /** Re-lays stored tensors (weights or their gradients) out canonically. */
    @Override
    public Map<String, Tensor> toCanonical(Map<String, Tensor> src) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, List<Part>> e : layout.entrySet()) {
            List<Tensor> pieces = new ArrayList<>();
            for (Part p : e.getValue()) {
                Tensor t = src.get(p.key);
                if (t == null) throw new IllegalArgumentException(path + ": missing tensor '" + p.key + "'");
                pieces.add(p.transposed ? t.t() : t);
            }
            out.put(e.getKey(), pieces.size() == 1 ? pieces.get(0) : Tensor.concat(pieces, 0));
        }
        return out;
    }

    /** Re-lays canonical tensors (weights or gradients) out in this checkpoint's convention. */
    @Override
    public Map<String, Tensor> toSource(Map<String, Tensor> canonical) {
        Map<String, Tensor> byKey = new LinkedHashMap<>();
        for (String name : layout.keySet()) {
            Tensor t = canonical.get(name);
            if (t == null) throw new IllegalArgumentException("missing canonical tensor '" + name + "'");
            byKey.putAll(toSource(name, t));
        }
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (String k : sourceNames) out.put(k, byKey.get(k));
        return out;
    }

    @Override
    public Map<String, Tensor> toSource(String canonicalName, Tensor t) {
        List<Part> parts = layout.get(canonicalName);
        if (parts == null) throw new IllegalArgumentException("no stored tensor makes up canonical tensor '" + canonicalName + "'");
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Part p : parts) {
            Tensor piece = p.to < 0 ? t : t.slice(0, p.from, p.to);
            out.put(p.key, p.transposed ? piece.t() : piece);
        }
        return out;
    }

    /**
     * Writes a model with this checkpoint's keys: the given stored-convention visual tensors, and
     * every other tensor of this file unchanged. Atomic (temp file, then rename).
     */
    public void write(Path out, Map<String, Tensor> visualSource) throws IOException {
        Map<String, Tensor> m = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : all.entrySet()) {
            Tensor t = visualSource.getOrDefault(e.getKey(), e.getValue());
            if (!Arrays.equals(t.shape(), e.getValue().shape()))
                throw new IllegalArgumentException("tensor '" + e.getKey() + "' has shape " + Arrays.toString(t.shape())
                        + " but " + path + " stores " + Arrays.toString(e.getValue().shape()));
            m.put(e.getKey(), t);
        }
        SafetensorsWriter.write(out, m, Map.of("format", "pt", "adamerge.config", config.toHuggingFaceJson()));
    }

    /** Stored-convention tensors of another checkpoint, checked against this one's keys and shapes. */
    public Map<String, Tensor> sourceOf(ClipCheckpoint other) {
        if (!other.sourceNames.equals(sourceNames) && !new java.util.HashSet<>(other.sourceNames).equals(new java.util.HashSet<>(sourceNames)))
            throw new IllegalArgumentException(other.path + " and " + path + " hold different encoder tensors (" + other.convention + " vs " + convention + ")");
        Map<String, Tensor> m = new LinkedHashMap<>();
        for (String k : sourceNames) {
            Tensor mine = all.get(k), theirs = other.all.get(k);
            if (!Arrays.equals(mine.shape(), theirs.shape()))
                throw new IllegalArgumentException("tensor '" + k + "' is " + Arrays.toString(theirs.shape()) + " in " + other.path
                        + " but " + Arrays.toString(mine.shape()) + " in " + path);
            m.put(k, theirs);
        }
        return m;
    }
}
