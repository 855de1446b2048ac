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

// Up to eight task vectors of one layout in one launch: their own buffers and offsets, shared
// strides (a tensor's task vectors come from one checkpoint layout). `count` of the eight are
// used; the host passes the first buffer for the rest. A merge or the dots of K task vectors
// thus costs ceil(K / 8) launches per tensor, not K.
#define EIGHT_TAUS TAU_PTR t0, TAU_PTR t1, TAU_PTR t2, TAU_PTR t3, TAU_PTR t4, TAU_PTR t5, TAU_PTR t6, TAU_PTR t7, \
                   const int8 t_st, const int8 t_off
#define TAU_AT(k, o) LOAD_TAU(t##k, (o) + t_off.s##k)

// y = x + sum_k lambda_k tau_k (x: theta0, or y itself for the next eight), added in task order:
// the terms of task arithmetic with per-task coefficients, theta0 + sum_k lambda_k tau_k.
#define MERGE_TERM(k) if (count > k) acc += lambda.s##k * TAU_AT(k, o);
__kernel void merge_taus(const int n, const int8 sh, const int flat, const int count, const float8 lambda,
                         __global const float* x, VIEW(x), EIGHT_TAUS, __global float* y) {
    int i = get_global_id(0);
    if (i >= n) return;
    int o = view_offset(i, sh, t_st, 0, flat);
    float acc = x[view_offset(i, sh, x_st, x_off, flat)];
    MERGE_TERM(0) MERGE_TERM(1) MERGE_TERM(2) MERGE_TERM(3) MERGE_TERM(4) MERGE_TERM(5) MERGE_TERM(6) MERGE_TERM(7)
    y[i] = acc;
}

// Partial sums of g .* tau_k for each of the count task vectors over one grid-stride loop
// (compensated, g read once for all), one per work-group and task: partial[p_off + k groups + group];
// a second reduce_group pass adds the partials on the device.
#define DOT_TERM(k) if (count > k) { float t = v * TAU_AT(k, o) - c##k; float u = a##k + t; c##k = (u - a##k) - t; a##k = u; }
// Every work-item meets every barrier: all eight sums are reduced (the unused ones are zero) and
// only the first count are written. A reduction skipped by a condition, even a uniform one, hung PoCL.
#define DOT_OUT(k) { float r = group_reduce(s, REDUCE_SUM, a##k); \
                     if (count > k && get_local_id(0) == 0) partial[p_off + k * get_num_groups(0) + get_group_id(0)] = r; }
__kernel void dots_partial(const int n, const int8 sh, const int flat, const int count, __global const float* g, VIEW(g),
                           EIGHT_TAUS, __global float* partial, const int p_off, __local float* s) {
    float a0 = 0, a1 = 0, a2 = 0, a3 = 0, a4 = 0, a5 = 0, a6 = 0, a7 = 0;
    float c0 = 0, c1 = 0, c2 = 0, c3 = 0, c4 = 0, c5 = 0, c6 = 0, c7 = 0;
    for (int i = get_global_id(0); i < n; i += get_global_size(0)) {
        float v = g[view_offset(i, sh, g_st, g_off, flat)];
        int o = view_offset(i, sh, t_st, 0, flat);
        DOT_TERM(0) DOT_TERM(1) DOT_TERM(2) DOT_TERM(3) DOT_TERM(4) DOT_TERM(5) DOT_TERM(6) DOT_TERM(7)
    }
    DOT_OUT(0) DOT_OUT(1) DOT_OUT(2) DOT_OUT(3) DOT_OUT(4) DOT_OUT(5) DOT_OUT(6) DOT_OUT(7)
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
