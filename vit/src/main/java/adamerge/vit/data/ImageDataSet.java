package adamerge.vit.data;

import adamerge.tensor.Tensor;
import adamerge.tensor.cpu.MappedStorage;
import adamerge.vit.io.SafetensorsReader;
import com.google.gson.JsonArray;
import com.google.gson.JsonParser;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Images for the encoder, from one of three sources:
 * <ul>
 *   <li>a folder of class folders ({@code root/<class>/.../img.png}, torchvision ImageFolder):
 *       labels index the sorted class names, images sorted by path within each class;</li>
 *   <li>a flat folder of images (unlabeled), sorted by name;</li>
 *   <li>a .safetensors file with {@code pixel_values} [N,3,S,S] (already preprocessed, any float
 *       dtype) and optional integer {@code labels} [N]; metadata {@code class_names} (a JSON list)
 *       names the classes. The file is mmapped; batches copy only the rows they need.</li>
 * </ul>
 * Image files (png, jpg, jpeg, bmp, gif) are decoded and preprocessed lazily, per batch, with a
 * small cache; hidden files and other extensions are skipped.
 */
public final class ImageDataSet {
    private static final List<String> EXTENSIONS = List.of(".png", ".jpg", ".jpeg", ".bmp", ".gif");
    private static final int CACHE_IMAGES = 256;

    private final Path source;
    private final int imageSize;
    private final int[] labels;          // null when unlabeled
    private final List<String> classNames;
    private final List<Path> files;      // image files, or null for a safetensors data set
    private final Tensor pixelValues;    // [N,3,S,S] mapped, or null for image files
    private final float[] inMemory;      // [N,3,S,S] row-major for a set made in memory, else null
    private final ImagePreprocessor preprocessor;
    private final Map<Integer, float[]> cache = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Integer, float[]> eldest) {
            return size() > CACHE_IMAGES;
        }
    };

    private ImageDataSet(Path source, int imageSize, int[] labels, List<String> classNames, List<Path> files, Tensor pixelValues) {
        this(source, imageSize, labels, classNames, files, pixelValues, null);
    }

    private ImageDataSet(Path source, int imageSize, int[] labels, List<String> classNames, List<Path> files, Tensor pixelValues, float[] inMemory) {
        this.source = source;
        this.imageSize = imageSize;
        this.labels = labels;
        this.classNames = List.copyOf(classNames);
        this.files = files;
        this.pixelValues = pixelValues;
        this.inMemory = inMemory;
        this.preprocessor = new ImagePreprocessor(imageSize);
    }

    /**
     * A data set of images already in memory: {@code pixelValues} [N, 3, S, S], preprocessed as
     * the model expects them, with optional {@code labels} [N] (null when unlabeled) naming the
     * classes in {@code classNames}. {@code name} stands for the source in messages.
     */
    public static ImageDataSet of(String name, Tensor pixelValues, int[] labels, List<String> classNames) {
        int[] shape = pixelValues.shape();
        if (shape.length != 4 || shape[1] != 3 || shape[2] != shape[3])
            throw new IllegalArgumentException(name + ": images must be [N, 3, S, S], got " + java.util.Arrays.toString(shape));
        if (labels != null && labels.length != shape[0])
            throw new IllegalArgumentException(name + ": " + labels.length + " labels for " + shape[0] + " images");
        return new ImageDataSet(Path.of(name), shape[2], labels == null ? null : labels.clone(), classNames, null, null, pixelValues.toArray());
    }

    /**
     * Opens a data set for a model that takes {@code imageSize} x {@code imageSize} images: a
     * folder of class folders, a flat folder of images, or a .safetensors file (see the class doc).
     */
    public static ImageDataSet open(Path path, int imageSize) throws IOException {
        if (!Files.exists(path)) throw new IOException(path + ": no such file or folder");
        if (Files.isDirectory(path)) return openFolder(path, imageSize);
        return openSafetensors(path, imageSize);
    }

    private static ImageDataSet openFolder(Path dir, int imageSize) throws IOException {
        List<Path> classDirs = new ArrayList<>(), images = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.sorted(Comparator.comparing(p -> p.getFileName().toString())).toList()) {
                if (hidden(p)) continue;
                if (Files.isDirectory(p)) classDirs.add(p);
                else if (isImage(p)) images.add(p);
            }
        }
        if (!classDirs.isEmpty() && !images.isEmpty())
            throw new IOException(dir + ": holds both images (" + images.get(0).getFileName() + ", ...) and class folders ("
                    + classDirs.get(0).getFileName() + ", ...); use one layout: root/<class>/<image> or root/<image>");
        if (!images.isEmpty()) return new ImageDataSet(dir, imageSize, null, List.of(), images, null);
        if (classDirs.isEmpty()) throw new IOException(dir + ": empty folder (no images and no class folders)");

        List<String> names = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        for (int c = 0; c < classDirs.size(); c++) {
            Path cd = classDirs.get(c);
            List<Path> found;
            try (Stream<Path> s = Files.walk(cd)) {
                // sorted(os.walk) then sorted(fnames), as ImageFolder orders them
                found = s.filter(p -> Files.isRegularFile(p) && isImage(p) && !hiddenBelow(cd, p))
                        .sorted(Comparator.comparing((Path p) -> p.getParent().toString()).thenComparing(p -> p.getFileName().toString()))
                        .toList();
            }
            if (found.isEmpty()) throw new IOException(cd + ": class folder holds no images (" + String.join(", ", EXTENSIONS) + ")");
            names.add(cd.getFileName().toString());
            for (Path p : found) {
                images.add(p);
                labels.add(c);
            }
        }
        return new ImageDataSet(dir, imageSize, labels.stream().mapToInt(Integer::intValue).toArray(), names, images, null);
    }

    private static ImageDataSet openSafetensors(Path file, int imageSize) throws IOException {
        if (!file.getFileName().toString().endsWith(".safetensors"))
            throw new IOException(file + ": not a data set (expected a folder of images or a .safetensors file with pixel_values)");
        // An automatic arena: the mapping lives as long as the tensor views do.
        SafetensorsReader r = SafetensorsReader.open(file, Arena.ofAuto());
        if (!r.contains("pixel_values"))
            throw new IOException(file + ": no 'pixel_values' tensor (found " + r.names() + ")");
        if (!r.isFloat("pixel_values"))
            throw new IOException(file + ": 'pixel_values' is " + r.entry("pixel_values").dtype() + ", expected a float type (F32)");
        long[] shape = r.entry("pixel_values").shape();
        if (shape.length != 4 || shape[1] != 3 || shape[2] != imageSize || shape[3] != imageSize)
            throw new IOException(file + ": pixel_values has shape " + Arrays.toString(shape) + " but the model takes [N, 3, "
                    + imageSize + ", " + imageSize + "]");
        if (shape[0] == 0) throw new IOException(file + ": pixel_values holds no images (shape " + Arrays.toString(shape) + ")");
        Tensor pixels = r.tensor("pixel_values");
        int n = pixels.dim(0);
        int[] labels = null;
        if (r.contains("labels")) {
            if (r.isFloat("labels"))
                throw new IOException(file + ": 'labels' is " + r.entry("labels").dtype() + ", expected integers (I64 or I32)");
            long[] l = r.longs("labels");
            if (r.entry("labels").shape().length != 1 || l.length != n)
                throw new IOException(file + ": labels has shape " + Arrays.toString(r.entry("labels").shape()) + " but pixel_values holds "
                        + n + " images; expected [" + n + "]");
            labels = new int[n];
            for (int i = 0; i < n; i++) {
                if (l[i] < 0 || l[i] > Integer.MAX_VALUE)
                    throw new IOException(file + ": labels[" + i + "] = " + l[i] + " is not a class index");
                labels[i] = (int) l[i];
            }
        }
        List<String> names = new ArrayList<>();
        String json = r.metadata().get("class_names");
        if (json != null) {
            try {
                JsonArray a = JsonParser.parseString(json).getAsJsonArray();
                for (var e : a) names.add(e.getAsString());
            } catch (RuntimeException e) {
                throw new IOException(file + ": metadata class_names is not a JSON list of strings: " + json);
            }
        }
        return new ImageDataSet(file, imageSize, labels, names, null, pixels);
    }

    private static boolean hidden(Path p) {
        return p.getFileName().toString().startsWith(".");
    }

    private static boolean hiddenBelow(Path root, Path p) {
        for (Path part : root.relativize(p)) if (part.toString().startsWith(".")) return true;
        return false;
    }

    private static boolean isImage(Path p) {
        String name = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return EXTENSIONS.stream().anyMatch(name::endsWith);
    }

    /** The folder or file this data set was opened from. */
    public Path source() {
        return source;
    }

    public int size() {
        return labels != null ? labels.length : files != null ? files.size() : inMemory != null ? inMemory.length / (3 * imageSize * imageSize) : pixelValues.dim(0);
    }

    public int imageSize() {
        return imageSize;
    }

    public boolean hasLabels() {
        return labels != null;
    }

    /** Class index per image; fails for an unlabeled data set. */
    public int[] labels() {
        if (labels == null) throw new IllegalStateException(source + " has no labels (a flat image folder, or a safetensors file without 'labels')");
        return labels.clone();
    }

    /** Class names by index (folder names), or empty when the source does not name them. */
    public List<String> classNames() {
        return classNames;
    }

    /** The image file behind index {@code i}, or null for a safetensors data set. */
    public Path file(int i) {
        return files == null ? null : files.get(i);
    }

    /**
     * Preprocessed images [n, 3, S, S] for the given indices. An image file that cannot be decoded
     * raises an {@link UncheckedIOException} naming it.
     */
    public Tensor batch(int[] indices) {
        int plane = 3 * imageSize * imageSize;
        float[] out = new float[indices.length * plane];
        for (int j = 0; j < indices.length; j++) {
            int i = indices[j];
            if (i < 0 || i >= size()) throw new IndexOutOfBoundsException("image " + i + " of a data set of " + size() + " (" + source + ")");
            if (inMemory != null) System.arraycopy(inMemory, i * plane, out, j * plane, plane);
            else if (pixelValues != null && pixelValues.storage() instanceof MappedStorage m) m.read(i * plane, out, j * plane, plane);
            else if (pixelValues != null) System.arraycopy(pixelValues.slice(0, i, i + 1).toArray(), 0, out, j * plane, plane);
            else System.arraycopy(image(i), 0, out, j * plane, plane);
        }
        return Tensor.of(out, indices.length, 3, imageSize, imageSize);
    }

    /** Images [from, to). */
    public Tensor batch(int from, int to) {
        int[] idx = new int[to - from];
        for (int i = 0; i < idx.length; i++) idx[i] = from + i;
        return batch(idx);
    }

    private float[] image(int i) {
        synchronized (cache) {
            float[] x = cache.get(i);
            if (x != null) return x;
        }
        float[] x;
        try {
            x = preprocessor.pixels(files.get(i));
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
        synchronized (cache) {
            cache.put(i, x);
        }
        return x;
    }
}
