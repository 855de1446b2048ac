package adamerge.study.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;

import static org.junit.jupiter.api.Assertions.*;

class SampleGridTest {

    @Test
    void writesOneRowPerSetWithClassByClassColumns(@TempDir Path dir) throws IOException {
        ImageSet a = DemoTasks.synthetic("gtsrb-like").generate(30, 1), b = DemoTasks.synthetic("sun-like").generate(30, 1);
        Path png = dir.resolve("grid.png");
        SampleGrid.write(List.of(a, b), 12, 2, png);
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(12 * 66 + 2, img.getWidth());
        assertEquals(2 * 66 + 2, img.getHeight());
        int[] picks = SampleGrid.classByClass(a, 12);
        for (int c = 0; c < 12; c++) assertEquals(c % 10, a.labels()[picks[c]]);
        assertEquals(a.toBufferedImage(picks[3]).getRGB(7, 9), img.getRGB(2 + 3 * 66 + 14, 2 + 18));
    }
}
