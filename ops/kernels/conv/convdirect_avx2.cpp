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

// One channel block (NB channels) over strips of 8 * V columns in [x0, x1). KW > 0 fixes the
// kernel width at compile time (tap offsets hoisted, constant trip count); KW == 0 reads it from
// p. The accumulators are locals indexed by constants only (every loop over j / v is unrolled),
// so they stay in registers: 4 x 3 uses 12 accumulators + 3 inputs + 1 weight of the 16 ymm
// registers, 3 x 4 keeps 12 accumulators + 3 weights + 1 input. (The previous version kept the
// accumulators in memory, stored and reloaded on every tap: 25-30 GFLOP/s.)
template <int NB, int V, int KW>
void block_row(const ConvDirectParams& p, const float* const* rows, const int64_t* tap_off,
               const float* w, const float* bias, int64_t oc0, float* out, int64_t out_plane,
               int64_t x0, int64_t x1) {
  const int64_t nrows = p.in_channels * p.kernel_h;
  const int64_t kw = KW > 0 ? KW : p.kernel_w;
  int64_t offs[KW > 0 ? KW : 1];
  if constexpr (KW > 0) {
    for (int k = 0; k < KW; ++k) offs[k] = tap_off[k];
  }
  for (int64_t ox = x0; ox < x1; ox += 8 * V) {
    __m256 acc[NB][V];
#pragma GCC unroll 4
    for (int j = 0; j < NB; ++j)
#pragma GCC unroll 4
      for (int v = 0; v < V; ++v) acc[j][v] = _mm256_setzero_ps();
    const float* wp = w;
    for (int64_t r = 0; r < nrows; ++r) {
      const float* row = rows[r];
      if (row == nullptr) {
        wp += kw * NB;
        continue;
      }
      row += ox;
      auto tap = [&](const float* src, const float* wt) __attribute__((always_inline)) {
        // 16 registers: keep either the V inputs or the NB weights live, whichever fits.
        if constexpr (NB * V + V + 1 <= 16) {
          __m256 x[V];
#pragma GCC unroll 4
          for (int v = 0; v < V; ++v) x[v] = _mm256_loadu_ps(src + 8 * v);
#pragma GCC unroll 4
          for (int j = 0; j < NB; ++j) {
            const __m256 b = _mm256_broadcast_ss(wt + j);
#pragma GCC unroll 4
            for (int v = 0; v < V; ++v) acc[j][v] = _mm256_fmadd_ps(b, x[v], acc[j][v]);
          }
        } else {
          __m256 b[NB];
#pragma GCC unroll 4
          for (int j = 0; j < NB; ++j) b[j] = _mm256_broadcast_ss(wt + j);
#pragma GCC unroll 4
          for (int v = 0; v < V; ++v) {
            const __m256 x = _mm256_loadu_ps(src + 8 * v);
#pragma GCC unroll 4
            for (int j = 0; j < NB; ++j) acc[j][v] = _mm256_fmadd_ps(b[j], x, acc[j][v]);
          }
        }
      };
      if constexpr (KW > 0) {  // unrolling the taps makes GCC 12 spill accumulators
#pragma GCC unroll 1
        for (int k = 0; k < KW; ++k) tap(row + offs[k], wp + k * NB);
        wp += KW * NB;
      } else {
        for (int64_t k = 0; k < kw; ++k, wp += NB) tap(row + tap_off[k], wp);
      }
    }
    const int64_t left = x1 - ox;
#pragma GCC unroll 4
    for (int j = 0; j < NB; ++j) {
      const int64_t m = oc0 + j;
      const __m256 b = _mm256_set1_ps(bias ? bias[m] : 0.f);
      float* o = out + m * out_plane + ox;
#pragma GCC unroll 4
      for (int v = 0; v < V; ++v) {
        const __m256 y = activate(p.act, _mm256_add_ps(acc[j][v], b), m);
        const int64_t n = left - 8 * v;
        if (n >= 8) {
          _mm256_storeu_ps(o + 8 * v, y);
        } else if (n > 0) {
          vec_avx2::store_first_n(o + 8 * v, y, n);
        }
      }
    }
  }
}

template <int KW>
void blocks(const ConvDirectParams& p, const float* const* rows, const int64_t* tap_off,
            const float* packed, const float* bias, float* out, int64_t out_plane, int64_t x0,
            int64_t x1) {
  const int64_t taps = p.in_channels * p.kernel_h * p.kernel_w;
  for (int64_t oc0 = 0; oc0 < p.out_channels; oc0 += kConvDirectOcBlock) {
    const float* w = packed + oc0 * taps;
    switch (std::min(kConvDirectOcBlock, p.out_channels - oc0)) {
      case 4:
        block_row<4, 3, KW>(p, rows, tap_off, w, bias, oc0, out, out_plane, x0, x1);
        break;
      case 3:
        block_row<3, 4, KW>(p, rows, tap_off, w, bias, oc0, out, out_plane, x0, x1);
        break;
      case 2:
        block_row<2, 4, KW>(p, rows, tap_off, w, bias, oc0, out, out_plane, x0, x1);
        break;
      default:
        block_row<1, 4, KW>(p, rows, tap_off, w, bias, oc0, out, out_plane, x0, x1);
        break;
    }
  }
}

void row_avx2(const ConvDirectParams& p, const float* const* rows, const int64_t* tap_off,
              const float* packed, const float* bias, float* out, int64_t out_plane) {
  // Column chunks (a multiple of every strip width) outside the channel blocks, so the chunk's
  // input columns stay in L1/L2 across all blocks. (Narrower chunks sized to L1 measured no
  // faster on ESPNet's dilated shapes.)
  for (int64_t x0 = 0; x0 < p.out_w; x0 += kChunk) {
    const int64_t x1 = std::min(p.out_w, x0 + kChunk);
    switch (p.kernel_w) {
      case 3:
        blocks<3>(p, rows, tap_off, packed, bias, out, out_plane, x0, x1);
        break;
      case 5:
        blocks<5>(p, rows, tap_off, packed, bias, out, out_plane, x0, x1);
        break;
      case 7:
        blocks<7>(p, rows, tap_off, packed, bias, out, out_plane, x0, x1);
        break;
      case 9:
        blocks<9>(p, rows, tap_off, packed, bias, out, out_plane, x0, x1);
        break;
      default:
        blocks<0>(p, rows, tap_off, packed, bias, out, out_plane, x0, x1);
        break;
    }
  }
}

}  // namespace

// conv_direct_fill_row_ref with the stride-2 deinterleave vectorized: 16 input floats ->
// 8 of one phase per step (shuffle + lane permute). Other strides use the reference.
void conv_direct_fill_row_avx2(const ConvDirectParams& p, int64_t len, const float* src, float* dst) {
  if (p.stride_w != 2) {
    conv_direct_fill_row_ref(p, len, src, dst);
    return;
  }
  const int64_t in_w = p.in_w;
  for (int64_t ph = 0; ph < 2; ++ph, dst += len) {
    // Column j reads input column first + 2 * j; valid for j in [jl, jh).
    const int64_t first = ph - p.pad_left;
    int64_t jl = first >= 0 ? 0 : (-first + 1) / 2;
    int64_t jh = in_w - 1 - first < 0 ? 0 : (in_w - 1 - first) / 2 + 1;
    jh = std::min(jh, len);
    jl = std::min(jl, jh);
    std::fill(dst, dst + jl, 0.f);
    const float* s = src + first;
    int64_t j = jl;
    // s[2j .. 2j + 15] must lie inside the row: first + 2j + 16 <= in_w.
    for (; j + 8 <= jh && first + 2 * j + 16 <= in_w; j += 8) {
      const __m256 a = _mm256_loadu_ps(s + 2 * j);
      const __m256 b = _mm256_loadu_ps(s + 2 * j + 8);
      // Per 128-bit lane: a0 a2 b0 b2 | a4 a6 b4 b6; then 64-bit units 0 2 1 3.
      const __m256 ev = _mm256_shuffle_ps(a, b, _MM_SHUFFLE(2, 0, 2, 0));
      _mm256_storeu_ps(dst + j, _mm256_castpd_ps(_mm256_permute4x64_pd(
                                    _mm256_castps_pd(ev), _MM_SHUFFLE(3, 1, 2, 0))));
    }
    for (; j < jh; ++j) dst[j] = s[2 * j];
    std::fill(dst + jh, dst + len, 0.f);
  }
}

void conv_direct_f32_avx2(const ConvDirectParams& p, const float* input, const float* packed,
                          const float* bias, float* output, int64_t begin, int64_t end,
                          float* scratch) {
  conv_direct_drive(p, input, packed, bias, output, begin, end, scratch, row_avx2,
                    conv_direct_fill_row_avx2);
}

}  // namespace facet::ops
