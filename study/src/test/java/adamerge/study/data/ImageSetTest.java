package adamerge.study.data;

import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class ImageSetTest {

    private static ImageSet threeImages() {
        float[] px = new float[3 * ImageSet.IMAGE_SIZE];
        for (int i = 0; i < px.length; i++) px[i] = (i * 37 % 256) / 255f;
        return new ImageSet("t", List.of("a", "b"), px, new int[] {0, 1, 1});
    }

    @Test
    void sliceAndSelectCopyTheRightImages() {
        ImageSet s = threeImages();
        assertArrayEquals(s.image(1), s.slice(1, 3).image(0));
        ImageSet picked = s.select(new int[] {2, 0});
        assertArrayEquals(s.image(2), picked.image(0));
        assertArrayEquals(new int[] {1, 0}, picked.labels());
        assertArrayEquals(new int[] {1, 2}, s.classCounts());
    }

    @Test
    void bufferedImageRoundTripIsExactForEightBitValues() {
        ImageSet s = threeImages();
        BufferedImage img = s.toBufferedImage(2);
        assertEquals(32, img.getWidth());
        int rgb = img.getRGB(5, 3);
        assertEquals(Math.round(s.pixels()[2 * 3072 + 3 * 32 + 5] * 255), (rgb >> 16) & 0xff);
        assertEquals(Math.round(s.pixels()[2 * 3072 + 2048 + 3 * 32 + 5] * 255), rgb & 0xff);
        assertArrayEquals(s.image(2), ImageSet.fromBufferedImage(img));
    }

    @Test
    void badShapesAndLabelsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new ImageSet("t", List.of("a"), new float[10], new int[] {0}));
        assertThrows(IllegalArgumentException.class,
                () -> new ImageSet("t", List.of("a"), new float[ImageSet.IMAGE_SIZE], new int[] {1}));
    }
}
