package adamerge.output;

import adamerge.vit.io.AtomicFile;

import java.awt.AWTError;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.channels.Channels;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * Figures are extras: they are drawn after the results are written, and one that cannot be drawn
 * (no PNG writer, an AWT library missing from a minimal JRE, a full disk) is a one-line warning,
 * never a failed run.
 */
public final class Figures {
    private Figures() {
    }

    /** Draws one figure. */
    @FunctionalInterface
    public interface Drawing {
        void draw() throws Exception;
    }

    /** Runs {@code drawing}; on failure prints one warning line naming {@code png} and returns false. */
    public static boolean drawOrWarn(PrintWriter err, Path png, Drawing drawing) {
        try {
            drawing.draw();
            return true;
        } catch (Exception | LinkageError | AWTError | InternalError e) {
            // LinkageError: libawt or a class of java.desktop missing; InternalError/AWTError: AWT's own failures.
            String why = e.getMessage() != null ? e.getMessage() : e.toString();
            err.println("adamerge: warning: figure " + png + " not drawn (" + why.lines().findFirst().orElse(why) + "); the results are written");
            err.flush();
            return false;
        }
    }

    /** Writes {@code img} as a PNG, atomically ({@link AtomicFile}). */
    public static void writePng(BufferedImage img, Path png) throws IOException {
        AtomicFile.write(png, ch -> {
            if (!ImageIO.write(img, "png", Channels.newOutputStream(ch))) throw new IOException("no PNG writer in this JDK for " + png);
        });
    }
}
