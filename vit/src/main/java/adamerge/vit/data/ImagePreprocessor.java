package adamerge.vit.data;

import javax.imageio.IIOException;
import javax.imageio.ImageIO;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.DirectColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CLIP's evaluation preprocessing, bit-exact with PIL + torchvision:
 * <pre>
 *   Image.open(f).convert("RGB")
 *   Resize(S, BICUBIC)      short side -> S, long side -> int(S * long / short)   (PIL Image.resize)
 *   CenterCrop(S)           offset = int(round((side - S) / 2.0)), round half to even
 *   ToTensor()              uint8 / 255
 *   Normalize(mean, std)    CLIP's mean and std
 * </pre>
 * Output is float[3*S*S], channel-major (CHW). The RGB conversion comes first, as in HF's
 * CLIPImageProcessor; OpenAI/open_clip convert after the crop, which differs only for palette and
 * alpha inputs.
 */
public final class ImagePreprocessor {
    public static final float[] CLIP_MEAN = {0.48145466f, 0.4578275f, 0.40821073f};
    public static final float[] CLIP_STD = {0.26862954f, 0.26130258f, 0.27577711f};

    /** An 8-bit RGB image, pixels interleaved row-major: r, g, b of (0,0), then (1,0), ... */
    public record Rgb(int width, int height, byte[] pixels) {
        public Rgb {
            if (pixels.length != 3 * width * height)
                throw new IllegalArgumentException(width + "x" + height + " RGB needs " + 3 * width * height + " bytes, got " + pixels.length);
        }

        int at(int x, int y, int c) {
            return pixels[3 * (y * width + x) + c] & 0xff;
        }
    }

    private final int size;

    public ImagePreprocessor(int size) {
        if (size < 1) throw new IllegalArgumentException("image size must be positive, got " + size);
        this.size = size;
    }

    public int size() {
        return size;
    }

    /** The model input for one image file: normalised CHW float[3*S*S]. */
    public float[] pixels(Path file) throws IOException {
        float[] x = unitPixels(file);
        int plane = size * size;
        for (int c = 0; c < 3; c++)
            for (int i = c * plane; i < (c + 1) * plane; i++) x[i] = (x[i] - CLIP_MEAN[c]) / CLIP_STD[c];
        return x;
    }

    /** Resized and cropped pixels in [0, 1] before normalisation, CHW (ToTensor's output). */
    public float[] unitPixels(Path file) throws IOException {
        Rgb crop = resizeAndCrop(readRgb(file));
        int plane = size * size;
        float[] x = new float[3 * plane];
        for (int i = 0; i < plane; i++)
            for (int c = 0; c < 3; c++) x[c * plane + i] = (crop.pixels[3 * i + c] & 0xff) / 255f;
        return x;
    }

    /** torchvision Resize(S) (shortest side to S) then CenterCrop(S). */
    public Rgb resizeAndCrop(Rgb img) {
        int w = img.width, h = img.height;
        int shortSide = Math.min(w, h), longSide = Math.max(w, h);
        int newLong = (int) ((double) size * longSide / shortSide); // Python int(size * long / short)
        int nw = w <= h ? size : newLong, nh = w <= h ? newLong : size;
        Rgb resized = resize(img, nw, nh);
        int left = (int) Math.rint((nw - size) / 2.0), top = (int) Math.rint((nh - size) / 2.0); // Python round()
        return crop(resized, left, top, size, size);
    }

    static Rgb crop(Rgb img, int left, int top, int w, int h) {
        byte[] out = new byte[3 * w * h];
        for (int y = 0; y < h; y++)
            System.arraycopy(img.pixels, 3 * ((top + y) * img.width + left), out, 3 * y * w, 3 * w);
        return new Rgb(w, h, out);
    }

    // ---- decoding ----

    /**
     * Decodes an image file into 8-bit RGB as PIL's {@code convert("RGB")} does: gray is copied to
     * the three channels, palettes are looked up, alpha is dropped without compositing, 16-bit RGB
     * keeps the high byte, and 16-bit gray is clipped at 255 (PIL reads it as mode "I" and I->RGB
     * clips rather than scales). No colour management: ICC profiles and PNG gamma are ignored.
     */
    public static Rgb readRgb(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new IOException(file + ": no such image file");
        BufferedImage img;
        try {
            img = ImageIO.read(file.toFile());
        } catch (IIOException | RuntimeException e) {
            throw new IOException(file + ": unreadable image (" + e.getMessage() + ")", e);
        }
        if (img == null) throw new IOException(file + ": not an image format Java can decode (PNG, JPEG, BMP, GIF)");
        return toRgb(img);
    }

    static Rgb toRgb(BufferedImage img) {
        int w = img.getWidth(), h = img.getHeight();
        byte[] out = new byte[3 * w * h];
        ColorModel cm = img.getColorModel();
        Raster r = img.getRaster();
        int[] row = null;
        if (cm instanceof IndexColorModel icm) {
            for (int y = 0; y < h; y++) {
                row = r.getSamples(0, y, w, 1, 0, row);
                for (int x = 0, o = 3 * y * w; x < w; x++, o += 3) {
                    int i = row[x];
                    out[o] = (byte) icm.getRed(i);
                    out[o + 1] = (byte) icm.getGreen(i);
                    out[o + 2] = (byte) icm.getBlue(i);
                }
            }
            return new Rgb(w, h, out);
        }
        int type = cm.getColorSpace().getType();
        boolean raw = (cm instanceof ComponentColorModel || cm instanceof DirectColorModel)
                && (type == ColorSpace.TYPE_GRAY || type == ColorSpace.TYPE_RGB);
        int bits = cm.getComponentSize(0);
        if (!raw || (bits != 8 && bits != 16)) {
            // Anything else (e.g. 5-6-5 BMP): let Java convert to sRGB.
            for (int y = 0; y < h; y++)
                for (int x = 0, o = 3 * y * w; x < w; x++, o += 3) {
                    int p = img.getRGB(x, y);
                    out[o] = (byte) (p >> 16);
                    out[o + 1] = (byte) (p >> 8);
                    out[o + 2] = (byte) p;
                }
            return new Rgb(w, h, out);
        }
        // Raw samples: Java's getRGB would apply a linear-to-sRGB curve to gray images; PIL does not.
        boolean gray = type == ColorSpace.TYPE_GRAY;
        int bands = r.getNumBands();
        for (int y = 0; y < h; y++) {
            row = r.getPixels(0, y, w, 1, row);
            for (int x = 0, o = 3 * y * w; x < w; x++, o += 3) {
                int base = x * bands;
                for (int c = 0; c < 3; c++) {
                    int v = row[base + (gray ? 0 : c)];
                    if (bits == 16) v = gray ? Math.min(v, 255) : v >>> 8;
                    out[o + c] = (byte) v;
                }
            }
        }
        return new Rgb(w, h, out);
    }

    // ---- PIL's bicubic resampling (libImaging/Resample.c, 8 bits per channel) ----

    private static final int PRECISION_BITS = 32 - 8 - 2;
    private static final double BICUBIC_SUPPORT = 2.0;

    /** Keys' cubic convolution kernel with a = -0.5 (PIL's bicubic_filter). */
    static double bicubic(double x) {
        final double a = -0.5;
        if (x < 0.0) x = -x;
        if (x < 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
        if (x < 2.0) return (((x - 5) * x + 8) * x - 4) * a;
        return 0.0;
    }

    /**
     * Fixed-point filter taps for resampling {@code inSize} samples to {@code outSize}: output
     * {@code i} reads inputs [bounds[2i], bounds[2i] + bounds[2i+1]) with weights
     * k[i*ksize ..]. Mirrors precompute_coeffs + normalize_coeffs_8bpc, double for double.
     */
    private record Taps(int ksize, int[] bounds, int[] k) {
    }

    private static Taps taps(int inSize, int outSize) {
        double scale = (double) inSize / outSize;
        double filterscale = Math.max(scale, 1.0); // widen the kernel when downsampling (antialias)
        double support = BICUBIC_SUPPORT * filterscale;
        int ksize = (int) Math.ceil(support) * 2 + 1;
        int[] bounds = new int[2 * outSize];
        int[] k = new int[outSize * ksize];
        double[] w = new double[ksize];
        for (int xx = 0; xx < outSize; xx++) {
            double center = (xx + 0.5) * scale;
            double ss = 1.0 / filterscale;
            int xmin = Math.max((int) (center - support + 0.5), 0);
            int xmax = Math.min((int) (center + support + 0.5), inSize) - xmin;
            double ww = 0.0;
            for (int x = 0; x < xmax; x++) {
                w[x] = bicubic((x + xmin - center + 0.5) * ss);
                ww += w[x];
            }
            for (int x = 0; x < xmax; x++) {
                double v = ww != 0.0 ? w[x] / ww : w[x];
                k[xx * ksize + x] = v < 0 ? (int) (-0.5 + v * (1 << PRECISION_BITS)) : (int) (0.5 + v * (1 << PRECISION_BITS));
            }
            bounds[2 * xx] = xmin;
            bounds[2 * xx + 1] = xmax;
        }
        return new Taps(ksize, bounds, k);
    }

    private static int clip8(int v) {
        if (v >= (1 << PRECISION_BITS << 8)) return 255;
        if (v <= 0) return 0;
        return v >> PRECISION_BITS;
    }

    /**
     * PIL's {@code Image.resize((w, h), BICUBIC)} of an RGB image: a horizontal pass, then a
     * vertical one, each rounding and clipping to 8 bits (the intermediate image is 8-bit).
     */
    public static Rgb resize(Rgb in, int w, int h) {
        if (w < 1 || h < 1) throw new IllegalArgumentException("cannot resize to " + w + "x" + h);
        Rgb img = in;
        if (w != img.width) {
            Taps t = taps(img.width, w);
            byte[] out = new byte[3 * w * img.height];
            for (int y = 0; y < img.height; y++)
                for (int xx = 0; xx < w; xx++) {
                    int xmin = t.bounds[2 * xx], n = t.bounds[2 * xx + 1], kb = xx * t.ksize;
                    int s0 = 1 << (PRECISION_BITS - 1), s1 = s0, s2 = s0;
                    for (int x = 0; x < n; x++) {
                        int kv = t.k[kb + x], p = 3 * (y * img.width + xmin + x);
                        s0 += (img.pixels[p] & 0xff) * kv;
                        s1 += (img.pixels[p + 1] & 0xff) * kv;
                        s2 += (img.pixels[p + 2] & 0xff) * kv;
                    }
                    int o = 3 * (y * w + xx);
                    out[o] = (byte) clip8(s0);
                    out[o + 1] = (byte) clip8(s1);
                    out[o + 2] = (byte) clip8(s2);
                }
            img = new Rgb(w, img.height, out);
        }
        if (h != img.height) {
            Taps t = taps(img.height, h);
            byte[] out = new byte[3 * w * h];
            for (int yy = 0; yy < h; yy++) {
                int ymin = t.bounds[2 * yy], n = t.bounds[2 * yy + 1], kb = yy * t.ksize;
                for (int x = 0; x < w; x++) {
                    int s0 = 1 << (PRECISION_BITS - 1), s1 = s0, s2 = s0;
                    for (int y = 0; y < n; y++) {
                        int kv = t.k[kb + y], p = 3 * ((ymin + y) * w + x);
                        s0 += (img.pixels[p] & 0xff) * kv;
                        s1 += (img.pixels[p + 1] & 0xff) * kv;
                        s2 += (img.pixels[p + 2] & 0xff) * kv;
                    }
                    int o = 3 * (yy * w + x);
                    out[o] = (byte) clip8(s0);
                    out[o + 1] = (byte) clip8(s1);
                    out[o + 2] = (byte) clip8(s2);
                }
            }
            img = new Rgb(w, h, out);
        }
        return img;
    }
}
