package adamerge.tensor.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * A 16 x 16 block of floats transposed in AVX-512 registers, for {@link Sgemm}'s packing of a
 * transposed operand, where the scalar loop reads one float per load and writes one per store.
 * <p>
 * Transposing swaps the bits of the row index with those of the lane index. The four bits can be
 * swapped one at a time, in any order: for bit s, rows i and i + s (bit s of i clear) trade the
 * lanes whose bit s differs from the row's, each new row drawn from both old ones by one
 * two-table permute ({@code selectFrom(v1, v2)}: vpermt2ps). Four such stages, 64 permutes per
 * 256 floats. AVX2 has no two-table permute, and the Vector API's emulation of it measured no
 * faster than the scalar loop, so {@link #PAYS} holds only where the preferred vector has 16 lanes.
 * <p>
 * Sixteen named rows rather than an array: vectors kept in an array would be boxed.
 */
final class Transpose16 {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_512;
    static final int N = 16;
    /** Whether this machine runs the block in registers (AVX-512), rather than emulating it. */
    static final boolean PAYS = FloatVector.SPECIES_PREFERRED.length() == N;
    /**
     * For bit s: KEEP_s selects, from rows (i, i + s) concatenated, the new row i (its own lanes
     * with bit s clear, then the partner's lanes with bit s clear); TAKE_s the new row i + s (the
     * row's lanes with bit s set, then the partner's). Indexes 16-31 name the second table. Fields,
     * not an array: a constant is a receiver of exact class (see {@link SimdBackend#S}).
     */
    private static final FloatVector KEEP_1 = index(1, false), KEEP_2 = index(2, false), KEEP_4 = index(4, false),
            KEEP_8 = index(8, false), TAKE_1 = index(1, true), TAKE_2 = index(2, true), TAKE_4 = index(4, true),
            TAKE_8 = index(8, true);

    private static FloatVector index(int s, boolean take) {
        float[] index = new float[N];
        for (int l = 0; l < N; l++) {
            boolean set = (l & s) != 0;
            index[l] = take ? (set ? N + l : l + s) : (set ? N + l - s : l);
        }
        return FloatVector.fromArray(S, index, 0);
    }

    private Transpose16() {
    }

    /** dst[d0 + j * ldd + i] = src[s0 + i * lds + j] for i, j < 16. */
    static void block(float[] src, int s0, int lds, float[] dst, int d0, int ldd) {
        FloatVector r0 = row(src, s0, lds, 0), r1 = row(src, s0, lds, 1), r2 = row(src, s0, lds, 2), r3 = row(src, s0, lds, 3),
                r4 = row(src, s0, lds, 4), r5 = row(src, s0, lds, 5), r6 = row(src, s0, lds, 6), r7 = row(src, s0, lds, 7),
                r8 = row(src, s0, lds, 8), r9 = row(src, s0, lds, 9), r10 = row(src, s0, lds, 10), r11 = row(src, s0, lds, 11),
                r12 = row(src, s0, lds, 12), r13 = row(src, s0, lds, 13), r14 = row(src, s0, lds, 14), r15 = row(src, s0, lds, 15);
        FloatVector k = KEEP_8, t = TAKE_8; // bit 8: rows i, i + 8
        FloatVector a0 = k.selectFrom(r0, r8), a8 = t.selectFrom(r0, r8), a1 = k.selectFrom(r1, r9), a9 = t.selectFrom(r1, r9),
                a2 = k.selectFrom(r2, r10), a10 = t.selectFrom(r2, r10), a3 = k.selectFrom(r3, r11), a11 = t.selectFrom(r3, r11),
                a4 = k.selectFrom(r4, r12), a12 = t.selectFrom(r4, r12), a5 = k.selectFrom(r5, r13), a13 = t.selectFrom(r5, r13),
                a6 = k.selectFrom(r6, r14), a14 = t.selectFrom(r6, r14), a7 = k.selectFrom(r7, r15), a15 = t.selectFrom(r7, r15);
        k = KEEP_4; // bit 4: rows i, i + 4
        t = TAKE_4;
        FloatVector b0 = k.selectFrom(a0, a4), b4 = t.selectFrom(a0, a4), b1 = k.selectFrom(a1, a5), b5 = t.selectFrom(a1, a5),
                b2 = k.selectFrom(a2, a6), b6 = t.selectFrom(a2, a6), b3 = k.selectFrom(a3, a7), b7 = t.selectFrom(a3, a7),
                b8 = k.selectFrom(a8, a12), b12 = t.selectFrom(a8, a12), b9 = k.selectFrom(a9, a13), b13 = t.selectFrom(a9, a13),
                b10 = k.selectFrom(a10, a14), b14 = t.selectFrom(a10, a14), b11 = k.selectFrom(a11, a15), b15 = t.selectFrom(a11, a15);
        k = KEEP_2; // bit 2: rows i, i + 2
        t = TAKE_2;
        FloatVector c0 = k.selectFrom(b0, b2), c2 = t.selectFrom(b0, b2), c1 = k.selectFrom(b1, b3), c3 = t.selectFrom(b1, b3),
                c4 = k.selectFrom(b4, b6), c6 = t.selectFrom(b4, b6), c5 = k.selectFrom(b5, b7), c7 = t.selectFrom(b5, b7),
                c8 = k.selectFrom(b8, b10), c10 = t.selectFrom(b8, b10), c9 = k.selectFrom(b9, b11), c11 = t.selectFrom(b9, b11),
                c12 = k.selectFrom(b12, b14), c14 = t.selectFrom(b12, b14), c13 = k.selectFrom(b13, b15), c15 = t.selectFrom(b13, b15);
        k = KEEP_1; // bit 1: rows i, i + 1, written out
        t = TAKE_1;
        k.selectFrom(c0, c1).intoArray(dst, d0);
        t.selectFrom(c0, c1).intoArray(dst, d0 + ldd);
        k.selectFrom(c2, c3).intoArray(dst, d0 + 2 * ldd);
        t.selectFrom(c2, c3).intoArray(dst, d0 + 3 * ldd);
        k.selectFrom(c4, c5).intoArray(dst, d0 + 4 * ldd);
        t.selectFrom(c4, c5).intoArray(dst, d0 + 5 * ldd);
        k.selectFrom(c6, c7).intoArray(dst, d0 + 6 * ldd);
        t.selectFrom(c6, c7).intoArray(dst, d0 + 7 * ldd);
        k.selectFrom(c8, c9).intoArray(dst, d0 + 8 * ldd);
        t.selectFrom(c8, c9).intoArray(dst, d0 + 9 * ldd);
        k.selectFrom(c10, c11).intoArray(dst, d0 + 10 * ldd);
        t.selectFrom(c10, c11).intoArray(dst, d0 + 11 * ldd);
        k.selectFrom(c12, c13).intoArray(dst, d0 + 12 * ldd);
        t.selectFrom(c12, c13).intoArray(dst, d0 + 13 * ldd);
        k.selectFrom(c14, c15).intoArray(dst, d0 + 14 * ldd);
        t.selectFrom(c14, c15).intoArray(dst, d0 + 15 * ldd);
    }

    private static FloatVector row(float[] src, int s0, int lds, int i) {
        return FloatVector.fromArray(S, src, s0 + i * lds);
    }

    /**
     * The scalar twin of {@link #block}, for any rows x cols: dst[d0 + j * ldd + i] = src[s0 + i * lds + j]
     * (also the tiles of {@link SimdBackend}'s transposing copy).
     */
    static void scalar(float[] src, int s0, int lds, float[] dst, int d0, int ldd, int rows, int cols) {
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++) dst[d0 + j * ldd + i] = src[s0 + i * lds + j];
    }
}
