package adamerge.cli;

import adamerge.output.Figures;
import adamerge.tensor.Tensor;
import adamerge.vit.io.SafetensorsWriter;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Figures on a machine without fonts: child JVMs run with a fontconfig that finds no font (an
 * empty font folder) and a fresh user.home (the JDK caches what fontconfig found in
 * ~/.java/fonts). The control shows that java.awt's drawString fails there ("Fontconfig head is
 * null", as on minimal servers), so the other checks can fail.
 */
class NoSystemFontsTest {
    @TempDir
    static Path dir;

    record Run(int exit, String output) {
    }

    @BeforeAll
    static void hideFonts() throws IOException {
        Files.createDirectories(dir.resolve("no-fonts"));
        Files.createDirectories(dir.resolve("home"));
        Files.writeString(dir.resolve("fonts.conf"), """
                <?xml version="1.0"?>
                <!DOCTYPE fontconfig SYSTEM "fonts.dtd">
                <fontconfig><dir>%s</dir><cachedir>%s</cachedir></fontconfig>
                """.formatted(dir.resolve("no-fonts"), dir.resolve("fc-cache")));
    }

    /** A child JVM without fonts running {@code mainClass args}. */
    static Run runWithoutFonts(String mainClass, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Djava.awt.headless=true",
                "-Duser.home=" + dir.resolve("home"), "-cp", System.getProperty("java.class.path"), mainClass));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("FONTCONFIG_FILE", dir.resolve("fonts.conf").toString());
        pb.environment().put("HOME", dir.resolve("home").toString());
        pb.environment().put("XDG_CACHE_HOME", dir.resolve("home").toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        return new Run(p.waitFor(), out);
    }

    static void assumeFontsHidden() throws Exception {
        Run control = runWithoutFonts(FigureProbe.class.getName(), "awt");
        assumeTrue(control.exit() != 0, "this JVM draws text without fontconfig fonts, so hiding them tests nothing: " + control.output());
        assertTrue(control.output().contains("Fontconfig"), control.output());
    }

    @Test
    void everyFigureIsDrawnWithoutSystemFonts() throws Exception {
        assumeFontsHidden();
        Path figs = Files.createDirectories(dir.resolve("figures"));
        Run r = runWithoutFonts(FigureProbe.class.getName(), "figures", figs.toString());
        assertEquals(0, r.exit(), r.output());
        for (String png : List.of("heatmap.png", "bars.png", "lines.png", "panels.png"))
            assertTrue(Files.size(figs.resolve(png)) > 0, png);
    }

    @Test
    void adaMergingWithLambdasOutWritesEverythingWithoutSystemFonts() throws Exception {
        assumeFontsHidden();
        Map<String, Tensor> f = MergeCommandTest.read(MergeCommandTest.FIXTURES.resolve("adamerging.safetensors"));
        Map<String, Tensor> ft = MergeCommandTest.read(MergeCommandTest.FIXTURES.resolve("adamerging_ft.safetensors"));
        Path in = Files.createDirectories(dir.resolve("inputs"));
        SafetensorsWriter.write(in.resolve("pre.safetensors"), MergeCommandTest.prefixed(f, "pre.", "visual."));
        List<String> args = new ArrayList<>(List.of("merge", "--method", "adamerging-layer", "--steps", "2",
                "--pretrained", in.resolve("pre.safetensors").toString()));
        for (int k = 0; k < 3; k++) {
            SafetensorsWriter.write(in.resolve("task" + k + ".safetensors"), MergeCommandTest.prefixed(ft, "ft" + k + ".", "visual."));
            SafetensorsWriter.write(in.resolve("head" + k + ".safetensors"), Map.of("weight", f.get("head" + k + ".weight")));
            SafetensorsWriter.write(in.resolve("data" + k + ".safetensors"), Map.of("pixel_values", f.get("batch" + k)));
            args.addAll(List.of("--finetuned", in.resolve("task" + k + ".safetensors").toString(), "--head", in.resolve("head" + k + ".safetensors").toString(),
                    "--data", in.resolve("data" + k + ".safetensors").toString()));
        }
        Path out = dir.resolve("merged.safetensors"), lambdas = dir.resolve("L.json"), report = dir.resolve("report.json");
        args.addAll(List.of("--out", out.toString(), "--lambdas-out", lambdas.toString(), "--report", report.toString()));
        Run r = runWithoutFonts(Main.class.getName(), args.toArray(new String[0]));
        assertEquals(0, r.exit(), r.output());
        assertFalse(r.output().contains("warning"), r.output());
        for (Path p : List.of(out, lambdas, report, dir.resolve("L.png"))) assertTrue(Files.size(p) > 0, p.toString());
    }
}
