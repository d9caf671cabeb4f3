// Scalar reference element-wise kernels. Plain loops; these define the expected results for
// every optimized variant.
#include <cmath>
#include <cstddef>
#include <cstdint>

#include "ops/kernels/eltwise/eltwise.h"

#include "engine/cpu.h"

namespace facet::ops::kernels {

void relu_f32_ref(const float* x, float* out, int64_t begin, int64_t end, float, float) {
  // Written as a comparison (not fmax) so NaN stays NaN, like numpy's maximum.
  for (int64_t i = begin; i < end; ++i) out[i] = x[i] < 0.f ? 0.f : x[i];
}

void leaky_relu_f32_ref(const float* x, float* out, int64_t begin, int64_t end, float alpha,
                        float) {
  for (int64_t i = begin; i < end; ++i) out[i] = x[i] < 0.f ? alpha * x[i] : x[i];
}

void sigmoid_f32_ref(const float* x, float* out, int64_t begin, int64_t end, float, float) {
  // exp() of a non-positive argument only, so nothing overflows.
  for (int64_t i = begin; i < end; ++i) {
    const float v = x[i];
    if (v >= 0.f) {
      out[i] = 1.f / (1.f + std::exp(-v));
    } else {
      const float e = std::exp(v);
      out[i] = e / (1.f + e);
    }
  }
}

void tanh_f32_ref(const float* x, float* out, int64_t begin, int64_t end, float, float) {
  for (int64_t i = begin; i < end; ++i) out[i] = std::tanh(x[i]);
}

void hard_sigmoid_f32_ref(const float* x, float* out, int64_t begin, int64_t end, float alpha,
                          float beta) {
  for (int64_t i = begin; i < end; ++i) {
    float v = alpha * x[i] + beta;
    v = v < 0.f ? 0.f : v;
    out[i] = v > 1.f ? 1.f : v;
  }
}

void hard_swish_f32_ref(const float* x, float* out, int64_t begin, int64_t end, float, float) {
  for (int64_t i = begin; i < end; ++i) {
    float v = x[i] * (1.f / 6.f) + 0.5f;
    v = v < 0.f ? 0.f : v;
    v = v > 1.f ? 1.f : v;
    out[i] = x[i] * v;
  }
}

void exp_f32_ref(const float* x, float* out, int64_t begin, int64_t end, float, float) {
  for (int64_t i = begin; i < end; ++i) out[i] = std::exp(x[i]);
}

void sqrt_f32_ref(const float* x, float* out, int64_t begin, int64_t end, float, float) {
  for (int64_t i = begin; i < end; ++i) out[i] = std::sqrt(x[i]);
}

void neg_f32_ref(const float* x, float* out, int64_t begin, int64_t end, float, float) {
  for (int64_t i = begin; i < end; ++i) out[i] = -x[i];
}

void abs_f32_ref(const float* x, float* out, int64_t begin, int64_t end, float, float) {
  for (int64_t i = begin; i < end; ++i) out[i] = std::fabs(x[i]);
}

void floor_f32_ref(const float* x, float* out, int64_t begin, int64_t end, float, float) {
  for (int64_t i = begin; i < end; ++i) out[i] = std::floor(x[i]);
}

void ceil_f32_ref(const float* x, float* out, int64_t begin, int64_t end, float, float) {
  for (int64_t i = begin; i < end; ++i) out[i] = std::ceil(x[i]);
}

void reciprocal_f32_ref(const float* x, float* out, int64_t begin, int64_t end, float, float) {
  for (int64_t i = begin; i < end; ++i) out[i] = 1.f / x[i];
}

void clip_f32_ref(const float* x, float* out, int64_t begin, int64_t end, float lo, float hi) {
  for (int64_t i = begin; i < end; ++i) {
    const float v = x[i] < lo ? lo : x[i];
    out[i] = v > hi ? hi : v;
  }
}

void add_f32_ref(const float* a, int64_t a_stride, const float* b, int64_t b_stride, float* out,
                 int64_t begin, int64_t end) {
  for (int64_t i = begin; i < end; ++i) out[i] = a[i * a_stride] + b[i * b_stride];
}

void sub_f32_ref(const float* a, int64_t a_stride, const float* b, int64_t b_stride, float* out,
                 int64_t begin, int64_t end) {
  for (int64_t i = begin; i < end; ++i) out[i] = a[i * a_stride] - b[i * b_stride];
}

void mul_f32_ref(const float* a, int64_t a_stride, const float* b, int64_t b_stride, float* out,
                 int64_t begin, int64_t end) {
  for (int64_t i = begin; i < end; ++i) out[i] = a[i * a_stride] * b[i * b_stride];
}

void div_f32_ref(const float* a, int64_t a_stride, const float* b, int64_t b_stride, float* out,
                 int64_t begin, int64_t end) {
  for (int64_t i = begin; i < end; ++i) out[i] = a[i * a_stride] / b[i * b_stride];
}

void pow_f32_ref(const float* a, int64_t a_stride, const float* b, int64_t b_stride, float* out,
                 int64_t begin, int64_t end) {
  for (int64_t i = begin; i < end; ++i) out[i] = std::pow(a[i * a_stride], b[i * b_stride]);
}

void prelu_f32_ref(const float* a, int64_t a_stride, const float* b, int64_t b_stride, float* out,
                   int64_t begin, int64_t end) {
  for (int64_t i = begin; i < end; ++i) {
    const float x = a[i * a_stride];
    out[i] = x < 0.f ? b[i * b_stride] * x : x;
  }
}

const EltwiseKernels& eltwise_kernels_ref() {
  static const EltwiseKernels table = [] {
    EltwiseKernels t{};
    auto u = [&t](UnaryKind k, UnaryF32Fn fn) { t.unary[static_cast<int>(k)] = fn; };
    auto b = [&t](BinaryKind k, BinaryF32Fn fn) { t.binary[static_cast<int>(k)] = fn; };
    u(UnaryKind::kRelu, relu_f32_ref);
    u(UnaryKind::kLeakyRelu, leaky_relu_f32_ref);
    u(UnaryKind::kSigmoid, sigmoid_f32_ref);
    u(UnaryKind::kTanh, tanh_f32_ref);
    u(UnaryKind::kHardSigmoid, hard_sigmoid_f32_ref);
    u(UnaryKind::kHardSwish, hard_swish_f32_ref);
    u(UnaryKind::kExp, exp_f32_ref);
    u(UnaryKind::kSqrt, sqrt_f32_ref);
    u(UnaryKind::kNeg, neg_f32_ref);
    u(UnaryKind::kAbs, abs_f32_ref);
    u(UnaryKind::kFloor, floor_f32_ref);
    u(UnaryKind::kCeil, ceil_f32_ref);
    u(UnaryKind::kReciprocal, reciprocal_f32_ref);
    u(UnaryKind::kClip, clip_f32_ref);
    b(BinaryKind::kAdd, add_f32_ref);
    b(BinaryKind::kSub, sub_f32_ref);
    b(BinaryKind::kMul, mul_f32_ref);
    b(BinaryKind::kDiv, div_f32_ref);
    b(BinaryKind::kPow, pow_f32_ref);
    b(BinaryKind::kPRelu, prelu_f32_ref);
    t.softmax_rows = softmax_rows_f32_ref;
    return t;
  }();
  return table;
}

void softmax_rows_f32_ref(const float* x, float* out, int64_t n, int64_t row_begin,
                          int64_t row_end) {
  for (int64_t r = row_begin; r < row_end; ++r) {
    const float* xr = x + r * n;
    float* yr = out + r * n;
    if (n <= 0) continue;
    float max_v = xr[0];
    bool has_nan = std::isnan(xr[0]);
    for (int64_t k = 1; k < n; ++k) {
      if (xr[k] > max_v) max_v = xr[k];
      has_nan = has_nan || std::isnan(xr[k]);
    }
    if (has_nan) max_v = std::nanf("");
    double sum = 0.0;
    for (int64_t k = 0; k < n; ++k) {
      const float e = std::exp(xr[k] - max_v);
      yr[k] = e;
      sum += e;
    }
    const float inv = static_cast<float>(1.0 / sum);
    for (int64_t k = 0; k < n; ++k) yr[k] *= inv;
  }
}

namespace {
// Copies the _ref table and replaces the entries an ISA implements.
#define FACET_ELTWISE_UPGRADE(t, sfx)                                    \
  do {                                                                   \
    auto u = [&t](UnaryKind k, UnaryF32Fn fn) { t.unary[static_cast<int>(k)] = fn; };   \
    auto b = [&t](BinaryKind k, BinaryF32Fn fn) { t.binary[static_cast<int>(k)] = fn; }; \
    u(UnaryKind::kRelu, relu_f32_##sfx);                                 \
    u(UnaryKind::kLeakyRelu, leaky_relu_f32_##sfx);                      \
    u(UnaryKind::kSigmoid, sigmoid_f32_##sfx);                           \
    u(UnaryKind::kTanh, tanh_f32_##sfx);                                 \
    u(UnaryKind::kHardSigmoid, hard_sigmoid_f32_##sfx);                  \
    u(UnaryKind::kHardSwish, hard_swish_f32_##sfx);                      \
    u(UnaryKind::kExp, exp_f32_##sfx);                                   \
    u(UnaryKind::kClip, clip_f32_##sfx);                                 \
    b(BinaryKind::kAdd, add_f32_##sfx);                                  \
    b(BinaryKind::kSub, sub_f32_##sfx);                                  \
    b(BinaryKind::kMul, mul_f32_##sfx);                                  \
    b(BinaryKind::kDiv, div_f32_##sfx);                                  \
    b(BinaryKind::kPRelu, prelu_f32_##sfx);                              \
    t.softmax_rows = softmax_rows_f32_##sfx;                             \
  } while (0)
}  // namespace

const EltwiseKernels& eltwise_kernels(Isa isa) {
#if defined(__x86_64__) || defined(_M_X64)
  static const EltwiseKernels avx2 = [] {
    EltwiseKernels t = eltwise_kernels_ref();
    FACET_ELTWISE_UPGRADE(t, avx2);
    return t;
  }();
  if (isa_has_avx2(isa) && cpu_supports(Isa::kAvx2)) return avx2;
#endif
#if defined(__aarch64__)
  static const EltwiseKernels neon = [] {
    EltwiseKernels t = eltwise_kernels_ref();
    FACET_ELTWISE_UPGRADE(t, neon);
    return t;
  }();
  if (isa == Isa::kNeon) return neon;
#endif
  (void)isa;
  return eltwise_kernels_ref();
}

}  // namespace facet::ops::kernels
