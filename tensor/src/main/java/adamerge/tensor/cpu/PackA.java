package adamerge.tensor.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link Sgemm}'s packing of A into micro-panels of MR rows: panel t holds, for each p of the
 * block, the MR values A[ic + t MR + r, pc + p] side by side at {@code dst[at + t MR kc + p MR + r]},
 * rows past mc zero, so that the micro-kernel broadcasts them in order. {@link #pack} fills whole
 * panels with whole vectors where that pays, and leaves the rest to its scalar twin {@link #scalar}:
 * <ul>
 * <li><b>A transposed</b> (stored [k,m]; TN and TT, the weight gradients of the backward pass).
 *   A panel's values for one p are MR adjacent floats of one stored row, so a group of G stored
 *   rows fills G MR floats = three whole vectors. Lane l of the group belongs to stored row
 *   l / MR at position l % MR: it is lane l of that row's load shifted left by MR (l / MR) floats.
 *   Each output vector is thus a blend of two to four shifted loads, with no permute at all
 *   (both widths; {@link #transposedPanel}).
 * <li><b>A row-major</b> (NN and NT, activations times weights). A panel is its MR x kc block
 *   transposed, which takes permutes. At 16 lanes, two rounds of two-table permutes (vpermt2ps)
 *   interleave six rows of 16 values ({@link #rowMajorPanel}). At 8 lanes it stays scalar: the
 *   Vector API's only cross-lane permute there is vpermps, one a cycle, and each 8-float output
 *   draws from all six rows (six permutes and five blends against eight scalar stores).
 * </ul>
 * Zen 5, one thread, MC x 768 blocks from an A in L2 or in memory, ns a float: row-major 0.18-0.24
 * against 0.23-0.40 scalar; transposed 0.30-0.36 against 0.35-0.50 (16 lanes), 0.23-0.38 against
 * 0.38-0.60 (8 lanes, MR 6). Both are bound by the memory they read more than by the permutes
 * (bench/results/cpu.md, 2026-12-06 sixth session); in a product they are 1-3% of its time.
 */
final class PackA {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length(), MR = Sgemm.MR;
    /** Stored rows in a group of transposed A (G MR floats = 3 vectors); 0: no vector code for this width. */
    private static final int G = L == 16 && MR == 6 ? 8 : L == 8 && (MR == 6 || MR == 3) ? 24 / MR : 0;
    /** Whether row-major A is packed in vectors (16 lanes, MR 6). */
    private static final boolean ROWS_IN_VECTORS = L == 16 && MR == 6;
    private static final VectorMask<Float> B1 = first(1), B2 = first(2), B3 = first(3), B4 = first(4),
            B5 = first(5), B6 = first(6), B7 = first(7), B8 = first(8), B10 = first(10), B12 = first(12), B14 = first(14);
    /**
     * Row-major interleave at 16 lanes. Round one pairs rows (0, 1), (2, 3), (4, 5): PAIR_h
     * interleaves lanes 8h..8h+7 of two rows, so a pair vector holds (row 2s, row 2s + 1) for eight
     * p. Round two takes output vector q (panel floats 16q..16q+15, all within one half h = q / 3)
     * from the three pair vectors of its half: XY_q places pairs 0 and 1, Z_q adds pair 2. Fields,
     * not an array: a constant is a receiver of exact class (see {@link SimdBackend#S}).
     */
    private static final FloatVector PAIR_0 = pairIndex(0), PAIR_1 = pairIndex(1),
            XY_0 = xyIndex(0), XY_1 = xyIndex(1), XY_2 = xyIndex(2), XY_3 = xyIndex(3), XY_4 = xyIndex(4), XY_5 = xyIndex(5),
            Z_0 = zIndex(0), Z_1 = zIndex(1), Z_2 = zIndex(2), Z_3 = zIndex(3), Z_4 = zIndex(4), Z_5 = zIndex(5);

    private static FloatVector pairIndex(int h) {
        float[] index = new float[L];
        for (int l = 0; l < L; l++) index[l] = 8 * h + l / 2 + (l % 2) * L;
        return ROWS_IN_VECTORS ? FloatVector.fromArray(S, index, 0) : null;
    }

    /** Lane l of output q: panel float f = 16q + l is row r = f % 6 at p = f / 6, lane 2 (p % 8) + r % 2 of pair r / 2. */
    private static int pairLane(int q, int l) {
        int f = L * q + l, p = f / MR, r = f % MR;
        return 2 * (p % 8) + r % 2;
    }

    private static FloatVector xyIndex(int q) {
        float[] index = new float[L];
        for (int l = 0; l < L; l++) {
            int pair = (L * q + l) % MR / 2;
            index[l] = pair == 0 ? pairLane(q, l) : pair == 1 ? L + pairLane(q, l) : 0;
        }
        return ROWS_IN_VECTORS ? FloatVector.fromArray(S, index, 0) : null;
    }

    private static FloatVector zIndex(int q) {
        float[] index = new float[L];
        for (int l = 0; l < L; l++) index[l] = (L * q + l) % MR / 2 < 2 ? l : L + pairLane(q, l);
        return ROWS_IN_VECTORS ? FloatVector.fromArray(S, index, 0) : null;
    }

    private PackA() {
    }

    private static VectorMask<Float> first(int n) {
        return S.indexInRange(0, Math.min(n, L));
    }

    /** Packs A[ic..ic+mc, pc..pc+kc] (A stored [k,m] if {@code transposed}) into panels from {@code dst[at]}. */
    static void pack(boolean transposed, float[] a, int aOff, int lda, int ic, int mc, int pc, int kc, float[] dst, int at) {
        boolean vectors = transposed ? G > 0 && lda >= L : ROWS_IN_VECTORS;
        int full = vectors ? mc - mc % MR : 0;
        for (int t = 0; t < full; t += MR) {
            int d = at + t * kc;
            int done = transposed ? transposedPanel(a, aOff + pc * lda + ic + t, lda, kc, dst, d)
                    : rowMajorPanel(a, aOff + (ic + t) * lda + pc, lda, kc, dst, d);
            if (done < kc) scalar(transposed, a, aOff, lda, ic + t, MR, pc + done, kc - done, dst, d + done * MR);
        }
        if (full < mc) scalar(transposed, a, aOff, lda, ic + full, mc - full, pc, kc, dst, at + full * kc);
    }

    /**
     * The scalar twin, which also packs whatever {@link #pack} leaves to it. Each layout in the
     * order that reads A once, front to back: row-major A row by row (one panel row written every
     * MR floats), transposed A stored row by row (MR floats to each panel).
     */
    static void scalar(boolean transposed, float[] a, int aOff, int lda, int ic, int mc, int pc, int kc, float[] dst, int at) {
        if (transposed) {
            int full = mc - mc % MR;
            for (int p = 0; p < kc; p++) {
                int src = aOff + (pc + p) * lda + ic, d = at + p * MR;
                for (int t = 0; t < full; t += MR, d += MR * kc)
                    for (int r = 0; r < MR; r++) dst[d + r] = a[src + t + r];
                if (full < mc) { // the edge panel: rows past mc are zero
                    for (int r = 0; r < mc - full; r++) dst[d + r] = a[src + full + r];
                    for (int r = mc - full; r < MR; r++) dst[d + r] = 0f;
                }
            }
            return;
        }
        for (int t = 0; t < mc; t += MR) {
            int rows = Math.min(MR, mc - t), d = at + t * kc;
            for (int r = 0; r < MR; r++) {
                int src = aOff + (ic + t + r) * lda + pc;
                if (r < rows)
                    for (int p = 0; p < kc; p++) dst[d + p * MR + r] = a[src + p];
                else
                    for (int p = 0; p < kc; p++) dst[d + p * MR + r] = 0f;
            }
        }
    }

    /**
     * One full panel of transposed A, whose first value A(i, pc) is at a[s]: groups of G stored
     * rows, while their shifted loads stay inside {@code a} (a load of stored row j starts at most
     * L - 1 floats before the row's MR values, which lda >= L keeps past the previous row's, and
     * ends before MR + L floats after them). Returns the number of p done.
     */
    private static int transposedPanel(float[] a, int s, int lda, int kc, float[] dst, int d) {
        int done = kc - kc % G;
        if (done == 0 || s + (done - 1) * lda + MR + L > a.length) return 0;
        int l2 = 2 * lda, l3 = 3 * lda, l4 = 4 * lda, l5 = 5 * lda, l6 = 6 * lda, l7 = 7 * lda;
        for (int p = 0; p < done; p += G, s += G * lda, d += G * MR) {
            if (L == 16) { // stored rows 0-2 | 2-5 | 5-7 into the three vectors
                load(a, s + l2 - 12).blend(load(a, s + lda - 6), B12).blend(load(a, s), B6).intoArray(dst, d);
                load(a, s + l5 - 14).blend(load(a, s + l4 - 8), B14).blend(load(a, s + l3 - 2), B8)
                        .blend(load(a, s + l2 + 4), B2).intoArray(dst, d + 16);
                load(a, s + l7 - 10).blend(load(a, s + l6 - 4), B10).blend(load(a, s + l5 + 2), B4).intoArray(dst, d + 32);
            } else if (MR == 6) { // 0-1 | 1-2 | 2-3
                load(a, s + lda - 6).blend(load(a, s), B6).intoArray(dst, d);
                load(a, s + l2 - 4).blend(load(a, s + lda + 2), B4).intoArray(dst, d + 8);
                load(a, s + l3 - 2).blend(load(a, s + l2 + 4), B2).intoArray(dst, d + 16);
            } else { // MR 3: 0-2 | 2-5 | 5-7
                load(a, s + l2 - 6).blend(load(a, s + lda - 3), B6).blend(load(a, s), B3).intoArray(dst, d);
                load(a, s + l5 - 7).blend(load(a, s + l4 - 4), B7).blend(load(a, s + l3 - 1), B4)
                        .blend(load(a, s + l2 + 2), B1).intoArray(dst, d + 8);
                load(a, s + l7 - 5).blend(load(a, s + l6 - 2), B5).blend(load(a, s + l5 + 1), B2).intoArray(dst, d + 16);
            }
        }
        return done;
    }

    /** One full panel of row-major A, whose first value is at a[s], 16 p at a time (16 lanes). Returns the number of p done. */
    private static int rowMajorPanel(float[] a, int s, int lda, int kc, float[] dst, int d) {
        int done = kc - kc % L;
        for (int p = 0; p < done; p += L, s += L, d += MR * L) {
            FloatVector r0 = load(a, s), r1 = load(a, s + lda), r2 = load(a, s + 2 * lda),
                    r3 = load(a, s + 3 * lda), r4 = load(a, s + 4 * lda), r5 = load(a, s + 5 * lda);
            FloatVector x0 = PAIR_0.selectFrom(r0, r1), y0 = PAIR_0.selectFrom(r2, r3), z0 = PAIR_0.selectFrom(r4, r5),
                    x1 = PAIR_1.selectFrom(r0, r1), y1 = PAIR_1.selectFrom(r2, r3), z1 = PAIR_1.selectFrom(r4, r5);
            Z_0.selectFrom(XY_0.selectFrom(x0, y0), z0).intoArray(dst, d);
            Z_1.selectFrom(XY_1.selectFrom(x0, y0), z0).intoArray(dst, d + L);
            Z_2.selectFrom(XY_2.selectFrom(x0, y0), z0).intoArray(dst, d + 2 * L);
            Z_3.selectFrom(XY_3.selectFrom(x1, y1), z1).intoArray(dst, d + 3 * L);
            Z_4.selectFrom(XY_4.selectFrom(x1, y1), z1).intoArray(dst, d + 4 * L);
            Z_5.selectFrom(XY_5.selectFrom(x1, y1), z1).intoArray(dst, d + 5 * L);
        }
        return done;
    }

    private static FloatVector load(float[] a, int i) {
        return FloatVector.fromArray(S, a, i);
    }
}
