package adamerge.training;

import adamerge.tensor.Tensor;
import adamerge.vit.ClassificationHead;
import adamerge.vit.ClipVisionEncoder;
import adamerge.vit.ClipWeights;
import adamerge.vit.VitConfig;
import adamerge.vit.data.ImagePreprocessor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class HeadsTest {
    static final VitConfig SMALL = new VitConfig(32, 16, 16, 1, 1, 32, 8, VitConfig.Activation.QUICK_GELU, 1e-5f);

    @TempDir
    Path tmp;

    @Test
    void headRowsAreScaledNormalisedMeansOfNormalisedFeatures() throws Exception {
        int n = 12, k = 3;
        Tensor px = Tensor.randn(11, n, 3, 32, 32);
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) labels[i] = (i * 7) % k;
        Map<String, Tensor> w = ClipWeights.random(SMALL, 3);
        ClassificationHead head = Heads.prototypes("t", SMALL, w, px, labels, k, 40f);

        // independently: one image at a time, in double precision
        ClipVisionEncoder enc = ClipVisionEncoder.frozen(SMALL, w);
        double[][] sum = new double[k][8];
        for (int i = 0; i < n; i++) {
            float[] f = enc.encode(px.slice(0, i, i + 1).contiguous()).toArray();
            double norm = 0;
            for (float v : f) norm += v * v;
            for (int j = 0; j < 8; j++) sum[labels[i]][j] += f[j] / Math.sqrt(norm);
        }
        float[] got = head.weight().toArray();
        for (int c = 0; c < k; c++) {
            double norm = 0;
            for (double v : sum[c]) norm += v * v;
            for (int j = 0; j < 8; j++) assertEquals(40 * sum[c][j] / Math.sqrt(norm), got[c * 8 + j], 1e-4, "class " + c + " dim " + j);
        }
        assertArrayEquals(new float[k], head.bias().toArray());

        Path f = tmp.resolve("t.safetensors");
        Heads.write(head, f);
        ClassificationHead back = ClassificationHead.load(f);
        assertArrayEquals(got, back.weight().toArray());
        assertArrayEquals(new float[k], back.bias().toArray());
    }

    @Test
    void fewShotPrototypesAverageOnlyTheFirstImagesOfEachClass() {
        int n = 12, k = 3, shots = 2;
        Tensor px = Tensor.randn(12, n, 3, 32, 32);
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) labels[i] = (i * 5) % k; // each class has 4 images, not in order
        Map<String, Tensor> w = ClipWeights.random(SMALL, 4);
        ClassificationHead few = Heads.prototypes("t", SMALL, w, px, labels, k, shots, 40f);

        ClipVisionEncoder enc = ClipVisionEncoder.frozen(SMALL, w);
        double[][] sum = new double[k][8];
        int[] taken = new int[k];
        for (int i = 0; i < n; i++) {
            if (taken[labels[i]] == shots) continue;
            taken[labels[i]]++;
            float[] f = enc.encode(px.slice(0, i, i + 1).contiguous()).toArray();
            double norm = 0;
            for (float v : f) norm += v * v;
            for (int j = 0; j < 8; j++) sum[labels[i]][j] += f[j] / Math.sqrt(norm);
        }
        float[] got = few.weight().toArray();
        for (int c = 0; c < k; c++) {
            double norm = 0;
            for (double v : sum[c]) norm += v * v;
            for (int j = 0; j < 8; j++) assertEquals(40 * sum[c][j] / Math.sqrt(norm), got[c * 8 + j], 1e-4, "class " + c + " dim " + j);
        }
        // With every image the rows differ (the later images move the means).
        assertNotEquals(got[0], Heads.prototypes("t", SMALL, w, px, labels, k, 0, 40f).weight().toArray()[0], 1e-6);
        // The calibrated scale is fitted on all 12 images, not only the 6 shots.
        float[] unit = new float[got.length];
        for (int i = 0; i < got.length; i++) unit[i] = got[i] / 40;
        float[] feats = new float[n * 8];
        for (int i = 0; i < n; i++) {
            float[] f = enc.encode(px.slice(0, i, i + 1).contiguous()).toArray();
            double norm = 0;
            for (float v : f) norm += v * v;
            for (int j = 0; j < 8; j++) feats[i * 8 + j] = (float) (f[j] / Math.sqrt(norm));
        }
        float expected = Heads.calibratedScale(feats, labels, unit, k, 8);
        assertEquals(expected, norm(Heads.prototypes("t", SMALL, w, px, labels, k, shots, 0f).weight()), 1e-3 * expected);
    }

    private static float norm(Tensor weight) {
        float[] r = weight.toArray();
        double s = 0;
        for (int j = 0; j < 8; j++) s += r[j] * r[j];
        return (float) Math.sqrt(s);
    }

    @Test
    void aClassWithoutImagesIsAnErrorNamingIt() {
        Tensor px = Tensor.randn(1, 2, 3, 32, 32);
        var e = assertThrows(IllegalArgumentException.class,
                () -> Heads.prototypes("t", SMALL, ClipWeights.random(SMALL, 1), px, new int[]{0, 0}, 2, 100f));
        assertTrue(e.getMessage().contains("class 1"), e.getMessage());
    }

    @Test
    void calibratedScaleMinimisesTrainCrossEntropy() {
        java.util.SplittableRandom r = new java.util.SplittableRandom(4);
        int n = 300, classes = 3, d = 4;
        float[] protos = new float[classes * d], f = new float[n * d];
        int[] labels = new int[n];
        for (int c = 0; c < classes; c++) protos[c * d + c] = 1; // unit prototypes on the axes
        for (int i = 0; i < n; i++) {
            labels[i] = i % classes;
            double norm = 0;
            for (int j = 0; j < d; j++) {
                f[i * d + j] = (float) ((j == labels[i] ? 1 : 0) + 0.8 * r.nextGaussian());
                norm += f[i * d + j] * f[i * d + j];
            }
            for (int j = 0; j < d; j++) f[i * d + j] /= (float) Math.sqrt(norm);
        }
        float s = Heads.calibratedScale(f, labels, protos, classes, d);
        // an independent brute-force scan of the mean cross-entropy
        double best = Double.MAX_VALUE, bestS = 0;
        for (double t = 0.1; t < 100; t *= 1.001) {
            double nll = 0;
            for (int i = 0; i < n; i++) {
                double[] z = new double[classes];
                double sum = 0;
                for (int c = 0; c < classes; c++) {
                    for (int j = 0; j < d; j++) z[c] += t * f[i * d + j] * protos[c * d + j];
                    sum += Math.exp(z[c]);
                }
                nll += Math.log(sum) - z[labels[i]];
            }
            if (nll < best) {
                best = nll;
                bestS = t;
            }
        }
        assertEquals(bestS, s, 0.01 * bestS);
    }
}
