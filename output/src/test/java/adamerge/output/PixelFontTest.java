package adamerge.output;

import org.junit.jupiter.api.Test;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;

import static org.junit.jupiter.api.Assertions.*;

class PixelFontTest {
    /** Draws text in black on white and returns the image as rows of '#' (black) and '.' (white). */
    static String[] render(PixelFont font, String text, int w, int h, int x, int baseline) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);
        g.setColor(Color.BLACK);
        font.draw(g, text, x, baseline);
        g.dispose();
        String[] rows = new String[h];
        for (int y = 0; y < h; y++) {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < w; i++) b.append((img.getRGB(i, y) & 0xffffff) == 0 ? '#' : '.');
            rows[y] = b.toString();
        }
        return rows;
    }

    @Test
    void aDigitLandsOnItsPixelsAboveTheBaseline() {
        // '1' is 3 columns once trimmed; its 7 rows end on the row just above the baseline y = 9
        String[] expected = {
                ".......",
                ".......",
                "...#...",
                "..##...",
                "...#...",
                "...#...",
                "...#...",
                "...#...",
                "..###..",
                ".......",
                "......."};
        assertArrayEquals(expected, render(PixelFont.SMALL, "1", 7, 11, 2, 9));
    }

    @Test
    void descendersGoBelowTheBaseline() {
        // 'g': a bowl on rows 2-6 above the baseline y = 8, its tail on the two rows from y = 8 down
        String[] expected = {
                ".......",
                ".......",
                ".......",
                "..####.",
                ".#...#.",
                ".#...#.",
                ".#...#.",
                "..####.",
                ".....#.",
                "..###..",
                "......."};
        assertArrayEquals(expected, render(PixelFont.SMALL, "g", 7, 11, 1, 8));
    }

    @Test
    void scaleTwoDrawsTwoByTwoBlocks() {
        // '.' is rows 5-6, columns 0-1 once trimmed: a 4x4 block at scale 2, ending at the baseline
        String[] rows = render(PixelFont.LABEL, ".", 6, 16, 1, 14);
        for (int y = 0; y < 16; y++) assertEquals(y >= 10 && y < 14 ? ".####." : "......", rows[y], "row " + y);
    }

    @Test
    void widthsAreProportionalWithOneColumnBetweenGlyphs() {
        assertEquals(0, PixelFont.SMALL.width(""));
        assertEquals(3 + 1 + 3, PixelFont.SMALL.width("11"));
        assertEquals(5 + 1 + 3 + 5, PixelFont.SMALL.width("A A"));
        assertEquals(2 * (3 + 1 + 3), PixelFont.LABEL.width("11"));
        assertEquals(2 * (4 + 1 + 4), PixelFont.TITLE.width("11")); // bold inks one more column per glyph
        assertEquals(14, PixelFont.LABEL.ascent());
        assertEquals(4, PixelFont.LABEL.descent());
    }

    @Test
    void everyPrintableAsciiCharacterAndTheStudysGreekHaveAGlyph() {
        for (char c = 32; c < 127; c++) assertTrue(PixelFont.has(c), "'" + c + "'");
        for (char c : "λρ±×".toCharArray()) assertTrue(PixelFont.has(c), "'" + c + "'");
        assertFalse(PixelFont.has('€'));
    }

    @Test
    void aCharacterWithoutGlyphIsAHollowBox() {
        String[] rows = render(PixelFont.SMALL, "€", 7, 9, 1, 8);
        assertEquals(".......", rows[0]);
        assertEquals(".#####.", rows[1]);
        for (int y = 2; y <= 6; y++) assertEquals(".#...#.", rows[y], "row " + y);
        assertEquals(".#####.", rows[7]);
        assertEquals(".......", rows[8]);
    }
}
