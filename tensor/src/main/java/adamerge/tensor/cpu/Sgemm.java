package adamerge.tensor.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.util.Arrays;

/**
 * Single-precision GEMM on the Vector API, blocked in the BLIS/GotoBLAS way:
 * <pre>
 *   for jc in n step NC          B block [KC x NC] packed once, reused by every row panel
 *     for pc in k step KC        (KC x NR micro-panel of B: L1 at 8 lanes, L2 at 16; see KC)
 *       pack B[pc.., jc..]
 *       for ic in m step MC      A block [MC x KC] packed, stays in L2
 *         pack A[ic.., pc..]
 *         for jr, ir             MR x NR register tile: 3 (8 lanes) or 6 (16 lanes) rows x 3 vectors
 * </pre>
 * Packing makes all four layouts (NN, NT, TN, TT) run the same micro-kernel and pads edge
 * panels with zeros, so the kernel always does full vector loads; only the store of an edge
 * tile goes through a small scratch tile. On several cores, C is split along its larger side:
 * the threads first pack the other operand whole, together, then claim pieces of that side.
 */
public final class Sgemm {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /**
     * Register tile of MR rows x 3 vectors, shaped by the register file. AVX2 (8 lanes, 16
     * registers): 3 x 3. C2 may hoist all MR broadcasts of a k step ahead of the FMAs, so
     * accumulators + B vectors + broadcasts must fit: 9 + 3 + 3 = 15. A 6 x 2 tile needs 20: in a
     * one-core L1-resident micro-benchmark (Zen 4 under -XX:UseAVX=2) it ran at 111-114 GFLOP/s,
     * against 105 for 3 x 3, when C2 happened to interleave the broadcasts, and at 48 when it
     * hoisted them and spilled, which flipped with the collector and the Vector API's bounds-check
     * setting: too fragile to ship. AVX-512 (16 lanes, 32 registers): 6 x 3, 18 + 3 + 6 = 27,
     * twice the FMAs per k step for the same loop overhead and B loads; 12 or more independent
     * accumulators also cover the FMA latency that 9 barely do.
     */
    static final int MR = L >= 16 ? 6 : 3, NR = 3 * L;
    /**
     * Cache blocking: a KC x NR micro-panel of B is read once per A micro-panel, an MC x KC block
     * of A stays in L2, a KC x NC block of B is re-read from L3 once per A block. 8 lanes (32 KiB
     * L1d, 512 KiB L2): KC 192, MC 120; on the shared 2-core EPYC the spread of KC 192-384 and MC
     * 60-120 was within noise. 16 lanes (the AVX-512 EPYC): KC 384, MC 60; against OpenBLAS in
     * alternating turns ({@code bench gemm --peer}, 5 turns, geometric mean over the nine ViT
     * shapes) KC 128 / MC 120 gave 0.73-0.78 of its speed, KC 384-768 / MC 60 0.84-0.91, smaller
     * MC or KC 256 0.77-0.84: fewer, longer k loops (fewer C reloads) win over a B panel in L1.
     * NC keeps each thread's B buffer at 1.2 MiB at either width (a parallel product's pieces are
     * narrower than NC anyway; attention's per-thread products allocate it on every new thread).
     */
    private static final int KC = L >= 16 ? 384 : 192, MC = (L >= 16 ? 10 : 40) * MR, NC = (L >= 16 ? 16 : 64) * NR;
    /** Pieces of a parallel product per thread, claimed dynamically (see {@link Parallel#forPieces}). */
    private static final int PIECES_PER_THREAD = 4;
    /** Fused multiply-adds below which a task is not worth a fork (~25 us at one core's speed). */
    private static final long MIN_TASK_FMAS = 1L << 21;

    /** Per-thread buffers: pool workers live for the whole run, so each packs into its own arrays. */
    private static final ThreadLocal<Buffers> BUFFERS = ThreadLocal.withInitial(Buffers::allocate);
    /** The calling thread's buffer for an operand packed whole ahead of a parallel product (grown on demand). */
    private static final ThreadLocal<float[]> WHOLE = ThreadLocal.withInitial(() -> new float[0]);

    /** One thread's packed B block, packed A block, and an edge tile plus one slot for {@link #touch}'s sum. */
    private record Buffers(float[] packB, float[] packA, float[] edge) {
        static Buffers allocate() {
            return new Buffers(new float[KC * NC], new float[MC * KC], new float[MR * NR + 1]);
        }
    }

    private Sgemm() {
    }

    /**
     * C[m,n] = (accumulate ? C : 0) + op(A)[m,k] * op(B)[k,n], row-major with leading dimensions.
     * transA: A is stored [k,m] (element (i,p) at a[aOff + p*lda + i]); transB: B stored [n,k]
     * (element (p,j) at b[bOff + j*ldb + p]).
     */
    public static void multiply(boolean transA, boolean transB, int m, int n, int k,
                                float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                                float[] c, int cOff, int ldc, boolean accumulate) {
        multiply(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate, true);
    }

    /**
     * As {@link #multiply}, on the calling thread only: for callers that already spread their
     * work over the cores (attention's (batch, head) pairs), where a fork would only queue
     * behind a busy worker.
     */
    static void multiplySerial(boolean transA, boolean transB, int m, int n, int k,
                               float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                               float[] c, int cOff, int ldc, boolean accumulate) {
        multiply(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate, false);
    }

    private static void multiply(boolean transA, boolean transB, int m, int n, int k,
                                 float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                                 float[] c, int cOff, int ldc, boolean accumulate, boolean parallel) {
        if (m < 0 || n < 0 || k < 0)
            throw new IllegalArgumentException("gemm sizes must be >= 0, got m=" + m + " n=" + n + " k=" + k);
        if (m == 0 || n == 0) return;
        if (k == 0) {
            if (!accumulate)
                for (int i = 0; i < m; i++) Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, 0f);
            return;
        }
        Operands op = new Operands(transA, transB, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate);
        boolean splitColumns = n >= m;
        // Split the larger side, so that the operand every part needs whole is the smaller one.
        int panels = splitColumns ? ceilDiv(n, NR) : ceilDiv(m, MR);
        int grain = grain((long) (splitColumns ? m * NR : n * MR) * k);
        if (!parallel || Parallel.chunks(panels, grain) < 2) {
            block(op, 0, m, 0, n, null);
            return;
        }
        // Every part needs all of the unsplit operand, so the threads pack it once, together, and
        // each reads it from there; then more parts cost nothing in packing, and the split is into
        // PIECES_PER_THREAD pieces per thread that the threads claim as they finish. On the 2-core
        // VM, whose two cores often run at different speeds, against one fixed part per thread in
        // one JVM: medians +11% and +5% on the ViT shapes (rounds 0.97x-1.30x). Packing once
        // alone, with fixed parts, had changed nothing (median 1.00x).
        Whole whole = packWhole(op, !splitColumns, splitColumns ? m : n);
        int pieces = Math.min(PIECES_PER_THREAD * Parallel.THREADS, panels / grain);
        if (splitColumns)
            Parallel.forPieces(panels, pieces, (lo, hi) -> block(op, 0, m, lo * NR, Math.min(n, hi * NR), whole));
        else
            Parallel.forPieces(panels, pieces, (lo, hi) -> block(op, lo * MR, Math.min(m, hi * MR), 0, n, whole));
    }

    /**
     * An operand packed whole, in {@link #packA}'s or {@link #packB}'s layout: the block of k
     * from pc holds {@code padded} rows of A (or columns of B) from {@code pc * padded}, the
     * micro-panel of row (column) x at {@code pc * padded + x * kc}.
     */
    private record Whole(boolean isB, float[] data, int padded) {
    }

    private static Whole packWhole(Operands op, boolean isB, int size) {
        int step = isB ? NR : MR, padded = ceilDiv(size, step) * step;
        float[] data = WHOLE.get();
        if (data.length < (long) padded * op.k) WHOLE.set(data = new float[padded * op.k]);
        float[] dst = data;
        int panels = padded / step;
        Parallel.forRange(panels, Math.max(1, panels / (4 * Parallel.THREADS)), (lo, hi) -> {
            int from = lo * step, count = Math.min(size, hi * step) - from;
            for (int pc = 0; pc < op.k; pc += KC) {
                int kc = Math.min(KC, op.k - pc), at = pc * padded + from * kc;
                if (isB) packB(op, pc, kc, from, count, dst, at);
                else packA(op, from, count, pc, kc, dst, at);
            }
        });
        return new Whole(isB, data, padded);
    }

    private record Operands(boolean transA, boolean transB, int k,
                            float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                            float[] c, int cOff, int ldc, boolean accumulate) {
    }

    private static int grain(long fmasPerPanel) {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, ceilDiv(MIN_TASK_FMAS, fmasPerPanel)));
    }

    private static int ceilDiv(int x, int y) {
        return (x + y - 1) / y;
    }

    private static long ceilDiv(long x, long y) {
        return (x + y - 1) / y;
    }

    /** The sequential blocked GEMM over rows [i0, i1) and columns [j0, j1) of C; {@code whole}, if not null, holds one operand packed. */
    private static void block(Operands op, int i0, int i1, int j0, int j1, Whole whole) {
        Buffers buf = BUFFERS.get();
        float[] scratch = buf.edge;
        boolean packedA = whole != null && !whole.isB, packedB = whole != null && whole.isB;
        float[] pa = packedA ? whole.data : buf.packA;
        float[] pb = packedB ? whole.data : buf.packB;
        int k = op.k;
        float touched = 0;
        for (int jc = j0; jc < j1; jc += NC) {
            int nc = Math.min(NC, j1 - jc);
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                boolean add = op.accumulate || pc > 0;
                int bAt = packedB ? pc * whole.padded + jc * kc : 0;
                if (!packedB) packB(op, pc, kc, jc, nc, buf.packB, 0);
                for (int ic = i0; ic < i1; ic += MC) {
                    int mc = Math.min(MC, i1 - ic);
                    int aAt = packedA ? pc * whole.padded + ic * kc : 0;
                    if (!packedA) packA(op, ic, mc, pc, kc, buf.packA, 0);
                    // jr outer: one B micro-panel stays in L1 while the A micro-panels stream from L2.
                    for (int jr = 0; jr < nc; jr += NR) {
                        int nr = Math.min(NR, nc - jr);
                        for (int ir = 0; ir < mc; ir += MR) {
                            int mr = Math.min(MR, mc - ir);
                            int ci = op.cOff + (ic + ir) * op.ldc + jc + jr;
                            if (mr == MR && nr == NR) {
                                if (ir + 2 * MR <= mc) touched += touch(op.c, ci + MR * op.ldc, op.ldc);
                                kernel(kc, pa, aAt + ir * kc, pb, bAt + jr * kc, op.c, ci, op.ldc, add);
                            } else {
                                if (MR == 6 && nr <= L) kernel6x1(kc, pa, aAt + ir * kc, pb, bAt + jr * kc, scratch);
                                else kernel(kc, pa, aAt + ir * kc, pb, bAt + jr * kc, scratch, 0, NR, false);
                                storeEdge(scratch, mr, nr, op.c, ci, op.ldc, add);
                            }
                        }
                    }
                }
            }
        }
        scratch[NR * MR] = touched; // kept so the JIT cannot drop the loads
    }

    /**
     * Reads the first and last float of each row of the C tile at {@code ci}, so that its cache
     * lines (and page translations) are fetched while the kernel before it computes: Java has no
     * prefetch instruction, and C's rows, one page apart, defeat the hardware prefetcher. Without
     * it the kernel waits on C at every tile's end (about 15-20% of single-thread SGEMM time on
     * the 2-core EPYC, measured against the same code without the reads).
     */
    private static float touch(float[] c, int ci, int ldc) {
        float sum = 0;
        for (int r = 0; r < MR; r++, ci += ldc) sum += c[ci] + c[ci + NR - 1];
        return sum;
    }

    /**
     * Packs A[ic..ic+mc, pc..pc+kc] into micro-panels of MR rows: panel r holds, for each p, the
     * MR values A[ic+r*MR.., pc+p] side by side, so the kernel broadcasts them in order. Rows
     * past mc are zero. Panel r starts at {@code dst[at + r*kc]}.
     */
    private static void packA(Operands op, int ic, int mc, int pc, int kc, float[] dst, int at) {
        float[] a = op.a;
        int lda = op.lda;
        if (op.transA) { // A stored [k,m]: each p is one stored row; read it once, MR values to each panel
            int full = mc - mc % MR;
            for (int p = 0; p < kc; p++) {
                int src = op.aOff + (pc + p) * lda + ic, d = at + p * MR;
                for (int ir = 0; ir < full; ir += MR, d += MR * kc)
                    for (int r = 0; r < MR; r++) dst[d + r] = a[src + ir + r];
                if (full < mc) { // the edge panel: rows past mc are zero
                    for (int r = 0; r < mc - full; r++) dst[d + r] = a[src + full + r];
                    for (int r = mc - full; r < MR; r++) dst[d + r] = 0f;
                }
            }
            return;
        }
        for (int ir = 0; ir < mc; ir += MR) { // A stored [m,k]: row r of a panel read sequentially, written every MR floats
            int mr = Math.min(MR, mc - ir), base = at + ir * kc;
            for (int r = 0; r < MR; r++) {
                if (r < mr) {
                    int src = op.aOff + (ic + ir + r) * lda + pc;
                    for (int p = 0; p < kc; p++) dst[base + p * MR + r] = a[src + p];
                } else {
                    for (int p = 0; p < kc; p++) dst[base + p * MR + r] = 0f;
                }
            }
        }
    }

    /**
     * Packs B[pc..pc+kc, jc..jc+nc] into micro-panels of NR columns: panel j holds, for each p,
     * the NR values B[pc+p, jc+j*NR..] contiguous, i.e. whole vectors. Columns past nc are zero.
     * Panel j starts at {@code dst[at + j*NR*kc]}.
     */
    private static void packB(Operands op, int pc, int kc, int jc, int nc, float[] dst, int at) {
        float[] b = op.b;
        int ldb = op.ldb;
        for (int jr = 0; jr < nc; jr += NR) {
            int nr = Math.min(NR, nc - jr), base = at + jr * kc;
            if (!op.transB) { // B stored [k,n]: each packed row is a slice of one row of B
                for (int p = 0; p < kc; p++) {
                    int src = op.bOff + (pc + p) * ldb + jc + jr, d = base + p * NR;
                    if (nr == NR) {
                        for (int v = 0; v < NR; v += L) FloatVector.fromArray(S, b, src + v).intoArray(dst, d + v);
                    } else {
                        for (int j = 0; j < nr; j++) dst[d + j] = b[src + j];
                        for (int j = nr; j < NR; j++) dst[d + j] = 0f;
                    }
                }
            } else { // B stored [n,k]: read four columns of op(B) at a time, write four adjacent floats per p
                int j = 0;
                for (; j + 4 <= nr; j += 4) {
                    int s0 = op.bOff + (jc + jr + j) * ldb + pc, s1 = s0 + ldb, s2 = s1 + ldb, s3 = s2 + ldb;
                    for (int p = 0, d = base + j; p < kc; p++, d += NR) {
                        dst[d] = b[s0 + p];
                        dst[d + 1] = b[s1 + p];
                        dst[d + 2] = b[s2 + p];
                        dst[d + 3] = b[s3 + p];
                    }
                }
                for (; j < NR; j++) {
                    if (j < nr) {
                        int src = op.bOff + (jc + jr + j) * ldb + pc;
                        for (int p = 0; p < kc; p++) dst[base + p * NR + j] = b[src + p];
                    } else {
                        for (int p = 0; p < kc; p++) dst[base + p * NR + j] = 0f;
                    }
                }
            }
        }
    }

    /** The MR x NR micro-kernel of this machine's vector width (MR is a constant: C2 keeps one branch). */
    private static void kernel(int kc, float[] pa, int ia, float[] pb, int ib,
                               float[] c, int ci, int ldc, boolean add) {
        if (MR == 6) kernel6x3(kc, pa, ia, pb, ib, c, ci, ldc, add);
        else kernel3x3(kc, pa, ia, pb, ib, c, ci, ldc, add);
    }

    /**
     * The 8-lane micro-kernel: C[3, 3 vectors] (+)= packed A panel * packed B panel over kc.
     * Accumulators are named locals so C2 keeps all nine in registers; the add of the old C is
     * written inline because passing vectors to a method that is not inlined boxes them.
     * <p>
     * B is read from its float[] with an index linear in the loop: C2 then proves all B loads of
     * the call in bounds up front and drops the Vector API's per-load checks even when they are on
     * (the JVM's default, so also for library users). Through a segment view of B at long offsets
     * it kept them and recomputed each address every step. Against that segment version over the
     * nine ViT shapes (2 threads, Zen 4): +37-48% at 8 lanes and +15-21% at 16 lanes with the
     * checks on, equal with them off.
     */
    private static void kernel3x3(int kc, float[] pa, int ia, float[] pb, int ib,
                                  float[] c, int ci, int ldc, boolean add) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S), c02 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S), c12 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S), c22 = FloatVector.zero(S);
        for (int end = ib + kc * NR; ib < end; ib += NR, ia += 3) {
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
     * The 16-lane micro-kernel: C[6, 3 vectors] (+)= packed A panel * packed B panel over kc, as
     * {@link #kernel3x3} with twice the rows: 18 accumulators, 3 B vectors and 6 broadcasts fit
     * AVX-512's 32 registers, and each k step issues 18 FMAs for the loop overhead 3 x 3 pays for 9.
     */
    private static void kernel6x3(int kc, float[] pa, int ia, float[] pb, int ib,
                                  float[] c, int ci, int ldc, boolean add) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S), c02 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S), c12 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S), c22 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S), c32 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S), c42 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S), c52 = FloatVector.zero(S);
        for (int end = ib + kc * NR; ib < end; ib += NR, ia += 6) {
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
     * ones, ends in one): {@link #kernel6x3} on its first vector only, into the scratch tile's
     * first vector of each row, instead of 3 vectors of which 2 multiply padding zeros.
     */
    private static void kernel6x1(int kc, float[] pa, int ia, float[] pb, int ib, float[] tile) {
        FloatVector c0 = FloatVector.zero(S), c1 = FloatVector.zero(S), c2 = FloatVector.zero(S);
        FloatVector c3 = FloatVector.zero(S), c4 = FloatVector.zero(S), c5 = FloatVector.zero(S);
        for (int end = ib + kc * NR; ib < end; ib += NR, ia += 6) {
            FloatVector b = FloatVector.fromArray(S, pb, ib);
            c0 = FloatVector.broadcast(S, pa[ia]).fma(b, c0);
            c1 = FloatVector.broadcast(S, pa[ia + 1]).fma(b, c1);
            c2 = FloatVector.broadcast(S, pa[ia + 2]).fma(b, c2);
            c3 = FloatVector.broadcast(S, pa[ia + 3]).fma(b, c3);
            c4 = FloatVector.broadcast(S, pa[ia + 4]).fma(b, c4);
            c5 = FloatVector.broadcast(S, pa[ia + 5]).fma(b, c5);
        }
        c0.intoArray(tile, 0);
        c1.intoArray(tile, NR);
        c2.intoArray(tile, 2 * NR);
        c3.intoArray(tile, 3 * NR);
        c4.intoArray(tile, 4 * NR);
        c5.intoArray(tile, 5 * NR);
    }

    /** Scalar tail: copies the valid mr x nr corner of a full scratch tile into C. */
    private static void storeEdge(float[] tile, int mr, int nr, float[] c, int ci, int ldc, boolean add) {
        for (int r = 0; r < mr; r++)
            for (int j = 0; j < nr; j++) {
                float v = tile[r * NR + j];
                c[ci + r * ldc + j] = add ? c[ci + r * ldc + j] + v : v;
            }
    }
}
