package adamerge.opencl;

import org.junit.jupiter.api.Test;

import java.util.List;

import static adamerge.opencl.ClTesting.*;

/** concat and indexSelect on views. */
class MovementKernelsTest {

    private static int[] with(int axis, int len) {
        int[] s = {2, 3, 4};
        s[axis] = len;
        return s;
    }

    @Test
    void concatAlongEveryAxisOfMixedViews() {
        for (int axis = 0; axis < 3; axis++) {
            int ax = axis;
            int[] s2 = with(axis, 2), s3 = with(axis, 3), s1 = with(axis, 1);
            Both contiguous = randn(1 + axis, s2);
            Both transposed = randn(10 + axis, s3[2], s3[1], s3[0]).map(t -> t.permute(2, 1, 0));
            Both broadcast = randn(20 + axis, 1, 1, s1[2]).map(t -> t.expand(s1));
            Both empty = randn(30 + axis, with(axis, 0));
            java.util.List<Both> parts = List.of(contiguous, transposed, empty, broadcast);
            assertMatches(CPU.concat(parts.stream().map(Both::cpu).toList(), ax), cl().concat(parts.stream().map(Both::cl).toList(), ax), 0,
                    "concat along " + axis);
        }
    }

    @Test
    void indexSelectWithRepeatsOnViews() {
        Both x = randn(4, 5, 6, 7);
        int[][] indexSets = {{4, 0, 0, 2}, {1}, {}, {3, 3, 3, 3, 3, 3, 3, 3, 3}};
        for (Both v : new Both[]{x, x.map(t -> t.transpose(0, 2)), x.map(t -> t.slice(1, 1, 5).expand(2, 5, 4, 7).select(0, 1))})
            for (int axis = 0; axis < v.cpu().rank(); axis++)
                for (int[] idx : indexSets) {
                    int ax = axis;
                    int[] in = java.util.Arrays.stream(idx).map(i -> i % v.shape()[ax]).toArray();
                    assertMatches(CPU.indexSelect(v.cpu(), ax, in), cl().indexSelect(v.cl(), ax, in), 0,
                            "indexSelect " + java.util.Arrays.toString(in) + " along " + axis + " of " + java.util.Arrays.toString(v.shape()));
                }
    }
}
