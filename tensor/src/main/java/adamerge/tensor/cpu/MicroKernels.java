package adamerge.tensor.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link Sgemm}'s register-tile micro-kernels: C[rows, vectors] (+)= a packed A micro-panel (the
 * rows' values for each k side by side) times a packed B micro-panel (whole vectors for each k),
 * over kc steps. Each kernel's B panel is as wide as its tile (W2 or W3 floats), so a kernel is
 * whole on its own: the tests run every one of them on this machine's vectors against a scalar
 * product, whichever tile {@link Sgemm} uses.
 * <p>
 * Accumulators are named locals so that C2 keeps them in registers; the add of the old C is
 * written inline because passing vectors to a method that is not inlined boxes them.
 */
final class MicroKernels {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();
    /** B panel widths of the 2- and 3-vector tiles. */
    static final int W2 = 2 * L, W3 = 3 * L;

    private MicroKernels() {
    }

    /**
     * Whether {@link #kernel6x2} runs faster per FMA than {@link #kernel3x3} on this JVM, timed on
     * L1-resident panels in alternating rounds: at least 24 rounds and 250 ms, so that C2 has
     * compiled both (its code is what differs: see kernel6x2), then the best of the last 8 rounds
     * of each counts, so that neither is judged by an early compilation that C2 later replaces.
     * The calls alternate add on and off so that the compiled code serves both. Takes about 0.35 s
     * (Zen 4), once per JVM, and only on 8-lane machines.
     */
    static boolean sixByTwoIsFaster() {
        int kc = 256, calls = 200, last = 8;
        float[] pa = new float[6 * kc], pb = new float[W3 * kc], c = new float[6 * W3];
        for (int i = 0; i < pa.length; i++) pa[i] = (i % 7) * 1e-3f;
        for (int i = 0; i < pb.length; i++) pb[i] = (i % 5) * 1e-3f;
        long[] time6x2 = new long[last], time3x3 = new long[last];
        long deadline = System.nanoTime() + 250_000_000L;
        for (int round = 0; round < 24 || System.nanoTime() < deadline; round++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < calls; i++) kernel6x2(kc, pa, 0, pb, 0, c, 0, W2, (i & 1) == 0);
            long t1 = System.nanoTime();
            for (int i = 0; i < calls; i++) kernel3x3(kc, pa, 0, pb, 0, c, 0, W3, (i & 1) == 0);
            long t2 = System.nanoTime();
            time6x2[round % last] = t1 - t0;
            time3x3[round % last] = t2 - t1;
        }
        long best6x2 = Long.MAX_VALUE, best3x3 = Long.MAX_VALUE;
        for (int r = 0; r < last; r++) {
            best6x2 = Math.min(best6x2, time6x2[r]);
            best3x3 = Math.min(best3x3, time3x3[r]);
        }
        return best6x2 * 9 < best3x3 * 12; // 12 vector FMAs per k step against 9
    }

    /**
     * The 9-accumulator 8-lane micro-kernel: C[3, 3 vectors] (+)= packed A panel * packed B panel over kc.
     * 9 accumulators + 3 B vectors + 3 broadcasts fit AVX2's 16 registers however C2 orders the
     * broadcasts, so it never spills: 105-107 GFLOP/s on one Zen 4 core under -XX:UseAVX=2.
     * <p>
     * B is read from its float[] with an index linear in the loop: C2 then proves all B loads of
     * the call in bounds up front and drops the Vector API's per-load checks even when they are on
     * (the JVM's default, so also for library users). Through a segment view of B at long offsets
     * it kept them and recomputed each address every step. Against that segment version over the
     * nine ViT shapes (2 threads, Zen 4): +37-48% at 8 lanes and +15-21% at 16 lanes with the
     * checks on, equal with them off.
     */
    static void kernel3x3(int kc, float[] pa, int ia, float[] pb, int ib,
                                  float[] c, int ci, int ldc, boolean add) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S), c02 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S), c12 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S), c22 = FloatVector.zero(S);
        for (int end = ib + kc * W3; ib < end; ib += W3, ia += 3) {
            FloatVector b0 = FloatVector.fromArray(S, pb, ib);
            FloatVector b1 = FloatVector.fromArray(S, pb, ib + L);
            FloatVector b2 = FloatVector.fromArray(S, pb, ib + 2 * L);
            FloatVector a = FloatVector.broadcast(S, pa[ia]);
            c00 = a.fma(b0, c00);
            c01 = a.fma(b1, c01);
            c02 = a.fma(b2, c02);
            a = FloatVector.broadcast(S, pa[ia + 1]);
            c10 = a.fma(b0, c10);
            c11 = a.fma(b1, c11);
            c12 = a.fma(b2, c12);
            a = FloatVector.broadcast(S, pa[ia + 2]);
            c20 = a.fma(b0, c20);
            c21 = a.fma(b1, c21);
            c22 = a.fma(b2, c22);
        }
        int c1 = ci + ldc, c2 = ci + 2 * ldc;
        if (add) {
            c00 = c00.add(FloatVector.fromArray(S, c, ci));
            c01 = c01.add(FloatVector.fromArray(S, c, ci + L));
            c02 = c02.add(FloatVector.fromArray(S, c, ci + 2 * L));
            c10 = c10.add(FloatVector.fromArray(S, c, c1));
            c11 = c11.add(FloatVector.fromArray(S, c, c1 + L));
            c12 = c12.add(FloatVector.fromArray(S, c, c1 + 2 * L));
            c20 = c20.add(FloatVector.fromArray(S, c, c2));
            c21 = c21.add(FloatVector.fromArray(S, c, c2 + L));
            c22 = c22.add(FloatVector.fromArray(S, c, c2 + 2 * L));
        }
        c00.intoArray(c, ci);
        c01.intoArray(c, ci + L);
        c02.intoArray(c, ci + 2 * L);
        c10.intoArray(c, c1);
        c11.intoArray(c, c1 + L);
        c12.intoArray(c, c1 + 2 * L);
        c20.intoArray(c, c2);
        c21.intoArray(c, c2 + L);
        c22.intoArray(c, c2 + 2 * L);
    }

    /**
     * The 12-accumulator 8-lane micro-kernel: C[6, 2 vectors] (+)= packed A panel * packed B panel
     * over kc. 12 accumulators cover the FMA latency with room to spare (9 barely do) and each k
     * step loads 2 B vectors for 12 FMAs (3 for 9), but 12 + 2 B vectors + 1 broadcast leave
     * AVX2's 16 registers one spare: it runs at 110-115 GFLOP/s (one Zen 4 core under
     * -XX:UseAVX=2, L1-resident) when C2 issues each broadcast next to its FMAs, and at 42-51 when
     * C2 issues a third broadcast early and spills an accumulator, which it did whenever the loop
     * was not strip-mined (-XX:+UseParallelGC or UseSerialGC without -XX:+UseCountedLoopSafepoints).
     * {@link #sixByTwoIsFaster} measures which one this JVM got.
     */
    static void kernel6x2(int kc, float[] pa, int ia, float[] pb, int ib,
                          float[] c, int ci, int ldc, boolean add) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
        for (int end = ib + kc * W2; ib < end; ib += W2, ia += 6) {
            FloatVector b0 = FloatVector.fromArray(S, pb, ib);
            FloatVector b1 = FloatVector.fromArray(S, pb, ib + L);
            FloatVector a = FloatVector.broadcast(S, pa[ia]);
            c00 = a.fma(b0, c00);
            c01 = a.fma(b1, c01);
            a = FloatVector.broadcast(S, pa[ia + 1]);
            c10 = a.fma(b0, c10);
            c11 = a.fma(b1, c11);
            a = FloatVector.broadcast(S, pa[ia + 2]);
            c20 = a.fma(b0, c20);
            c21 = a.fma(b1, c21);
            a = FloatVector.broadcast(S, pa[ia + 3]);
            c30 = a.fma(b0, c30);
            c31 = a.fma(b1, c31);
            a = FloatVector.broadcast(S, pa[ia + 4]);
            c40 = a.fma(b0, c40);
            c41 = a.fma(b1, c41);
            a = FloatVector.broadcast(S, pa[ia + 5]);
            c50 = a.fma(b0, c50);
            c51 = a.fma(b1, c51);
        }
        int c1 = ci + ldc, c2 = c1 + ldc, c3 = c2 + ldc, c4 = c3 + ldc, c5 = c4 + ldc;
        if (add) {
            c00 = c00.add(FloatVector.fromArray(S, c, ci));
            c01 = c01.add(FloatVector.fromArray(S, c, ci + L));
            c10 = c10.add(FloatVector.fromArray(S, c, c1));
            c11 = c11.add(FloatVector.fromArray(S, c, c1 + L));
            c20 = c20.add(FloatVector.fromArray(S, c, c2));
            c21 = c21.add(FloatVector.fromArray(S, c, c2 + L));
            c30 = c30.add(FloatVector.fromArray(S, c, c3));
            c31 = c31.add(FloatVector.fromArray(S, c, c3 + L));
            c40 = c40.add(FloatVector.fromArray(S, c, c4));
            c41 = c41.add(FloatVector.fromArray(S, c, c4 + L));
            c50 = c50.add(FloatVector.fromArray(S, c, c5));
            c51 = c51.add(FloatVector.fromArray(S, c, c5 + L));
        }
        c00.intoArray(c, ci);
        c01.intoArray(c, ci + L);
        c10.intoArray(c, c1);
        c11.intoArray(c, c1 + L);
        c20.intoArray(c, c2);
        c21.intoArray(c, c2 + L);
        c30.intoArray(c, c3);
        c31.intoArray(c, c3 + L);
        c40.intoArray(c, c4);
        c41.intoArray(c, c4 + L);
        c50.intoArray(c, c5);
        c51.intoArray(c, c5 + L);
    }

    /**
     * The 16-lane micro-kernel: C[6, 3 vectors] (+)= packed A panel * packed B panel over kc, as
     * {@link #kernel3x3} with twice the rows: 18 accumulators, 3 B vectors and 6 broadcasts fit
     * AVX-512's 32 registers, and each k step issues 18 FMAs for the loop overhead 3 x 3 pays for 9.
     */
    static void kernel6x3(int kc, float[] pa, int ia, float[] pb, int ib,
                                  float[] c, int ci, int ldc, boolean add) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S), c02 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S), c12 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S), c22 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S), c32 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S), c42 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S), c52 = FloatVector.zero(S);
        for (int end = ib + kc * W3; ib < end; ib += W3, ia += 6) {
            FloatVector b0 = FloatVector.fromArray(S, pb, ib);
            FloatVector b1 = FloatVector.fromArray(S, pb, ib + L);
            FloatVector b2 = FloatVector.fromArray(S, pb, ib + 2 * L);
            FloatVector a = FloatVector.broadcast(S, pa[ia]);
            c00 = a.fma(b0, c00);
            c01 = a.fma(b1, c01);
            c02 = a.fma(b2, c02);
            a = FloatVector.broadcast(S, pa[ia + 1]);
            c10 = a.fma(b0, c10);
            c11 = a.fma(b1, c11);
            c12 = a.fma(b2, c12);
            a = FloatVector.broadcast(S, pa[ia + 2]);
            c20 = a.fma(b0, c20);
            c21 = a.fma(b1, c21);
            c22 = a.fma(b2, c22);
            a = FloatVector.broadcast(S, pa[ia + 3]);
            c30 = a.fma(b0, c30);
            c31 = a.fma(b1, c31);
            c32 = a.fma(b2, c32);
            a = FloatVector.broadcast(S, pa[ia + 4]);
            c40 = a.fma(b0, c40);
            c41 = a.fma(b1, c41);
            c42 = a.fma(b2, c42);
            a = FloatVector.broadcast(S, pa[ia + 5]);
            c50 = a.fma(b0, c50);
            c51 = a.fma(b1, c51);
            c52 = a.fma(b2, c52);
        }
        int c1 = ci + ldc, c2 = c1 + ldc, c3 = c2 + ldc, c4 = c3 + ldc, c5 = c4 + ldc;
        if (add) {
            c00 = c00.add(FloatVector.fromArray(S, c, ci));
            c01 = c01.add(FloatVector.fromArray(S, c, ci + L));
            c02 = c02.add(FloatVector.fromArray(S, c, ci + 2 * L));
            c10 = c10.add(FloatVector.fromArray(S, c, c1));
            c11 = c11.add(FloatVector.fromArray(S, c, c1 + L));
            c12 = c12.add(FloatVector.fromArray(S, c, c1 + 2 * L));
            c20 = c20.add(FloatVector.fromArray(S, c, c2));
            c21 = c21.add(FloatVector.fromArray(S, c, c2 + L));
            c22 = c22.add(FloatVector.fromArray(S, c, c2 + 2 * L));
            c30 = c30.add(FloatVector.fromArray(S, c, c3));
            c31 = c31.add(FloatVector.fromArray(S, c, c3 + L));
            c32 = c32.add(FloatVector.fromArray(S, c, c3 + 2 * L));
            c40 = c40.add(FloatVector.fromArray(S, c, c4));
            c41 = c41.add(FloatVector.fromArray(S, c, c4 + L));
            c42 = c42.add(FloatVector.fromArray(S, c, c4 + 2 * L));
            c50 = c50.add(FloatVector.fromArray(S, c, c5));
            c51 = c51.add(FloatVector.fromArray(S, c, c5 + L));
            c52 = c52.add(FloatVector.fromArray(S, c, c5 + 2 * L));
        }
        c00.intoArray(c, ci);
        c01.intoArray(c, ci + L);
        c02.intoArray(c, ci + 2 * L);
        c10.intoArray(c, c1);
        c11.intoArray(c, c1 + L);
        c12.intoArray(c, c1 + 2 * L);
        c20.intoArray(c, c2);
        c21.intoArray(c, c2 + L);
        c22.intoArray(c, c2 + 2 * L);
        c30.intoArray(c, c3);
        c31.intoArray(c, c3 + L);
        c32.intoArray(c, c3 + 2 * L);
        c40.intoArray(c, c4);
        c41.intoArray(c, c4 + L);
        c42.intoArray(c, c4 + 2 * L);
        c50.intoArray(c, c5);
        c51.intoArray(c, c5 + L);
        c52.intoArray(c, c5 + 2 * L);
    }

    /**
     * An edge panel at most one vector wide (a product of 50 or 64 columns, as attention's per-head
     * ones, ends in one): the 6-row kernels on the first vector of a B panel {@code width} floats
     * wide only, into the first vector of each row of a scratch tile as wide, instead of 2 or 3
     * vectors of which all but one multiply padding zeros.
     */
    static void kernel6x1(int kc, float[] pa, int ia, float[] pb, int ib, int width, float[] tile) {
        FloatVector c0 = FloatVector.zero(S), c1 = FloatVector.zero(S), c2 = FloatVector.zero(S);
        FloatVector c3 = FloatVector.zero(S), c4 = FloatVector.zero(S), c5 = FloatVector.zero(S);
        for (int end = ib + kc * width; ib < end; ib += width, ia += 6) {
            FloatVector b = FloatVector.fromArray(S, pb, ib);
            c0 = FloatVector.broadcast(S, pa[ia]).fma(b, c0);
            c1 = FloatVector.broadcast(S, pa[ia + 1]).fma(b, c1);
            c2 = FloatVector.broadcast(S, pa[ia + 2]).fma(b, c2);
            c3 = FloatVector.broadcast(S, pa[ia + 3]).fma(b, c3);
            c4 = FloatVector.broadcast(S, pa[ia + 4]).fma(b, c4);
            c5 = FloatVector.broadcast(S, pa[ia + 5]).fma(b, c5);
        }
        c0.intoArray(tile, 0);
        c1.intoArray(tile, width);
        c2.intoArray(tile, 2 * width);
        c3.intoArray(tile, 3 * width);
        c4.intoArray(tile, 4 * width);
        c5.intoArray(tile, 5 * width);
    }
}
