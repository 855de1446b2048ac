package adamerge.autograd;

import adamerge.tensor.Tensor;

import java.util.List;
import java.util.Map;

/** SGD with momentum and L2 weight decay, as torch.optim.SGD (no dampening, no Nesterov). */
public final class Sgd extends Optimizer {
    private final float lr, momentum, weightDecay;
    private final Tensor[] buf;

    public Sgd(List<Var> params, float lr, float momentum, float weightDecay) {
        super(params);
        this.lr = lr;
        this.momentum = momentum;
        this.weightDecay = weightDecay;
        this.buf = new Tensor[params.size()];
    }

    @Override
    protected void update(int i, Var p) {
        Tensor g = p.grad();
        if (weightDecay != 0) g = g.add(p.value().mul(weightDecay));
        if (momentum != 0) {
            buf[i] = buf[i] == null ? g : buf[i].mul(momentum).add(g); // first step: buf = g
            g = buf[i];
        }
        p.setValue(p.value().sub(g.mul(lr)));
    }

    @Override
    protected void saveState(Map<String, Tensor> s) {
        for (int i = 0; i < params.size(); i++) if (buf[i] != null) s.put("momentum_buffer." + i, buf[i]);
    }

    @Override
    protected void restoreState(Map<String, Tensor> s) {
        Tensor[] b = restore(s, "momentum_buffer", params.size());
        System.arraycopy(b, 0, buf, 0, buf.length);
    }
}
