package adamerge.opencl;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The GEMM planner's choices for made-up devices: no OpenCL needed. */
class GemmPlannerTest {
    private static final GemmConfig BIG = new GemmConfig(128, 128, 8, 8, 16);
    /** An H100-like device: 132 compute units, 1024 work-items a group, 48 KiB of local memory. */
    private static final GemmPlanner H100 = new GemmPlanner(132, 1024, 48 << 10);

    @Test
    void residentGroupsMatchTheH100Timings() {
        assertEquals(1, GemmPlanner.residentGroups(BIG));
        assertEquals(4, GemmPlanner.residentGroups(new GemmConfig(64, 64, 8, 8, 16)));
    }

    @Test
    void fewTilesSplitKAndManyTilesDoNot() {
        assertTrue(H100.splitsFor(BIG, 1, 128, 128, 8192) > 1, "one tile, deep K");
        assertEquals(1, H100.splitsFor(BIG, 1, 4096, 4096, 8192), "many tiles");
        assertEquals(1, H100.splitsFor(BIG, 1, 128, 128, 32), "shallow K");
    }

    @Test
    void aSmallProductGetsASmallerTileThatFits() {
        assertEquals(new GemmConfig(64, 64, 4, 4, 16), H100.tileFor(BIG, 1, 50, 50));
        assertEquals(BIG, H100.tileFor(BIG, 1, 1024, 1024));
        GemmPlanner tinyGroups = new GemmPlanner(132, 128, 48 << 10); // 64,64,4,4 needs 256 work-items
        assertEquals(new GemmConfig(32, 32, 4, 4, 16), tinyGroups.tileFor(BIG, 1, 50, 50));
    }

    @Test
    void chunksAreWholeSteps() {
        assertEquals(112, GemmPlanner.chunk(BIG, 1000, 9)); // ceil(1000 / 9) = 112, a multiple of 16
        assertEquals(128, GemmPlanner.chunk(BIG, 1000, 8)); // 125 rounded up to whole steps of 16
    }
}
