package adamerge.opencl;

/**
 * GEMM tiling: a work-group computes a {@code ts} x {@code ts} block of C with (ts/wpt)^2
 * work-items of {@code wpt} x {@code wpt} outputs each, stepping K by {@link #TSK}.
 */
public record GemmConfig(int ts, int wpt) {
    public static final int TSK = 16;

    public GemmConfig {
        if (ts % wpt != 0 || ts % 4 != 0 || ts <= 0 || wpt <= 0)
            throw new IllegalArgumentException("GEMM tile " + ts + " must be a positive multiple of 4 and of the work per thread " + wpt);
    }

    /** "64,8" as written in the tuning cache and the adamerge.opencl.gemm property. */
    public static GemmConfig parse(String s) {
        String[] p = s.trim().split("\\s*,\\s*");
        if (p.length != 2) throw new IllegalArgumentException("GEMM config '" + s + "' should be TS,WPT, e.g. 64,8");
        return new GemmConfig(Integer.parseInt(p[0]), Integer.parseInt(p[1]));
    }

    String defines() {
        return "-D TS=" + ts + " -D WPT=" + wpt + " -D TSK=" + TSK;
    }

    @Override
    public String toString() {
        return ts + "," + wpt;
    }
}
