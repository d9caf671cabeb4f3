// Element-wise float32 kernels (kernel family "eltwise").
//
// Contract shared by every function here:
//  - Data is float32, contiguous, element strides (not bytes).
//  - Each call processes the element range [begin, end) of the output; callers split a larger
//    range across threads. Kernels never start threads and never allocate.
//  - Binary kernels read a[i * a_stride] and b[i * b_stride], where each stride is 0 (the operand
//    is broadcast: one value for the whole range) or 1 (contiguous). They write out[i].
//  - `out` may alias `x` / `a` / `b` exactly (in-place), but must not partially overlap them.
//  - No alignment requirement; no overread past index end-1.
//  - NaN inputs propagate to the output unless the op's definition says otherwise (Relu and Clip
//    keep NaN as NaN; see each function).
//
// Optimized variants (`_avx2`, `_neon`) keep these signatures and are slotted into
// EltwiseKernels by eltwise_kernels(isa). Entries without an optimized variant stay `_ref`.
// Accuracy of the optimized variants: exact (bitwise) for relu, leaky_relu, clip, prelu, add,
// sub, mul, div; within one rounding for hard_sigmoid / hard_swish; exp, sigmoid and tanh use a
// polynomial exp (ops/kernels/eltwise/vecmath_avx2.h): relative error of exp about 3e-7,
// absolute error of sigmoid < 1e-7 and tanh < 2e-7; softmax_rows relative error < 1e-6.
#pragma once

#include <cstddef>
#include <cstdint>

namespace facet {
enum class Isa;  // engine/cpu.h
}

namespace facet::ops::kernels {

// out[i] = f(x[i]) for i in [begin, end). alpha/beta are op parameters (ignored by most ops):
// leaky_relu alpha; hard_sigmoid alpha, beta; clip min (alpha), max (beta).
using UnaryF32Fn = void (*)(const float* x, float* out, int64_t begin, int64_t end, float alpha,
                            float beta);
// out[i] = f(a[i * a_stride], b[i * b_stride]) for i in [begin, end); strides are 0 or 1.
using BinaryF32Fn = void (*)(const float* a, int64_t a_stride, const float* b, int64_t b_stride,
                             float* out, int64_t begin, int64_t end);

// Unary, reference versions.
void relu_f32_ref(const float* x, float* out, int64_t begin, int64_t end, float, float);
void leaky_relu_f32_ref(const float* x, float* out, int64_t begin, int64_t end, float alpha,
                        float);
// 1 / (1 + exp(-x)), evaluated without overflow for large |x|.
void sigmoid_f32_ref(const float* x, float* out, int64_t begin, int64_t end, float, float);
void tanh_f32_ref(const float* x, float* out, int64_t begin, int64_t end, float, float);
// max(0, min(1, alpha * x + beta))
void hard_sigmoid_f32_ref(const float* x, float* out, int64_t begin, int64_t end, float alpha,
                          float beta);
// x * max(0, min(1, x / 6 + 0.5))
void hard_swish_f32_ref(const float* x, float* out, int64_t begin, int64_t end, float, float);
void exp_f32_ref(const float* x, float* out, int64_t begin, int64_t end, float, float);
// Negative inputs give NaN.
void sqrt_f32_ref(const float* x, float* out, int64_t begin, int64_t end, float, float);
void neg_f32_ref(const float* x, float* out, int64_t begin, int64_t end, float, float);
void abs_f32_ref(const float* x, float* out, int64_t begin, int64_t end, float, float);
void floor_f32_ref(const float* x, float* out, int64_t begin, int64_t end, float, float);
void ceil_f32_ref(const float* x, float* out, int64_t begin, int64_t end, float, float);
void reciprocal_f32_ref(const float* x, float* out, int64_t begin, int64_t end, float, float);
// v = x < lo ? lo : x; out = v > hi ? hi : v. NaN stays NaN; lo > hi gives hi everywhere
// (ONNX Clip-11+ semantics).
void clip_f32_ref(const float* x, float* out, int64_t begin, int64_t end, float lo, float hi);

// Binary, reference versions.
void add_f32_ref(const float* a, int64_t a_stride, const float* b, int64_t b_stride, float* out,
                 int64_t begin, int64_t end);
void sub_f32_ref(const float* a, int64_t a_stride, const float* b, int64_t b_stride, float* out,
                 int64_t begin, int64_t end);
void mul_f32_ref(const float* a, int64_t a_stride, const float* b, int64_t b_stride, float* out,
                 int64_t begin, int64_t end);
// IEEE division: x/0 gives +-inf, 0/0 gives NaN.
void div_f32_ref(const float* a, int64_t a_stride, const float* b, int64_t b_stride, float* out,
                 int64_t begin, int64_t end);
// std::pow semantics: a negative base with a non-integer exponent gives NaN.
void pow_f32_ref(const float* a, int64_t a_stride, const float* b, int64_t b_stride, float* out,
                 int64_t begin, int64_t end);
// a = x, b = slope: x < 0 ? slope * x : x.
void prelu_f32_ref(const float* a, int64_t a_stride, const float* b, int64_t b_stride, float* out,
                   int64_t begin, int64_t end);

// Softmax along contiguous rows of length n: rows [row_begin, row_end), row r at x + r*n.
// y = exp(x - max) / sum(exp(x - max)); a NaN anywhere in a row makes the whole row NaN.
// out may equal x. ref accumulates the sum in double.
using SoftmaxRowsF32Fn = void (*)(const float* x, float* out, int64_t n, int64_t row_begin,
                                  int64_t row_end);
void softmax_rows_f32_ref(const float* x, float* out, int64_t n, int64_t row_begin,
                          int64_t row_end);

// AVX2+FMA variants (x86-64 builds only).
void relu_f32_avx2(const float* x, float* out, int64_t begin, int64_t end, float, float);
void leaky_relu_f32_avx2(const float* x, float* out, int64_t begin, int64_t end, float alpha,
                         float);
void sigmoid_f32_avx2(const float* x, float* out, int64_t begin, int64_t end, float, float);
void tanh_f32_avx2(const float* x, float* out, int64_t begin, int64_t end, float, float);
void exp_f32_avx2(const float* x, float* out, int64_t begin, int64_t end, float, float);
void hard_sigmoid_f32_avx2(const float* x, float* out, int64_t begin, int64_t end, float alpha,
                           float beta);
void hard_swish_f32_avx2(const float* x, float* out, int64_t begin, int64_t end, float, float);
void clip_f32_avx2(const float* x, float* out, int64_t begin, int64_t end, float lo, float hi);
void add_f32_avx2(const float* a, int64_t a_stride, const float* b, int64_t b_stride, float* out,
                  int64_t begin, int64_t end);
void sub_f32_avx2(const float* a, int64_t a_stride, const float* b, int64_t b_stride, float* out,
                  int64_t begin, int64_t end);
void mul_f32_avx2(const float* a, int64_t a_stride, const float* b, int64_t b_stride, float* out,
                  int64_t begin, int64_t end);
void div_f32_avx2(const float* a, int64_t a_stride, const float* b, int64_t b_stride, float* out,
                  int64_t begin, int64_t end);
void prelu_f32_avx2(const float* a, int64_t a_stride, const float* b, int64_t b_stride,
                    float* out, int64_t begin, int64_t end);
void softmax_rows_f32_avx2(const float* x, float* out, int64_t n, int64_t row_begin,
                           int64_t row_end);

// NEON variants (aarch64 builds only); same list.
void relu_f32_neon(const float* x, float* out, int64_t begin, int64_t end, float, float);
void leaky_relu_f32_neon(const float* x, float* out, int64_t begin, int64_t end, float alpha,
                         float);
void sigmoid_f32_neon(const float* x, float* out, int64_t begin, int64_t end, float, float);
void tanh_f32_neon(const float* x, float* out, int64_t begin, int64_t end, float, float);
void exp_f32_neon(const float* x, float* out, int64_t begin, int64_t end, float, float);
void hard_sigmoid_f32_neon(const float* x, float* out, int64_t begin, int64_t end, float alpha,
                           float beta);
void hard_swish_f32_neon(const float* x, float* out, int64_t begin, int64_t end, float, float);
void clip_f32_neon(const float* x, float* out, int64_t begin, int64_t end, float lo, float hi);
void add_f32_neon(const float* a, int64_t a_stride, const float* b, int64_t b_stride, float* out,
                  int64_t begin, int64_t end);
void sub_f32_neon(const float* a, int64_t a_stride, const float* b, int64_t b_stride, float* out,
                  int64_t begin, int64_t end);
void mul_f32_neon(const float* a, int64_t a_stride, const float* b, int64_t b_stride, float* out,
                  int64_t begin, int64_t end);
void div_f32_neon(const float* a, int64_t a_stride, const float* b, int64_t b_stride, float* out,
                  int64_t begin, int64_t end);
void prelu_f32_neon(const float* a, int64_t a_stride, const float* b, int64_t b_stride,
                    float* out, int64_t begin, int64_t end);
void softmax_rows_f32_neon(const float* x, float* out, int64_t n, int64_t row_begin,
                           int64_t row_end);

// Which element-wise operation; indexes EltwiseKernels.
enum class UnaryKind : int {
  kRelu, kLeakyRelu, kSigmoid, kTanh, kHardSigmoid, kHardSwish, kExp, kSqrt, kNeg, kAbs, kFloor,
  kCeil, kReciprocal, kClip, kCount
};
enum class BinaryKind : int { kAdd, kSub, kMul, kDiv, kPow, kPRelu, kCount };

// One function pointer per operation. eltwise_kernels_ref() is the table of `_ref` entries;
// dispatching code starts from it and replaces entries with optimized variants.
struct EltwiseKernels {
  UnaryF32Fn unary[static_cast<int>(UnaryKind::kCount)];
  BinaryF32Fn binary[static_cast<int>(BinaryKind::kCount)];
  SoftmaxRowsF32Fn softmax_rows;
};
const EltwiseKernels& eltwise_kernels_ref();
// The table for an ISA: _ref entries upgraded with that ISA's variants. An ISA that this build
// or CPU cannot run gives the _ref table. Ops call eltwise_kernels(active_isa()).
const EltwiseKernels& eltwise_kernels(Isa isa);

}  // namespace facet::ops::kernels
