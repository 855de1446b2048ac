// Elementwise kernels over strided views. A view is (shape, strides, offset) with the shape
// collapsed on the host and padded to rank 8 with leading 1s (stride 0); `flat` says the collapsed
// rank is 1, so the offset is a single multiply-add.
//
// Ops are named by the codes that OpCodes defines from the Java enums (UNARY_EXP, BINARY_ADD, ...),
// never by number: the host passes OpCodes.of(op).

#define VIEW(n) const int8 n##_st, const int n##_off

// Storage offset of the row-major element i of a view with shape sh.
inline int view_offset(int i, const int8 sh, const int8 st, const int off, const int flat) {
    if (flat) return off + i * st.s7;
    int o = off, q;
    q = i % sh.s7; o += q * st.s7; i /= sh.s7;
    q = i % sh.s6; o += q * st.s6; i /= sh.s6;
    q = i % sh.s5; o += q * st.s5; i /= sh.s5;
    q = i % sh.s4; o += q * st.s4; i /= sh.s4;
    q = i % sh.s3; o += q * st.s3; i /= sh.s3;
    q = i % sh.s2; o += q * st.s2; i /= sh.s2;
    q = i % sh.s1; o += q * st.s1; i /= sh.s1;
    return o + i * st.s0;
}

#define SQRT1_2F 0.70710678118654752440f
#define INV_SQRT_2PI 0.39894228040143267794f

inline float sigmoidf(float x) { return 1.0f / (1.0f + exp(-x)); }

// Same formulas as Unary.apply (evaluated in float).
inline float unary_op(const int op, const float x) {
    switch (op) {
        case UNARY_NEG: return -x;
        case UNARY_EXP: return exp(x);
        case UNARY_LOG: return log(x);
        case UNARY_SQRT: return sqrt(x);
        case UNARY_TANH: return tanh(x);
        case UNARY_SIGMOID: return sigmoidf(x);
        case UNARY_ABS: return fabs(x);
        case UNARY_SIGN: return sign(x);
        case UNARY_RELU: return x > 0.0f ? x : 0.0f;
        case UNARY_GELU: return 0.5f * x * (1.0f + erf(x * SQRT1_2F));                     // exact, as torch.nn.GELU()
        case UNARY_QUICK_GELU: return x * sigmoidf(1.702f * x);                            // OpenAI CLIP
        case UNARY_GELU_GRAD: return 0.5f * (1.0f + erf(x * SQRT1_2F)) + x * INV_SQRT_2PI * exp(-0.5f * x * x);
        case UNARY_QUICK_GELU_GRAD: { float s = sigmoidf(1.702f * x); return s + 1.702f * x * s * (1.0f - s); }
        default: return NAN;
    }
}

// Same as Binary.apply; MAX and MIN propagate NaN like Math.max and Math.min.
inline float binary_op(const int op, const float a, const float b) {
    switch (op) {
        case BINARY_ADD: return a + b;
        case BINARY_SUB: return a - b;
        case BINARY_MUL: return a * b;
        case BINARY_DIV: return a / b;
        case BINARY_POW: return pow(a, b);
        case BINARY_MAX: return isnan(a) || isnan(b) ? NAN : fmax(a, b);
        case BINARY_MIN: return isnan(a) || isnan(b) ? NAN : fmin(a, b);
        case BINARY_GT: return a > b ? 1.0f : 0.0f;
        case BINARY_GE: return a >= b ? 1.0f : 0.0f;
        case BINARY_LT: return a < b ? 1.0f : 0.0f;
        case BINARY_LE: return a <= b ? 1.0f : 0.0f;
        case BINARY_EQ: return a == b ? 1.0f : 0.0f;
        default: return NAN;
    }
}

// dst view <- src view (same shape). A contiguous copy is the dst view with contiguous strides.
__kernel void copy_view(const int n, const int8 sh, const int flat,
                        __global const float* x, VIEW(x), __global float* y, VIEW(y)) {
    int i = get_global_id(0);
    if (i >= n) return;
    y[view_offset(i, sh, y_st, y_off, flat)] = x[view_offset(i, sh, x_st, x_off, flat)];
}

__kernel void unary(const int n, const int8 sh, const int flat, const int op,
                    __global const float* x, VIEW(x), __global float* y) {
    int i = get_global_id(0);
    if (i >= n) return;
    y[i] = unary_op(op, x[view_offset(i, sh, x_st, x_off, flat)]);
}

__kernel void binary(const int n, const int8 sh, const int flat, const int op,
                     __global const float* a, VIEW(a), __global const float* b, VIEW(b), __global float* y) {
    int i = get_global_id(0);
    if (i >= n) return;
    y[i] = binary_op(op, a[view_offset(i, sh, a_st, a_off, flat)], b[view_offset(i, sh, b_st, b_off, flat)]);
}

// a op s with s a kernel argument: a float operand costs no upload.
__kernel void binary_scalar(const int n, const int8 sh, const int flat, const int op,
                            __global const float* a, VIEW(a), const float s, __global float* y) {
    int i = get_global_id(0);
    if (i >= n) return;
    y[i] = binary_op(op, a[view_offset(i, sh, a_st, a_off, flat)], s);
}

__kernel void where_select(const int n, const int8 sh, const int flat,
                           __global const float* c, VIEW(c), __global const float* a, VIEW(a),
                           __global const float* b, VIEW(b), __global float* y) {
    int i = get_global_id(0);
    if (i >= n) return;
    y[i] = c[view_offset(i, sh, c_st, c_off, flat)] != 0.0f
            ? a[view_offset(i, sh, a_st, a_off, flat)] : b[view_offset(i, sh, b_st, b_off, flat)];
}

// Gather along one axis: x's stride on that axis is 0 in x_st and applied here from index[].
// `inner` is the number of output elements per step of the selected axis.
__kernel void index_select(const int n, const int8 sh, const int flat,
                           __global const float* x, VIEW(x), const int axis_stride, const int inner, const int nidx,
                           __global const int* index, __global float* y) {
    int i = get_global_id(0);
    if (i >= n) return;
    int sel = index[(i / inner) % nidx];
    y[i] = x[view_offset(i, sh, x_st, x_off, flat) + sel * axis_stride];
}
