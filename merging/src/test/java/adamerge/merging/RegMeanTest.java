package adamerge.merging;

import adamerge.tensor.Tensor;
import adamerge.vit.ClipVisionEncoder;
import adamerge.vit.ClipWeights;
import adamerge.vit.VitConfig;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.QRDecomposition;
import org.apache.commons.math3.linear.RealMatrix;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static adamerge.merging.MergeFixtures.*;
import static org.junit.jupiter.api.Assertions.*;

class RegMeanTest {
    private static final VitConfig TINY = VitConfig.of(32, 8, 64, 1, 16);

    private static List<Tensor> batches(long seed, int n) {
        List<Tensor> b = new ArrayList<>();
        for (int i = 0; i < n; i++) b.add(Tensor.randn(seed + i, 4, 3, 32, 32));
        return b;
    }

    @Test
    void matchesFusionBenchOnALinearLayer() throws IOException {
        Map<String, Tensor> f = read("fisher_regmean.safetensors");
        List<Map<String, Tensor>> models = List.of(group(f, "model0."), group(f, "model1."));
        List<Map<String, Tensor>> grams = new ArrayList<>();
        for (int k = 0; k < 2; k++) {
            RegMean.GramAccumulator acc = new RegMean.GramAccumulator();
            Tensor x = f.get("x" + k);
            acc.add("weight", x.slice(0, 0, 3)); // uneven batches: the average is over all rows
            acc.add("weight", x.slice(0, 3, 8));
            Map<String, Tensor> g = acc.grams();
            assertRelClose(f.get("gram" + k), g.get("weight"), 1e-6, "gram " + k);
            grams.add(g);
        }
        assertAllRelClose(group(f, "regmean."), RegMean.merge(models, grams), 1e-6, "RegMean from own Gram matrices");
        List<Map<String, Tensor>> fixtureGrams = List.of(Map.of("weight", f.get("gram0")), Map.of("weight", f.get("gram1")));
        assertAllRelClose(group(f, "regmean."), RegMean.merge(models, fixtureGrams, 0.95), 1e-6, "RegMean from fixture Gram matrices");
    }

    @Test
    void gramsCoverEveryLinearLayerOfTheEncoder() {
        Map<String, Tensor> w = ClipWeights.random(TINY, 1);
        Map<String, Tensor> g = RegMean.grams(TINY, w, batches(100, 2));
        assertEquals(List.of("transformer.resblocks.0.attn.in_proj_weight", "transformer.resblocks.0.attn.out_proj.weight",
                "transformer.resblocks.0.mlp.c_fc.weight", "transformer.resblocks.0.mlp.c_proj.weight"), new ArrayList<>(g.keySet()));
        g.forEach((k, t) -> assertEquals(w.get(k).dim(1), t.dim(0), k));
    }

    @Test
    void identicalModelsMergeToThemselves() {
        Map<String, Tensor> w = ClipWeights.random(TINY, 2);
        List<Map<String, Tensor>> grams = List.of(RegMean.grams(TINY, w, batches(200, 2)), RegMean.grams(TINY, w, batches(300, 3)));
        Map<String, Tensor> merged = RegMean.merge(List.of(w, w), grams);
        assertEquals(new ArrayList<>(w.keySet()), new ArrayList<>(merged.keySet()));
        w.forEach((k, t) -> assertRelClose(t, merged.get(k), 2e-5, k));
    }

    /**
     * Random weights whose layer norms have gains 1 +- 0.1 and nonzero biases: with bias 0 every
     * layer-norm output row sums to 0, the Gram matrix of in_proj and c_fc is singular, and at
     * alpha = 1 the least-squares merge is not unique.
     */
    private static Map<String, Tensor> model(long seed) {
        Map<String, Tensor> w = new LinkedHashMap<>(ClipWeights.random(TINY, seed));
        long s = seed * 100;
        for (String k : List.copyOf(w.keySet()))
            if (k.contains("ln_")) {
                Tensor noise = Tensor.randn(s++, w.get(k).shape()).mul(0.1f);
                w.put(k, k.endsWith("weight") ? noise.add(1f) : noise);
            }
        return w;
    }

    /** With alpha = 1, RegMean is the least-squares merge argmin_W sum_k |X_k W^T - X_k W_k^T|^2 / N_k. */
    @Test
    void alphaOneIsTheLeastSquaresMerge() {
        List<Map<String, Tensor>> models = List.of(model(10), model(20));
        List<Map<String, Tensor>> grams = new ArrayList<>();
        List<Map<String, List<Tensor>>> inputs = new ArrayList<>();
        for (int k = 0; k < 2; k++) {
            List<Tensor> data = batches(1000 * (k + 1), 5); // 5 x 4 images x 17 tokens = 340 rows > 256 inputs of c_proj
            grams.add(RegMean.grams(TINY, models.get(k), data));
            Map<String, List<Tensor>> rows = new HashMap<>();
            ClipVisionEncoder enc = ClipVisionEncoder.frozen(TINY, models.get(k))
                    .observeLinearInputs((name, x) -> rows.computeIfAbsent(name, n -> new ArrayList<>()).add(x.contiguous()));
            for (Tensor b : data) enc.encode(b);
            inputs.add(rows);
        }
        Map<String, Tensor> merged = RegMean.merge(models, grams, 1.0);
        for (String layer : List.of("transformer.resblocks.0.attn.in_proj_weight", "transformer.resblocks.0.mlp.c_fc.weight",
                "transformer.resblocks.0.mlp.c_proj.weight")) {
            Tensor want = leastSquares(layer, models, inputs);
            assertRelClose(want, merged.get(layer), 2e-5, layer);
        }
        // everything that is not a linear weight is the plain mean
        for (String key : List.of("proj", "conv1.weight", "transformer.resblocks.0.attn.in_proj_bias", "ln_post.weight"))
            assertRelClose(Models.mean(models, key), merged.get(key), 1e-7, key);
    }

    /** Solves the stacked system [X_k / sqrt(N_k)] W^T = [X_k W_k^T / sqrt(N_k)] by Householder QR in double. */
    private static Tensor leastSquares(String layer, List<Map<String, Tensor>> models, List<Map<String, List<Tensor>>> inputs) {
        int out = models.get(0).get(layer).dim(0), in = models.get(0).get(layer).dim(1);
        List<double[]> aRows = new ArrayList<>(), bRows = new ArrayList<>();
        for (int k = 0; k < models.size(); k++) {
            Tensor x = Tensor.concat(inputs.get(k).get(layer), 0);
            int n = x.dim(0);
            double s = 1 / Math.sqrt(n);
            float[] xs = x.toArray(), wk = models.get(k).get(layer).toArray();
            for (int r = 0; r < n; r++) {
                double[] a = new double[in], b = new double[out];
                for (int i = 0; i < in; i++) a[i] = xs[r * in + i] * s;
                for (int o = 0; o < out; o++) {
                    double acc = 0;
                    for (int i = 0; i < in; i++) acc += (double) xs[r * in + i] * wk[o * in + i];
                    b[o] = acc * s;
                }
                aRows.add(a);
                bRows.add(b);
            }
        }
        RealMatrix a = new Array2DRowRealMatrix(aRows.toArray(new double[0][]), false);
        RealMatrix b = new Array2DRowRealMatrix(bRows.toArray(new double[0][]), false);
        RealMatrix wt = new QRDecomposition(a).getSolver().solve(b); // [in, out]
        float[] w = new float[out * in];
        for (int i = 0; i < in; i++)
            for (int o = 0; o < out; o++) w[o * in + i] = (float) wt.getEntry(i, o);
        return Tensor.of(w, out, in);
    }

    @Test
    void badGramMatricesAreRejected() {
        Map<String, Tensor> m = Map.of("w", Tensor.zeros(2, 3), "b", Tensor.zeros(2));
        String msg = assertThrows(IllegalArgumentException.class,
                () -> RegMean.merge(List.of(m, m), List.of(Map.of("w", Tensor.zeros(2, 2)), Map.of("w", Tensor.zeros(2, 2))))).getMessage();
        assertTrue(msg.contains("'w'") && msg.contains("[2, 2]"), msg);
        msg = assertThrows(IllegalArgumentException.class,
                () -> RegMean.merge(List.of(m, m), List.of(Map.of("w", Tensor.zeros(3, 3)), Map.of("w", Tensor.zeros(3, 3))))).getMessage();
        assertTrue(msg.contains("singular") && msg.contains("'w'"), msg);
    }
}
