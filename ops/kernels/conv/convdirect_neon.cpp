// NEON direct convolution rows (see convdirect.h). Register tile: NB output channels x V
// vectors of 4 output columns (4 x 4 or, for narrower channel blocks, NB x 6).
#include <arm_neon.h>

#include <algorithm>

#include "ops/kernels/conv/convdirect.h"
#include "ops/kernels/eltwise/vecmath_neon.h"

namespace facet::ops {
namespace {

inline __attribute__((always_inline)) float32x4_t activate(const Activation& act, float32x4_t v,
                                                          int64_t m) {
  switch (act.kind) {
    case ActKind::kNone:
      return v;
    case ActKind::kRelu:
      return vmaxq_f32(v, vdupq_n_f32(0.f));
    case ActKind::kClip:
      return vminq_f32(vmaxq_f32(v, vdupq_n_f32(act.alpha)), vdupq_n_f32(act.beta));
    case ActKind::kLeakyRelu:
    case ActKind::kPRelu: {
      const float a = act.kind == ActKind::kPRelu ? act.slope[m] : act.alpha;
      const uint32x4_t neg = vcltq_f32(v, vdupq_n_f32(0.f));
      return vbslq_f32(neg, vmulq_f32(v, vdupq_n_f32(a)), v);
    }
    case ActKind::kHardSwish: {
      float32x4_t t = vaddq_f32(vdivq_f32(v, vdupq_n_f32(6.f)), vdupq_n_f32(0.5f));
      t = vminq_f32(vmaxq_f32(t, vdupq_n_f32(0.f)), vdupq_n_f32(1.f));
      return vmulq_f32(v, t);
    }
    case ActKind::kSigmoid:
      return vec_neon::sigmoid_neon(v);
  }
  return v;
}

constexpr int64_t kChunk = 48;  // columns; a multiple of every strip width

template <int NB, int V>
void block_row(const ConvDirectParams& p, const float* const* rows, const int64_t* tap_off,
               const float* w, const float* bias, int64_t oc0, float* out, int64_t out_plane,
               int64_t x0, int64_t x1) {
  const int64_t nrows = p.in_channels * p.kernel_h, kw = p.kernel_w;
  for (int64_t ox = x0; ox < x1; ox += 4 * V) {
    float32x4_t acc[NB][V];
    for (int j = 0; j < NB; ++j)
      for (int v = 0; v < V; ++v) acc[j][v] = vdupq_n_f32(0.f);
    const float* wp = w;
    for (int64_t r = 0; r < nrows; ++r) {
      const float* row = rows[r];
      if (row == nullptr) {
        wp += kw * NB;
        continue;
      }
      row += ox;
      for (int64_t kx = 0; kx < kw; ++kx, wp += NB) {
        const float* src = row + tap_off[kx];
        float32x4_t x[V];
        for (int v = 0; v < V; ++v) x[v] = vld1q_f32(src + 4 * v);
        for (int j = 0; j < NB; ++j) {
          const float32x4_t b = vld1q_dup_f32(wp + j);
          for (int v = 0; v < V; ++v) acc[j][v] = vfmaq_f32(acc[j][v], b, x[v]);
        }
      }
    }
    const int64_t left = x1 - ox;
    for (int j = 0; j < NB; ++j) {
      const int64_t m = oc0 + j;
      const float32x4_t b = vdupq_n_f32(bias ? bias[m] : 0.f);
      float* o = out + m * out_plane + ox;
      for (int v = 0; v < V; ++v) {
        const float32x4_t y = activate(p.act, vaddq_f32(acc[j][v], b), m);
        const int64_t n = left - 4 * v;
        if (n >= 4) {
          vst1q_f32(o + 4 * v, y);
        } else if (n > 0) {
          float tmp[4];
          vst1q_f32(tmp, y);
          for (int64_t i = 0; i < n; ++i) o[4 * v + i] = tmp[i];
        }
      }
    }
  }
}

void row_neon(const ConvDirectParams& p, const float* const* rows, const int64_t* tap_off,
              const float* packed, const float* bias, float* out, int64_t out_plane) {
  const int64_t taps = p.in_channels * p.kernel_h * p.kernel_w;
  // Column chunks (a multiple of every strip width) outside the channel blocks, so the chunk's
  // input columns stay in L2 across all blocks.
  for (int64_t x0 = 0; x0 < p.out_w; x0 += kChunk) {
    const int64_t x1 = std::min(p.out_w, x0 + kChunk);
    for (int64_t oc0 = 0; oc0 < p.out_channels; oc0 += kConvDirectOcBlock) {
      const float* w = packed + oc0 * taps;
      switch (std::min(kConvDirectOcBlock, p.out_channels - oc0)) {
        case 4:
          block_row<4, 4>(p, rows, tap_off, w, bias, oc0, out, out_plane, x0, x1);
          break;
        case 3:
          block_row<3, 6>(p, rows, tap_off, w, bias, oc0, out, out_plane, x0, x1);
          break;
        case 2:
          block_row<2, 6>(p, rows, tap_off, w, bias, oc0, out, out_plane, x0, x1);
          break;
        default:
          block_row<1, 6>(p, rows, tap_off, w, bias, oc0, out, out_plane, x0, x1);
          break;
      }
    }
  }
}

}  // namespace

void conv_direct_f32_neon(const ConvDirectParams& p, const float* input, const float* packed,
                          const float* bias, float* output, int64_t begin, int64_t end,
                          float* scratch) {
  conv_direct_drive(p, input, packed, bias, output, begin, end, scratch, row_neon,
                    conv_direct_fill_row_ref);
}

}  // namespace facet::ops
