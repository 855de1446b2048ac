package adamerge.output;

import java.awt.Graphics2D;
import java.awt.geom.Rectangle2D;
import java.util.HashMap;
import java.util.Map;

/**
 * Text for the figures, drawn as filled squares from a 5x7 bitmap font of our own, so that a
 * PNG needs no system font: java.awt's {@code drawString} asks fontconfig for fonts and throws
 * ("Fontconfig head is null") on minimal servers and containers that have none. The squares go
 * through the Graphics2D transform, so rotated labels work as with {@code drawString}.
 *
 * <p>Each glyph is 5 columns; rows 0-6 stand on the baseline (row 6 is the bottom of a capital),
 * rows 7-8 are descenders. Glyphs are proportional: the advance is the glyph's inked width plus
 * one column of space. A character without a glyph is drawn as a hollow box.
 */
public final class PixelFont {
    /** Tick labels and values on bars: one screen pixel per font pixel. */
    public static final PixelFont SMALL = new PixelFont(1, false);
    /** Axis labels, legends, names: two screen pixels per font pixel. */
    public static final PixelFont LABEL = new PixelFont(2, false);
    /** Titles: LABEL, emboldened by inking each pixel's right neighbour too. */
    public static final PixelFont TITLE = new PixelFont(2, true);

    private static final int ASCENT_ROWS = 7, DESCENT_ROWS = 2, SPACE_ADVANCE = 3;

    /** A glyph's rows as 5-bit masks (bit 4 = leftmost column), trimmed to its inked columns. */
    private record Glyph(int[] rows, int first, int width) {
        boolean on(int row, int col) {
            return row < rows.length && (rows[row] >> (4 - first - col) & 1) != 0;
        }
    }

    private static final Map<Integer, Glyph> GLYPHS = new HashMap<>();
    private static final Glyph MISSING = parse("##### #...# #...# #...# #...# #...# #####");

    private final int scale;
    private final boolean bold;

    public PixelFont(int scale, boolean bold) {
        if (scale < 1) throw new IllegalArgumentException("font scale must be at least 1, not " + scale);
        this.scale = scale;
        this.bold = bold;
    }

    /** Pixels from the baseline to the top of a capital. */
    public int ascent() {
        return ASCENT_ROWS * scale;
    }

    /** Pixels below the baseline that descenders (g, p, y, comma) reach. */
    public int descent() {
        return DESCENT_ROWS * scale;
    }

    /** Width in pixels of the inked text, without trailing space. */
    public int width(String text) {
        int cols = 0;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            cols += advance(cp);
        }
        return Math.max(0, cols - 1) * scale;
    }

    /** Draws {@code text} with its baseline at {@code y} and its left edge at {@code x} (as drawString), in g's colour. */
    public void draw(Graphics2D g, String text, double x, double y) {
        double top = y - ascent();
        Rectangle2D.Double run = new Rectangle2D.Double();
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            if (cp != ' ') {
                Glyph gl = glyph(cp);
                int w = gl.width() + (bold ? 1 : 0);
                for (int r = 0; r < ASCENT_ROWS + DESCENT_ROWS; r++) {
                    // one rectangle per horizontal run of inked pixels, fewer fills than pixel by pixel
                    int c = 0;
                    while (c < w) {
                        if (!inked(gl, r, c)) {
                            c++;
                            continue;
                        }
                        int start = c;
                        while (c < w && inked(gl, r, c)) c++;
                        run.setRect(x + start * scale, top + r * scale, (c - start) * scale, scale);
                        g.fill(run);
                    }
                }
            }
            x += advance(cp) * scale;
        }
    }

    private boolean inked(Glyph gl, int row, int col) {
        return (col < gl.width() && gl.on(row, col)) || (bold && col > 0 && col - 1 < gl.width() && gl.on(row, col - 1));
    }

    private int advance(int cp) {
        return cp == ' ' ? SPACE_ADVANCE : glyph(cp).width() + 1 + (bold ? 1 : 0);
    }

    private static Glyph glyph(int cp) {
        return GLYPHS.getOrDefault(cp, MISSING);
    }

    /** Whether the font has a glyph for this character (others draw as a box). */
    public static boolean has(int codePoint) {
        return codePoint == ' ' || GLYPHS.containsKey(codePoint);
    }

    /** Parses rows written as '#' (ink) and '.' (blank), separated by spaces, and trims blank columns on both sides. */
    private static Glyph parse(String picture) {
        String[] lines = picture.trim().split(" +");
        int[] rows = new int[lines.length];
        int used = 0;
        for (int r = 0; r < lines.length; r++) {
            if (lines[r].length() != 5) throw new IllegalStateException("glyph row '" + lines[r] + "' is not 5 columns");
            for (int c = 0; c < 5; c++) if (lines[r].charAt(c) == '#') rows[r] |= 1 << (4 - c);
            used |= rows[r];
        }
        if (used == 0) throw new IllegalStateException("blank glyph " + picture);
        int first = Integer.numberOfLeadingZeros(used) - 27, last = 4 - Integer.numberOfTrailingZeros(used);
        return new Glyph(rows, first, last - first + 1);
    }

    private static void put(char c, String picture) {
        GLYPHS.put((int) c, parse(picture));
    }

    static {
        put('0', ".###. #...# #..## #.#.# ##..# #...# .###.");
        put('1', "..#.. .##.. ..#.. ..#.. ..#.. ..#.. .###.");
        put('2', ".###. #...# ....# ...#. ..#.. .#... #####");
        put('3', "##### ...#. ..#.. ...#. ....# #...# .###.");
        put('4', "...#. ..##. .#.#. #..#. ##### ...#. ...#.");
        put('5', "##### #.... ####. ....# ....# #...# .###.");
        put('6', "..##. .#... #.... ####. #...# #...# .###.");
        put('7', "##### ....# ...#. ..#.. .#... .#... .#...");
        put('8', ".###. #...# #...# .###. #...# #...# .###.");
        put('9', ".###. #...# #...# .#### ....# ...#. .##..");

        put('A', ".###. #...# #...# ##### #...# #...# #...#");
        put('B', "####. #...# #...# ####. #...# #...# ####.");
        put('C', ".###. #...# #.... #.... #.... #...# .###.");
        put('D', "###.. #..#. #...# #...# #...# #..#. ###..");
        put('E', "##### #.... #.... ####. #.... #.... #####");
        put('F', "##### #.... #.... ####. #.... #.... #....");
        put('G', ".###. #...# #.... #.### #...# #...# .####");
        put('H', "#...# #...# #...# ##### #...# #...# #...#");
        put('I', ".###. ..#.. ..#.. ..#.. ..#.. ..#.. .###.");
        put('J', "..### ...#. ...#. ...#. ...#. #..#. .##..");
        put('K', "#...# #..#. #.#.. ##... #.#.. #..#. #...#");
        put('L', "#.... #.... #.... #.... #.... #.... #####");
        put('M', "#...# ##.## #.#.# #.#.# #...# #...# #...#");
        put('N', "#...# #...# ##..# #.#.# #..## #...# #...#");
        put('O', ".###. #...# #...# #...# #...# #...# .###.");
        put('P', "####. #...# #...# ####. #.... #.... #....");
        put('Q', ".###. #...# #...# #...# #.#.# #..#. .##.#");
        put('R', "####. #...# #...# ####. #.#.. #..#. #...#");
        put('S', ".#### #.... #.... .###. ....# ....# ####.");
        put('T', "##### ..#.. ..#.. ..#.. ..#.. ..#.. ..#..");
        put('U', "#...# #...# #...# #...# #...# #...# .###.");
        put('V', "#...# #...# #...# #...# #...# .#.#. ..#..");
        put('W', "#...# #...# #...# #.#.# #.#.# #.#.# .#.#.");
        put('X', "#...# #...# .#.#. ..#.. .#.#. #...# #...#");
        put('Y', "#...# #...# .#.#. ..#.. ..#.. ..#.. ..#..");
        put('Z', "##### ....# ...#. ..#.. .#... #.... #####");

        put('a', "..... ..... .###. ....# .#### #...# .####");
        put('b', "#.... #.... #.##. ##..# #...# #...# ####.");
        put('c', "..... ..... .###. #.... #.... #...# .###.");
        put('d', "....# ....# .##.# #..## #...# #...# .####");
        put('e', "..... ..... .###. #...# ##### #.... .###.");
        put('f', "..##. .#..# .#... ###.. .#... .#... .#...");
        put('g', "..... ..... .#### #...# #...# #...# .#### ....# .###.");
        put('h', "#.... #.... #.##. ##..# #...# #...# #...#");
        put('i', "..#.. ..... .##.. ..#.. ..#.. ..#.. .###.");
        put('j', "...#. ..... ..##. ...#. ...#. ...#. ...#. #..#. .##..");
        put('k', "#.... #.... #..#. #.#.. ##... #.#.. #..#.");
        put('l', ".##.. ..#.. ..#.. ..#.. ..#.. ..#.. .###.");
        put('m', "..... ..... ##.#. #.#.# #.#.# #.#.# #.#.#");
        put('n', "..... ..... #.##. ##..# #...# #...# #...#");
        put('o', "..... ..... .###. #...# #...# #...# .###.");
        put('p', "..... ..... ####. #...# #...# #...# ####. #.... #....");
        put('q', "..... ..... .#### #...# #...# #...# .#### ....# ....#");
        put('r', "..... ..... #.##. ##..# #.... #.... #....");
        put('s', "..... ..... .###. #.... .###. ....# ####.");
        put('t', ".#... .#... ###.. .#... .#... .#..# ..##.");
        put('u', "..... ..... #...# #...# #...# #..## .##.#");
        put('v', "..... ..... #...# #...# #...# .#.#. ..#..");
        put('w', "..... ..... #...# #...# #.#.# #.#.# .#.#.");
        put('x', "..... ..... #...# .#.#. ..#.. .#.#. #...#");
        put('y', "..... ..... #...# #...# #...# #...# .#### ....# .###.");
        put('z', "..... ..... ##### ...#. ..#.. .#... #####");

        put('!', "..#.. ..#.. ..#.. ..#.. ..#.. ..... ..#..");
        put('"', ".#.#. .#.#. .#.#.");
        put('#', ".#.#. .#.#. ##### .#.#. ##### .#.#. .#.#.");
        put('$', "..#.. .#### #.#.. .###. ..#.# ####. ..#..");
        put('%', "##... ##..# ...#. ..#.. .#... #..## ...##");
        put('&', ".##.. #..#. #.#.. .#... #.#.# #..#. .##.#");
        put('\'', "..#.. ..#.. .#...");
        put('(', "...#. ..#.. .#... .#... .#... ..#.. ...#.");
        put(')', ".#... ..#.. ...#. ...#. ...#. ..#.. .#...");
        put('*', "..... ..#.. #.#.# .###. #.#.# ..#.. .....");
        put('+', "..... ..#.. ..#.. ##### ..#.. ..#.. .....");
        put(',', "..... ..... ..... ..... ..... .##.. ..#.. .#...");
        put('-', "..... ..... ..... ##### ..... ..... .....");
        put('.', "..... ..... ..... ..... ..... .##.. .##..");
        put('/', "..... ....# ...#. ..#.. .#... #.... .....");
        put(':', "..... .##.. .##.. ..... .##.. .##.. .....");
        put(';', "..... .##.. .##.. ..... .##.. ..#.. .#...");
        put('<', "...#. ..#.. .#... #.... .#... ..#.. ...#.");
        put('=', "..... ..... ##### ..... ##### ..... .....");
        put('>', ".#... ..#.. ...#. ....# ...#. ..#.. .#...");
        put('?', ".###. #...# ....# ...#. ..#.. ..... ..#..");
        put('@', ".###. #...# ....# .##.# #.#.# #.#.# .###.");
        put('[', ".###. .#... .#... .#... .#... .#... .###.");
        put('\\', "..... #.... .#... ..#.. ...#. ....# .....");
        put(']', ".###. ...#. ...#. ...#. ...#. ...#. .###.");
        put('^', "..#.. .#.#. #...#");
        put('_', "..... ..... ..... ..... ..... ..... ..... #####");
        put('`', ".#... ..#.. ...#.");
        put('{', "...#. ..#.. ..#.. .#... ..#.. ..#.. ...#.");
        put('|', "..#.. ..#.. ..#.. ..#.. ..#.. ..#.. ..#..");
        put('}', ".#... ..#.. ..#.. ...#. ..#.. ..#.. .#...");
        put('~', "..... ..... .#... #.#.# ...#. ..... .....");

        // The few non-ASCII characters the figures use (Greek symbols of the paper, signs).
        put('\u03bb', "#.... .#... .#... ..#.. .#.#. #...# #...#"); // lambda
        put('\u03c1', "..... ..... .###. #...# #...# #...# ####. #.... #...."); // rho
        put('\u03c4', "..... ..... ##### ..#.. ..#.. ..#.. ...##"); // tau
        put('\u03b8', ".###. #...# #...# ##### #...# #...# .###."); // theta
        put('\u03b1', "..... ..... .##.# #..#. #..#. #..#. .##.#"); // alpha
        put('\u03c3', "..... ..... .#### #..#. #...# #...# .###."); // sigma
        put('\u00b1', "..#.. ..#.. ##### ..#.. ..#.. ..... #####"); // plus-minus
        put('\u00d7', "..... #...# .#.#. ..#.. .#.#. #...# ....."); // times
        put('\u00b0', ".##.. #..#. .##.."); // degree
        put('\u2013', "..... ..... ..... ##### ..... ..... ....."); // en dash
        put('\u2014', "..... ..... ..... ##### ..... ..... ....."); // em dash
    }
}
