// Depthwise convolution, scalar reference (the spec) and the per-ISA kernel tables.
#include "ops/kernels/dwconv/dwconv.h"

#include <cmath>

#include "engine/cpu.h"

namespace facet::ops {

namespace {

float apply_act(const DwActivation& a, float v, int64_t c) {
  switch (a.kind) {
    case DwActKind::kNone: return v;
    case DwActKind::kRelu: return v < 0.0f ? 0.0f : v;
    case DwActKind::kClip: {
      float t = v < a.alpha ? a.alpha : v;
      return t > a.beta ? a.beta : t;
    }
    case DwActKind::kLeakyRelu: return v < 0.0f ? a.alpha * v : v;
    case DwActKind::kPRelu: return v < 0.0f ? a.slope[c] * v : v;
    case DwActKind::kHardSwish: {
      float t = v / 6.0f + 0.5f;
      t = t < 0.0f ? 0.0f : (t > 1.0f ? 1.0f : t);
      return v * t;
    }
    case DwActKind::kSigmoid: return 1.0f / (1.0f + std::exp(-v));
  }
  return v;
}

}  // namespace

void dwconv2d_f32_general_ref(const DwConvParams& p, const float* input, const float* weight,
                              const float* bias, float* output, int64_t begin, int64_t end) {
  const int64_t in_plane = p.in_plane_stride > 0 ? p.in_plane_stride : p.in_h * p.in_w;
  const int64_t out_plane = p.out_plane_stride > 0 ? p.out_plane_stride : p.out_h * p.out_w;
  const int64_t ksize = p.kernel_h * p.kernel_w;
  for (int64_t plane = begin; plane < end; ++plane) {
    const int64_t c = plane % p.channels;
    const float* src = input + plane * in_plane;
    const float* w = weight + c * ksize;
    float* dst = output + plane * out_plane;
    const float b = bias != nullptr ? bias[c] : 0.0f;
    for (int64_t oy = 0; oy < p.out_h; ++oy) {
      for (int64_t ox = 0; ox < p.out_w; ++ox) {
        float acc = b;
        for (int64_t kh = 0; kh < p.kernel_h; ++kh) {
          const int64_t iy = oy * p.stride_h - p.pad_top + kh * p.dilation_h;
          if (iy < 0 || iy >= p.in_h) continue;
          for (int64_t kw = 0; kw < p.kernel_w; ++kw) {
            const int64_t ix = ox * p.stride_w - p.pad_left + kw * p.dilation_w;
            if (ix < 0 || ix >= p.in_w) continue;
            acc += src[iy * p.in_w + ix] * w[kh * p.kernel_w + kw];
          }
        }
        dst[oy * p.out_w + ox] = apply_act(p.act, acc, c);
      }
    }
  }
}

void dwconv2d_f32_3x3s1_ref(const DwConvParams& p, const float* input, const float* weight,
                            const float* bias, float* output, int64_t begin, int64_t end) {
  dwconv2d_f32_general_ref(p, input, weight, bias, output, begin, end);
}

void dwconv2d_f32_3x3s2_ref(const DwConvParams& p, const float* input, const float* weight,
                            const float* bias, float* output, int64_t begin, int64_t end) {
  dwconv2d_f32_general_ref(p, input, weight, bias, output, begin, end);
}

const DwConvKernels& dwconv2d_kernels(Isa isa) {
  static const DwConvKernels ref = {dwconv2d_f32_3x3s1_ref, dwconv2d_f32_3x3s2_ref,
                                    dwconv2d_f32_general_ref};
#if defined(__x86_64__) || defined(_M_X64)
  static const DwConvKernels avx2 = {dwconv2d_f32_3x3s1_avx2, dwconv2d_f32_3x3s2_avx2,
                                     dwconv2d_f32_general_avx2};
  static const DwConvKernels avx512 = {dwconv2d_f32_3x3s1_avx512, dwconv2d_f32_3x3s2_avx512,
                                       dwconv2d_f32_general_avx2};
  if (isa == Isa::kAvx512 && cpu_supports(Isa::kAvx512)) return avx512;
  if (isa_has_avx2(isa) && cpu_supports(Isa::kAvx2)) return avx2;
#endif
#if defined(__aarch64__)
  static const DwConvKernels neon = {dwconv2d_f32_3x3s1_neon, dwconv2d_f32_3x3s2_neon,
                                     dwconv2d_f32_general_neon};
  if (isa == Isa::kNeon) return neon;
#endif
  (void)isa;
  return ref;
}

const DwConvKernels& dwconv2d_kernels_tuned(Isa isa) {
  if (isa == Isa::kAvx512 && !cpu_zmm_full_width()) return dwconv2d_kernels(Isa::kAvx2);
  return dwconv2d_kernels(isa);
}

DwConvF32Fn dwconv2d_f32_select(const DwConvKernels& table, const DwConvParams& p) {
  const bool k3 = p.kernel_h == 3 && p.kernel_w == 3 && p.dilation_h == 1 && p.dilation_w == 1;
  if (k3 && p.stride_h == 1 && p.stride_w == 1) return table.k3x3s1;
  if (k3 && p.stride_h == 2 && p.stride_w == 2) return table.k3x3s2;
  return table.general;
}

}  // namespace facet::ops
