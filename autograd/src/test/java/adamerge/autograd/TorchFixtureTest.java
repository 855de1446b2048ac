package adamerge.autograd;

import adamerge.tensor.Tensor;
import adamerge.tensor.cpu.HeapStorage;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

/**
 * An MLP, a CLIP attention block and optimiser trajectories against PyTorch
 * (fixtures from scripts/fixtures/make_autograd_fixtures.py), 1e-5 relative.
 */
class TorchFixtureTest {
    static final Path DIR = Path.of("src/test/resources/fixtures");

    /**
     * A minimal safetensors reader for the fixtures (the real one lives in the vit module, which
     * depends on this one): F32 and I64 entries of a small file.
     */
    static Map<String, Tensor> read(String file) throws IOException {
        try (Arena arena = Arena.ofConfined(); FileChannel ch = FileChannel.open(DIR.resolve(file), StandardOpenOption.READ)) {
            MemorySegment seg = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
            long n = seg.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0);
            String header = new String(seg.asSlice(8, n).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
            Matcher m = Pattern.compile("\"([^\"]+)\":\\{\"dtype\":\"(\\w+)\",\"shape\":\\[([0-9, ]*)\\],\"data_offsets\":\\[(\\d+), ?(\\d+)\\]\\}")
                    .matcher(header.replace(" ", ""));
            Map<String, Tensor> out = new LinkedHashMap<>();
            while (m.find()) {
                String[] dims = m.group(3).isEmpty() ? new String[0] : m.group(3).split(",");
                int[] shape = new int[dims.length];
                for (int i = 0; i < dims.length; i++) shape[i] = Integer.parseInt(dims[i]);
                long begin = 8 + n + Long.parseLong(m.group(4));
                int count = (int) ((Long.parseLong(m.group(5)) - Long.parseLong(m.group(4))) / (m.group(2).equals("F32") ? 4 : 8));
                float[] data = new float[count];
                for (int i = 0; i < count; i++)
                    data[i] = m.group(2).equals("F32")
                            ? seg.get(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), begin + 4L * i)
                            : seg.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), begin + 8L * i);
                out.put(m.group(1), new Tensor(new HeapStorage(data), shape));
            }
            assertFalse(out.isEmpty(), "no tensors parsed from " + file);
            return out;
        }
    }

    static void assertClose(Tensor expected, Tensor actual, double rtol, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what);
        float[] e = expected.toArray(), a = actual.toArray();
        double scale = 1e-30;
        for (float v : e) scale = Math.max(scale, Math.abs(v));
        for (int i = 0; i < e.length; i++)
            assertEquals(e[i], a[i], rtol * scale, what + " at " + i);
    }

    static int[] labels(Tensor t) {
        float[] f = t.toArray();
        int[] l = new int[f.length];
        for (int i = 0; i < f.length; i++) l[i] = (int) f[i];
        return l;
    }

    static final List<String> MLP_PARAMS = List.of("fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias");

    static Var mlpLoss(Map<String, Var> p, Var x, int[] labels) {
        Var h = x.matmul(p.get("fc1.weight").t()).add(p.get("fc1.bias")).gelu();
        Var z = h.matmul(p.get("fc2.weight").t()).add(p.get("fc2.bias"));
        return Losses.crossEntropy(z, labels);
    }

    static Map<String, Var> params(Map<String, Tensor> f, List<String> names) {
        Map<String, Var> p = new LinkedHashMap<>();
        for (String n : names) p.put(n, Var.param(f.get(n)));
        return p;
    }

    @Test
    void mlpLossAndGradients() throws IOException {
        Map<String, Tensor> f = read("mlp.safetensors");
        Map<String, Var> p = params(f, MLP_PARAMS);
        Var x = Var.param(f.get("x"));
        Var loss = mlpLoss(p, x, labels(f.get("labels")));
        assertClose(f.get("loss"), loss.value().reshape(), 1e-5, "loss");
        loss.backward();
        for (String n : MLP_PARAMS) assertClose(f.get("grad." + n), p.get(n).grad(), 1e-5, "grad " + n);
        assertClose(f.get("grad.x"), x.grad(), 1e-5, "grad x");
    }

    @Test
    void adamAndSgdTrajectories() throws IOException {
        Map<String, Tensor> f = read("mlp.safetensors");
        for (String opt : List.of("adam", "sgd")) {
            Map<String, Var> p = params(f, MLP_PARAMS);
            List<Var> list = List.copyOf(p.values());
            Optimizer o = opt.equals("adam") ? new Adam(list, 0.01f, 0.9f, 0.999f, 1e-8f, 0.01f, false) : new Sgd(list, 0.1f, 0.9f, 0f);
            Var x = Var.constant(f.get("x"));
            for (int s = 1; s <= 3; s++) {
                o.zeroGrad();
                Var loss = mlpLoss(p, x, labels(f.get("labels")));
                assertClose(f.get(opt + ".step" + s + ".loss"), loss.value().reshape(), 1e-5, opt + " loss " + s);
                loss.backward();
                o.step();
                for (String n : MLP_PARAMS) assertClose(f.get(opt + ".step" + s + "." + n), p.get(n).value(), 1e-5, opt + " step " + s + " " + n);
            }
        }
    }

    @Test
    void optimizerStateResumesExactly() throws IOException {
        Map<String, Tensor> f = read("mlp.safetensors");
        Map<String, Var> a = params(f, MLP_PARAMS), b = params(f, MLP_PARAMS);
        Adam oa = new Adam(List.copyOf(a.values()), 0.01f);
        Var x = Var.constant(f.get("x"));
        int[] y = labels(f.get("labels"));
        for (int s = 0; s < 2; s++) {
            oa.zeroGrad();
            mlpLoss(a, x, y).backward();
            oa.step();
        }
        // b resumes from a's parameters and state, then both take one more step
        b.forEach((n, v) -> v.setValue(a.get(n).value()));
        Adam ob = new Adam(List.copyOf(b.values()), 0.01f);
        ob.loadState(oa.state());
        for (Map<String, Var> m : List.of(a, b)) {
            Optimizer o = m == a ? oa : ob;
            o.zeroGrad();
            mlpLoss(m, x, y).backward();
            o.step();
        }
        for (String n : MLP_PARAMS) assertArrayEquals(a.get(n).value().toArray(), b.get(n).value().toArray(), n);
        assertEquals(3, ob.stepCount());
    }

    @Test
    void clipAttentionBlock() throws IOException {
        Map<String, Tensor> f = read("attention_block.safetensors");
        List<String> names = List.of("ln_1.weight", "ln_1.bias", "attn.in_proj_weight", "attn.in_proj_bias", "attn.out_proj.weight",
                "attn.out_proj.bias", "ln_2.weight", "ln_2.bias", "mlp.c_fc.weight", "mlp.c_fc.bias", "mlp.c_proj.weight", "mlp.c_proj.bias");
        Map<String, Var> p = params(f, names);
        Var x = Var.param(f.get("x"));
        int b = 2, t = 5, w = 16, heads = 2, d = 8;

        Var h = x.layerNorm(p.get("ln_1.weight"), p.get("ln_1.bias"), 1e-5f);
        Var qkv = h.matmul(p.get("attn.in_proj_weight").t()).add(p.get("attn.in_proj_bias"));
        Var q = qkv.slice(2, 0, w).reshape(b, t, heads, d).permute(0, 2, 1, 3).mul((float) (1 / Math.sqrt(d)));
        Var k = qkv.slice(2, w, 2 * w).reshape(b, t, heads, d).permute(0, 2, 1, 3);
        Var v = qkv.slice(2, 2 * w, 3 * w).reshape(b, t, heads, d).permute(0, 2, 1, 3);
        Var o = q.matmul(k.t()).softmax(-1).matmul(v).permute(0, 2, 1, 3).reshape(b, t, w);
        Var out = x.add(o.matmul(p.get("attn.out_proj.weight").t()).add(p.get("attn.out_proj.bias")));
        Var m = out.layerNorm(p.get("ln_2.weight"), p.get("ln_2.bias"), 1e-5f);
        m = m.matmul(p.get("mlp.c_fc.weight").t()).add(p.get("mlp.c_fc.bias")).quickGelu();
        out = out.add(m.matmul(p.get("mlp.c_proj.weight").t()).add(p.get("mlp.c_proj.bias")));

        assertClose(f.get("out"), out.value(), 1e-5, "out");
        Var loss = out.mul(Var.constant(f.get("r"))).sum();
        assertClose(f.get("loss"), loss.value().reshape(), 1e-5, "loss");
        loss.backward();
        for (String n : names) assertClose(f.get("grad." + n), p.get(n).grad(), 1e-5, "grad " + n);
        assertClose(f.get("grad.x"), x.grad(), 1e-5, "grad x");
    }
}
