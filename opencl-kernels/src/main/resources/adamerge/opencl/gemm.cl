// Batched GEMM C[b] = A[b] x B[b] for strided views: A[b](i,p) is A[a_off + b*a_sb + i*a_sm + p*a_sk],
// B[b](p,j) is B[b_off + b*b_sb + p*b_sk + j*b_sn]; C is contiguous [batch, M, N].
//
// Built with -D TS (tile edge), -D WPT (outputs per work-item along each axis), -D TSK (depth
// of a tile). A work-group of (TS/WPT)^2 work-items computes a TS x TS block of C; work-item
// (tx, ty) holds the WPT x WPT register tile of rows ty + w*RTS, columns tx + w*RTS, so that
// neighbours touch neighbouring columns (coalesced stores, no local-memory bank conflicts).
// Each K step stages a TS x TSK slice of A and a TSK x TS slice of B in local memory with
// float4 loads along whichever axis is contiguous in memory: a_rm says A is row-major (a_sk == 1),
// else it is transposed (a_sm == 1); b_rm says B is row-major (b_sn == 1), else transposed
// (b_sk == 1). Other strides are copied to contiguous by the host first.

#define RTS (TS / WPT)
#define NT (RTS * RTS)
#define PAD 1

__kernel __attribute__((reqd_work_group_size(RTS, RTS, 1)))
void gemm(const int M, const int N, const int K,
          __global const float* A, const int a_off, const int a_sb, const int a_sm, const int a_sk, const int a_rm,
          __global const float* B, const int b_off, const int b_sb, const int b_sk, const int b_sn, const int b_rm,
          __global float* C) {
    __local float As[TSK][TS + PAD]; // As[p][i]
    __local float Bs[TSK][TS + PAD]; // Bs[p][j]
    const int tx = get_local_id(0), ty = get_local_id(1), tid = ty * RTS + tx;
    const int row0 = get_group_id(1) * TS, col0 = get_group_id(0) * TS, batch = get_global_id(2);
    A += a_off + batch * a_sb;
    B += b_off + batch * b_sb;

    float acc[WPT][WPT];
    #pragma unroll
    for (int wm = 0; wm < WPT; wm++)
        #pragma unroll
        for (int wn = 0; wn < WPT; wn++) acc[wm][wn] = 0.0f;

    for (int p0 = 0; p0 < K; p0 += TSK) {
        for (int e = tid; e < TS * TSK / 4; e += NT) {
            if (a_rm) { // four consecutive p of one row i
                const int i = e / (TSK / 4), p = (e % (TSK / 4)) * 4, gi = row0 + i, gp = p0 + p;
                if (gi < M && gp + 3 < K) {
                    float4 v = vload4(0, A + gi * a_sm + gp);
                    As[p][i] = v.x; As[p + 1][i] = v.y; As[p + 2][i] = v.z; As[p + 3][i] = v.w;
                } else {
                    #pragma unroll
                    for (int q = 0; q < 4; q++) As[p + q][i] = gi < M && gp + q < K ? A[gi * a_sm + gp + q] : 0.0f;
                }
            } else { // four consecutive i of one column p
                const int p = e / (TS / 4), i = (e % (TS / 4)) * 4, gi = row0 + i, gp = p0 + p;
                if (gp < K && gi + 3 < M) {
                    float4 v = vload4(0, A + gp * a_sk + gi);
                    As[p][i] = v.x; As[p][i + 1] = v.y; As[p][i + 2] = v.z; As[p][i + 3] = v.w;
                } else {
                    #pragma unroll
                    for (int q = 0; q < 4; q++) As[p][i + q] = gp < K && gi + q < M ? A[gp * a_sk + gi + q] : 0.0f;
                }
            }
            if (b_rm) { // four consecutive j of one row p
                const int p = e / (TS / 4), j = (e % (TS / 4)) * 4, gp = p0 + p, gj = col0 + j;
                if (gp < K && gj + 3 < N) {
                    float4 v = vload4(0, B + gp * b_sk + gj);
                    Bs[p][j] = v.x; Bs[p][j + 1] = v.y; Bs[p][j + 2] = v.z; Bs[p][j + 3] = v.w;
                } else {
                    #pragma unroll
                    for (int q = 0; q < 4; q++) Bs[p][j + q] = gp < K && gj + q < N ? B[gp * b_sk + gj + q] : 0.0f;
                }
            } else { // four consecutive p of one column j
                const int j = e / (TSK / 4), p = (e % (TSK / 4)) * 4, gp = p0 + p, gj = col0 + j;
                if (gj < N && gp + 3 < K) {
                    float4 v = vload4(0, B + gj * b_sn + gp);
                    Bs[p][j] = v.x; Bs[p + 1][j] = v.y; Bs[p + 2][j] = v.z; Bs[p + 3][j] = v.w;
                } else {
                    #pragma unroll
                    for (int q = 0; q < 4; q++) Bs[p + q][j] = gj < N && gp + q < K ? B[gj * b_sn + gp + q] : 0.0f;
                }
            }
        }
        barrier(CLK_LOCAL_MEM_FENCE);

        #pragma unroll
        for (int p = 0; p < TSK; p++) {
            float ar[WPT], br[WPT];
            #pragma unroll
            for (int w = 0; w < WPT; w++) {
                ar[w] = As[p][ty + w * RTS];
                br[w] = Bs[p][tx + w * RTS];
            }
            #pragma unroll
            for (int wm = 0; wm < WPT; wm++)
                #pragma unroll
                for (int wn = 0; wn < WPT; wn++) acc[wm][wn] = fma(ar[wm], br[wn], acc[wm][wn]);
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }

    C += (long) batch * M * N;
    #pragma unroll
    for (int wm = 0; wm < WPT; wm++) {
        const int gi = row0 + ty + wm * RTS;
        #pragma unroll
        for (int wn = 0; wn < WPT; wn++) {
            const int gj = col0 + tx + wn * RTS;
            if (gi < M && gj < N) C[gi * N + gj] = acc[wm][wn];
        }
    }
}
