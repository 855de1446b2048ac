package adamerge.output;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Merging coefficients as JSON, {@code {"layers": [...], "tasks": [...], "lambdas": [[...]]}} with
 * one row per layer, and as a heatmap PNG (tasks x layers, like the paper's Figure 4).
 */
public final class Coefficients {
    private Coefficients() {
    }

    /** The coefficients as JSON; the heatmap is drawn separately ({@link #heatmapBeside}), after the results are written. */
    public static void write(Path json, List<String> layers, List<String> tasks, float[][] lambdas) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("layers", layers);
        m.put("tasks", tasks);
        m.put("lambdas", lambdas);
        Json.writeAtomically(json, m);
    }

    /** Draws the heatmap beside the JSON ({@code L.json} -> {@code L.png}); a failure is a warning on {@code err}, never fatal. */
    public static void heatmapBeside(Path json, List<String> layers, List<String> tasks, float[][] lambdas, PrintWriter err) {
        String name = json.getFileName().toString();
        Path png = json.resolveSibling((name.endsWith(".json") ? name.substring(0, name.length() - 5) : name) + ".png");
        Figures.drawOrWarn(err, png, () -> heatmap(png, layers, tasks, lambdas));
    }

    /** Reads coefficients written by {@link #write}; rows and tasks must match the model being merged. */
    public static float[][] read(Path json, List<String> layers, List<String> tasks) throws IOException {
        JsonObject o;
        try {
            o = JsonParser.parseString(Files.readString(json)).getAsJsonObject();
        } catch (RuntimeException e) {
            throw new IOException(json + ": not a coefficients JSON object (" + e.getMessage() + ")");
        }
        JsonArray rows = o.getAsJsonArray("lambdas");
        if (rows == null) throw new IOException(json + ": no \"lambdas\" array");
        if (rows.size() != layers.size())
            throw new IOException(json + ": " + rows.size() + " rows of coefficients but this merge has " + layers.size() + " layers");
        float[][] out = new float[rows.size()][];
        for (int r = 0; r < rows.size(); r++) {
            JsonArray row = rows.get(r).getAsJsonArray();
            if (row.size() != tasks.size())
                throw new IOException(json + ": row " + r + " has " + row.size() + " coefficients but this merge has " + tasks.size() + " tasks");
            out[r] = new float[row.size()];
            for (int k = 0; k < row.size(); k++) {
                out[r][k] = row.get(k).getAsFloat();
                if (!Float.isFinite(out[r][k])) throw new IOException(json + ": coefficient [" + r + "][" + k + "] is " + out[r][k]);
            }
        }
        return out;
    }

    /** Tasks down, layers across; white = 0, dark blue = the largest coefficient. Text in {@link PixelFont}: no system fonts needed. */
    public static void heatmap(Path png, List<String> layers, List<String> tasks, float[][] lambdas) throws IOException {
        PixelFont font = PixelFont.LABEL;
        int widest = 0;
        for (String t : tasks) widest = Math.max(widest, font.width(t));
        int cell = Math.max(4, Math.min(24, 1200 / Math.max(1, layers.size()))), left = Math.max(110, widest + 12), top = 30, rowH = 22;
        String title = String.format(Locale.ROOT, "AdaMerging coefficients (%d layers; darkest = %.3f)", layers.size(), maxOf(lambdas));
        int w = Math.max(left + cell * layers.size() + 70, left + font.width(title) + 10), h = top + rowH * tasks.size() + 40;
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);
        float max = maxOf(lambdas);
        for (int k = 0; k < tasks.size(); k++) {
            g.setColor(Color.BLACK);
            font.draw(g, tasks.get(k), 4, top + k * rowH + 15);
            for (int j = 0; j < layers.size(); j++) {
                float t = Math.max(0, Math.min(1, lambdas[j][k] / max));
                g.setColor(new Color(1 - 0.85f * t, 1 - 0.6f * t, 1 - 0.2f * t));
                g.fillRect(left + j * cell, top + k * rowH, cell, rowH - 2);
            }
        }
        g.setColor(Color.BLACK);
        font.draw(g, title, left, 20);
        font.draw(g, "layer 0", left, top + rowH * tasks.size() + 18);
        String last = "layer " + (layers.size() - 1);
        font.draw(g, last, Math.max(left + font.width("layer 0") + 12, left + cell * layers.size() - font.width(last)), top + rowH * tasks.size() + 18);
        // Colour bar: 0 (bottom, white) to the largest coefficient (top).
        int barX = left + cell * layers.size() + 14, barH = rowH * tasks.size() - 2;
        for (int y = 0; y < barH; y++) {
            float t = 1 - (float) y / Math.max(1, barH - 1);
            g.setColor(new Color(1 - 0.85f * t, 1 - 0.6f * t, 1 - 0.2f * t));
            g.drawLine(barX, top + y, barX + 12, top + y);
        }
        g.setColor(Color.BLACK);
        g.drawRect(barX, top, 12, barH);
        font.draw(g, String.format(Locale.ROOT, "%.2f", max), barX + 16, top + font.ascent());
        font.draw(g, "0", barX + 16, top + barH);
        g.dispose();
        Figures.writePng(img, png);
    }

    private static float maxOf(float[][] lambdas) {
        float max = 1e-6f;
        for (float[] row : lambdas) for (float v : row) max = Math.max(max, v);
        return max;
    }
}
