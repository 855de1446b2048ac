package adamerge.demo.study;

import adamerge.demo.ImageSet;
import adamerge.demo.train.DemoModel;
import adamerge.tensor.Tensor;

import java.util.List;

/**
 * One task's images ready for the encoder: ImageSet pixels in [0, 1] normalised with CLIP's
 * per-channel mean and std ({@link DemoModel#normalise}), NCHW 32x32.
 */
public record TaskImages(String task, List<String> classNames, float[] pixels, int[] labels) {

    public static TaskImages of(ImageSet set) {
        return new TaskImages(set.task(), set.classNames(), DemoModel.normalise(set.pixels()), set.labels().clone());
    }

    public int size() {
        return labels.length;
    }

    public int classes() {
        return classNames.size();
    }

    /** Images [from, to) as [n, 3, 32, 32]. */
    public Tensor batch(int from, int to) {
        float[] out = new float[(to - from) * ImageSet.IMAGE_SIZE];
        System.arraycopy(pixels, from * ImageSet.IMAGE_SIZE, out, 0, out.length);
        return Tensor.of(out, to - from, ImageSet.CHANNELS, ImageSet.SIDE, ImageSet.SIDE);
    }

    /** The images at {@code indices} as [n, 3, 32, 32]. */
    public Tensor batch(int[] indices) {
        float[] out = new float[indices.length * ImageSet.IMAGE_SIZE];
        for (int j = 0; j < indices.length; j++)
            System.arraycopy(pixels, indices[j] * ImageSet.IMAGE_SIZE, out, j * ImageSet.IMAGE_SIZE, ImageSet.IMAGE_SIZE);
        return Tensor.of(out, indices.length, ImageSet.CHANNELS, ImageSet.SIDE, ImageSet.SIDE);
    }
}
