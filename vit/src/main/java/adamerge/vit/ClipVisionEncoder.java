package adamerge.vit;

import adamerge.autograd.NoGrad;
import adamerge.autograd.Var;
import adamerge.tensor.Tensor;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The CLIP image encoder as OpenAI and open_clip compute it:
 * <pre>
 *   patches = conv1(image)            (kernel = stride = patch, no bias; done as a matmul)
 *   x = [class_embedding; patches] + positional_embedding
 *   x = ln_pre(x)
 *   repeat layers:  x += attn(ln_1(x));  x += c_proj(act(c_fc(ln_2(x))))
 *   features = ln_post(x[:, 0]) @ proj
 * </pre>
 * Weights use the canonical (open_clip, unprefixed) names of {@link ClipWeights}. Run it inside a
 * {@link NoGrad} scope for inference, or with {@link Var#param} weights to get a gradient for
 * every tensor.
 */
public final class ClipVisionEncoder {
    private final VitConfig config;
    private final Map<String, Var> w;
    private LinearInputs observer;

    /**
     * Sees the input of every linear map (by its canonical weight name, e.g.
     * {@code transformer.resblocks.0.attn.in_proj_weight}) as [tokens, in] rows; RegMean
     * builds its Gram matrices from these.
     */
    @FunctionalInterface
    public interface LinearInputs {
        void accept(String weightName, Tensor rows);
    }

    /** Sets (or clears, with null) the observer of linear-layer inputs for later forwards. */
    public ClipVisionEncoder observeLinearInputs(LinearInputs o) {
        this.observer = o;
        return this;
    }

    public ClipVisionEncoder(VitConfig config, Map<String, Var> weights) {
        this.config = config;
        this.w = weights;
        ClipWeights.check(config, valuesOf(weights));
    }

    /** An encoder whose weights are constants (no gradients). */
    public static ClipVisionEncoder frozen(VitConfig config, Map<String, Tensor> weights) {
        Map<String, Var> vars = new LinkedHashMap<>();
        weights.forEach((k, v) -> vars.put(k, Var.constant(v)));
        return new ClipVisionEncoder(config, vars);
    }

    public VitConfig config() {
        return config;
    }

    /** Image features [B, outputDim] (after ln_post and the projection; not normalised). */
    public Var forward(Tensor pixels) {
        int[] s = pixels.shape();
        if (s.length != 4 || s[1] != 3 || s[2] != config.imageSize() || s[3] != config.imageSize())
            throw new IllegalArgumentException("the encoder takes images [batch, 3, " + config.imageSize() + ", " + config.imageSize()
                    + "], got " + Arrays.toString(s));
        int b = s[0], p = config.patchSize(), g = config.grid(), width = config.width();

        // Patch embedding: cut the image into g x g patches of 3 x p x p and project each one.
        Tensor patches = pixels.reshape(b, 3, g, p, g, p).permute(0, 2, 4, 1, 3, 5).reshape(b, g * g, 3 * p * p);
        Var x = Var.constant(patches).matmul(w("conv1.weight").reshape(width, 3 * p * p).t());

        Var cls = w("class_embedding").reshape(1, 1, width).expand(b, 1, width);
        x = Var.concat(List.of(cls, x), 1).add(w("positional_embedding"));
        x = layerNorm(x, "ln_pre");

        int last = config.layers() - 1;
        for (int i = 0; i < last; i++) x = block(x, i);
        // Only the class token reaches the output, so past the last block's attention (where it
        // reads every token's keys and values) the other tokens' rows are dead: out_proj and the
        // MLP run on that one row, 1/50 of the work in ViT-B/32 (the same result; about 6% of
        // the encoder's multiply-adds). RegMean's observer needs every token's inputs: it gets
        // the full block.
        Var out = observer == null ? classTokenBlock(x, last) : block(x, last).select(1, 0);
        return layerNorm(out, "ln_post").matmul(w("proj"));
    }

    /** Inference without a graph. */
    public Tensor encode(Tensor pixels) {
        try (NoGrad ignored = NoGrad.enter()) {
            return forward(pixels).value();
        }
    }

    /** Residual block {@code i} (pre-norm): x + attn(ln_1 x), then + c_proj(act(c_fc(ln_2 x))). x is [b, tokens, width]. */
    public Var block(Var x, int i) {
        String blk = "transformer.resblocks." + i + ".";
        x = x.add(outProjection(selfAttention(layerNorm(x, blk + "ln_1"), blk + "attn."), blk + "attn."));
        return x.add(mlp(layerNorm(x, blk + "ln_2"), blk));
    }

    /** Block {@code i} computed for the class token alone: [b, width] out of x [b, tokens, width]. */
    private Var classTokenBlock(Var x, int i) {
        String blk = "transformer.resblocks." + i + ".";
        Var o = selfAttention(layerNorm(x, blk + "ln_1"), blk + "attn.").select(1, 0);
        Var cls = x.select(1, 0).add(outProjection(o, blk + "attn."));
        return cls.add(mlp(layerNorm(cls, blk + "ln_2"), blk));
    }

    private Var mlp(Var x, String blk) {
        Var h = linear(x, blk + "mlp.c_fc");
        h = config.activation() == VitConfig.Activation.GELU ? h.gelu() : h.quickGelu();
        return linear(h, blk + "mlp.c_proj");
    }

    /**
     * Multi-head self-attention with packed q;k;v rows in in_proj (nn.MultiheadAttention's layout).
     * The fused {@link Var#attention} holds at most one row of scores per thread on the CPU, in
     * inference and in training alike (it recomputes the probabilities in backward).
     */
    private Var selfAttention(Var x, String prefix) {
        observe(prefix + "in_proj_weight", x);
        Var qkv = x.linear(w(prefix + "in_proj_weight"), w(prefix + "in_proj_bias")); // [b, t, 3w]
        return qkv.attention(config.heads()); // [b, t, w]: softmax(q k^T / sqrt(d)) v, heads side by side
    }

    private Var outProjection(Var o, String prefix) {
        observe(prefix + "out_proj.weight", o);
        return o.linear(w(prefix + "out_proj.weight"), w(prefix + "out_proj.bias"));
    }

    private Var linear(Var x, String prefix) {
        observe(prefix + ".weight", x);
        return x.linear(w(prefix + ".weight"), w(prefix + ".bias"));
    }

    private void observe(String weightName, Var x) {
        if (observer != null) observer.accept(weightName, x.value().reshape(-1, x.dim(-1)));
    }

    private Var layerNorm(Var x, String prefix) {
        return x.layerNorm(w(prefix + ".weight"), w(prefix + ".bias"), config.layerNormEps());
    }

    private Var w(String name) {
        return w.get(name);
    }

    private static Map<String, Tensor> valuesOf(Map<String, Var> vars) {
        Map<String, Tensor> m = new LinkedHashMap<>();
        vars.forEach((k, v) -> m.put(k, v.value()));
        return m;
    }
}
