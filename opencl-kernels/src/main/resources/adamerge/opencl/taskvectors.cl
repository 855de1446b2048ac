// Kernels that read task vectors. The program is built twice: as is, task vectors are float; with
// -DTAU_HALF they are IEEE half, read with vload_half (core OpenCL 1.2: no cl_khr_fp16 needed, the
// arithmetic stays in float). Needs view_offset and group_reduce (built after elementwise.cl and rows.cl).

#ifdef TAU_HALF
#define TAU_PTR __global const half*
#define LOAD_TAU(p, i) vload_half((i), (p))
#else
#define TAU_PTR __global const float*
#define LOAD_TAU(p, i) (p)[i]
#endif

// y += alpha * tau (y contiguous from y_off): one task vector term of theta0 + sum_k lambda_k tau_k.
__kernel void axpy(const int n, const int8 sh, const int flat, const float alpha,
                   TAU_PTR x, VIEW(x), __global float* y, const int y_off) {
    int i = get_global_id(0);
    if (i >= n) return;
    y[y_off + i] += alpha * LOAD_TAU(x, view_offset(i, sh, x_st, x_off, flat));
}

// Partial sums of g .* tau over a grid-stride loop (compensated), one per work-group, into
// partial[p_off + group]; a second reduce_group pass adds the partials on the device.
__kernel void dot_partial(const int n, const int8 sh, const int flat, __global const float* a, VIEW(a),
                          TAU_PTR b, VIEW(b), __global float* partial, const int p_off, __local float* s) {
    float acc = 0.0f, c = 0.0f;
    for (int i = get_global_id(0); i < n; i += get_global_size(0)) {
        float t = a[view_offset(i, sh, a_st, a_off, flat)] * LOAD_TAU(b, view_offset(i, sh, b_st, b_off, flat)) - c;
        float u = acc + t;
        c = (u - acc) - t;
        acc = u;
    }
    acc = group_reduce(s, REDUCE_SUM, acc);
    if (get_local_id(0) == 0) partial[p_off + get_group_id(0)] = acc;
}

// A task vector view as contiguous float: how a half task vector reaches the host or other kernels.
__kernel void tau_to_float(const int n, const int8 sh, const int flat, TAU_PTR x, VIEW(x), __global float* y) {
    int i = get_global_id(0);
    if (i >= n) return;
    y[i] = LOAD_TAU(x, view_offset(i, sh, x_st, x_off, flat));
}

#ifndef TAU_HALF
// A float view as contiguous half, rounded to nearest even like Float.floatToFloat16 (the CPU's F16 storage).
__kernel void float_to_half(const int n, const int8 sh, const int flat, __global const float* x, VIEW(x), __global half* y) {
    int i = get_global_id(0);
    if (i >= n) return;
    vstore_half_rte(x[view_offset(i, sh, x_st, x_off, flat)], i, y);
}
#endif
