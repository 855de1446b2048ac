package adamerge.vit.data;

import adamerge.tensor.Tensor;
import adamerge.vit.io.SafetensorsWriter;
import adamerge.tensor.DType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** ImageDataSet: class folders, flat folders, safetensors files, and their error messages. */
class DataSetTest {
    static final Path IMAGES = Path.of("src/test/resources/preprocess");

    @TempDir
    Path tmp;

    private void copy(String image, Path dir, String as) throws IOException {
        Files.createDirectories(dir);
        Files.copy(IMAGES.resolve(image), dir.resolve(as));
    }

    @Test
    void classFoldersGiveSortedLabelsAndLazyPreprocessedBatches() throws Exception {
        copy("rgb_50x37.png", tmp.resolve("dog"), "b.png");
        copy("gray_64x80.png", tmp.resolve("dog"), "a.png");
        copy("photo_60x45.jpg", tmp.resolve("cat/sub"), "z.jpg");
        Files.writeString(tmp.resolve("cat/notes.txt"), "skipped");
        copy("palette_33x47.png", tmp.resolve("cat"), ".hidden.png");
        ImageDataSet ds = ImageDataSet.open(tmp, 32);
        assertEquals(3, ds.size());
        assertTrue(ds.hasLabels());
        assertEquals(List.of("cat", "dog"), ds.classNames());
        assertArrayEquals(new int[]{0, 1, 1}, ds.labels());
        assertEquals("a.png", ds.file(1).getFileName().toString());

        Tensor b = ds.batch(new int[]{2, 1});
        assertArrayEquals(new int[]{2, 3, 32, 32}, b.shape());
        float[] x = b.toArray();
        float[] rgb = new ImagePreprocessor(32).pixels(IMAGES.resolve("rgb_50x37.png"));
        float[] gray = new ImagePreprocessor(32).pixels(IMAGES.resolve("gray_64x80.png"));
        assertArrayEquals(rgb, java.util.Arrays.copyOfRange(x, 0, rgb.length));
        assertArrayEquals(gray, java.util.Arrays.copyOfRange(x, rgb.length, 2 * rgb.length));
    }

    @Test
    void flatFolderIsUnlabeled() throws Exception {
        copy("rgb_50x37.png", tmp, "1.png");
        copy("gray_alpha_30x20.png", tmp, "2.PNG");
        ImageDataSet ds = ImageDataSet.open(tmp, 32);
        assertEquals(2, ds.size());
        assertFalse(ds.hasLabels());
        assertThrows(IllegalStateException.class, ds::labels);
        assertArrayEquals(new int[]{2, 3, 32, 32}, ds.batch(0, 2).shape());
    }

    @Test
    void safetensorsWithPixelValuesAndLabels() throws Exception {
        Tensor px = Tensor.randn(1, 4, 3, 8, 8);
        Path f = tmp.resolve("data.safetensors");
        SafetensorsWriter.write(f, Map.of("pixel_values", px), Map.of("class_names", "[\"a\",\"b\",\"c\"]"),
                Map.of("labels", new long[]{2, 0, 1, 2}), DType.F32);
        ImageDataSet ds = ImageDataSet.open(f, 8);
        assertEquals(4, ds.size());
        assertArrayEquals(new int[]{2, 0, 1, 2}, ds.labels());
        assertEquals(List.of("a", "b", "c"), ds.classNames());
        float[] all = px.toArray(), got = ds.batch(new int[]{3, 1}).toArray();
        int plane = 3 * 8 * 8;
        assertArrayEquals(java.util.Arrays.copyOfRange(all, 3 * plane, 4 * plane), java.util.Arrays.copyOfRange(got, 0, plane));
        assertArrayEquals(java.util.Arrays.copyOfRange(all, plane, 2 * plane), java.util.Arrays.copyOfRange(got, plane, 2 * plane));

        var e = assertThrows(IOException.class, () -> ImageDataSet.open(f, 32));
        assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("[4, 3, 8, 8]") && e.getMessage().contains("[N, 3, 32, 32]"), e.getMessage());
    }

    @Test
    void errorsNameTheCulprit() throws Exception {
        Path missing = tmp.resolve("nope");
        assertTrue(assertThrows(IOException.class, () -> ImageDataSet.open(missing, 32)).getMessage().contains("no such file"));

        Path empty = Files.createDirectories(tmp.resolve("empty"));
        assertTrue(assertThrows(IOException.class, () -> ImageDataSet.open(empty, 32)).getMessage().contains("empty folder"));

        Path noImages = Files.createDirectories(tmp.resolve("classes/cat"));
        Files.writeString(noImages.resolve("readme.txt"), "x");
        String m = assertThrows(IOException.class, () -> ImageDataSet.open(tmp.resolve("classes"), 32)).getMessage();
        assertTrue(m.contains(noImages.toString()) && m.contains("no images"), m);

        Path f = tmp.resolve("mismatch.safetensors");
        SafetensorsWriter.write(f, Map.of("pixel_values", Tensor.zeros(3, 3, 8, 8)), Map.of(), Map.of("labels", new long[]{0, 1}), DType.F32);
        m = assertThrows(IOException.class, () -> ImageDataSet.open(f, 8)).getMessage();
        assertTrue(m.contains("labels") && m.contains("3 images"), m);

        Path broken = Files.createDirectories(tmp.resolve("broken"));
        Files.writeString(broken.resolve("x.jpg"), "not a jpeg");
        ImageDataSet ds = ImageDataSet.open(broken, 32);
        m = assertThrows(UncheckedIOException.class, () -> ds.batch(new int[]{0})).getMessage();
        assertTrue(m.contains("x.jpg"), m);
    }
}
