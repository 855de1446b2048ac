// Row kernels: a view is read as rows of n elements. Row r starts at view_offset(r, sh, x_st, x_off)
// over the shape of the other axes, and its element j is j * jst further on. One work-group per
// row (local size a power of two, scratch of that many floats) unless the kernel says otherwise.
// Needs view_offset from elementwise.cl (the sources are built as one program, after OpCodes' defines).

inline float combine(const int op, const float acc, const float v) {
    return op == REDUCE_SUM ? acc + v : (isnan(v) || v > acc ? v : acc); // MAX propagates NaN like the oracle
}

// Reduces all of the work-group's values; every work-item gets the result.
inline float group_reduce(__local float* s, const int op, const float v) {
    const int lid = get_local_id(0);
    s[lid] = v;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int k = get_local_size(0) / 2; k > 0; k >>= 1) {
        if (lid < k) s[lid] = combine(op, s[lid], s[lid + k]);
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    float r = s[0];
    barrier(CLK_LOCAL_MEM_FENCE);
    return r;
}

__kernel void reduce_group(const int n, const int8 sh, const int flat, __global const float* x, VIEW(x), const int jst,
                           const int op, __global float* y, __local float* s) {
    const int r = get_group_id(0);
    const int base = view_offset(r, sh, x_st, x_off, flat);
    float acc = op == REDUCE_SUM ? 0.0f : -INFINITY;
    for (int j = get_local_id(0); j < n; j += get_local_size(0)) acc = combine(op, acc, x[base + j * jst]);
    acc = group_reduce(s, op, acc);
    if (get_local_id(0) == 0) y[r] = acc;
}

// One work-item per row: for short rows, where a work-group would idle.
__kernel void reduce_serial(const int rows, const int n, const int8 sh, const int flat, __global const float* x, VIEW(x),
                            const int jst, const int op, __global float* y) {
    const int r = get_global_id(0);
    if (r >= rows) return;
    const int base = view_offset(r, sh, x_st, x_off, flat);
    float acc = op == REDUCE_SUM ? 0.0f : -INFINITY;
    for (int j = 0; j < n; j++) acc = combine(op, acc, x[base + j * jst]);
    y[r] = acc;
}

// Index of the first maximum of each row, as a float (ties go to the lower index).
__kernel void argmax_group(const int n, const int8 sh, const int flat, __global const float* x, VIEW(x), const int jst,
                           __global float* y, __local float* s, __local int* si) {
    const int r = get_group_id(0), lid = get_local_id(0);
    const int base = view_offset(r, sh, x_st, x_off, flat);
    float best = -INFINITY;
    int bi = INT_MAX;
    for (int j = lid; j < n; j += get_local_size(0)) {
        float v = x[base + j * jst];
        if (v > best || (v == best && j < bi)) { best = v; bi = j; }
    }
    s[lid] = best;
    si[lid] = bi;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int k = get_local_size(0) / 2; k > 0; k >>= 1) {
        if (lid < k) {
            float v = s[lid + k];
            int j = si[lid + k];
            if (v > s[lid] || (v == s[lid] && j < si[lid])) { s[lid] = v; si[lid] = j; }
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    // The oracle scans left to right with >, so NaN is never picked, unless it comes first and nothing beats it.
    if (lid == 0) y[r] = si[0] == INT_MAX || (n > 0 && isnan(x[base])) ? 0.0f : (float) si[0];
}

// Softmax (or log-softmax) of each row, max-subtracted; y is contiguous.
__kernel void softmax_rows(const int n, const int8 sh, const int flat, __global const float* x, VIEW(x), const int jst,
                           const int log_out, __global float* y, __local float* s) {
    const int r = get_group_id(0), lid = get_local_id(0), lsz = get_local_size(0);
    const int base = view_offset(r, sh, x_st, x_off, flat);
    float mx = -INFINITY;
    for (int j = lid; j < n; j += lsz) mx = combine(REDUCE_MAX, mx, x[base + j * jst]);
    mx = group_reduce(s, REDUCE_MAX, mx);
    float sum = 0.0f;
    for (int j = lid; j < n; j += lsz) sum += exp(x[base + j * jst] - mx);
    sum = group_reduce(s, REDUCE_SUM, sum);
    const float lse = log(sum), inv = 1.0f / sum;
    for (int j = lid; j < n; j += lsz) {
        float z = x[base + j * jst] - mx;
        y[r * n + j] = log_out ? z - lse : exp(z) * inv;
    }
}

// (x - mean) / sqrt(var + eps) * gamma + beta per row, two-pass variance; gamma and beta contiguous.
__kernel void layer_norm_rows(const int n, const int8 sh, const int flat, __global const float* x, VIEW(x), const int jst,
                              __global const float* gamma, const int g_off, __global const float* beta, const int b_off,
                              const float eps, __global float* y, __local float* s) {
    const int r = get_group_id(0), lid = get_local_id(0), lsz = get_local_size(0);
    const int base = view_offset(r, sh, x_st, x_off, flat);
    float sum = 0.0f;
    for (int j = lid; j < n; j += lsz) sum += x[base + j * jst];
    const float mean = group_reduce(s, REDUCE_SUM, sum) / n;
    float sq = 0.0f;
    for (int j = lid; j < n; j += lsz) { float d = x[base + j * jst] - mean; sq += d * d; }
    const float rstd = rsqrt(group_reduce(s, REDUCE_SUM, sq) / n + eps);
    for (int j = lid; j < n; j += lsz)
        y[r * n + j] = (x[base + j * jst] - mean) * rstd * gamma[g_off + j] + beta[b_off + j];
}

// Histogram of one 8-bit digit of the bit patterns of |x| among the elements whose higher digits
// equal `prefix` under `mask` (one pass of a most-significant-digit radix select). For non-negative
// floats the bit patterns order like the values, NaN above +inf.
__kernel void radix_histogram(const int n, const int8 sh, const int flat, __global const float* x, VIEW(x),
                              const uint prefix, const uint mask, const int shift,
                              __global uint* hist, __local uint* lh) {
    const int lid = get_local_id(0), lsz = get_local_size(0);
    for (int k = lid; k < 256; k += lsz) lh[k] = 0;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int i = get_global_id(0); i < n; i += get_global_size(0)) {
        uint v = as_uint(x[view_offset(i, sh, x_st, x_off, flat)]) & 0x7fffffffu;
        if ((v & mask) == prefix) atomic_inc(&lh[(v >> shift) & 255u]);
    }
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int k = lid; k < 256; k += lsz)
        if (lh[k] != 0) atomic_add(&hist[k], lh[k]);
}
