package adamerge.opencl;

import java.util.List;

/**
 * Which tiling and how many K splits a product gets on a device. The tuned tiling
 * ({@link GemmTuner}) suits large products; a product that the tuned tile pads badly gets a
 * smaller one, and a product of too few tiles to fill the device has its K range split.
 * -Dadamerge.opencl.smallTiles=false turns both off, -Dadamerge.opencl.splitK=S forces S splits
 * (1: never split).
 */
final class GemmPlanner {
    private static final boolean SMALL_TILES = !"false".equals(System.getProperty("adamerge.opencl.smallTiles"));
    private static final int FORCED_SPLITS = Integer.getInteger("adamerge.opencl.splitK", 0), MAX_SPLITS = 16;
    /** Smaller tilings considered for products that the tuned tile pads badly. */
    static final List<GemmConfig> SMALLER = List.of(new GemmConfig(64, 64, 4, 4, 16), new GemmConfig(32, 32, 4, 4, 16));

    /** A product's tiling and the number of ranges its K is split into. */
    record Plan(GemmConfig tiling, int splits) {
    }

    private final int computeUnits;
    private final long maxGroup, localMemBytes;

    GemmPlanner(int computeUnits, long maxGroup, long localMemBytes) {
        this.computeUnits = computeUnits;
        this.maxGroup = maxGroup;
        this.localMemBytes = localMemBytes;
    }

    /** The tiling and splits for a [nb, m, k] x [nb, k, n] product, given the tuned tiling. */
    Plan plan(GemmConfig tuned, int nb, int m, int n, int k) {
        GemmConfig cfg = SMALL_TILES ? tileFor(tuned, nb, m, n) : tuned;
        int splits = FORCED_SPLITS > 0 ? FORCED_SPLITS : SMALL_TILES ? splitsFor(cfg, nb, m, n, k) : 1;
        return new Plan(cfg, splits);
    }

    /** Configurations this device can run: work-group and local-memory limits. */
    boolean fits(GemmConfig c) {
        return c.threads() <= maxGroup && c.localBytes() <= localMemBytes;
    }

    /**
     * The tuned tiling, or a smaller one of {@link #SMALLER} when the tuned tile pads the m x n
     * output so much that the smaller tile's lower efficiency costs less (attention products).
     */
    GemmConfig tileFor(GemmConfig tuned, int nb, int m, int n) {
        GemmConfig best = tuned;
        double bestCost = tuned.paddedArea(m, n);
        for (GemmConfig c : SMALLER) {
            if ((long) c.bm() * c.bn() >= (long) tuned.bm() * tuned.bn() || !fits(c)) continue;
            double cost = c.paddedArea(m, n) * Math.sqrt((double) tuned.bm() * tuned.bn() / ((double) c.bm() * c.bn())) / 1.4;
            if (cost < bestCost) {
                bestCost = cost;
                best = c;
            }
        }
        return best;
    }

    /**
     * Split-K for products of too few tiles to fill the device: the split count minimising
     * waves x depth per split (a wave is every compute unit running its resident work-groups), with
     * a small charge per split for writing and summing the partial products.
     */
    int splitsFor(GemmConfig cfg, int nb, int m, int n, int k) {
        long tiles = (long) nb * Math.ceilDiv(m, cfg.bm()) * Math.ceilDiv(n, cfg.bn());
        long slots = (long) computeUnits * residentGroups(cfg);
        if (tiles >= 4 * slots || k < 4 * cfg.bk()) return 1; // several waves: the last one's idle tail is small
        int best = 1;
        double bestCost = ((tiles + slots - 1) / slots) * (k + 64.0); // 64: a group's fixed start-up and write-back, in units of depth
        for (int s = 2; s <= MAX_SPLITS; s++) {
            int chunk = chunk(cfg, k, s);
            if (chunk < 8 * cfg.bk()) break;
            int used = Math.ceilDiv(k, chunk);
            double cost = ((tiles * used + slots - 1) / slots) * (chunk + 64.0) * (1.04 + 0.02 * used);
            if (cost < bestCost) {
                bestCost = cost;
                best = used;
            }
        }
        return best;
    }

    /** The depth of each K range when k is split about {@code splits} ways: whole bk steps. */
    static int chunk(GemmConfig cfg, int k, int splits) {
        return Math.ceilDiv(Math.ceilDiv(k, splits), cfg.bk()) * cfg.bk();
    }

    /**
     * Work-groups of this tiling a compute unit holds at once, estimated for an NVIDIA SM: 64K
     * registers at about 24 + 2 tm tn a work-item, 72 KiB of local memory, 2048 work-items (on
     * the H100: 1 group of 128,128,8,8; 4 of 64,64,8,8, which is what its split-K timings show).
     */
    static int residentGroups(GemmConfig c) {
        long byRegs = 65536L / ((long) c.threads() * (24 + 2L * c.tm() * c.tn()));
        long byLocal = 73728L / c.localBytes(), byItems = 2048L / c.threads();
        return (int) Math.max(1, Math.min(Math.min(byRegs, byLocal), Math.min(byItems, 8)));
    }
}
