package adamerge.opencl;

/**
 * GEMM tiling: a work-group computes a {@code bm} x {@code bn} block of C with
 * (bm/tm) x (bn/tn) work-items of {@code tm} x {@code tn} outputs each, stepping K by {@code bk}.
 * Written "bm,bn,tm,tn,bk" (e.g. "128,128,8,8,16") in the tuning cache and in the
 * {@code adamerge.opencl.gemm} property; the older "TS,WPT" means TS,TS,WPT,WPT,16.
 */
public record GemmConfig(int bm, int bn, int tm, int tn, int bk) {

    public GemmConfig {
        if (bm <= 0 || bn <= 0 || tm <= 0 || tn <= 0 || bk <= 0 || tm % 4 != 0 || tn % 4 != 0 || bk % 4 != 0
                || bm % tm != 0 || bn % tn != 0)
            throw new IllegalArgumentException("GEMM tiling " + bm + "," + bn + "," + tm + "," + tn + "," + bk
                    + ": the work per item (tm, tn) and the depth bk must be positive multiples of 4, and divide the tile (bm, bn)");
    }

    /** A square tile of ts x ts with wpt x wpt outputs per work-item, 16 deep. */
    public GemmConfig(int ts, int wpt) {
        this(ts, ts, wpt, wpt, 16);
    }

    public static GemmConfig parse(String s) {
        String[] p = s.trim().split("\\s*,\\s*");
        try {
            if (p.length == 2) return new GemmConfig(Integer.parseInt(p[0]), Integer.parseInt(p[1]));
            if (p.length == 5)
                return new GemmConfig(Integer.parseInt(p[0]), Integer.parseInt(p[1]), Integer.parseInt(p[2]), Integer.parseInt(p[3]), Integer.parseInt(p[4]));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("GEMM config '" + s + "' should be BM,BN,TM,TN,BK, e.g. 128,128,8,8,16", e);
        }
        throw new IllegalArgumentException("GEMM config '" + s + "' should be BM,BN,TM,TN,BK, e.g. 128,128,8,8,16");
    }

    /** Work-items per work-group. */
    public int threads() {
        return (bm / tm) * (bn / tn);
    }

    /** Local memory of a work-group: two buffers of a bk-deep slice of A and of B, rows padded by 4 floats. */
    public long localBytes() {
        return 2L * bk * (bm + 4 + bn + 4) * 4;
    }

    /** Padded output area (in tiles' elements) of an m x n product. */
    long paddedArea(int m, int n) {
        return (long) ((m + bm - 1) / bm) * bm * ((long) (n + bn - 1) / bn) * bn;
    }

    String defines(boolean aRowMajor, boolean bRowMajor) {
        return "-D BM=" + bm + " -D BN=" + bn + " -D TM=" + tm + " -D TN=" + tn + " -D BK=" + bk
                + " -D A_RM=" + (aRowMajor ? 1 : 0) + " -D B_RM=" + (bRowMajor ? 1 : 0);
    }

    @Override
    public String toString() {
        return bm + "," + bn + "," + tm + "," + tn + "," + bk;
    }
}
