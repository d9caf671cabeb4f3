// AVX2+FMA SGEMM: 6 x 16 register tile (12 ymm accumulators, 2 B loads, 1 A broadcast), a
// 6 x 8 tile for a column tail of 3..8 (even / odd k in separate accumulators), and for a
// dense B's tail of 1..2 columns (N = 49: 3 x 16 + 1) a dot-product tile over the A panel's
// own layout, the tail columns packed 6-fold expanded (tile_dot).
// B is packed per KC x NC block into the workspace (16-column panels; KC <= 512 so a 6-row A
// micro-panel is <= 12 KB and stays in L1 while the B micro-panels stream from L2); the
// KC x NC block (<= 256 KB) stays in L2 while every A panel of the row range passes over it.
// When every K block of an N block fits the workspace at once (small N with K > 512, e.g.
// 1024 -> 1024 at 7x7), all are packed and each A panel runs over all of K in turn (weights
// read sequentially, partial sums in L1). In N blocks of at most 4 full tiles, the 6 x 16
// tile prefetches the next A panel (or K block) during a panel's last two full tiles.
// Prepacked B (kPacked, 16 wide) is read in place. One-row problems (M = 1, the classifier)
// take a matrix-vector path that streams B once.
// The 16 x 6 variant (sgemm_conv_kernel; not used by ConvOp yet, see sgemm.h) packs A in
// 16-row panels: for small N (7x7 maps: N = 49) a 16 x W (W <= 6) tile loads 16 weight rows
// per k and broadcasts 6 activations from 6-wide B panels (K blocks <= 256), so only the N
// columns are computed; for other N it runs the 6 x 16 tile on 6 + 6 + 4 row slices of the
// 16-row panels.
// Tails: rows via the zero-padded A panel, columns via the zero-padded B panel and masked
// loads/stores in the epilogue, so nothing outside C's rectangle is touched.
#include <immintrin.h>

#include <cstddef>
#include <cstdint>

#include "ops/kernels/eltwise/vecmath_avx2.h"
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
__attribute__((always_inline)) inline __m256 exp_avx2(__m256 x) {
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

// Tiles are never inlined into the drivers (register pressure there spills accumulators).
// Always inlined: as a call, every live accumulator would be spilled around it (all ymm
// registers are caller-saved).
__attribute__((always_inline)) inline __m256 activate(const Epilogue& e, __m256 v,
                                                      int64_t row) {
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
__attribute__((always_inline)) inline void store_row(const Epilogue& e, __m256 v0, __m256 v1,
                                                     float* c, int64_t cols, int64_t row) {
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
  // Not _mm256_maskstore_ps: microcoded on AMD Zen (vecmath_avx2.h).
  if (cols > 8) {
    _mm256_storeu_ps(c, v0);
    vec_avx2::store_first_n(c + 8, v1, cols - 8);
  } else {
    vec_avx2::store_first_n(c, v0, cols);
  }
}

// One 6 x 16 tile: acc = A_panel[kc x 6] * B_panel[kc x 16], then the epilogue into c. AS is
// the A panel height (floats per k): 6, or 16 for a 6-row slice of a 16-row panel.
// kPf: cache lines prefetched per 4 k from pf on (the driver points it at the A data of the
// next panel / K block during a panel's last full tiles).
template <int64_t AS, int kPf = 0>
__attribute__((noinline)) void tile_6x16(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, int64_t rows,
               int64_t cols, const Epilogue& e, int64_t row0, const float* pf = nullptr) {
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
    for (int l = 0; l < kPf; ++l) _mm_prefetch(reinterpret_cast<const char*>(pf + 16 * l), _MM_HINT_T0);
    pf += 16 * kPf;
    FACET_SGEMM_STEP(0, 0)
    FACET_SGEMM_STEP(AS, 16)
    FACET_SGEMM_STEP(2 * AS, 32)
    FACET_SGEMM_STEP(3 * AS, 48)
    a += 4 * AS;
    b += 4 * kNr;
  }
  for (; k < kc; ++k) {
    FACET_SGEMM_STEP(0, 0)
    a += AS;
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

// An R x (8 * NV) tile (R <= 6, NV 1 or 2, cols <= 8 * NV) over a 16-wide B panel: the column
// tail (NV = 1) and the 4-row slice of a 16-row A panel (R = 4). AS as in tile_6x16.
template <int R, int NV, int64_t AS>
__attribute__((noinline)) void tile_small(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, int64_t rows,
                int64_t cols, const Epilogue& e, int64_t row0) {
  __m256 acc[R][2];
  #pragma GCC unroll 8
  for (int r = 0; r < R; ++r) acc[r][0] = acc[r][1] = _mm256_setzero_ps();
  int64_t k = 0;
  if (NV == 1) {
    // One accumulator per row would be FMA-latency-bound: even k into acc[r][0], odd k into
    // acc[r][1], summed before the store.
    for (; k + 2 <= kc; k += 2) {
      const __m256 b0 = _mm256_loadu_ps(b);
      const __m256 b1 = _mm256_loadu_ps(b + kNr);
      #pragma GCC unroll 8
      for (int r = 0; r < R; ++r) {
        acc[r][0] = _mm256_fmadd_ps(_mm256_broadcast_ss(a + r), b0, acc[r][0]);
        acc[r][1] = _mm256_fmadd_ps(_mm256_broadcast_ss(a + AS + r), b1, acc[r][1]);
      }
      a += 2 * AS;
      b += 2 * kNr;
    }
  }
  for (; k < kc; ++k) {
    const __m256 b0 = _mm256_loadu_ps(b);
    const __m256 b1 = NV == 2 ? _mm256_loadu_ps(b + 8) : _mm256_setzero_ps();
    #pragma GCC unroll 8
    for (int r = 0; r < R; ++r) {
      const __m256 av = _mm256_broadcast_ss(a + r);
      acc[r][0] = _mm256_fmadd_ps(av, b0, acc[r][0]);
      if (NV == 2) acc[r][1] = _mm256_fmadd_ps(av, b1, acc[r][1]);
    }
    a += AS;
    b += kNr;
  }
  if (NV == 1) {
    #pragma GCC unroll 8
    for (int r = 0; r < R; ++r) {
      acc[r][0] = _mm256_add_ps(acc[r][0], acc[r][1]);
      acc[r][1] = _mm256_setzero_ps();
    }
  }
  #pragma GCC unroll 8
  for (int r = 0; r < R; ++r)
    if (r < rows) store_row(e, acc[r][0], acc[r][1], c + r * ldc, cols, row0 + r);
}

// Narrow column tail (W <= kDotMaxW columns, e.g. N = 49's last column) of a 6-row A panel as
// dot products: the tail columns are packed expanded, bx[q * kc * 6 + k * 6 + r] = B[k, j + q]
// (pack_dot_tail), i.e. in the A panel's own layout, so acc += a_vec * bx_vec runs over the
// flat kc * 6 floats (8 products per FMA, none wasted on padding columns) and row r's sum is
// lanes r, r + 6, r + 12, r + 18 of the 24-float period. The 6 x 8 tile would compute 8
// columns per k with 6 dependent accumulators (FMA-latency-bound) for one useful column.
constexpr int64_t kDotMaxW = 2;

template <int W>
__attribute__((noinline)) void tile_dot(int64_t kc, const float* a, const float* bx, float* c,
                                        int64_t ldc, int64_t rows, const Epilogue& e,
                                        int64_t row0) {
  constexpr int S = W == 1 ? 2 : 1;  // accumulator sets (latency hiding for W = 1)
  const int64_t len = kc * kMr;
  __m256 acc[S][W][3];
#pragma GCC unroll 8
  for (int s = 0; s < S; ++s)
#pragma GCC unroll 8
    for (int q = 0; q < W; ++q) acc[s][q][0] = acc[s][q][1] = acc[s][q][2] = _mm256_setzero_ps();
  int64_t i = 0;
  for (; i + 24 * S <= len; i += 24 * S) {
#pragma GCC unroll 8
    for (int s = 0; s < S; ++s) {
      const float* aa = a + i + 24 * s;
      const __m256 a0 = _mm256_loadu_ps(aa), a1 = _mm256_loadu_ps(aa + 8),
                   a2 = _mm256_loadu_ps(aa + 16);
#pragma GCC unroll 8
      for (int q = 0; q < W; ++q) {
        const float* bb = bx + q * len + i + 24 * s;
        acc[s][q][0] = _mm256_fmadd_ps(a0, _mm256_loadu_ps(bb), acc[s][q][0]);
        acc[s][q][1] = _mm256_fmadd_ps(a1, _mm256_loadu_ps(bb + 8), acc[s][q][1]);
        acc[s][q][2] = _mm256_fmadd_ps(a2, _mm256_loadu_ps(bb + 16), acc[s][q][2]);
      }
    }
  }
  for (; i < len; i += 24) {  // at most S periods left, the last one possibly partial
    const int64_t r = len - i;
    const __m256i m0 = tail_mask(r), m1 = tail_mask(r - 8), m2 = tail_mask(r - 16);
    const __m256 a0 = _mm256_maskload_ps(a + i, m0), a1 = _mm256_maskload_ps(a + i + 8, m1),
                 a2 = _mm256_maskload_ps(a + i + 16, m2);
#pragma GCC unroll 8
    for (int q = 0; q < W; ++q) {
      const float* bb = bx + q * len + i;
      acc[0][q][0] = _mm256_fmadd_ps(a0, _mm256_maskload_ps(bb, m0), acc[0][q][0]);
      acc[0][q][1] = _mm256_fmadd_ps(a1, _mm256_maskload_ps(bb + 8, m1), acc[0][q][1]);
      acc[0][q][2] = _mm256_fmadd_ps(a2, _mm256_maskload_ps(bb + 16, m2), acc[0][q][2]);
    }
  }
  alignas(32) float t[W][24];
  alignas(32) float sums[6][8];
#pragma GCC unroll 8
  for (int q = 0; q < W; ++q) {
    __m256 v0 = acc[0][q][0], v1 = acc[0][q][1], v2 = acc[0][q][2];
    if (S == 2) {
      v0 = _mm256_add_ps(v0, acc[S - 1][q][0]);
      v1 = _mm256_add_ps(v1, acc[S - 1][q][1]);
      v2 = _mm256_add_ps(v2, acc[S - 1][q][2]);
    }
    _mm256_store_ps(t[q], v0);
    _mm256_store_ps(t[q] + 8, v1);
    _mm256_store_ps(t[q] + 16, v2);
  }
  for (int r = 0; r < 6; ++r) {
    for (int q = 0; q < 8; ++q)
      sums[r][q] = q < W ? (t[q][r] + t[q][r + 6]) + (t[q][r + 12] + t[q][r + 18]) : 0.f;
  }
  const __m256 z = _mm256_setzero_ps();
  for (int r = 0; r < rows; ++r)
    store_row(e, _mm256_load_ps(sums[r]), z, c + r * ldc, W, row0 + r);
}

// Packs B[k0 .. k0+kc, n0 .. n0+w] (dense) expanded for tile_dot:
// dst[q * kc * 6 + kk * 6 + r] = B[k0 + kk, n0 + q] for r < 6.
void pack_dot_tail(const SgemmB& b, int64_t k0, int64_t kc, int64_t n0, int64_t w, float* dst) {
  for (int64_t q = 0; q < w; ++q) {
    const float* src = b.data + k0 * b.ld + n0 + q;
    float* d = dst + q * kc * kMr;
    for (int64_t kk = 0; kk < kc; ++kk) {
      const float v = src[kk * b.ld];
      for (int64_t r = 0; r < kMr; ++r) d[kk * kMr + r] = v;
    }
  }
}

// Transposes the 8 x 8 matrix whose columns are x[0..7] in place (x[i] becomes row i).
__attribute__((always_inline)) inline void transpose_8x8(__m256* x) {
  const __m256 t0 = _mm256_unpacklo_ps(x[0], x[1]), t1 = _mm256_unpackhi_ps(x[0], x[1]);
  const __m256 t2 = _mm256_unpacklo_ps(x[2], x[3]), t3 = _mm256_unpackhi_ps(x[2], x[3]);
  const __m256 t4 = _mm256_unpacklo_ps(x[4], x[5]), t5 = _mm256_unpackhi_ps(x[4], x[5]);
  const __m256 t6 = _mm256_unpacklo_ps(x[6], x[7]), t7 = _mm256_unpackhi_ps(x[6], x[7]);
  const __m256 s0 = _mm256_shuffle_ps(t0, t2, 0x44), s1 = _mm256_shuffle_ps(t0, t2, 0xEE);
  const __m256 s2 = _mm256_shuffle_ps(t1, t3, 0x44), s3 = _mm256_shuffle_ps(t1, t3, 0xEE);
  const __m256 s4 = _mm256_shuffle_ps(t4, t6, 0x44), s5 = _mm256_shuffle_ps(t4, t6, 0xEE);
  const __m256 s6 = _mm256_shuffle_ps(t5, t7, 0x44), s7 = _mm256_shuffle_ps(t5, t7, 0xEE);
  x[0] = _mm256_permute2f128_ps(s0, s4, 0x20);
  x[1] = _mm256_permute2f128_ps(s1, s5, 0x20);
  x[2] = _mm256_permute2f128_ps(s2, s6, 0x20);
  x[3] = _mm256_permute2f128_ps(s3, s7, 0x20);
  x[4] = _mm256_permute2f128_ps(s0, s4, 0x31);
  x[5] = _mm256_permute2f128_ps(s1, s5, 0x31);
  x[6] = _mm256_permute2f128_ps(s2, s6, 0x31);
  x[7] = _mm256_permute2f128_ps(s3, s7, 0x31);
}

// The full-width 16 x 6 tile, written out (one broadcast register) so the 12 accumulators,
// 2 A vectors and the broadcast fit the 16 ymm registers without spills.
__attribute__((noinline)) void tile_16x6(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, int64_t rows,
               const Epilogue& e, int64_t row0) {
  __m256 l0 = _mm256_setzero_ps(), h0 = _mm256_setzero_ps(), l1 = _mm256_setzero_ps(),
         h1 = _mm256_setzero_ps(), l2 = _mm256_setzero_ps(), h2 = _mm256_setzero_ps(),
         l3 = _mm256_setzero_ps(), h3 = _mm256_setzero_ps(), l4 = _mm256_setzero_ps(),
         h4 = _mm256_setzero_ps(), l5 = _mm256_setzero_ps(), h5 = _mm256_setzero_ps();
#define FACET_SGEMM_STEP16(OFF_A, OFF_B)              \
  {                                                   \
    const __m256 a0 = _mm256_loadu_ps(a + (OFF_A));   \
    const __m256 a1 = _mm256_loadu_ps(a + (OFF_A) + 8); \
    __m256 bv = _mm256_broadcast_ss(b + (OFF_B) + 0); \
    l0 = _mm256_fmadd_ps(a0, bv, l0);                 \
    h0 = _mm256_fmadd_ps(a1, bv, h0);                 \
    bv = _mm256_broadcast_ss(b + (OFF_B) + 1);        \
    l1 = _mm256_fmadd_ps(a0, bv, l1);                 \
    h1 = _mm256_fmadd_ps(a1, bv, h1);                 \
    bv = _mm256_broadcast_ss(b + (OFF_B) + 2);        \
    l2 = _mm256_fmadd_ps(a0, bv, l2);                 \
    h2 = _mm256_fmadd_ps(a1, bv, h2);                 \
    bv = _mm256_broadcast_ss(b + (OFF_B) + 3);        \
    l3 = _mm256_fmadd_ps(a0, bv, l3);                 \
    h3 = _mm256_fmadd_ps(a1, bv, h3);                 \
    bv = _mm256_broadcast_ss(b + (OFF_B) + 4);        \
    l4 = _mm256_fmadd_ps(a0, bv, l4);                 \
    h4 = _mm256_fmadd_ps(a1, bv, h4);                 \
    bv = _mm256_broadcast_ss(b + (OFF_B) + 5);        \
    l5 = _mm256_fmadd_ps(a0, bv, l5);                 \
    h5 = _mm256_fmadd_ps(a1, bv, h5);                 \
  }
  int64_t k = 0;
  for (; k + 4 <= kc; k += 4) {
    FACET_SGEMM_STEP16(0, 0)
    FACET_SGEMM_STEP16(16, 6)
    FACET_SGEMM_STEP16(32, 12)
    FACET_SGEMM_STEP16(48, 18)
    a += 64;
    b += 24;
  }
  for (; k < kc; ++k) {
    FACET_SGEMM_STEP16(0, 0)
    a += 16;
    b += 6;
  }
#undef FACET_SGEMM_STEP16
  const __m256 z = _mm256_setzero_ps();
  __m256 x[8] = {l0, l1, l2, l3, l4, l5, z, z};
  transpose_8x8(x);
#pragma GCC unroll 8
  for (int r = 0; r < 8; ++r)
    if (r < rows) store_row(e, x[r], z, c + r * ldc, 6, row0 + r);
  if (rows <= 8) return;
  __m256 y[8] = {h0, h1, h2, h3, h4, h5, z, z};
  transpose_8x8(y);
#pragma GCC unroll 8
  for (int r = 0; r < 8; ++r)
    if (r + 8 < rows) store_row(e, y[r], z, c + (r + 8) * ldc, 6, row0 + 8 + r);
}

// Small-N tile: 16 rows (one 16-row A panel, two ymm loads per k) x W <= 6 columns of a 6-wide
// B panel, each B value broadcast: 2 W accumulators. The sums are transposed to rows for the
// epilogue.
template <int W>
__attribute__((noinline)) void tile_16xw(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, int64_t rows,
               const Epilogue& e, int64_t row0) {
  __m256 lo[8], hi[8];
  #pragma GCC unroll 8
  for (int j = 0; j < 8; ++j) lo[j] = hi[j] = _mm256_setzero_ps();
  int64_t k = 0;
  for (; k + 2 <= kc; k += 2) {
    __m256 a0 = _mm256_loadu_ps(a), a1 = _mm256_loadu_ps(a + 8);
    #pragma GCC unroll 8
    for (int j = 0; j < W; ++j) {
      const __m256 bv = _mm256_broadcast_ss(b + j);
      lo[j] = _mm256_fmadd_ps(a0, bv, lo[j]);
      hi[j] = _mm256_fmadd_ps(a1, bv, hi[j]);
    }
    a0 = _mm256_loadu_ps(a + 16);
    a1 = _mm256_loadu_ps(a + 24);
    #pragma GCC unroll 8
    for (int j = 0; j < W; ++j) {
      const __m256 bv = _mm256_broadcast_ss(b + 6 + j);
      lo[j] = _mm256_fmadd_ps(a0, bv, lo[j]);
      hi[j] = _mm256_fmadd_ps(a1, bv, hi[j]);
    }
    a += 32;
    b += 12;
  }
  if (k < kc) {
    const __m256 a0 = _mm256_loadu_ps(a), a1 = _mm256_loadu_ps(a + 8);
    #pragma GCC unroll 8
    for (int j = 0; j < W; ++j) {
      const __m256 bv = _mm256_broadcast_ss(b + j);
      lo[j] = _mm256_fmadd_ps(a0, bv, lo[j]);
      hi[j] = _mm256_fmadd_ps(a1, bv, hi[j]);
    }
  }
  const __m256 z = _mm256_setzero_ps();
  transpose_8x8(lo);
  #pragma GCC unroll 8
  for (int r = 0; r < 8; ++r)
    if (r < rows) store_row(e, lo[r], z, c + r * ldc, W, row0 + r);
  if (rows <= 8) return;
  transpose_8x8(hi);
  #pragma GCC unroll 8
  for (int r = 0; r < 8; ++r)
    if (r + 8 < rows) store_row(e, hi[r], z, c + (r + 8) * ldc, W, row0 + 8 + r);
}

// Dense row-major B block into 16-wide panels (the hot packing path of 1x1 convolutions).
void pack_dense_16(const SgemmB& b, int64_t k0, int64_t kc, int64_t n0, int64_t nc, float* dst) {
  const int64_t full = nc / kNr;
  const int64_t rem = nc - full * kNr;
  const int64_t panel_stride = kc * kNr;
  const __m256i m0 = tail_mask(rem);
  const __m256i m1 = tail_mask(rem - 8);
  // Panel by panel, so the stores are sequential: row by row, consecutive stores would be
  // panel_stride apart, a power of two for MobileNet's K (2 KB at K = 32), all in one L1 set.
  for (int64_t q = 0; q < full; ++q) {
    const float* src = b.data + k0 * b.ld + n0 + q * kNr;
    float* d = dst + q * panel_stride;
    for (int64_t kk = 0; kk < kc; ++kk, src += b.ld, d += kNr) {
      _mm256_storeu_ps(d, _mm256_loadu_ps(src));
      _mm256_storeu_ps(d + 8, _mm256_loadu_ps(src + 8));
    }
  }
  if (rem > 0) {
    const float* src = b.data + k0 * b.ld + n0 + full * kNr;
    float* d = dst + full * panel_stride;
    for (int64_t kk = 0; kk < kc; ++kk, src += b.ld, d += kNr) {
      _mm256_storeu_ps(d, _mm256_maskload_ps(src, m0));
      _mm256_storeu_ps(d + 8, _mm256_maskload_ps(src + 8, m1));
    }
  }
}

// Scalar epilogue of one row's raw sums: c[j] = act((accumulate ? c[j] : 0) + sum + bias).
void finish_gemv(const SgemmParams& p, int64_t row, const float* sums, float* c, int64_t cols) {
  const float bias = p.bias ? p.bias[row] : 0.f;
  for (int64_t j = 0; j < cols; ++j) {
    const float v = (p.accumulate ? c[j] : 0.f) + sums[j] + bias;
    c[j] = activation_ref(p.act, v, row);
  }
}

// Matrix-vector product for one row of A (M = 1): streams B once. Dense B is walked in
// 64-column strips (8 accumulators), prepacked B panel by panel with 4-way split K. A's row
// (one float per kMr in its packed panel) is first gathered into the workspace when it fits,
// as in gemv_avx512: the streaming B then does not evict it from L1 on every panel.
void gemv_avx2(const SgemmParams& p, int64_t row, int64_t n_begin, int64_t n_end,
               float* workspace) {
  const float* a = p.packed_a + (row / kMr) * kMr * p.k + row % kMr;  // a[k * kMr]
  float* c = p.c + row * p.ldc;
  const int64_t k = p.k;
  int64_t as = kMr;  // A's stride
  if (k <= kSgemmWorkspaceFloats) {
    for (int64_t kk = 0; kk < k; ++kk) workspace[kk] = a[kk * kMr];
    a = workspace;
    as = 1;
  }
  alignas(32) float sums[64];
  if (p.b.kind == SgemmBKind::kPacked) {
    for (int64_t j0 = n_begin; j0 < n_end; j0 += kNr) {
      const int64_t cols = n_end - j0 < kNr ? n_end - j0 : kNr;
      const float* b = p.b.data + (j0 / kNr) * p.b.ld;
      __m256 x0 = _mm256_setzero_ps(), x1 = _mm256_setzero_ps(), y0 = _mm256_setzero_ps(),
             y1 = _mm256_setzero_ps(), z0 = _mm256_setzero_ps(), z1 = _mm256_setzero_ps(),
             w0 = _mm256_setzero_ps(), w1 = _mm256_setzero_ps();
      int64_t kk = 0;
      for (; kk + 4 <= k; kk += 4) {
        const float* bb = b + kk * kNr;
        const float* aa = a + kk * as;
        __m256 av = _mm256_broadcast_ss(aa);
        x0 = _mm256_fmadd_ps(av, _mm256_loadu_ps(bb), x0);
        x1 = _mm256_fmadd_ps(av, _mm256_loadu_ps(bb + 8), x1);
        av = _mm256_broadcast_ss(aa + as);
        y0 = _mm256_fmadd_ps(av, _mm256_loadu_ps(bb + 16), y0);
        y1 = _mm256_fmadd_ps(av, _mm256_loadu_ps(bb + 24), y1);
        av = _mm256_broadcast_ss(aa + 2 * as);
        z0 = _mm256_fmadd_ps(av, _mm256_loadu_ps(bb + 32), z0);
        z1 = _mm256_fmadd_ps(av, _mm256_loadu_ps(bb + 40), z1);
        av = _mm256_broadcast_ss(aa + 3 * as);
        w0 = _mm256_fmadd_ps(av, _mm256_loadu_ps(bb + 48), w0);
        w1 = _mm256_fmadd_ps(av, _mm256_loadu_ps(bb + 56), w1);
      }
      for (; kk < k; ++kk) {
        const __m256 av = _mm256_broadcast_ss(a + kk * as);
        x0 = _mm256_fmadd_ps(av, _mm256_loadu_ps(b + kk * kNr), x0);
        x1 = _mm256_fmadd_ps(av, _mm256_loadu_ps(b + kk * kNr + 8), x1);
      }
      _mm256_store_ps(sums, _mm256_add_ps(_mm256_add_ps(x0, y0), _mm256_add_ps(z0, w0)));
      _mm256_store_ps(sums + 8, _mm256_add_ps(_mm256_add_ps(x1, y1), _mm256_add_ps(z1, w1)));
      finish_gemv(p, row, sums, c + j0, cols);
    }
    return;
  }
  // kDense: B[k, j] = data[k * ld + j].
  for (int64_t j0 = n_begin; j0 < n_end; j0 += 64) {
    const int64_t cols = n_end - j0 < 64 ? n_end - j0 : 64;
    const float* b = p.b.data + j0;
    if (cols == 64) {
      __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps(), s2 = _mm256_setzero_ps(),
             s3 = _mm256_setzero_ps(), s4 = _mm256_setzero_ps(), s5 = _mm256_setzero_ps(),
             s6 = _mm256_setzero_ps(), s7 = _mm256_setzero_ps();
      for (int64_t kk = 0; kk < k; ++kk) {
        const float* bb = b + kk * p.b.ld;
        const __m256 av = _mm256_broadcast_ss(a + kk * as);
        s0 = _mm256_fmadd_ps(av, _mm256_loadu_ps(bb), s0);
        s1 = _mm256_fmadd_ps(av, _mm256_loadu_ps(bb + 8), s1);
        s2 = _mm256_fmadd_ps(av, _mm256_loadu_ps(bb + 16), s2);
        s3 = _mm256_fmadd_ps(av, _mm256_loadu_ps(bb + 24), s3);
        s4 = _mm256_fmadd_ps(av, _mm256_loadu_ps(bb + 32), s4);
        s5 = _mm256_fmadd_ps(av, _mm256_loadu_ps(bb + 40), s5);
        s6 = _mm256_fmadd_ps(av, _mm256_loadu_ps(bb + 48), s6);
        s7 = _mm256_fmadd_ps(av, _mm256_loadu_ps(bb + 56), s7);
      }
      _mm256_store_ps(sums, s0);
      _mm256_store_ps(sums + 8, s1);
      _mm256_store_ps(sums + 16, s2);
      _mm256_store_ps(sums + 24, s3);
      _mm256_store_ps(sums + 32, s4);
      _mm256_store_ps(sums + 40, s5);
      _mm256_store_ps(sums + 48, s6);
      _mm256_store_ps(sums + 56, s7);
    } else {
      for (int64_t v = 0; v < cols; v += 8) {
        const __m256i m = tail_mask(cols - v);
        __m256 s = _mm256_setzero_ps();
        for (int64_t kk = 0; kk < k; ++kk)
          s = _mm256_fmadd_ps(_mm256_broadcast_ss(a + kk * as),
                              _mm256_maskload_ps(b + kk * p.b.ld + v, m), s);
        _mm256_store_ps(sums + v, s);
      }
    }
    finish_gemv(p, row, sums, c + j0, cols);
  }
}

// Epilogue constants of p; returns false (after finishing C) when K == 0 or the range is empty.
bool setup(const SgemmParams& p, int64_t m_begin, int64_t m_end, int64_t n_begin, int64_t n_end,
           Epilogue* e) {
  if (m_begin >= m_end || n_begin >= n_end) return false;
  e->bias = p.bias;
  e->kind = p.act.kind;
  e->alpha = _mm256_set1_ps(p.act.alpha);
  e->beta = _mm256_set1_ps(p.act.beta);
  e->slope = p.act.slope;
  if (p.k != 0) return true;
  // No products: C = act(C or 0 + bias).
  for (int64_t i = m_begin; i < m_end; ++i) {
    float* c = p.c + i * p.ldc;
    for (int64_t j = n_begin; j < n_end; ++j) {
      const float v = (p.accumulate ? c[j] : 0.f) + (p.bias ? p.bias[i] : 0.f);
      c[j] = activation_ref(p.act, v, i);
    }
  }
  return false;
}

// K blocks of at most kc_max, near-equal.
int64_t k_block_of(int64_t k, int64_t kc_max) {
  const int64_t blocks = (k + kc_max - 1) / kc_max;
  return (k + blocks - 1) / blocks;
}

// Prefetch of the next A panel in the 6 x 16 tile: only for N blocks of at most this many
// full columns (4 tiles per panel).
constexpr int64_t kPrefetchMaxCols = 64;

// The 6 x 16 register-tile driver over A panels of MR rows (6, or 16 taken as 6 + 6 + 4 row
// slices) and 16-wide B panels.
template <int64_t MR>
void drive_6x16(const SgemmParams& p, int64_t m_begin, int64_t m_end, int64_t n_begin,
                int64_t n_end, float* workspace, Epilogue& e, int64_t k_block) {
  const bool packed_direct =
      p.b.kind == SgemmBKind::kPacked && p.b.panel_nr == kNr && n_begin % kNr == 0;
  // Near-equal N blocks of at most sgemm_nc columns (multiples of kNr).
  const int64_t nc_max = sgemm_nc(k_block, kNr);
  const int64_t n_blocks = (n_end - n_begin + nc_max - 1) / nc_max;
  const int64_t nc_step = ((n_end - n_begin + n_blocks - 1) / n_blocks + kNr - 1) / kNr * kNr;
  // One A panel's tiles over the packed B block (k0, kc) of columns [n0, n0 + nc).
  auto run_panel = [&](int64_t i0, int64_t k0, int64_t kc, int64_t n0, int64_t nc,
                       const float* bp, int64_t b_stride, bool dot_tail, bool k_inner) {
    const float* a_panel = p.packed_a + (i0 / MR) * MR * p.k + k0 * MR;
    float* c_row = p.c + i0 * p.ldc + n0;
    const int64_t full_cols = nc - nc % kNr;
    // Few tiles per panel (small N, e.g. 7x7 maps: the weights are the main stream): the A
    // data used next (the next K block of this panel in k-inner order, else the next panel's
    // block k0) is prefetched during the last full tiles. 6-row panels (kc * 6 floats): the
    // last two tiles, a line per 4 k each. 16-row panels (a line per k): the last column
    // block's two 6-row slices, two lines per 4 k each, half of the next panel apiece.
    // With more tiles per panel it measured no faster.
    const float* a_next = k_inner ? a_panel + kc * MR : a_panel + MR * p.k;
    const int64_t pf_first = full_cols / kNr - 2;
    const bool pf_on = full_cols <= kPrefetchMaxCols;
    const float* b = bp;
    for (int64_t j = 0; j < nc; j += kNr, b += b_stride) {
      const int64_t cols = nc - j < kNr ? nc - j : kNr;
      if (dot_tail && j == full_cols) {
        const int64_t rows = m_end - i0 < kMr ? m_end - i0 : kMr;
        float* cc = c_row + j;
        switch (cols) {
          case 1: tile_dot<1>(kc, a_panel, b, cc, p.ldc, rows, e, i0); break;
          case 2: tile_dot<2>(kc, a_panel, b, cc, p.ldc, rows, e, i0); break;
          case 3: tile_dot<3>(kc, a_panel, b, cc, p.ldc, rows, e, i0); break;
          default: tile_dot<4>(kc, a_panel, b, cc, p.ldc, rows, e, i0); break;
        }
        continue;
      }
      for (int64_t s = 0; s < MR && i0 + s < m_end; s += 6) {
        const int64_t rows = m_end - i0 - s < 6 ? m_end - i0 - s : 6;
        const float* a = a_panel + s;
        float* cc = c_row + s * p.ldc + j;
        if (MR - s >= 6) {
          if (cols > 8) {
            const int64_t t = j / kNr - pf_first;
            if (MR == kMr && pf_on && t >= 0) {
              tile_6x16<MR, 1>(kc, a, b, cc, p.ldc, rows, cols, e, i0 + s, a_next + t * kc * 4);
            } else if (MR != kMr && pf_on && j + kNr == full_cols && s < 12) {
              tile_6x16<MR, 2>(kc, a, b, cc, p.ldc, rows, cols, e, i0 + s,
                               a_next + (s / 6) * (MR / 2) * kc);
            } else {
              tile_6x16<MR>(kc, a, b, cc, p.ldc, rows, cols, e, i0 + s);
            }
          } else {
            tile_small<6, 1, MR>(kc, a, b, cc, p.ldc, rows, cols, e, i0 + s);
          }
        } else if (cols > 8) {
          tile_small<4, 2, MR>(kc, a, b, cc, p.ldc, rows, cols, e, i0 + s);
        } else {
          tile_small<4, 1, MR>(kc, a, b, cc, p.ldc, rows, cols, e, i0 + s);
        }
      }
    }
  };
  // Packs B block (k0, kc) of columns [n0, n0 + nc) at dst (kc * kNr floats per full panel;
  // with dot_tail the tail columns follow expanded, kc * kMr floats each).
  auto pack = [&](int64_t k0, int64_t kc, int64_t n0, int64_t nc, bool dot_tail, float* dst) {
    const int64_t full_cols = nc - nc % kNr;
    if (dot_tail) {
      if (full_cols > 0) pack_dense_16(p.b, k0, kc, n0, full_cols, dst);
      pack_dot_tail(p.b, k0, kc, n0 + full_cols, nc - full_cols, dst + full_cols * kc);
    } else if (p.b.kind == SgemmBKind::kDense) {
      pack_dense_16(p.b, k0, kc, n0, nc, dst);
    } else {
      sgemm_pack_b_f32(p.b, k0, kc, n0, nc, kNr, dst);
    }
  };
  for (int64_t n0 = n_begin; n0 < n_end; n0 += nc_step) {
    const int64_t nc = n_end - n0 < nc_step ? n_end - n0 : nc_step;
    // A dense B's narrow column tail goes to tile_dot (6-row panels only), packed expanded
    // after the full 16-wide panels when the workspace has room.
    const int64_t tail = nc % kNr;
    const int64_t full_cols = nc - tail;
    const bool dot_tail = MR == kMr && !packed_direct && p.b.kind == SgemmBKind::kDense &&
                          tail > 0 && tail <= kDotMaxW &&
                          full_cols * k_block + tail * k_block * kMr <= kSgemmWorkspaceFloats;
    // Several K blocks whose packed B fits the workspace all at once (small N, e.g. 7x7 maps
    // with K = 1024): pack them all, then run each A panel over all of K before the next, so
    // the weights stream sequentially (a panel's K blocks are adjacent) and a panel's partial
    // sums in C stay in L1 between its K blocks.
    const int64_t floats_per_k = dot_tail ? full_cols + tail * kMr : (nc + kNr - 1) / kNr * kNr;
    if (!packed_direct && p.k > k_block && floats_per_k * p.k <= kSgemmWorkspaceFloats) {
      for (int64_t k0 = 0; k0 < p.k; k0 += k_block) {
        const int64_t kc = p.k - k0 < k_block ? p.k - k0 : k_block;
        pack(k0, kc, n0, nc, dot_tail, workspace + floats_per_k * k0);
      }
      for (int64_t i0 = m_begin; i0 < m_end; i0 += MR) {
        for (int64_t k0 = 0; k0 < p.k; k0 += k_block) {
          const int64_t kc = p.k - k0 < k_block ? p.k - k0 : k_block;
          e.load_c = k0 > 0 || p.accumulate != 0;
          e.last = k0 + kc >= p.k;
          run_panel(i0, k0, kc, n0, nc, workspace + floats_per_k * k0, kc * kNr, dot_tail, true);
        }
      }
      continue;
    }
    for (int64_t k0 = 0; k0 < p.k; k0 += k_block) {
      const int64_t kc = p.k - k0 < k_block ? p.k - k0 : k_block;
      const float* bp;
      int64_t b_stride;  // floats between 16-column panels
      if (packed_direct) {
        bp = p.b.data + (n0 / kNr) * p.b.ld + k0 * kNr;
        b_stride = p.b.ld;
      } else {
        pack(k0, kc, n0, nc, dot_tail, workspace);
        bp = workspace;
        b_stride = kc * kNr;
      }
      e.load_c = k0 > 0 || p.accumulate != 0;
      e.last = k0 + kc >= p.k;
      for (int64_t i0 = m_begin; i0 < m_end; i0 += MR) run_panel(i0, k0, kc, n0, nc, bp, b_stride, dot_tail, false);
    }
  }
}

bool small_n(int64_t m, int64_t n, int64_t k) {
  if (k < 32) return false;  // the transposing epilogue would dominate
  // Columns the 16-wide tiles compute for n (a tail of <= 8 takes the 6 x 8 tile); their row
  // slices (6 + 6 + 4) skip rows past M.
  const int64_t rem = n % kNr;
  const int64_t wide = n - rem + (rem == 0 ? 0 : rem <= 8 ? 8 : kNr);
  // The 16 x W tiles compute every column but all 16 rows of a panel, and spend ~4% in the
  // transpose: take them when m / m16 * 0.96 > n / wide.
  const int64_t m16 = (m + 15) / 16 * 16;
  return m * 96 * wide > n * 100 * m16;
}

}  // namespace

void sgemm_f32_6x16_avx2(const SgemmParams& p, int64_t m_begin, int64_t m_end, int64_t n_begin,
                         int64_t n_end, float* workspace) {
  Epilogue e;
  if (!setup(p, m_begin, m_end, n_begin, n_end, &e)) return;
  const bool packed_direct =
      p.b.kind == SgemmBKind::kPacked && p.b.panel_nr == kNr && n_begin % kNr == 0;
  if (m_end - m_begin == 1 && (p.b.kind == SgemmBKind::kDense || packed_direct)) {
    gemv_avx2(p, m_begin, n_begin, n_end, workspace);
    return;
  }
  drive_6x16<kMr>(p, m_begin, m_end, n_begin, n_end, workspace, e, sgemm_kc(p.k));
}

void sgemm_f32_16x6_avx2(const SgemmParams& p, int64_t m_begin, int64_t m_end, int64_t n_begin,
                         int64_t n_end, float* workspace) {
  Epilogue e;
  if (!setup(p, m_begin, m_end, n_begin, n_end, &e)) return;
  constexpr int64_t kPanel = 16;
  // K blocks of <= 256: a 16-row A panel slice (<= 16 KB) stays in L1.
  const int64_t k_block = k_block_of(p.k, 256);
  if (!small_n(m_end - m_begin, n_end - n_begin, p.k)) {
    drive_6x16<kPanel>(p, m_begin, m_end, n_begin, n_end, workspace, e, sgemm_kc(p.k));
    return;
  }
  constexpr int64_t kW = 6;
  const int64_t nc_max = sgemm_nc(k_block, kW);
  const int64_t n_blocks = (n_end - n_begin + nc_max - 1) / nc_max;
  const int64_t nc_step = ((n_end - n_begin + n_blocks - 1) / n_blocks + kW - 1) / kW * kW;
  for (int64_t n0 = n_begin; n0 < n_end; n0 += nc_step) {
    const int64_t nc = n_end - n0 < nc_step ? n_end - n0 : nc_step;
    for (int64_t k0 = 0; k0 < p.k; k0 += k_block) {
      const int64_t kc = p.k - k0 < k_block ? p.k - k0 : k_block;
      sgemm_pack_b_f32(p.b, k0, kc, n0, nc, kW, workspace);
      e.load_c = k0 > 0 || p.accumulate != 0;
      e.last = k0 + kc >= p.k;
      for (int64_t i0 = m_begin; i0 < m_end; i0 += kPanel) {
        const int64_t rows = m_end - i0 < kPanel ? m_end - i0 : kPanel;
        const float* a = p.packed_a + (i0 / kPanel) * kPanel * p.k + k0 * kPanel;
        float* c_row = p.c + i0 * p.ldc + n0;
        const float* b = workspace;
        for (int64_t j = 0; j < nc; j += kW, b += kc * kW) {
          switch (nc - j < kW ? nc - j : kW) {
            case 1: tile_16xw<1>(kc, a, b, c_row + j, p.ldc, rows, e, i0); break;
            case 2: tile_16xw<2>(kc, a, b, c_row + j, p.ldc, rows, e, i0); break;
            case 3: tile_16xw<3>(kc, a, b, c_row + j, p.ldc, rows, e, i0); break;
            case 4: tile_16xw<4>(kc, a, b, c_row + j, p.ldc, rows, e, i0); break;
            case 5: tile_16xw<5>(kc, a, b, c_row + j, p.ldc, rows, e, i0); break;
            default: tile_16x6(kc, a, b, c_row + j, p.ldc, rows, e, i0); break;
          }
        }
      }
    }
  }
}

}  // namespace facet::ops
