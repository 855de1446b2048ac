package adamerge.study.data;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * Writes a PNG contact sheet: one row per image set, {@code columns} images per row taken class
 * by class (first image of class 0, of class 1, ..., then the second of each), each enlarged
 * {@code zoom} times with nearest-neighbour pixels and separated by a 2-pixel gray gutter.
 */
public final class SampleGrid {

    private static final int GUTTER = 2;
    private static final int GUTTER_RGB = 0x808080;

    private SampleGrid() {}

    public static void write(List<ImageSet> rows, int columns, int zoom, Path png) throws IOException {
        int cell = ImageSet.SIDE * zoom + GUTTER;
        BufferedImage sheet = new BufferedImage(columns * cell + GUTTER, rows.size() * cell + GUTTER,
                BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < sheet.getHeight(); y++) {
            for (int x = 0; x < sheet.getWidth(); x++) sheet.setRGB(x, y, GUTTER_RGB);
        }
        for (int r = 0; r < rows.size(); r++) {
            ImageSet set = rows.get(r);
            int[] picks = classByClass(set, columns);
            for (int c = 0; c < picks.length; c++) {
                if (picks[c] < 0) continue;
                BufferedImage img = set.toBufferedImage(picks[c]);
                int ox = GUTTER + c * cell, oy = GUTTER + r * cell;
                for (int y = 0; y < ImageSet.SIDE * zoom; y++) {
                    for (int x = 0; x < ImageSet.SIDE * zoom; x++) {
                        sheet.setRGB(ox + x, oy + y, img.getRGB(x / zoom, y / zoom));
                    }
                }
            }
        }
        Path parent = png.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        if (!ImageIO.write(sheet, "png", png.toFile())) {
            throw new IOException("no PNG writer in this JDK for " + png);
        }
    }

    /** Indices of {@code columns} images cycling through the classes; -1 where a class has run out. */
    static int[] classByClass(ImageSet set, int columns) {
        int k = set.numClasses();
        int[] picks = new int[columns];
        int[] seen = new int[k];
        for (int c = 0; c < columns; c++) {
            int cls = c % k, want = seen[cls]++, found = -1;
            for (int i = 0, n = 0; i < set.size(); i++) {
                if (set.labels()[i] == cls && n++ == want) { found = i; break; }
            }
            picks[c] = found;
        }
        return picks;
    }
}
