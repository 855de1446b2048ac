package adamerge.vit.data;

import adamerge.vit.io.SafetensorsReader;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Preprocessing against PIL + torchvision semantics (fixtures from make_preprocess_fixtures.py). */
class PreprocessTest {
    static final Path DIR = Path.of("src/test/resources/preprocess");

    @Test
    void matchesPilAndTorchvisionOnEveryFixtureImage() throws Exception {
        List<String> report = new ArrayList<>();
        int cases = 0;
        try (SafetensorsReader r = SafetensorsReader.open(DIR.resolve("expected.safetensors"))) {
            for (String key : r.names()) {
                int dot = key.lastIndexOf('.');
                String file = key.substring(0, dot);
                int size = Integer.parseInt(key.substring(dot + 1));
                float[] expected = r.tensor(key).toArray();
                float[] actual = new ImagePreprocessor(size).unitPixels(DIR.resolve(file));
                assertEquals(expected.length, actual.length, key);
                double worst = 0;
                int off = 0;
                for (int i = 0; i < expected.length; i++) {
                    double d = Math.abs(expected[i] - actual[i]);
                    worst = Math.max(worst, d);
                    if (d > 0.5 / 255) off++;
                }
                report.add(key + ": max " + Math.round(worst * 255) + "/255, " + off + " values off");
                // PNG decoding is exact; JPEG decoders (libjpeg-turbo vs Java's) may differ by a step.
                double tol = file.endsWith(".png") ? 0 : 2.0 / 255 + 1e-6;
                assertTrue(worst <= tol, key + ": max abs difference " + worst * 255 + "/255 over the tolerance " + tol * 255 + "/255");
                cases++;
            }
        }
        assertEquals(12, cases);
        System.out.println("preprocess vs PIL: " + String.join("; ", report));
    }

    @Test
    void normalisesWithClipMeanAndStd() throws Exception {
        Path f = DIR.resolve("rgb_50x37.png");
        float[] unit = new ImagePreprocessor(32).unitPixels(f), x = new ImagePreprocessor(32).pixels(f);
        for (int c = 0; c < 3; c++) {
            int i = c * 32 * 32 + 17;
            assertEquals((unit[i] - ImagePreprocessor.CLIP_MEAN[c]) / ImagePreprocessor.CLIP_STD[c], x[i], 0f);
        }
    }

    @Test
    void resizeToSameSizeIsIdentityAndUpsamplingAConstantStaysConstant() {
        byte[] px = new byte[3 * 5 * 4];
        for (int i = 0; i < px.length; i++) px[i] = (byte) (i * 37);
        ImagePreprocessor.Rgb img = new ImagePreprocessor.Rgb(5, 4, px);
        assertSame(img, ImagePreprocessor.resize(img, 5, 4));
        byte[] flat = new byte[3 * 3 * 3];
        java.util.Arrays.fill(flat, (byte) 200);
        ImagePreprocessor.Rgb up = ImagePreprocessor.resize(new ImagePreprocessor.Rgb(3, 3, flat), 7, 11);
        for (byte b : up.pixels()) assertEquals(200, b & 0xff);
    }

    @Test
    void centerCropRoundsHalfToEvenAsPython() {
        // 33x47 -> 32x45: (45 - 32) / 2 = 6.5 rounds to 6 (Python round), not 7.
        byte[] px = new byte[3 * 32 * 45];
        for (int y = 0; y < 45; y++) for (int x = 0; x < 32; x++) px[3 * (y * 32 + x)] = (byte) y;
        ImagePreprocessor.Rgb crop = ImagePreprocessor.crop(new ImagePreprocessor.Rgb(32, 45, px), 0, (int) Math.rint(6.5), 32, 32);
        assertEquals(6, crop.pixels()[0]);
    }

    @Test
    void unreadableImageIsNamed() throws Exception {
        Path bad = java.nio.file.Files.createTempFile("broken", ".png");
        try {
            java.nio.file.Files.writeString(bad, "not a png");
            var e = assertThrows(java.io.IOException.class, () -> new ImagePreprocessor(32).pixels(bad));
            assertTrue(e.getMessage().contains(bad.toString()), e.getMessage());
        } finally {
            java.nio.file.Files.deleteIfExists(bad);
        }
    }
}
