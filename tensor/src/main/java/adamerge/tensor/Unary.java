package adamerge.tensor;

/** Elementwise one-input ops. The *_GRAD entries are derivatives, used by backward rules. */
public enum Unary {
    NEG, EXP, LOG, SQRT, TANH, SIGMOID, ABS, SIGN, RELU,
    /** Exact GELU, 0.5 x (1 + erf(x / sqrt 2)), as torch.nn.GELU(). */
    GELU,
    /** x * sigmoid(1.702 x), OpenAI CLIP's activation. */
    QUICK_GELU,
    /** d GELU / dx = Phi(x) + x phi(x). */
    GELU_GRAD,
    /** d QuickGELU / dx = s + 1.702 x s (1 - s), s = sigmoid(1.702 x). */
    QUICK_GELU_GRAD;

    private static final double SQRT1_2 = Math.sqrt(0.5);
    private static final double INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

    /** The reference definition every backend is tested against. */
    public float apply(float x) {
        return switch (this) {
            case NEG -> -x;
            case EXP -> (float) Math.exp(x);
            case LOG -> (float) Math.log(x);
            case SQRT -> (float) Math.sqrt(x);
            case TANH -> (float) Math.tanh(x);
            case SIGMOID -> (float) (1 / (1 + Math.exp(-x)));
            case ABS -> Math.abs(x);
            case SIGN -> Math.signum(x);
            case RELU -> x > 0 ? x : 0f;
            case GELU -> (float) (0.5 * x * (1 + erf(x * SQRT1_2)));
            case QUICK_GELU -> (float) (x / (1 + Math.exp(-1.702 * x)));
            case GELU_GRAD -> (float) (0.5 * (1 + erf(x * SQRT1_2)) + x * INV_SQRT_2PI * Math.exp(-0.5 * x * x));
            case QUICK_GELU_GRAD -> {
                double s = 1 / (1 + Math.exp(-1.702 * x));
                yield (float) (s + 1.702 * x * s * (1 - s));
            }
        };
    }

    /** Error function from the Chebyshev-fitted erfc of Numerical Recipes: |error| < 1.2e-7, below float32 resolution. */
    public static double erf(double x) {
        double z = Math.abs(x);
        double t = 1 / (1 + 0.5 * z);
        double r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418
                + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587
                + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? 1 - r : r - 1;
    }
}
