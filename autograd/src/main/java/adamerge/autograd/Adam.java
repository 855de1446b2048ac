package adamerge.autograd;

import adamerge.tensor.Tensor;

import java.util.List;
import java.util.Map;

/**
 * Adam with bias correction exactly as torch.optim.Adam (L2 weight decay added to the gradient),
 * or AdamW (decoupled decay, torch.optim.AdamW) when {@code decoupled}:
 * <pre>
 *   g = grad (+ wd * p)                          m = b1 m + (1 - b1) g
 *   v = b2 v + (1 - b2) g^2                      p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)
 * </pre>
 */
public final class Adam extends Optimizer {
    private final float beta1, beta2, eps, weightDecay;
    private final boolean decoupled;
    private float lr;
    private final Tensor[] m, v;

    public Adam(List<Var> params, float lr, float beta1, float beta2, float eps, float weightDecay, boolean decoupled) {
        super(params);
        this.lr = lr;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
        this.decoupled = decoupled;
        this.m = new Tensor[params.size()];
        this.v = new Tensor[params.size()];
    }

    /** PyTorch's defaults: betas (0.9, 0.999), eps 1e-8, no weight decay. */
    public Adam(List<Var> params, float lr) {
        this(params, lr, 0.9f, 0.999f, 1e-8f, 0f, false);
    }

    public void setLearningRate(float lr) {
        this.lr = lr;
    }

    public float learningRate() {
        return lr;
    }

    @Override
    protected void update(int i, Var p) {
        Tensor theta = p.value(), g = p.grad();
        if (weightDecay != 0 && decoupled) theta = theta.mul(1 - lr * weightDecay);
        else if (weightDecay != 0) g = g.add(theta.mul(weightDecay));
        m[i] = m[i] == null ? g.mul(1 - beta1) : m[i].mul(beta1).add(g.mul(1 - beta1));
        v[i] = v[i] == null ? g.mul(g).mul(1 - beta2) : v[i].mul(beta2).add(g.mul(g).mul(1 - beta2));
        double bc1 = 1 - Math.pow(beta1, step), bc2 = 1 - Math.pow(beta2, step);
        Tensor denom = v[i].sqrt().div((float) Math.sqrt(bc2)).add(eps);
        p.setValue(theta.sub(m[i].div(denom).mul((float) (lr / bc1))));
    }

    @Override
    protected void saveState(Map<String, Tensor> s) {
        for (int i = 0; i < params.size(); i++) {
            if (m[i] != null) s.put("exp_avg." + i, m[i]);
            if (v[i] != null) s.put("exp_avg_sq." + i, v[i]);
        }
    }

    @Override
    protected void restoreState(Map<String, Tensor> s) {
        Tensor[] mm = restore(s, "exp_avg", params.size()), vv = restore(s, "exp_avg_sq", params.size());
        System.arraycopy(mm, 0, m, 0, m.length);
        System.arraycopy(vv, 0, v, 0, v.length);
    }
}
