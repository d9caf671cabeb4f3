// AVX-512F direct convolution rows (see convdirect.h). Register tile: 8 output channels (two
// of the packed 4-channel blocks) x 3 vectors of 16 output columns = 24 zmm accumulators, 3
// inputs and 1 weight of the 32 registers; per tap 3 loads and 8 broadcasts feed 24 FMAs (the
// AVX2 tile: 7 for 12). A row's last strip takes only the vectors it needs (112 columns =
// 48 + 48 + 16), so no strip computes more than 15 columns past the row end. Channel blocks
// narrower than 8 use NB x 3 vectors. The ring rows are filled by the AVX2 variant's filler.
#include "ops/kernels/eltwise/vecmath_avx512.h"  // first: it includes <immintrin.h>

#include <algorithm>

#include "ops/kernels/conv/convdirect.h"

namespace facet::ops {
namespace {

__attribute__((always_inline)) inline __m512 activate(const Activation& act, __m512 v,
                                                      int64_t m) {
  switch (act.kind) {
    case ActKind::kNone:
      return v;
    case ActKind::kRelu:
      return _mm512_max_ps(v, _mm512_setzero_ps());
    case ActKind::kClip:
      return _mm512_min_ps(_mm512_max_ps(v, _mm512_set1_ps(act.alpha)), _mm512_set1_ps(act.beta));
    case ActKind::kLeakyRelu:
    case ActKind::kPRelu: {
      const float a = act.kind == ActKind::kPRelu ? act.slope[m] : act.alpha;
      const __mmask16 neg = _mm512_cmp_ps_mask(v, _mm512_setzero_ps(), _CMP_LT_OQ);
      return _mm512_mask_mul_ps(v, neg, v, _mm512_set1_ps(a));
    }
    case ActKind::kHardSwish: {
      __m512 t = _mm512_add_ps(_mm512_div_ps(v, _mm512_set1_ps(6.f)), _mm512_set1_ps(0.5f));
      t = _mm512_min_ps(_mm512_max_ps(t, _mm512_setzero_ps()), _mm512_set1_ps(1.f));
      return _mm512_mul_ps(v, t);
    }
    case ActKind::kSigmoid:
      return vec_avx512::sigmoid_avx512(v);
  }
  return v;
}

constexpr int64_t kChunk = 96;  // columns; a multiple of the 48-column strip

// One strip: NB channels (weights of channel j at w0[k * 4 + j] for j < 4, w1[k * 4 + j - 4]
// otherwise: two packed blocks) x V vectors of 16 columns from column ox, left columns valid.
template <int NB, int V, int KW>
__attribute__((noinline)) void strip(const ConvDirectParams& p, const float* const* rows,
                                     const int64_t* tap_off, const float* w0, const float* w1,
                                     int64_t nb0, const float* bias, int64_t oc0, float* out,
                                     int64_t out_plane, int64_t ox, int64_t left) {
  const int64_t nrows = p.in_channels * p.kernel_h;
  const int64_t kw = KW > 0 ? KW : p.kernel_w;
  __m512 acc[NB][V];
#pragma GCC unroll 8
  for (int j = 0; j < NB; ++j)
#pragma GCC unroll 3
    for (int v = 0; v < V; ++v) acc[j][v] = _mm512_setzero_ps();
  const float* wa = w0;
  const float* wb = w1;
  for (int64_t r = 0; r < nrows; ++r) {
    const float* row = rows[r];
    if (row == nullptr) {
      wa += kw * nb0;
      wb += kw * kConvDirectOcBlock;
      continue;
    }
    row += ox;
#pragma GCC unroll 1
    for (int64_t k = 0; k < kw; ++k) {
      const float* src = row + tap_off[k];
      __m512 x[V];
#pragma GCC unroll 3
      for (int v = 0; v < V; ++v) x[v] = _mm512_loadu_ps(src + 16 * v);
#pragma GCC unroll 8
      for (int j = 0; j < NB; ++j) {
        const __m512 b = _mm512_set1_ps(j < 4 ? wa[k * nb0 + j] : wb[k * 4 + j - 4]);
#pragma GCC unroll 3
        for (int v = 0; v < V; ++v) acc[j][v] = _mm512_fmadd_ps(b, x[v], acc[j][v]);
      }
    }
    wa += kw * nb0;
    wb += kw * kConvDirectOcBlock;
  }
#pragma GCC unroll 8
  for (int j = 0; j < NB; ++j) {
    const int64_t m = oc0 + j;
    const __m512 b = _mm512_set1_ps(bias ? bias[m] : 0.f);
    float* o = out + m * out_plane + ox;
#pragma GCC unroll 3
    for (int v = 0; v < V; ++v) {
      const __m512 y = activate(p.act, _mm512_add_ps(acc[j][v], b), m);
      const int64_t n = left - 16 * v;
      if (n >= 16) {
        _mm512_storeu_ps(o + 16 * v, y);
      } else {
        _mm512_mask_storeu_ps(o + 16 * v, vec_avx512::first_n_lanes(n), y);
      }
    }
  }
}

// Strips of up to 48 columns over [x0, x1) for one channel group; V per strip by the columns
// left (a strip of V vectors starts only where more than 16 * (V - 1) columns remain).
template <int NB, int KW>
void strips(const ConvDirectParams& p, const float* const* rows, const int64_t* tap_off,
            const float* w0, const float* w1, int64_t nb0, const float* bias, int64_t oc0,
            float* out, int64_t out_plane, int64_t x0, int64_t x1) {
  for (int64_t ox = x0; ox < x1; ox += 48) {
    const int64_t left = x1 - ox;
    if (left > 32) {
      strip<NB, 3, KW>(p, rows, tap_off, w0, w1, nb0, bias, oc0, out, out_plane, ox, left);
    } else if (left > 16) {
      strip<NB, 2, KW>(p, rows, tap_off, w0, w1, nb0, bias, oc0, out, out_plane, ox, left);
    } else {
      strip<NB, 1, KW>(p, rows, tap_off, w0, w1, nb0, bias, oc0, out, out_plane, ox, left);
    }
  }
}

template <int KW>
void groups(const ConvDirectParams& p, const float* const* rows, const int64_t* tap_off,
            const float* packed, const float* bias, float* out, int64_t out_plane, int64_t x0,
            int64_t x1) {
  const int64_t taps = p.in_channels * p.kernel_h * p.kernel_w;
  int64_t oc0 = 0;
  for (; oc0 + 8 <= p.out_channels; oc0 += 8) {
    const float* w = packed + oc0 * taps;
    strips<8, KW>(p, rows, tap_off, w, w + 4 * taps, 4, bias, oc0, out, out_plane, x0, x1);
  }
  for (; oc0 < p.out_channels; oc0 += kConvDirectOcBlock) {
    const float* w = packed + oc0 * taps;
    const int64_t nb = std::min(kConvDirectOcBlock, p.out_channels - oc0);
    switch (nb) {
      case 4: strips<4, KW>(p, rows, tap_off, w, w, 4, bias, oc0, out, out_plane, x0, x1); break;
      case 3: strips<3, KW>(p, rows, tap_off, w, w, 3, bias, oc0, out, out_plane, x0, x1); break;
      case 2: strips<2, KW>(p, rows, tap_off, w, w, 2, bias, oc0, out, out_plane, x0, x1); break;
      default: strips<1, KW>(p, rows, tap_off, w, w, 1, bias, oc0, out, out_plane, x0, x1); break;
    }
  }
}

void row_avx512(const ConvDirectParams& p, const float* const* rows, const int64_t* tap_off,
                const float* packed, const float* bias, float* out, int64_t out_plane) {
  // Column chunks outside the channel groups, so a chunk's input columns stay in L1/L2 across
  // all groups (as in the AVX2 variant).
  for (int64_t x0 = 0; x0 < p.out_w; x0 += kChunk) {
    const int64_t x1 = std::min(p.out_w, x0 + kChunk);
    switch (p.kernel_w) {
      case 3: groups<3>(p, rows, tap_off, packed, bias, out, out_plane, x0, x1); break;
      case 5: groups<5>(p, rows, tap_off, packed, bias, out, out_plane, x0, x1); break;
      case 7: groups<7>(p, rows, tap_off, packed, bias, out, out_plane, x0, x1); break;
      case 9: groups<9>(p, rows, tap_off, packed, bias, out, out_plane, x0, x1); break;
      default: groups<0>(p, rows, tap_off, packed, bias, out, out_plane, x0, x1); break;
    }
  }
}

}  // namespace

void conv_direct_f32_avx512(const ConvDirectParams& p, const float* input, const float* packed,
                            const float* bias, float* output, int64_t begin, int64_t end,
                            float* scratch) {
  conv_direct_drive(p, input, packed, bias, output, begin, end, scratch, row_avx512,
                    conv_direct_fill_row_avx2);
}

}  // namespace facet::ops
