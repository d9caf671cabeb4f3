#include "ops/kernels/norm/norm.h"

#include <cstddef>
#include <cstdint>

#include "engine/cpu.h"

namespace facet::ops {
namespace {

// Written as comparisons so NaN stays NaN.
float activate(float v, const NormAct& act, int64_t c) {
  switch (act.kind) {
    case NormActKind::kNone:
      return v;
    case NormActKind::kRelu:
      return v < 0.f ? 0.f : v;
    case NormActKind::kLeakyRelu:
      return v < 0.f ? act.alpha * v : v;
    case NormActKind::kPRelu:
      return v < 0.f ? act.slope[c] * v : v;
  }
  return v;
}

}  // namespace

// Kernel files include no <cmath>; __builtin_sqrt{f,} are the compiler's correctly rounded roots.
void batch_norm_f32_ref(const float* x, float* y, int64_t channels, int64_t spatial,
                        const float* scale, const float* bias, const float* mean,
                        const float* var, float epsilon, const NormAct& act, int64_t begin,
                        int64_t end) {
  for (int64_t plane = begin; plane < end; ++plane) {
    const int64_t c = plane % channels;
    const float a = scale[c] / __builtin_sqrtf(var[c] + epsilon);
    const float m = mean[c];
    const float b = bias[c];
    const float* in = x + plane * spatial;
    float* out = y + plane * spatial;
    for (int64_t i = 0; i < spatial; ++i) out[i] = activate((in[i] - m) * a + b, act, c);
  }
}

void instance_norm_f32_ref(const float* x, float* y, int64_t channels, int64_t spatial,
                           const float* scale, const float* bias, float epsilon,
                           const NormAct& act, int64_t begin, int64_t end) {
  for (int64_t plane = begin; plane < end; ++plane) {
    const int64_t c = plane % channels;
    const float* in = x + plane * spatial;
    float* out = y + plane * spatial;
    if (spatial == 0) continue;
    double sum = 0.0;
    for (int64_t i = 0; i < spatial; ++i) sum += in[i];
    const double mu = sum / static_cast<double>(spatial);
    double sq = 0.0;
    for (int64_t i = 0; i < spatial; ++i) {
      const double d = in[i] - mu;
      sq += d * d;
    }
    const double var = sq / static_cast<double>(spatial);
    const double a = static_cast<double>(scale[c]) / __builtin_sqrt(var + epsilon);
    const double b = bias[c];
    for (int64_t i = 0; i < spatial; ++i) {
      out[i] = activate(static_cast<float>((in[i] - mu) * a + b), act, c);
    }
  }
}

const NormKernels& norm_kernels(Isa isa) {
  static const NormKernels ref = {batch_norm_f32_ref, instance_norm_f32_ref};
#if defined(__x86_64__) || defined(_M_X64)
  static const NormKernels avx2 = {batch_norm_f32_avx2, instance_norm_f32_avx2};
  if (isa_has_avx2(isa) && cpu_supports(Isa::kAvx2)) return avx2;
#endif
#if defined(__aarch64__)
  static const NormKernels neon = {batch_norm_f32_neon, instance_norm_f32_neon};
  if (isa == Isa::kNeon) return neon;
#endif
  (void)isa;
  return ref;
}

}  // namespace facet::ops
