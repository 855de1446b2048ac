package adamerge.study.models;

import adamerge.study.data.ImageSet;
import adamerge.vit.data.ImagePreprocessor;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class DemoModelTest {

    @Test
    void normaliseUsesClipMeanAndStd() {
        float[] unit = new float[ImageSet.IMAGE_SIZE];
        unit[0] = 1f;
        unit[ImageSet.PLANE + 5] = 0.5f;
        float[] x = DemoModel.normalise(unit);
        assertEquals((1f - ImagePreprocessor.CLIP_MEAN[0]) / ImagePreprocessor.CLIP_STD[0], x[0], 1e-6);
        assertEquals((0.5f - ImagePreprocessor.CLIP_MEAN[1]) / ImagePreprocessor.CLIP_STD[1], x[ImageSet.PLANE + 5], 1e-6);
        assertEquals(-ImagePreprocessor.CLIP_MEAN[2] / ImagePreprocessor.CLIP_STD[2], x[2 * ImageSet.PLANE + 9], 1e-6);
        ImageSet set = new ImageSet("t", List.of("a"), unit, new int[]{0});
        assertArrayEquals(x, DemoModel.input(set).toArray());
        assertArrayEquals(new int[]{1, 3, 32, 32}, DemoModel.input(set).shape());
    }
}
