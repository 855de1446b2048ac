package adamerge.autograd;

import adamerge.tensor.Tensor;
import adamerge.tensor.cpu.HeapStorage;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Compares analytic gradients with central finite differences. The function's output is reduced
 * to L = sum(out * r) with a fixed random r; L is accumulated in double precision on the host
 * from the float32 forward, and each input element is perturbed by +-h in its own storage slot,
 * so strided (transposed, sliced) inputs stay strided.
 */
public final class GradCheck {
    private GradCheck() {
    }

    /** The largest mismatch found, for the message of a failing check. */
    public record Result(boolean ok, String worst) {
    }

    public static Result check(Function<List<Var>, Var> f, List<Tensor> inputs, double h, double atol, double rtol) {
        List<Var> vars = new ArrayList<>();
        for (Tensor t : inputs) vars.add(Var.param(t));
        Var out = f.apply(vars);
        Tensor r = Tensor.randn(12345, out.shape());
        out.mul(Var.constant(r)).sum().backward();
        float[] rr = r.toArray();

        double worstExcess = 0;
        String worst = "all within tolerance";
        for (int i = 0; i < inputs.size(); i++) {
            Tensor x = inputs.get(i);
            Tensor analytic = vars.get(i).grad();
            float[] ga = analytic == null ? new float[x.numel()] : analytic.toArray();
            float[] base = x.storage() instanceof HeapStorage hs ? hs.data : null;
            if (base == null) throw new IllegalArgumentException("gradcheck needs heap tensors");
            int[] offsets = adamerge.tensor.cpu.ScalarBackend.offsets(x);
            for (int e = 0; e < offsets.length; e++) {
                double lp = lossWith(f, inputs, i, base, offsets[e], +h, x, rr);
                double lm = lossWith(f, inputs, i, base, offsets[e], -h, x, rr);
                double numeric = (lp - lm) / (2 * h);
                double diff = Math.abs(numeric - ga[e]);
                double excess = diff - (atol + rtol * Math.max(Math.abs(numeric), Math.abs(ga[e])));
                if (excess > worstExcess) {
                    worstExcess = excess;
                    worst = "input " + i + " element " + e + ": analytic " + ga[e] + " vs numeric " + numeric;
                }
            }
        }
        return new Result(worstExcess <= 0, worst);
    }

    private static double lossWith(Function<List<Var>, Var> f, List<Tensor> inputs, int which, float[] base, int slot,
                                   double h, Tensor x, float[] r) {
        float[] perturbed = base.clone();
        perturbed[slot] += (float) h;
        List<Var> vars = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) {
            Tensor t = inputs.get(i);
            vars.add(Var.constant(i == which ? new Tensor(new HeapStorage(perturbed), x.shape(), x.strides(), x.offset()) : t));
        }
        float[] out;
        try (NoGrad ignored = NoGrad.enter()) {
            out = f.apply(vars).value().toArray();
        }
        double l = 0;
        for (int k = 0; k < out.length; k++) l += (double) out[k] * r[k];
        return l;
    }
}
