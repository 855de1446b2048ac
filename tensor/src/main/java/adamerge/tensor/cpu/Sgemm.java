package adamerge.tensor.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.util.Arrays;

/**
 * Single-precision GEMM on the Vector API, blocked in the BLIS/GotoBLAS way:
 * <pre>
 *   for jc in n step NC          B block [KC x NC] packed once, reused by every row panel
 *     for pc in k step KC        (KC x NR micro-panel of B: in L2; see KC)
 *       pack B[pc.., jc..]
 *       for ic in m step MC      A block [MC x KC] packed, stays in L2
 *         pack A[ic.., pc..]
 *         for jr, ir             MR x NR register tile: 6 x 2 or 3 x 3 vectors (8 lanes), 6 x 3 (16)
 * </pre>
 * Packing makes all four layouts (NN, NT, TN, TT) run the same micro-kernel and pads edge
 * panels with zeros, so the kernel always does full vector loads; only the store of an edge
 * tile goes through a small scratch tile. {@link PackA} packs A; a transposed B is packed
 * 16 x 16 floats at a time through {@link Transpose16} where vectors have 16 lanes (0.43-0.51 ns
 * a float against 0.98-1.0 for the scalar loop, Zen 5). On several cores, C is split along its
 * larger side: the threads first pack the other operand whole, together, then claim pieces of
 * that side.
 */
public final class Sgemm {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /**
     * Register tile of MR rows x NR columns, shaped by the register file (see {@link MicroKernels}).
     * AVX-512 (16 lanes, 32 registers): 6 x 3 vectors. AVX2 (8 lanes, 16 registers): 6 x 2 vectors
     * where this JVM compiles that kernel without spilling, else 3 x 3, chosen once by timing both
     * ({@link MicroKernels#sixByTwoIsFaster}), or as the property {@code adamerge.gemm.tile}
     * ("6x2" or "3x3") says, so that the tests run both on any machine. The two give the same bits:
     * each element of C is the same chain of FMAs over k either way.
     */
    private static final boolean SIX_BY_TWO = L < 16 && switch (System.getProperty("adamerge.gemm.tile", "timed")) {
        case "6x2" -> true;
        case "3x3" -> false;
        default -> MicroKernels.sixByTwoIsFaster();
    };
    static final int MR = L >= 16 || SIX_BY_TWO ? 6 : 3, NR = SIX_BY_TWO ? 2 * L : 3 * L;
    /**
     * Cache blocking: a KC x NR micro-panel of B is read once per A micro-panel, an MC x KC block
     * of A stays in L2, a KC x NC block of B is re-read from L3 once per A block. Fewer, longer
     * k loops (fewer passes over C) win over a B micro-panel in L1 at either width.
     * 16 lanes (the AVX-512 EPYC): KC 768, MC 60; against OpenBLAS in alternating turns
     * ({@code bench gemm --peer}, 5 turns, geometric mean over the nine ViT shapes) KC 128 / MC 120
     * gave 0.73-0.78 of its speed, KC 384-768 / MC 60 0.84-0.91, smaller MC or KC 256 0.77-0.84;
     * on a Zen 5 VM, against KC 384 in alternating turns in one JVM (two threads, medians of 9
     * rounds), KC 768 ran 6-9 % faster over the nine shapes, KC 640, 1024 or 3072 2-5 %, MC 30,
     * 96 or 120 no better than 60.
     * 8 lanes (Zen 4 under -XX:UseAVX=2 against OpenBLAS's Haswell kernels, same bench): with the
     * 6 x 2 tile KC 192 gave 0.85, KC 384 0.88 and KC 768 0.90-0.91 (NC 768 or 1536 alike); the
     * 3 x 3 tile gave 0.85 with KC 192 or 768. MC 120 rows at 8 lanes. NC keeps each thread's B
     * buffer at 2.3 MiB (a parallel product's pieces are narrower than NC anyway; attention's
     * per-thread products allocate it on every new thread).
     */
    static final int KC = 768, MC = L >= 16 ? 60 : 120, NC = L >= 16 ? 16 * NR : 768;
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

    /** The register tile in use, as "rows x vectors" (for benchmark reports). */
    public static String registerTile() {
        return MR + " x " + NR / L;
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
                                if (MR == 6 && nr <= L) MicroKernels.kernel6x1(kc, pa, aAt + ir * kc, pb, bAt + jr * kc, NR, scratch);
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

    /** Packs A[ic..ic+mc, pc..pc+kc] into micro-panels of MR rows (see {@link PackA}). */
    private static void packA(Operands op, int ic, int mc, int pc, int kc, float[] dst, int at) {
        PackA.pack(op.transA, op.a, op.aOff, op.lda, ic, mc, pc, kc, dst, at);
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
            } else { // B stored [n,k]: 16 columns of op(B) at a time in registers (AVX-512), else four, written four adjacent floats per p
                int j = 0;
                if (Transpose16.PAYS)
                    for (int n16 = Transpose16.N, k16 = kc - kc % n16; j + n16 <= nr; j += n16) {
                        int src = op.bOff + (jc + jr + j) * ldb + pc, d = base + j;
                        for (int p = 0; p < k16; p += n16) Transpose16.block(b, src + p, ldb, dst, d + p * NR, NR);
                        Transpose16.scalar(b, src + k16, ldb, dst, d + k16 * NR, NR, n16, kc - k16);
                    }
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

    /** The MR x NR micro-kernel of this tile (MR and NR are constants: C2 keeps one branch). */
    private static void kernel(int kc, float[] pa, int ia, float[] pb, int ib,
                               float[] c, int ci, int ldc, boolean add) {
        if (L >= 16) MicroKernels.kernel6x3(kc, pa, ia, pb, ib, c, ci, ldc, add);
        else if (SIX_BY_TWO) MicroKernels.kernel6x2(kc, pa, ia, pb, ib, c, ci, ldc, add);
        else MicroKernels.kernel3x3(kc, pa, ia, pb, ib, c, ci, ldc, add);
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
