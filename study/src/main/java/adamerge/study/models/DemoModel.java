package adamerge.study.models;

import adamerge.study.data.ImageSet;
import adamerge.tensor.Tensor;
import adamerge.tensor.cpu.HeapStorage;
import adamerge.vit.VitConfig;
import adamerge.vit.data.ImageDataSet;
import adamerge.vit.data.ImagePreprocessor;

/**
 * The encoder of the demo study and its input convention.
 *
 * <p>{@link #CONFIG} is a CLIP ViT on the same code path as ViT-B/32, shrunk to the demo's
 * 32x32 images: patch 8 (a 4x4 grid plus the class token, as B/32 sees a 7x7 grid), width 64,
 * 4 layers of 2 heads of dimension 32, MLP 256, QuickGELU, 64-dim output; 217,728 weights in 56
 * tensors. Chosen by measured training throughput on the 2-core build machine: about 510 img/s
 * (fwd+bwd, batch 64), where width 96 managed 236, width 128 170, and patch 4 (65 tokens) under
 * 70 (see models/demo/README.md).
 */
public final class DemoModel {
    private DemoModel() {
    }

    public static final VitConfig CONFIG = new VitConfig(32, 8, 64, 4, 2, 256, 64, VitConfig.Activation.QUICK_GELU, 1e-5f);

    /**
     * CLIP's Normalize(mean, std) on CHW images with values in [0, 1], as every CLIP model
     * expects its input; returns a new array. The one place the demo normalises pixels.
     */
    public static float[] normalise(float[] unitPixels) {
        int plane = ImageSet.PLANE, image = ImageSet.IMAGE_SIZE;
        if (unitPixels.length % image != 0)
            throw new IllegalArgumentException(unitPixels.length + " floats are not a whole number of 3x32x32 images");
        float[] x = new float[unitPixels.length];
        for (int i = 0; i < unitPixels.length; i += image)
            for (int c = 0; c < 3; c++) {
                float mean = ImagePreprocessor.CLIP_MEAN[c], std = ImagePreprocessor.CLIP_STD[c];
                for (int j = i + c * plane; j < i + (c + 1) * plane; j++) x[j] = (unitPixels[j] - mean) / std;
            }
        return x;
    }

    /** The normalised model input of a whole image set, [N, 3, 32, 32]. */
    public static Tensor input(ImageSet set) {
        return HeapStorage.wrap(normalise(set.pixels()), set.size(), 3, ImageSet.SIDE, ImageSet.SIDE);
    }

    /** A whole image set as the encoder's data set: normalised pixels, labels and class names. */
    public static ImageDataSet dataSet(ImageSet set) {
        return ImageDataSet.of(set.task(), input(set), set.labels(), set.classNames());
    }
}
