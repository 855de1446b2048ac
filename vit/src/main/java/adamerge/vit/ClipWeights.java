package adamerge.vit;

import adamerge.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The canonical weight layout of a CLIP image encoder: open_clip's names without the
 * {@code visual.} prefix, in open_clip's state-dict order, with packed q;k;v rows and
 * {@code proj} stored [width, outputDim].
 */
public final class ClipWeights {
    private ClipWeights() {
    }

    /** Canonical names in state-dict order (the rows of layer-wise AdaMerging). */
    public static List<String> names(VitConfig c) {
        List<String> n = new ArrayList<>(List.of("class_embedding", "positional_embedding", "proj", "conv1.weight",
                "ln_pre.weight", "ln_pre.bias"));
        for (int i = 0; i < c.layers(); i++) {
            String b = "transformer.resblocks." + i + ".";
            for (String s : new String[]{"ln_1.weight", "ln_1.bias", "attn.in_proj_weight", "attn.in_proj_bias",
                    "attn.out_proj.weight", "attn.out_proj.bias", "ln_2.weight", "ln_2.bias", "mlp.c_fc.weight",
                    "mlp.c_fc.bias", "mlp.c_proj.weight", "mlp.c_proj.bias"})
                n.add(b + s);
        }
        n.add("ln_post.weight");
        n.add("ln_post.bias");
        return n;
    }

    /** The expected shape of each canonical tensor. */
    public static Map<String, int[]> shapes(VitConfig c) {
        int w = c.width(), p = c.patchSize(), m = c.mlpWidth();
        Map<String, int[]> s = new LinkedHashMap<>();
        for (String name : names(c)) {
            String leaf = name.substring(name.lastIndexOf('.') + 1);
            int[] shape;
            if (name.equals("class_embedding")) shape = new int[]{w};
            else if (name.equals("positional_embedding")) shape = new int[]{c.tokens(), w};
            else if (name.equals("proj")) shape = new int[]{w, c.outputDim()};
            else if (name.equals("conv1.weight")) shape = new int[]{w, 3, p, p};
            else if (name.endsWith("in_proj_weight")) shape = new int[]{3 * w, w};
            else if (name.endsWith("in_proj_bias")) shape = new int[]{3 * w};
            else if (name.contains("c_fc")) shape = leaf.equals("weight") ? new int[]{m, w} : new int[]{m};
            else if (name.contains("c_proj")) shape = leaf.equals("weight") ? new int[]{w, m} : new int[]{w};
            else if (name.contains("out_proj")) shape = leaf.equals("weight") ? new int[]{w, w} : new int[]{w};
            else shape = new int[]{w}; // layer norms
            s.put(name, shape);
        }
        return s;
    }

    /** Fails naming the first missing or misshapen tensor. */
    public static void check(VitConfig c, Map<String, Tensor> weights) {
        for (Map.Entry<String, int[]> e : shapes(c).entrySet()) {
            Tensor t = weights.get(e.getKey());
            if (t == null) throw new IllegalArgumentException("missing encoder weight '" + e.getKey() + "'");
            if (!Arrays.equals(t.shape(), e.getValue()))
                throw new IllegalArgumentException("encoder weight '" + e.getKey() + "' has shape " + Arrays.toString(t.shape())
                        + " but the config needs " + Arrays.toString(e.getValue()));
        }
    }

    /**
     * Random weights with CLIP-like scales (for benchmarks and tests): matrices ~ N(0, 1/fan_in),
     * layer-norm gains 1, biases 0, embeddings ~ N(0, 0.02).
     */
    public static Map<String, Tensor> random(VitConfig c, long seed) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        long s = seed;
        for (Map.Entry<String, int[]> e : shapes(c).entrySet()) {
            String name = e.getKey();
            int[] shape = e.getValue();
            Tensor t;
            if (name.contains("ln_") && name.endsWith("weight")) t = Tensor.full(1f, shape);
            else if (name.endsWith("bias")) t = Tensor.zeros(shape);
            else if (shape.length == 1 || name.equals("positional_embedding")) t = Tensor.randn(s++, shape).mul(0.02f);
            else {
                int fanIn = name.equals("proj") ? shape[0] : Tensor.zeros(shape).numel() / shape[0];
                t = Tensor.randn(s++, shape).mul((float) (1 / Math.sqrt(fanIn)));
            }
            out.put(name, t);
        }
        return out;
    }
}
