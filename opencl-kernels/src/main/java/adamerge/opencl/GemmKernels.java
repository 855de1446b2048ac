package adamerge.opencl;

import adamerge.tensor.Tensor;
import org.jocl.cl_mem;

import java.lang.ref.Reference;
import java.util.Arrays;

/**
 * The host side of gemm.cl: batched matmul on the tiled kernel, built per tiling and operand
 * layout, with the tiling and K splits of {@link GemmPlanner} and the partial products of a split
 * summed by gemm_sum.
 */
final class GemmKernels {
    private final OpenClBackend cl;
    private final GemmPlanner planner;
    private GemmConfig tuned;

    GemmKernels(OpenClBackend cl, GemmPlanner planner) {
        this.cl = cl;
        this.planner = planner;
    }

    /** The tuned tiling, tuned (or read from the tuning cache) at first use. */
    GemmConfig tuned() {
        if (tuned == null) tuned = GemmTuner.configFor(cl);
        return tuned;
    }

    Tensor matmul(Tensor a, Tensor b) {
        int nb = a.dim(0), m = a.dim(1), k = a.dim(2), n = b.dim(2);
        if (b.dim(0) != nb || b.dim(1) != k)
            throw new IllegalArgumentException("matmul shapes " + Arrays.toString(a.shape()) + " and " + Arrays.toString(b.shape()) + " do not fit");
        Tensor out = cl.empty(nb, m, n);
        if (out.numel() == 0) return out;
        // A is row-major when its K stride is 1, transposed when its M stride is 1 (a size-1 axis fits
        // either); anything else is copied to row-major first. Likewise B with its N and K strides.
        Tensor ca = a, cb = b;
        int[] sa = a.strides(), sb = b.strides();
        boolean aRowMajor;
        if (k == 1 || sa[2] == 1) { aRowMajor = true; sa[2] = 1; }
        else if (m == 1 || sa[1] == 1) { aRowMajor = false; sa[1] = 1; }
        else { ca = cl.copy(a); sa = ca.strides(); aRowMajor = true; }
        boolean bRowMajor;
        if (n == 1 || sb[2] == 1) { bRowMajor = true; sb[2] = 1; }
        else if (k == 1 || sb[1] == 1) { bRowMajor = false; sb[1] = 1; }
        else { cb = cl.copy(b); sb = cb.strides(); bRowMajor = true; }
        if (nb == 1) { sa[0] = 0; sb[0] = 0; }
        GemmPlanner.Plan plan = planner.plan(tuned(), nb, m, n, k);
        run(plan.tiling(), plan.splits(), nb, m, n, k, cl.mem(ca), ca.offset(), sa, aRowMajor, cl.mem(cb), cb.offset(), sb, bRowMajor, cl.mem(out));
        Reference.reachabilityFence(a);
        Reference.reachabilityFence(b);
        if (ca != a) cl.storage(ca).release();
        if (cb != b) cl.storage(cb).release();
        return out;
    }

    /**
     * C = A x B with the given tiling and K split into {@code splits} ranges (partial products summed
     * by gemm_sum). Strides are (batch, row, column) of each operand; one of A's (or B's) row and
     * column strides is 1, as {@code aRowMajor} ({@code bRowMajor}) says.
     */
    void run(GemmConfig cfg, int splits, int nb, int m, int n, int k, cl_mem a, int aOff, int[] sa, boolean aRowMajor,
             cl_mem b, int bOff, int[] sb, boolean bRowMajor, cl_mem c) {
        int chunk = k, used = 1;
        if (splits > 1 && k > cfg.bk()) {
            chunk = GemmPlanner.chunk(cfg, k, splits);
            used = Math.ceilDiv(k, chunk);
        }
        // float4 global accesses need 16-byte aligned rows: offsets and the row strides multiples of 4
        boolean va = aOff % 4 == 0 && sa[0] % 4 == 0 && (aRowMajor ? sa[1] : sa[2]) % 4 == 0;
        boolean vb = bOff % 4 == 0 && sb[0] % 4 == 0 && (bRowMajor ? sb[1] : sb[2]) % 4 == 0;
        DeviceStorage partial = used > 1 ? cl.allocate(Math.multiplyExact(Math.multiplyExact(nb * used, m), n)) : null;
        int rtm = cfg.bm() / cfg.tm(), rtn = cfg.bn() / cfg.tn();
        new Launch(cl, cl.programs().gemm(cfg, aRowMajor, bRowMajor), "gemm").arg(m).arg(n).arg(k)
                .arg(a).arg(aOff).arg(sa[0]).arg(sa[1]).arg(sa[2]).arg(va ? 1 : 0)
                .arg(b).arg(bOff).arg(sb[0]).arg(sb[1]).arg(sb[2]).arg(vb ? 1 : 0)
                .arg(partial != null ? partial.mem() : c).arg(n % 4 == 0 ? 1 : 0).arg(used).arg(chunk)
                .run(new long[]{(long) Math.ceilDiv(n, cfg.bn()) * rtn, (long) Math.ceilDiv(m, cfg.bm()) * rtm, (long) nb * used},
                        new long[]{rtn, rtm, 1});
        if (partial != null) {
            int mn = m * n, ls = Launch.ELEMENTWISE_GROUP;
            cl.kernel("gemm_sum").arg(mn).arg(used).arg(partial.mem()).arg(c)
                    .run(new long[]{(long) Math.ceilDiv(mn, ls) * ls, nb}, new long[]{ls, 1});
            partial.release(); // the in-order queue runs its next writer after gemm_sum
        }
    }
}
