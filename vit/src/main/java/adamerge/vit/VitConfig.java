package adamerge.vit;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The shape of a CLIP vision transformer. Heads are width / 64 unless a config says otherwise;
 * the MLP is 4x wide in every CLIP model.
 */
public record VitConfig(int imageSize, int patchSize, int width, int layers, int heads, int mlpWidth,
                        int outputDim, Activation activation, float layerNormEps) {

    public enum Activation {QUICK_GELU, GELU}

    public VitConfig {
        if (imageSize % patchSize != 0)
            throw new IllegalArgumentException("image size " + imageSize + " is not a multiple of patch size " + patchSize);
        if (width % heads != 0)
            throw new IllegalArgumentException("width " + width + " is not divisible by " + heads + " heads");
    }

    public int grid() {
        return imageSize / patchSize;
    }

    /** Patch tokens plus the class token. */
    public int tokens() {
        return grid() * grid() + 1;
    }

    public int headDim() {
        return width / heads;
    }

    public static VitConfig of(int imageSize, int patchSize, int width, int layers, int outputDim) {
        return new VitConfig(imageSize, patchSize, width, layers, Math.max(1, width / 64), 4 * width, outputDim, Activation.QUICK_GELU, 1e-5f);
    }

    /** OpenAI's models, as in the AdaMerging paper. */
    public static final Map<String, VitConfig> BUILT_IN = Map.of(
            "vit-b-32", of(224, 32, 768, 12, 512),
            "vit-b-16", of(224, 16, 768, 12, 512),
            "vit-l-14", of(224, 14, 1024, 24, 768));

    /** A built-in name, or the path of a Hugging Face config.json. */
    public static VitConfig named(String nameOrPath) throws IOException {
        VitConfig c = BUILT_IN.get(nameOrPath.toLowerCase());
        if (c != null) return c;
        Path p = Path.of(nameOrPath);
        if (!Files.exists(p))
            throw new IOException("unknown model config '" + nameOrPath + "': use one of " + BUILT_IN.keySet() + " or a config.json path");
        return fromHuggingFace(p);
    }

    /** Reads a CLIPVisionConfig config.json, or a CLIPConfig whose vision_config it takes. */
    public static VitConfig fromHuggingFace(Path file) throws IOException {
        JsonObject root;
        try {
            root = JsonParser.parseString(Files.readString(file)).getAsJsonObject();
        } catch (RuntimeException e) {
            throw new IOException(file + ": not a JSON object (" + e.getMessage() + ")");
        }
        JsonObject v = root.has("vision_config") ? root.getAsJsonObject("vision_config") : root;
        try {
            int width = v.get("hidden_size").getAsInt();
            int heads = v.has("num_attention_heads") ? v.get("num_attention_heads").getAsInt() : width / 64;
            int mlp = v.has("intermediate_size") ? v.get("intermediate_size").getAsInt() : 4 * width;
            int proj = v.has("projection_dim") ? v.get("projection_dim").getAsInt()
                    : root.has("projection_dim") ? root.get("projection_dim").getAsInt() : 512;
            String act = v.has("hidden_act") ? v.get("hidden_act").getAsString() : "quick_gelu";
            Activation a = switch (act) {
                case "quick_gelu" -> Activation.QUICK_GELU;
                case "gelu" -> Activation.GELU;
                default -> throw new IOException(file + ": unsupported hidden_act '" + act + "' (quick_gelu or gelu)");
            };
            float eps = v.has("layer_norm_eps") ? v.get("layer_norm_eps").getAsFloat() : 1e-5f;
            return new VitConfig(v.get("image_size").getAsInt(), v.get("patch_size").getAsInt(), width,
                    v.get("num_hidden_layers").getAsInt(), heads, mlp, proj, a, eps);
        } catch (NullPointerException | IllegalStateException | UnsupportedOperationException e) {
            throw new IOException(file + ": missing or malformed CLIP vision field (need hidden_size, image_size, patch_size, num_hidden_layers)");
        }
    }

    /** Writes this config as a Hugging Face CLIPVisionConfig. */
    public String toHuggingFaceJson() {
        return String.format("""
                {
                  "model_type": "clip_vision_model",
                  "hidden_size": %d,
                  "intermediate_size": %d,
                  "num_hidden_layers": %d,
                  "num_attention_heads": %d,
                  "patch_size": %d,
                  "image_size": %d,
                  "projection_dim": %d,
                  "hidden_act": "%s",
                  "layer_norm_eps": %s,
                  "num_channels": 3
                }
                """, width, mlpWidth, layers, heads, patchSize, imageSize, outputDim,
                activation == Activation.GELU ? "gelu" : "quick_gelu", Float.toString(layerNormEps));
    }
}
