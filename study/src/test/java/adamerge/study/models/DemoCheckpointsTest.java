package adamerge.study.models;

import adamerge.study.data.DemoTasks;
import adamerge.tensor.Tensor;
import adamerge.vit.ClassificationHead;
import adamerge.vit.ClipCheckpoint;
import adamerge.vit.VitConfig;
import adamerge.vit.data.ImageDataSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** The whole build on a tiny recipe: two synthetic tasks, a few images, one epoch per phase. */
class DemoCheckpointsTest {

    @TempDir
    Path tmp;

    @Test
    void buildsEveryFileThenSkipsThemAll() throws Exception {
        Path dir = tmp.resolve("models"), exports = tmp.resolve("exports");
        DemoCheckpoints dc = new DemoCheckpoints(Recipe.SMOKE, new DemoTasks(tmp.resolve("cache")), exports);
        DemoCheckpoints.Report first = dc.ensure(dir, false, null);

        List<String> files = new ArrayList<>(List.of("config.json", "pretrained.safetensors", "mtl.safetensors"));
        for (String t : Recipe.SMOKE.tasks()) {
            files.add("heads/" + t + ".safetensors");
            files.add("finetuned/" + t + ".safetensors");
        }
        for (String f : files) assertTrue(Files.isRegularFile(dir.resolve(f)), f);
        for (String t : Recipe.SMOKE.tasks())
            for (String s : List.of("train", "test")) assertTrue(Files.isRegularFile(dc.export(t, s)), t + " " + s);
        assertEquals(files.size() + 4, first.built().size(), first.built().toString());
        assertTrue(first.skipped().isEmpty(), first.skipped().toString());
        assertTrue(first.seconds().keySet().containsAll(List.of("data", "pretrain", "heads", "finetune", "mtl")), first.seconds().toString());

        assertEquals(Recipe.SMOKE.config(), VitConfig.fromHuggingFace(dir.resolve("config.json")));
        ClipCheckpoint pre = ClipCheckpoint.load(dir.resolve("pretrained.safetensors"), null);
        assertEquals(ClipCheckpoint.Convention.OPEN_CLIP, pre.convention());
        assertTrue(pre.sourceNames().getFirst().startsWith("visual."));
        ClipCheckpoint ft = ClipCheckpoint.load(DemoCheckpoints.finetunedFile(dir, "solids"), null); // config from metadata
        assertEquals(Recipe.SMOKE.config(), ft.config());
        ImageDataSet test = ImageDataSet.open(dc.export("solids", "test"), 32);
        assertEquals(10, test.size());
        assertEquals(10, test.classNames().size());

        long stamp = Files.getLastModifiedTime(dir.resolve("mtl.safetensors")).toMillis();
        DemoCheckpoints.Report second = dc.ensure(dir, false, null);
        assertTrue(second.built().isEmpty(), second.built().toString());
        assertEquals(files.size(), second.skipped().size(), second.skipped().toString());
        assertTrue(second.seconds().isEmpty(), second.seconds().toString());
        assertEquals(stamp, Files.getLastModifiedTime(dir.resolve("mtl.safetensors")).toMillis());
    }

    @Test
    void aConfigOfAnotherShapeIsRefused() throws Exception {
        Path dir = tmp.resolve("models");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("config.json"), DemoModel.CONFIG.toHuggingFaceJson());
        DemoCheckpoints dc = new DemoCheckpoints(Recipe.SMOKE, new DemoTasks(tmp.resolve("cache")), tmp.resolve("exports"));
        var e = assertThrows(java.io.IOException.class, () -> dc.ensure(dir, false, null));
        assertTrue(e.getMessage().contains("config.json"), e.getMessage());
    }
}
