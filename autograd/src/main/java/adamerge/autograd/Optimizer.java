package adamerge.autograd;

import adamerge.tensor.Tensor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Updates a list of leaf vars from their gradients. State (moments, step count) can be saved and
 * restored by name so a run can resume exactly.
 */
public abstract class Optimizer {
    protected final List<Var> params;
    protected int step;

    protected Optimizer(List<Var> params) {
        this.params = new ArrayList<>(params);
    }

    /** One update from the current gradients; params without a gradient are left alone. */
    public void step() {
        step++;
        for (int i = 0; i < params.size(); i++) {
            Var p = params.get(i);
            if (p.grad() != null) update(i, p);
        }
    }

    protected abstract void update(int index, Var p);

    public void zeroGrad() {
        for (Var p : params) p.zeroGrad();
    }

    public int stepCount() {
        return step;
    }

    /** Per-parameter state tensors, keyed "{kind}.{index}", plus "step". */
    public Map<String, Tensor> state() {
        Map<String, Tensor> s = new LinkedHashMap<>();
        s.put("step", Tensor.scalar(step));
        saveState(s);
        return s;
    }

    public void loadState(Map<String, Tensor> s) {
        Tensor st = s.get("step");
        if (st == null) throw new IllegalArgumentException("optimizer state has no 'step' entry");
        step = (int) st.item();
        restoreState(s);
    }

    protected abstract void saveState(Map<String, Tensor> s);

    protected abstract void restoreState(Map<String, Tensor> s);

    protected static Tensor[] restore(Map<String, Tensor> s, String kind, int n) {
        Tensor[] out = new Tensor[n];
        for (int i = 0; i < n; i++) out[i] = s.get(kind + "." + i);
        return out;
    }
}
