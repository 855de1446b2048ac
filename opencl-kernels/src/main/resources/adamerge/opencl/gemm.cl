// Batched GEMM C[b] = A[b] x B[b] for strided views: A[b](i,p) is A[a_off + b*a_sb + i*a_sm + p*a_sk],
// B[b](p,j) is B[b_off + b*b_sb + p*b_sk + j*b_sn]; C is contiguous [batch, M, N].
//
// Built with -D BM, BN (block tile of C), TM, TN (outputs per work-item, multiples of 4), BK
// (depth of a K step), A_RM (1: A is row-major, a_sk == 1; 0: transposed, a_sm == 1) and B_RM
// (1: B is row-major, b_sn == 1; 0: transposed, b_sk == 1). Other strides are copied to
// contiguous by the host first.
//
// A work-group of (BM/TM) x (BN/TN) work-items computes a BM x BN block of C. Work-item (tx, ty)
// holds rows 4*(ty + c*RTM) + q and columns 4*(tx + d*RTN) + r (c < TM/4, d < TN/4, q, r < 4),
// so it reads its operands from local memory as float4s (A: one address per half-warp, a
// broadcast; B: consecutive float4s) and stores C as float4 rows. Each K step stages a BK x BM
// slice of A and a BK x BN slice of B in local memory (k-major, rows padded by one float4), read
// from global memory as float4 along the contiguous axis; the next step's slices are loaded into
// registers while the current one is multiplied, and two local buffers leave one barrier a step.
//
// Split-K: the third NDRange axis is batch * splits; group z multiplies the K range
// [split*kchunk, min(K, (split+1)*kchunk)) and writes its partial product to slice z of C, which
// is then [batch*splits, M, N] and is summed by gemm_sum (splits == 1 writes C directly).
// va / vb / vc say that A / B / C rows start 16-byte aligned, allowing float4 global accesses.

#ifdef BM // the tiled kernel needs its -D options; gemm_sum below is built with the other kernels too

#define RTM (BM / TM)
#define RTN (BN / TN)
#define NTH (RTM * RTN)
#define AS4 (BM / 4 + 1)
#define BS4 (BN / 4 + 1)
#define NA4 (BM * BK / 4)
#define NB4 (BN * BK / 4)
#define LA ((NA4 + NTH - 1) / NTH)
#define LB ((NB4 + NTH - 1) / NTH)

// Four consecutive floats at p, of which rem are in range (none unless ok), zeros elsewhere.
inline float4 ld4(__global const float* p, const bool ok, const int rem, const int vec) {
    if (ok && rem >= 4) return vec ? *(__global const float4*) p : vload4(0, p);
    float4 v = (float4) (0.0f);
    if (ok) {
        if (rem > 0) v.x = p[0];
        if (rem > 1) v.y = p[1];
        if (rem > 2) v.z = p[2];
    }
    return v;
}

__kernel __attribute__((reqd_work_group_size(RTN, RTM, 1)))
void gemm(const int M, const int N, const int K,
          __global const float* A, const int a_off, const int a_sb, const int a_sm, const int a_sk, const int va,
          __global const float* B, const int b_off, const int b_sb, const int b_sk, const int b_sn, const int vb,
          __global float* C, const int vc, const int splits, const int kchunk) {
    __local float4 As[2 * BK * AS4]; // As[buf][p][i/4]
    __local float4 Bs[2 * BK * BS4]; // Bs[buf][p][j/4]
    __local float* Asf = (__local float*) As;
    __local float* Bsf = (__local float*) Bs;
    const int tx = get_local_id(0), ty = get_local_id(1), tid = ty * RTN + tx;
    const int row0 = get_group_id(1) * BM, col0 = get_group_id(0) * BN;
    const int z = get_group_id(2), batch = z / splits, split = z - batch * splits;
    A += a_off + batch * a_sb;
    B += b_off + batch * b_sb;
    const int kbeg = split * kchunk, kend = min(K, kbeg + kchunk);
    const int steps = kend > kbeg ? (kend - kbeg + BK - 1) / BK : 0;

    float acc[TM][TN];
    #pragma unroll
    for (int m = 0; m < TM; m++)
        #pragma unroll
        for (int n = 0; n < TN; n++) acc[m][n] = 0.0f;

    float4 ra[LA], rb[LB];

#if A_RM // four consecutive k of one row i
#define LOAD_A(k0) \
    for (int l = 0; l < LA; l++) { \
        const int e = tid + l * NTH, i = e / (BK / 4), p = (e % (BK / 4)) * 4, gi = row0 + i, gk = (k0) + p; \
        ra[l] = ld4(A + gi * a_sm + gk, (NA4 % NTH == 0 || e < NA4) && gi < M, kend - gk, va); }
#define STORE_A(buf) \
    for (int l = 0; l < LA; l++) { \
        const int e = tid + l * NTH, i = e / (BK / 4), p = (e % (BK / 4)) * 4; \
        if (NA4 % NTH == 0 || e < NA4) { \
            __local float* d = Asf + ((buf) * BK + p) * (4 * AS4) + i; \
            d[0] = ra[l].x; d[4 * AS4] = ra[l].y; d[8 * AS4] = ra[l].z; d[12 * AS4] = ra[l].w; } }
#else // four consecutive i of one k
#define LOAD_A(k0) \
    for (int l = 0; l < LA; l++) { \
        const int e = tid + l * NTH, p = e / (BM / 4), i = (e % (BM / 4)) * 4, gi = row0 + i, gk = (k0) + p; \
        ra[l] = ld4(A + gk * a_sk + gi, (NA4 % NTH == 0 || e < NA4) && gk < kend, M - gi, va); }
#define STORE_A(buf) \
    for (int l = 0; l < LA; l++) { \
        const int e = tid + l * NTH, p = e / (BM / 4), i4 = e % (BM / 4); \
        if (NA4 % NTH == 0 || e < NA4) As[((buf) * BK + p) * AS4 + i4] = ra[l]; }
#endif

#if B_RM // four consecutive j of one k
#define LOAD_B(k0) \
    for (int l = 0; l < LB; l++) { \
        const int e = tid + l * NTH, p = e / (BN / 4), j = (e % (BN / 4)) * 4, gj = col0 + j, gk = (k0) + p; \
        rb[l] = ld4(B + gk * b_sk + gj, (NB4 % NTH == 0 || e < NB4) && gk < kend, N - gj, vb); }
#define STORE_B(buf) \
    for (int l = 0; l < LB; l++) { \
        const int e = tid + l * NTH, p = e / (BN / 4), j4 = e % (BN / 4); \
        if (NB4 % NTH == 0 || e < NB4) Bs[((buf) * BK + p) * BS4 + j4] = rb[l]; }
#else // four consecutive k of one column j
#define LOAD_B(k0) \
    for (int l = 0; l < LB; l++) { \
        const int e = tid + l * NTH, j = e / (BK / 4), p = (e % (BK / 4)) * 4, gj = col0 + j, gk = (k0) + p; \
        rb[l] = ld4(B + gj * b_sn + gk, (NB4 % NTH == 0 || e < NB4) && gj < N, kend - gk, vb); }
#define STORE_B(buf) \
    for (int l = 0; l < LB; l++) { \
        const int e = tid + l * NTH, j = e / (BK / 4), p = (e % (BK / 4)) * 4; \
        if (NB4 % NTH == 0 || e < NB4) { \
            __local float* d = Bsf + ((buf) * BK + p) * (4 * BS4) + j; \
            d[0] = rb[l].x; d[4 * BS4] = rb[l].y; d[8 * BS4] = rb[l].z; d[12 * BS4] = rb[l].w; } }
#endif

    if (steps > 0) {
        LOAD_A(kbeg)
        LOAD_B(kbeg)
        STORE_A(0)
        STORE_B(0)
    }
    barrier(CLK_LOCAL_MEM_FENCE);

    for (int t = 0; t < steps; t++) {
        const int cur = t & 1;
        const bool more = t + 1 < steps;
        if (more) {
            const int k1 = kbeg + (t + 1) * BK;
            LOAD_A(k1)
            LOAD_B(k1)
        }
        __local const float4* ap = As + cur * BK * AS4 + ty;
        __local const float4* bp = Bs + cur * BK * BS4 + tx;
        #pragma unroll
        for (int p = 0; p < BK; p++) {
            float a[TM], b[TN];
            #pragma unroll
            for (int c = 0; c < TM / 4; c++) {
                const float4 v = ap[p * AS4 + c * RTM];
                a[4 * c] = v.x; a[4 * c + 1] = v.y; a[4 * c + 2] = v.z; a[4 * c + 3] = v.w;
            }
            #pragma unroll
            for (int d = 0; d < TN / 4; d++) {
                const float4 v = bp[p * BS4 + d * RTN];
                b[4 * d] = v.x; b[4 * d + 1] = v.y; b[4 * d + 2] = v.z; b[4 * d + 3] = v.w;
            }
            #pragma unroll
            for (int m = 0; m < TM; m++)
                #pragma unroll
                for (int n = 0; n < TN; n++) acc[m][n] = fma(a[m], b[n], acc[m][n]);
        }
        if (more) {
            STORE_A(cur ^ 1)
            STORE_B(cur ^ 1)
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }

    C += (long) z * M * N;
    #pragma unroll
    for (int c = 0; c < TM / 4; c++) {
        #pragma unroll
        for (int q = 0; q < 4; q++) {
            const int gi = row0 + 4 * (ty + c * RTM) + q;
            if (gi < M) {
                #pragma unroll
                for (int d = 0; d < TN / 4; d++) {
                    const int gj = col0 + 4 * (tx + d * RTN), m = 4 * c + q;
                    __global float* o = C + (long) gi * N + gj;
                    if (vc && gj + 3 < N) {
                        *(__global float4*) o = (float4) (acc[m][4 * d], acc[m][4 * d + 1], acc[m][4 * d + 2], acc[m][4 * d + 3]);
                    } else {
                        #pragma unroll
                        for (int r = 0; r < 4; r++)
                            if (gj + r < N) o[r] = acc[m][4 * d + r];
                    }
                }
            }
        }
    }
}

#endif

// C[b][i] = sum over s < splits of W[b*splits + s][i], i < mn: the split-K partial products.
__kernel void gemm_sum(const int mn, const int splits, __global const float* W, __global float* C) {
    const int i = get_global_id(0), b = get_global_id(1);
    if (i >= mn) return;
    __global const float* w = W + (long) b * splits * mn + i;
    float s = 0.0f;
    for (int t = 0; t < splits; t++) s += w[(long) t * mn];
    C[(long) b * mn + i] = s;
}
