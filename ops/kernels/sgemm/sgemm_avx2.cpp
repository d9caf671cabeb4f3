// AVX2+FMA SGEMM: 6 x 16 register tile (12 ymm accumulators, 2 B loads, 1 A broadcast).
// B is packed per KC x NC block into the workspace (16-column panels, so a micro-panel of
// KC <= 320 rows is <= 20 KB and stays in L1 while the 6-row A panel streams); the KC x NC
// block (<= 240 KB) stays in L2 while every A panel of the row range passes over it.
// Tails: rows via the zero-padded A panel, columns via the zero-padded B panel and masked
// loads/stores in the epilogue, so nothing outside C's rectangle is touched.
#include <immintrin.h>

#include <cstddef>
#include <cstdint>

#include "ops/kernels/sgemm/sgemm.h"

namespace facet::ops {
namespace {

constexpr int64_t kMr = 6;
constexpr int64_t kNr = 16;

struct Epilogue {
  const float* bias;
  ActKind kind;
  __m256 alpha, beta;
  const float* slope;
  bool last;    // apply bias + activation
  bool load_c;  // add the existing C
};

// exp(x) for the sigmoid: Cephes-style range reduction x = n ln2 + r, |r| <= ln2/2, degree-6
// polynomial, 2^n built in the exponent bits. Inputs are clamped to about [-87, 88].
__m256 exp_avx2(__m256 x) {
  x = _mm256_min_ps(x, _mm256_set1_ps(88.3762626647949f));
  x = _mm256_max_ps(x, _mm256_set1_ps(-87.3365447504f));
  __m256 n = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(1.44269504088896341f)),
                             _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), x);
  r = _mm256_fnmadd_ps(n, _mm256_set1_ps(-2.12194440e-4f), r);
  __m256 y = _mm256_set1_ps(1.9875691500e-4f);
  y = _mm256_fmadd_ps(y, r, _mm256_set1_ps(1.3981999507e-3f));
  y = _mm256_fmadd_ps(y, r, _mm256_set1_ps(8.3334519073e-3f));
  y = _mm256_fmadd_ps(y, r, _mm256_set1_ps(4.1665795894e-2f));
  y = _mm256_fmadd_ps(y, r, _mm256_set1_ps(1.6666665459e-1f));
  y = _mm256_fmadd_ps(y, r, _mm256_set1_ps(5.0000001201e-1f));
  y = _mm256_fmadd_ps(y, _mm256_mul_ps(r, r), r);
  y = _mm256_add_ps(y, _mm256_set1_ps(1.f));
  // n in [-126, 128): split 2^n = 2^(n/2) * 2^(n - n/2) so n = 128 does not overflow.
  __m256i ni = _mm256_cvtps_epi32(n);
  __m256i h = _mm256_srai_epi32(ni, 1);
  __m256i l = _mm256_sub_epi32(ni, h);
  __m256 p1 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(h, _mm256_set1_epi32(127)), 23));
  __m256 p2 = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(l, _mm256_set1_epi32(127)), 23));
  return _mm256_mul_ps(_mm256_mul_ps(y, p1), p2);
}

__m256 activate(const Epilogue& e, __m256 v, int64_t row) {
  switch (e.kind) {
    case ActKind::kNone:
      return v;
    case ActKind::kRelu:
      return _mm256_max_ps(v, _mm256_setzero_ps());
    case ActKind::kClip:
      return _mm256_min_ps(_mm256_max_ps(v, e.alpha), e.beta);
    case ActKind::kLeakyRelu:
      return _mm256_blendv_ps(v, _mm256_mul_ps(v, e.alpha), v);
    case ActKind::kPRelu:
      return _mm256_blendv_ps(v, _mm256_mul_ps(v, _mm256_set1_ps(e.slope[row])), v);
    case ActKind::kHardSwish: {
      __m256 t = _mm256_fmadd_ps(v, _mm256_set1_ps(1.f / 6.f), _mm256_set1_ps(0.5f));
      t = _mm256_min_ps(_mm256_max_ps(t, _mm256_setzero_ps()), _mm256_set1_ps(1.f));
      return _mm256_mul_ps(v, t);
    }
    case ActKind::kSigmoid: {
      const __m256 one = _mm256_set1_ps(1.f);
      return _mm256_div_ps(one, _mm256_add_ps(one, exp_avx2(_mm256_sub_ps(_mm256_setzero_ps(), v))));
    }
  }
  return v;
}

__m256i tail_mask(int64_t n) {
  const __m256i iota = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(n)), iota);
}

// Stores one row of the tile: columns [0, cols) of c.
inline void store_row(const Epilogue& e, __m256 v0, __m256 v1, float* c, int64_t cols,
                      int64_t row) {
  if (cols >= kNr) {
    if (e.load_c) {
      v0 = _mm256_add_ps(v0, _mm256_loadu_ps(c));
      v1 = _mm256_add_ps(v1, _mm256_loadu_ps(c + 8));
    }
    if (e.last) {
      if (e.bias) {
        const __m256 b = _mm256_broadcast_ss(e.bias + row);
        v0 = _mm256_add_ps(v0, b);
        v1 = _mm256_add_ps(v1, b);
      }
      v0 = activate(e, v0, row);
      v1 = activate(e, v1, row);
    }
    _mm256_storeu_ps(c, v0);
    _mm256_storeu_ps(c + 8, v1);
    return;
  }
  const __m256i m0 = tail_mask(cols);
  const __m256i m1 = tail_mask(cols - 8);
  if (e.load_c) {
    v0 = _mm256_add_ps(v0, _mm256_maskload_ps(c, m0));
    if (cols > 8) v1 = _mm256_add_ps(v1, _mm256_maskload_ps(c + 8, m1));
  }
  if (e.last) {
    if (e.bias) {
      const __m256 b = _mm256_broadcast_ss(e.bias + row);
      v0 = _mm256_add_ps(v0, b);
      v1 = _mm256_add_ps(v1, b);
    }
    v0 = activate(e, v0, row);
    if (cols > 8) v1 = activate(e, v1, row);
  }
  _mm256_maskstore_ps(c, m0, v0);
  if (cols > 8) _mm256_maskstore_ps(c + 8, m1, v1);
}

// One 6 x 16 tile: acc = A_panel[kc x 6] * B_panel[kc x 16], then the epilogue into c.
void tile_6x16(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, int64_t rows,
               int64_t cols, const Epilogue& e, int64_t row0) {
  __m256 c00 = _mm256_setzero_ps(), c01 = _mm256_setzero_ps();
  __m256 c10 = _mm256_setzero_ps(), c11 = _mm256_setzero_ps();
  __m256 c20 = _mm256_setzero_ps(), c21 = _mm256_setzero_ps();
  __m256 c30 = _mm256_setzero_ps(), c31 = _mm256_setzero_ps();
  __m256 c40 = _mm256_setzero_ps(), c41 = _mm256_setzero_ps();
  __m256 c50 = _mm256_setzero_ps(), c51 = _mm256_setzero_ps();
#define FACET_SGEMM_STEP(OFF_A, OFF_B)                              \
  {                                                                 \
    const __m256 b0 = _mm256_loadu_ps(b + (OFF_B));                 \
    const __m256 b1 = _mm256_loadu_ps(b + (OFF_B) + 8);             \
    __m256 av = _mm256_broadcast_ss(a + (OFF_A) + 0);               \
    c00 = _mm256_fmadd_ps(av, b0, c00);                             \
    c01 = _mm256_fmadd_ps(av, b1, c01);                             \
    av = _mm256_broadcast_ss(a + (OFF_A) + 1);                      \
    c10 = _mm256_fmadd_ps(av, b0, c10);                             \
    c11 = _mm256_fmadd_ps(av, b1, c11);                             \
    av = _mm256_broadcast_ss(a + (OFF_A) + 2);                      \
    c20 = _mm256_fmadd_ps(av, b0, c20);                             \
    c21 = _mm256_fmadd_ps(av, b1, c21);                             \
    av = _mm256_broadcast_ss(a + (OFF_A) + 3);                      \
    c30 = _mm256_fmadd_ps(av, b0, c30);                             \
    c31 = _mm256_fmadd_ps(av, b1, c31);                             \
    av = _mm256_broadcast_ss(a + (OFF_A) + 4);                      \
    c40 = _mm256_fmadd_ps(av, b0, c40);                             \
    c41 = _mm256_fmadd_ps(av, b1, c41);                             \
    av = _mm256_broadcast_ss(a + (OFF_A) + 5);                      \
    c50 = _mm256_fmadd_ps(av, b0, c50);                             \
    c51 = _mm256_fmadd_ps(av, b1, c51);                             \
  }
  int64_t k = 0;
  for (; k + 4 <= kc; k += 4) {
    FACET_SGEMM_STEP(0, 0)
    FACET_SGEMM_STEP(6, 16)
    FACET_SGEMM_STEP(12, 32)
    FACET_SGEMM_STEP(18, 48)
    a += 4 * kMr;
    b += 4 * kNr;
  }
  for (; k < kc; ++k) {
    FACET_SGEMM_STEP(0, 0)
    a += kMr;
    b += kNr;
  }
#undef FACET_SGEMM_STEP
  store_row(e, c00, c01, c, cols, row0);
  if (rows > 1) store_row(e, c10, c11, c + ldc, cols, row0 + 1);
  if (rows > 2) store_row(e, c20, c21, c + 2 * ldc, cols, row0 + 2);
  if (rows > 3) store_row(e, c30, c31, c + 3 * ldc, cols, row0 + 3);
  if (rows > 4) store_row(e, c40, c41, c + 4 * ldc, cols, row0 + 4);
  if (rows > 5) store_row(e, c50, c51, c + 5 * ldc, cols, row0 + 5);
}

}  // namespace

void sgemm_f32_6x16_avx2(const SgemmParams& p, int64_t m_begin, int64_t m_end, int64_t n_begin,
                         int64_t n_end, float* workspace) {
  if (m_begin >= m_end || n_begin >= n_end) return;
  Epilogue e;
  e.bias = p.bias;
  e.kind = p.act.kind;
  e.alpha = _mm256_set1_ps(p.act.alpha);
  e.beta = _mm256_set1_ps(p.act.beta);
  e.slope = p.act.slope;
  if (p.k == 0) {
    // No products: C = act(C or 0 + bias).
    for (int64_t i = m_begin; i < m_end; ++i) {
      float* c = p.c + i * p.ldc;
      for (int64_t j = n_begin; j < n_end; ++j) {
        float v = (p.accumulate ? c[j] : 0.f) + (p.bias ? p.bias[i] : 0.f);
        c[j] = activation_ref(p.act, v, i);
      }
    }
    return;
  }
  const int64_t k_block = sgemm_kc(p.k);
  for (int64_t n0 = n_begin; n0 < n_end; n0 += kSgemmNc) {
    const int64_t nc = n_end - n0 < kSgemmNc ? n_end - n0 : kSgemmNc;
    for (int64_t k0 = 0; k0 < p.k; k0 += k_block) {
      const int64_t kc = p.k - k0 < k_block ? p.k - k0 : k_block;
      sgemm_pack_b_f32(p.b, k0, kc, n0, nc, kNr, workspace);
      e.load_c = k0 > 0 || p.accumulate != 0;
      e.last = k0 + kc >= p.k;
      for (int64_t i0 = m_begin; i0 < m_end; i0 += kMr) {
        const int64_t rows = m_end - i0 < kMr ? m_end - i0 : kMr;
        const float* a = p.packed_a + (i0 / kMr) * kMr * p.k + k0 * kMr;
        float* c_row = p.c + i0 * p.ldc + n0;
        for (int64_t j = 0; j < nc; j += kNr) {
          const int64_t cols = nc - j < kNr ? nc - j : kNr;
          tile_6x16(kc, a, workspace + j * kc, c_row + j, p.ldc, rows, cols, e, i0);
        }
      }
    }
  }
}

}  // namespace facet::ops
