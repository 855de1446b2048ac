package adamerge.tensor;

/**
 * The backward of layer normalisation composed from primitive tensor ops, the default of
 * {@link Backend#layerNormBackward} (the OpenCL backend runs it); the CPU backends have a fused
 * row kernel. Per row of W values, with xhat = (x - mean) rstd and rstd = 1 / sqrt(var + eps):
 * <pre>
 *   dgamma = sum over rows of g xhat,   dbeta = sum over rows of g,
 *   dx = rstd (dxhat - mean(dxhat) - xhat mean(dxhat xhat)),   dxhat = g gamma
 * </pre>
 */
public final class ComposedLayerNorm {
    private ComposedLayerNorm() {
    }

    public static LayerNormGradients backward(Tensor x, Tensor gamma, Tensor g, float eps) {
        int w = x.dim(-1);
        Tensor xc = x.sub(x.mean(-1, true));
        Tensor rstd = xc.mul(xc).mean(-1, true).add(eps).sqrt().pow(-1f);
        Tensor xhat = xc.mul(rstd);
        Tensor g2 = g.reshape(-1, w);
        Tensor dgamma = g2.mul(xhat.reshape(-1, w)).sum(0, false);
        Tensor dbeta = g2.sum(0, false);
        Tensor dxhat = g.mul(gamma.reshape(w));
        Tensor dx = dxhat.sub(dxhat.mean(-1, true)).sub(xhat.mul(dxhat.mul(xhat).mean(-1, true))).mul(rstd);
        return new LayerNormGradients(dx, dgamma, dbeta);
    }
}
