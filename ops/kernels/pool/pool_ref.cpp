#include "ops/kernels/pool/pool.h"

#include "engine/cpu.h"

#include <cstddef>
#include <cstdint>

namespace facet::ops {

void maxpool_f32_ref(const PoolParams& p, const float* input, float* output, int64_t begin,
                     int64_t end) {
  const int64_t in_plane = p.in_size[0] * p.in_size[1] * p.in_size[2];
  const int64_t out_plane = p.out_size[0] * p.out_size[1] * p.out_size[2];
  const float neg_inf = -__builtin_huge_valf();
  for (int64_t plane = begin; plane < end; ++plane) {
    const float* in = input + plane * in_plane;
    float* out = output + plane * out_plane;
    for (int64_t od = 0; od < p.out_size[0]; ++od) {
      for (int64_t oh = 0; oh < p.out_size[1]; ++oh) {
        for (int64_t ow = 0; ow < p.out_size[2]; ++ow) {
          float m = neg_inf;
          for (int64_t kd = 0; kd < p.kernel[0]; ++kd) {
            const int64_t id = od * p.stride[0] - p.pad_begin[0] + kd * p.dilation[0];
            if (id < 0 || id >= p.in_size[0]) continue;
            for (int64_t kh = 0; kh < p.kernel[1]; ++kh) {
              const int64_t ih = oh * p.stride[1] - p.pad_begin[1] + kh * p.dilation[1];
              if (ih < 0 || ih >= p.in_size[1]) continue;
              for (int64_t kw = 0; kw < p.kernel[2]; ++kw) {
                const int64_t iw = ow * p.stride[2] - p.pad_begin[2] + kw * p.dilation[2];
                if (iw < 0 || iw >= p.in_size[2]) continue;
                const float v = in[(id * p.in_size[1] + ih) * p.in_size[2] + iw];
                // v != v: a NaN tap makes the result NaN, and NaN stays (NaN > x is false).
                if (v > m || v != v) m = v;
              }
            }
          }
          out[(od * p.out_size[1] + oh) * p.out_size[2] + ow] = m;
        }
      }
    }
  }
}

void avgpool_f32_ref(const PoolParams& p, const float* input, float* output, int64_t begin,
                     int64_t end) {
  const int64_t in_plane = p.in_size[0] * p.in_size[1] * p.in_size[2];
  const int64_t out_plane = p.out_size[0] * p.out_size[1] * p.out_size[2];
  for (int64_t plane = begin; plane < end; ++plane) {
    const float* in = input + plane * in_plane;
    float* out = output + plane * out_plane;
    for (int64_t od = 0; od < p.out_size[0]; ++od) {
      for (int64_t oh = 0; oh < p.out_size[1]; ++oh) {
        for (int64_t ow = 0; ow < p.out_size[2]; ++ow) {
          float sum = 0.f;
          int64_t inside = 0;  // taps inside the input
          int64_t padded = 0;  // taps inside the input or its (model-given) padding
          for (int64_t kd = 0; kd < p.kernel[0]; ++kd) {
            const int64_t id = od * p.stride[0] - p.pad_begin[0] + kd * p.dilation[0];
            if (id >= p.in_size[0] + p.pad_end[0]) continue;
            const bool d_in = id >= 0 && id < p.in_size[0];
            for (int64_t kh = 0; kh < p.kernel[1]; ++kh) {
              const int64_t ih = oh * p.stride[1] - p.pad_begin[1] + kh * p.dilation[1];
              if (ih >= p.in_size[1] + p.pad_end[1]) continue;
              const bool h_in = ih >= 0 && ih < p.in_size[1];
              for (int64_t kw = 0; kw < p.kernel[2]; ++kw) {
                const int64_t iw = ow * p.stride[2] - p.pad_begin[2] + kw * p.dilation[2];
                if (iw >= p.in_size[2] + p.pad_end[2]) continue;
                ++padded;
                if (d_in && h_in && iw >= 0 && iw < p.in_size[2]) {
                  sum += in[(id * p.in_size[1] + ih) * p.in_size[2] + iw];
                  ++inside;
                }
              }
            }
          }
          const int64_t divisor = p.count_include_pad ? padded : inside;
          out[(od * p.out_size[1] + oh) * p.out_size[2] + ow] =
              divisor > 0 ? sum / static_cast<float>(divisor) : 0.f;
        }
      }
    }
  }
}

void global_avgpool_f32_ref(const float* input, float* output, int64_t plane_size, int64_t begin,
                            int64_t end) {
  for (int64_t plane = begin; plane < end; ++plane) {
    const float* in = input + plane * plane_size;
    double sum = 0.0;
    for (int64_t i = 0; i < plane_size; ++i) sum += in[i];
    output[plane] = plane_size > 0 ? static_cast<float>(sum / static_cast<double>(plane_size))
                                   : 0.f;
  }
}

const PoolKernels& pool_kernels(Isa isa) {
  static const PoolKernels ref = {maxpool_f32_ref, avgpool_f32_ref, global_avgpool_f32_ref};
#if defined(__x86_64__) || defined(_M_X64)
  static const PoolKernels avx2 = {maxpool_f32_avx2, avgpool_f32_avx2, global_avgpool_f32_avx2};
  if (isa_has_avx2(isa) && cpu_supports(Isa::kAvx2)) return avx2;
#endif
#if defined(__aarch64__)
  static const PoolKernels neon = {maxpool_f32_neon, avgpool_f32_neon, global_avgpool_f32_neon};
  if (isa == Isa::kNeon) return neon;
#endif
  (void)isa;
  return ref;
}

}  // namespace facet::ops
