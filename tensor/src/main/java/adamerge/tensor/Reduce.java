package adamerge.tensor;

/** Reductions along one axis. Mean is composed (sum / n) in {@link Tensor}. */
public enum Reduce {
    SUM, MAX
}
