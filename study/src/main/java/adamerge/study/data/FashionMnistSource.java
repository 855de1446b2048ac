package adamerge.study.data;

import java.io.DataInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/**
 * Fashion-MNIST (60,000 train / 10,000 test, 28x28 gray, 10 classes) from the Debian package
 * {@code dataset-fashion-mnist}, which installs the original gzipped IDX files in
 * {@code /usr/share/datasets/fashion-mnist}. When the package is not installed, it is fetched
 * with {@code apt-get download} into {@code <cache>/fashion-mnist-deb} and unpacked there with
 * {@code dpkg-deb -x}. The split is the data set's own.
 *
 * <p>IDX: big-endian int magic (0x803 images, 0x801 labels), then the count, then (images
 * only) rows and columns, then one unsigned byte per pixel or label.
 */
public final class FashionMnistSource {

    public static final String PACKAGE = "dataset-fashion-mnist";
    public static final Path SYSTEM_DIR = Path.of("/usr/share/datasets/fashion-mnist");
    public static final List<String> CLASSES = List.of("t-shirt", "trouser", "pullover", "dress", "coat",
            "sandal", "shirt", "sneaker", "bag", "ankle-boot");

    private final Path debFolder;

    public FashionMnistSource(Path cacheDir) {
        this.debFolder = cacheDir.resolve("fashion-mnist-deb");
    }

    public Gray28Set.Split load() throws IOException {
        Path dir = locate();
        return new Gray28Set.Split(read(dir, "train"), read(dir, "t10k"));
    }

    /** The folder holding the four IDX files, fetching the package if needed. */
    Path locate() throws IOException {
        if (hasFiles(SYSTEM_DIR)) return SYSTEM_DIR;
        Path unpacked = debFolder.resolve("usr/share/datasets/fashion-mnist");
        if (hasFiles(unpacked)) return unpacked;
        String advice = "install the Debian package " + PACKAGE + " (apt-get install " + PACKAGE + ")";
        Files.createDirectories(debFolder);
        ExternalCommand.run(debFolder, 600, advice, "apt-get", "download", PACKAGE);
        Path deb;
        try (Stream<Path> files = Files.list(debFolder)) {
            deb = files.filter(p -> p.getFileName().toString().endsWith(".deb")).findFirst()
                    .orElseThrow(() -> new IOException("apt-get download left no .deb in " + debFolder + ": " + advice));
        }
        ExternalCommand.run(debFolder, 600, advice, "dpkg-deb", "-x", deb.toString(), debFolder.toString());
        if (!hasFiles(unpacked)) throw new IOException(deb + " has no IDX files in " + unpacked + ": " + advice);
        return unpacked;
    }

    private static boolean hasFiles(Path dir) {
        return Files.isRegularFile(dir.resolve("train-images-idx3-ubyte.gz"))
                && Files.isRegularFile(dir.resolve("t10k-labels-idx1-ubyte.gz"));
    }

    static Gray28Set read(Path dir, String prefix) throws IOException {
        Path imagesFile = dir.resolve(prefix + "-images-idx3-ubyte.gz"), labelsFile = dir.resolve(prefix + "-labels-idx1-ubyte.gz");
        byte[] pixels;
        int[] labels;
        try (DataInputStream in = new DataInputStream(new GZIPInputStream(Files.newInputStream(imagesFile), 1 << 16))) {
            expect(in.readInt(), 0x803, imagesFile, "magic");
            int n = in.readInt();
            expect(in.readInt(), 28, imagesFile, "rows");
            expect(in.readInt(), 28, imagesFile, "columns");
            pixels = in.readNBytes(n * Gray28Set.SIZE);
            if (pixels.length != n * Gray28Set.SIZE) throw new IOException(imagesFile + ": truncated, " + pixels.length + " pixel bytes for " + n + " images");
        }
        try (DataInputStream in = new DataInputStream(new GZIPInputStream(Files.newInputStream(labelsFile), 1 << 16))) {
            expect(in.readInt(), 0x801, labelsFile, "magic");
            int n = in.readInt();
            byte[] raw = in.readNBytes(n);
            if (raw.length != n) throw new IOException(labelsFile + ": truncated, " + raw.length + " of " + n + " labels");
            labels = new int[n];
            for (int i = 0; i < n; i++) {
                labels[i] = raw[i] & 0xff;
                if (labels[i] > 9) throw new IOException(labelsFile + ": label " + labels[i] + " at " + i);
            }
        }
        if (labels.length * Gray28Set.SIZE != pixels.length) {
            throw new IOException(imagesFile + " and " + labelsFile + " disagree on the number of images");
        }
        return new Gray28Set("fashion", CLASSES, pixels, labels);
    }

    private static void expect(int got, int want, Path file, String what) throws IOException {
        if (got != want) throw new IOException(file + ": " + what + " is " + got + ", expected " + want);
    }
}
