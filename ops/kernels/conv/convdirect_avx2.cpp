// AVX2+FMA direct convolution rows (see convdirect.h). Register tile: NB output channels x V
// vectors of 8 output columns (4 x 3 or, for narrower channel blocks, NB x 4).
#include <immintrin.h>

#include <algorithm>

#include "ops/kernels/conv/convdirect.h"
#include "ops/kernels/eltwise/vecmath_avx2.h"

namespace facet::ops {
namespace {

inline __attribute__((always_inline)) __m256 activate(const Activation& act, __m256 v, int64_t m) {
  switch (act.kind) {
    case ActKind::kNone:
      return v;
    case ActKind::kRelu:
      return _mm256_max_ps(v, _mm256_setzero_ps());
    case ActKind::kClip:
      return _mm256_min_ps(_mm256_max_ps(v, _mm256_set1_ps(act.alpha)), _mm256_set1_ps(act.beta));
    case ActKind::kLeakyRelu:
    case ActKind::kPRelu: {
      const float a = act.kind == ActKind::kPRelu ? act.slope[m] : act.alpha;
      const __m256 neg = _mm256_cmp_ps(v, _mm256_setzero_ps(), _CMP_LT_OQ);
      return _mm256_blendv_ps(v, _mm256_mul_ps(v, _mm256_set1_ps(a)), neg);
    }
    case ActKind::kHardSwish: {
      __m256 t = _mm256_add_ps(_mm256_div_ps(v, _mm256_set1_ps(6.f)), _mm256_set1_ps(0.5f));
      t = _mm256_min_ps(_mm256_max_ps(t, _mm256_setzero_ps()), _mm256_set1_ps(1.f));
      return _mm256_mul_ps(v, t);
    }
    case ActKind::kSigmoid:
      return vec_avx2::sigmoid_avx2(v);
  }
  return v;
}

constexpr int64_t kChunk = 96;  // columns; a multiple of every strip width

template <int NB, int V>
void block_row(const ConvDirectParams& p, const float* const* rows, const int64_t* tap_off,
               const float* w, const float* bias, int64_t oc0, float* out, int64_t out_plane,
               int64_t x0, int64_t x1) {
  const int64_t nrows = p.in_channels * p.kernel_h, kw = p.kernel_w;
  for (int64_t ox = x0; ox < x1; ox += 8 * V) {
    __m256 acc[NB][V];
    for (int j = 0; j < NB; ++j)
      for (int v = 0; v < V; ++v) acc[j][v] = _mm256_setzero_ps();
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
        // 16 registers: keep either the V inputs or the NB weights live, whichever fits.
        if constexpr (NB * V + V + 1 <= 16) {
          __m256 x[V];
          for (int v = 0; v < V; ++v) x[v] = _mm256_loadu_ps(src + 8 * v);
          for (int j = 0; j < NB; ++j) {
            const __m256 b = _mm256_broadcast_ss(wp + j);
            for (int v = 0; v < V; ++v) acc[j][v] = _mm256_fmadd_ps(b, x[v], acc[j][v]);
          }
        } else {
          __m256 b[NB];
          for (int j = 0; j < NB; ++j) b[j] = _mm256_broadcast_ss(wp + j);
          for (int v = 0; v < V; ++v) {
            const __m256 x = _mm256_loadu_ps(src + 8 * v);
            for (int j = 0; j < NB; ++j) acc[j][v] = _mm256_fmadd_ps(b[j], x, acc[j][v]);
          }
        }
      }
    }
    const int64_t left = x1 - ox;
    for (int j = 0; j < NB; ++j) {
      const int64_t m = oc0 + j;
      const __m256 b = _mm256_set1_ps(bias ? bias[m] : 0.f);
      float* o = out + m * out_plane + ox;
      for (int v = 0; v < V; ++v) {
        const __m256 y = activate(p.act, _mm256_add_ps(acc[j][v], b), m);
        const int64_t n = left - 8 * v;
        if (n >= 8) {
          _mm256_storeu_ps(o + 8 * v, y);
        } else if (n > 0) {
          _mm256_maskstore_ps(o + 8 * v, vec_avx2::first_n_mask(n), y);
        }
      }
    }
  }
}

void row_avx2(const ConvDirectParams& p, const float* const* rows, const int64_t* tap_off,
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
          block_row<4, 3>(p, rows, tap_off, w, bias, oc0, out, out_plane, x0, x1);
          break;
        case 3:
          block_row<3, 4>(p, rows, tap_off, w, bias, oc0, out, out_plane, x0, x1);
          break;
        case 2:
          block_row<2, 4>(p, rows, tap_off, w, bias, oc0, out, out_plane, x0, x1);
          break;
        default:
          block_row<1, 4>(p, rows, tap_off, w, bias, oc0, out, out_plane, x0, x1);
          break;
      }
    }
  }
}

}  // namespace

void conv_direct_f32_avx2(const ConvDirectParams& p, const float* input, const float* packed,
                          const float* bias, float* output, int64_t begin, int64_t end,
                          float* scratch) {
  conv_direct_drive(p, input, packed, bias, output, begin, end, scratch, row_avx2);
}

}  // namespace facet::ops
