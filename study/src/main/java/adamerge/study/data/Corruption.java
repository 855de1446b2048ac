package adamerge.study.data;

/**
 * The seven corruptions of AdaMerging's robustness study (its Table 5), with the CIFAR-10-C
 * parameter sets of Hendrycks &amp; Dietterich (ICLR 2019), severity 1..5; the implementations
 * are in {@link Corruptions}.
 */
public enum Corruption {
    /** x + N(0, sigma^2) per value, sigma {.04, .06, .08, .09, .10}. */
    GAUSSIAN_NOISE("gaussian-noise"),
    /** Salt and pepper on each value independently, amount {.01, .02, .03, .05, .07}. */
    IMPULSE_NOISE("impulse-noise"),
    /** One-sided Gaussian line kernel, (radius, sigma) {(6,1), (6,1.5), (6,2), (8,2), (9,2.5)}, angle in +-45 degrees. */
    MOTION_BLUR("motion-blur"),
    /** (x - mean) * c + mean per channel, c {.75, .5, .4, .3, .15}. */
    CONTRAST("contrast"),
    /** JPEG round trip through javax.imageio, quality {80, 65, 58, 50, 40}. */
    JPEG("jpeg"),
    /** Box-filter down to 32*c pixels and nearest-neighbour back up, c {.95, .9, .85, .75, .65}. */
    PIXELATE("pixelate"),
    /** Water (severity 1-3) or mud (4-5) splashes, simplified from CIFAR-10-C's spatter. */
    SPATTER("spatter");

    public static final int DEFAULT_SEVERITY = 3;

    private final String id;

    Corruption(String id) {
        this.id = id;
    }

    /** Command-line name, e.g. {@code motion-blur}. */
    public String id() {
        return id;
    }

    public static Corruption byId(String id) {
        for (Corruption c : values()) if (c.id.equals(id)) return c;
        throw new IllegalArgumentException("unknown corruption '" + id + "'; known: gaussian-noise, impulse-noise, "
                + "motion-blur, contrast, jpeg, pixelate, spatter");
    }

    /** Corrupts one 32x32 CHW image (not modified) into a new array. */
    public float[] apply(float[] chw, int severity, long seed) {
        return Corruptions.apply(this, chw, severity, seed);
    }
}
