// AVX-512F SGEMM: 8 x 32 register tile (16 zmm accumulators, 2 B loads and 8 A broadcasts per
// k), an 8 x 16 or masked 8 x 32 tile for a column tail, and for a dense B's last 1..4
// columns (of a tail of 1..4 or 17..20) an 8-row column tile (tile_col: the panel's rows in a
// ymm, one broadcast per column and k), so N = 49 = 32 + 16 + 1 computes 49 columns, not 64;
// 2-4 such columns of full 32-row groups run four panels at a time (run_dot_group).
// Why a second x86 variant when AVX2 exists: with 32 registers the tile has 8 rows, so every
// MobileNet-style layer (M = 32, 64, ..., 1024) fills its panels exactly (the 6 x 16 AVX2
// tile computes 66 rows for 64), and one zmm FMA does the work of two ymm FMAs, halving the
// instructions per FLOP. On Zen 4 (512-bit ops on 256-bit units) the FMA peak is the same as
// AVX2's; the gain comes from the tile, not the width.
// Blocking as in the AVX2 variant (see sgemm.h): A packed at load in 8-row panels; B packed
// per KC x NC block into the workspace (32-column panels, then a 16-column panel and the dot
// columns for the tail), KC <= 512 so an A micro-panel (16 KB) stays in L1; several K blocks
// are packed at once when they all fit (small N), each A panel then running over all of K.
// Prepacked B (kPacked, 32 wide) is read in place, and so is a dense B with a short K
// (reads_b_in_place: 32-column strips, each reused from L1 by every A panel; packing would copy
// more than it saves). Fewer than 128 columns, not a multiple of 16 (7x7 maps), run on 32 x 14
// tiles with the rows in the lanes (tile_t, rows_in_lanes). One-row problems take a
// matrix-vector path.
#include "ops/kernels/eltwise/vecmath_avx512.h"  // first: it includes <immintrin.h>

#include <cstddef>
#include <cstdint>
#include <array>
#include <initializer_list>
#include <utility>

#include "ops/kernels/sgemm/sgemm.h"

namespace facet::ops {
namespace {

constexpr int64_t kMr = 8;
constexpr int64_t kNr = 32;
constexpr int64_t kDotMaxW = 4;

struct Epilogue {
  const float* bias;
  ActKind kind;
  __m512 alpha, beta;
  const float* slope;
  bool last;    // apply bias + activation
  bool load_c;  // add the existing C
};

// Always inlined: as a call, every live accumulator would be spilled around it.
__attribute__((always_inline)) inline __m512 activate(const Epilogue& e, __m512 v, int64_t row) {
  switch (e.kind) {
    case ActKind::kNone:
      return v;
    case ActKind::kRelu:
      return _mm512_max_ps(v, _mm512_setzero_ps());
    case ActKind::kClip:
      return _mm512_min_ps(_mm512_max_ps(v, e.alpha), e.beta);
    case ActKind::kLeakyRelu: {
      const __mmask16 neg = _mm512_cmp_ps_mask(v, _mm512_setzero_ps(), _CMP_LT_OQ);
      return _mm512_mask_mul_ps(v, neg, v, e.alpha);
    }
    case ActKind::kPRelu: {
      const __mmask16 neg = _mm512_cmp_ps_mask(v, _mm512_setzero_ps(), _CMP_LT_OQ);
      return _mm512_mask_mul_ps(v, neg, v, _mm512_set1_ps(e.slope[row]));
    }
    case ActKind::kHardSwish: {
      __m512 t = _mm512_fmadd_ps(v, _mm512_set1_ps(1.f / 6.f), _mm512_set1_ps(0.5f));
      t = _mm512_min_ps(_mm512_max_ps(t, _mm512_setzero_ps()), _mm512_set1_ps(1.f));
      return _mm512_mul_ps(v, t);
    }
    case ActKind::kSigmoid:
      return vec_avx512::sigmoid_avx512(v);
  }
  return v;
}

inline __mmask16 lanes(int64_t n) { return vec_avx512::first_n_lanes(n); }

// Stores 16 columns (lanes `m`) of one tile row: the existing C added when e.load_c, bias and
// activation when e.last.
__attribute__((always_inline)) inline void store16(const Epilogue& e, __m512 v, float* c,
                                                   __mmask16 m, int64_t row) {
  if (m == 0xFFFF) {
    if (e.load_c) v = _mm512_add_ps(v, _mm512_loadu_ps(c));
    if (e.last) {
      if (e.bias) v = _mm512_add_ps(v, _mm512_set1_ps(e.bias[row]));
      v = activate(e, v, row);
    }
    _mm512_storeu_ps(c, v);
    return;
  }
  if (e.load_c) v = _mm512_add_ps(v, _mm512_maskz_loadu_ps(m, c));
  if (e.last) {
    if (e.bias) v = _mm512_add_ps(v, _mm512_set1_ps(e.bias[row]));
    v = activate(e, v, row);
  }
  _mm512_mask_storeu_ps(c, m, v);
}

// One 8 x (16 * NV) tile over a B panel of PW floats per k: acc = A_panel[kc x 8] *
// B_panel[kc x 16 NV], then the epilogue into rows [0, rows) and columns [0, cols) of c.
// pf (optional): the A data used after this panel's block (kc * 8 floats from pf on), brought
// into L1 one cache line per two k while the tile runs.
template <int NV, int64_t PW>
__attribute__((noinline)) void tile(int64_t kc, const float* a, const float* b, float* c,
                                    int64_t ldc, int64_t rows, int64_t cols, const Epilogue& e,
                                    int64_t row0, const float* pf = nullptr) {
  __m512 acc[kMr][NV];
#pragma GCC unroll 8
  for (int r = 0; r < kMr; ++r)
#pragma GCC unroll 2
    for (int v = 0; v < NV; ++v) acc[r][v] = _mm512_setzero_ps();
  int64_t k = 0;
  if (pf != nullptr) {
    for (; k + 2 <= kc; k += 2) {
      _mm_prefetch(reinterpret_cast<const char*>(pf), _MM_HINT_T0);
      pf += 16;
#pragma GCC unroll 2
      for (int kk = 0; kk < 2; ++kk) {
        __m512 bv[NV];
#pragma GCC unroll 2
        for (int v = 0; v < NV; ++v) bv[v] = _mm512_loadu_ps(b + 16 * v);
#pragma GCC unroll 8
        for (int r = 0; r < kMr; ++r) {
          const __m512 av = _mm512_set1_ps(a[r]);
#pragma GCC unroll 2
          for (int v = 0; v < NV; ++v) acc[r][v] = _mm512_fmadd_ps(av, bv[v], acc[r][v]);
        }
        a += kMr;
        b += PW;
      }
    }
  }
#pragma GCC unroll 4
  for (; k < kc; ++k) {
    __m512 bv[NV];
#pragma GCC unroll 2
    for (int v = 0; v < NV; ++v) bv[v] = _mm512_loadu_ps(b + 16 * v);
#pragma GCC unroll 8
    for (int r = 0; r < kMr; ++r) {
      const __m512 av = _mm512_set1_ps(a[r]);
#pragma GCC unroll 2
      for (int v = 0; v < NV; ++v) acc[r][v] = _mm512_fmadd_ps(av, bv[v], acc[r][v]);
    }
    a += kMr;
    b += PW;
  }
  const __mmask16 m0 = lanes(cols), m1 = lanes(cols - 16);
#pragma GCC unroll 8
  for (int r = 0; r < kMr; ++r) {
    if (r < rows) {
      store16(e, acc[r][0], c + r * ldc, m0, row0 + r);
      if (NV == 2 && m1 != 0) store16(e, acc[r][NV - 1], c + r * ldc + 16, m1, row0 + r);
    }
  }
}

// Whether a dense B is read in place (tile_direct) instead of packed per block. Packing copies
// B once per call, which only a long K amortizes; in place, each k reads a B row 128 bytes
// wide, one L1 line pair per row, at the row stride. Measured on Zen 5 (one thread, min of 3
// alternating runs, packed -> in place): M32 K16 N3600 0.0227 -> 0.0195 ms, M64 K32 N3600
// 0.0763 -> 0.0702, M128 K64 N3136 0.237 -> 0.230, M128 K128 N3136 0.459 -> 0.449, M256 K256
// N784 0.443 -> 0.431; slower: M512 K256 N196 0.2255 -> 0.2295 and K 512 / 1024 (N 196, 49),
// where a strip (K x 128 bytes) no longer fits L1 or few columns share each A pass. M64 K32
// N12544 was 2% slower in isolation but its layer (fused with the next depthwise conv, in
// bands) gained 9%. MobileNetV1-224, 1 thread, whole model with K <= 128 only: 5.83 -> 5.61 ms
// (min of 6 alternating rounds); extending to K <= 256, N >= 2K moved the 28x28 256 -> 256
// layer about 2% more in one A/B (within this host's noise).
bool reads_b_in_place(int64_t k, int64_t n) {
  return n >= kNr && (k <= 128 || (k <= 256 && n >= 2 * k));
}

// The stores of an 8 x 32 tile_direct tile. Always inlined, so a caller that has set e.kind
// to a constant gets activate's switch folded away.
__attribute__((always_inline)) inline void store_direct(const Epilogue& e, __m512 (&acc)[kMr][2],
                                                        float* c, int64_t ldc, int64_t rows,
                                                        int64_t row0) {
#pragma GCC unroll 8
  for (int r = 0; r < kMr; ++r) {
    if (r < rows) {
      store16(e, acc[r][0], c + r * ldc, 0xFFFF, row0 + r);
      store16(e, acc[r][1], c + r * ldc + 16, 0xFFFF, row0 + r);
    }
  }
}

// One 8 x 32 tile reading B in place (a dense row-major B, row stride ldb): no packing. With
// pf_ahead (the first A panel over a strip), each k also prefetches the same B row `ahead`
// floats to the right (the strip after next), so the later strips arrive from L3 in time.
template <bool PF>
__attribute__((noinline)) void tile_direct(int64_t kc, const float* a, const float* b,
                                           int64_t ldb, float* c, int64_t ldc, int64_t rows,
                                           const Epilogue& e, int64_t row0, int64_t ahead) {
  __m512 acc[kMr][2];
#pragma GCC unroll 8
  for (int r = 0; r < kMr; ++r) acc[r][0] = acc[r][1] = _mm512_setzero_ps();
#pragma GCC unroll 4
  for (int64_t k = 0; k < kc; ++k) {
    if (PF) {
      _mm_prefetch(reinterpret_cast<const char*>(b + ahead), _MM_HINT_T0);
      _mm_prefetch(reinterpret_cast<const char*>(b + ahead + 16), _MM_HINT_T0);
    }
    const __m512 b0 = _mm512_loadu_ps(b), b1 = _mm512_loadu_ps(b + 16);
#pragma GCC unroll 8
    for (int r = 0; r < kMr; ++r) {
      const __m512 av = _mm512_set1_ps(a[r]);
      acc[r][0] = _mm512_fmadd_ps(av, b0, acc[r][0]);
      acc[r][1] = _mm512_fmadd_ps(av, b1, acc[r][1]);
    }
    a += kMr;
    b += ldb;
  }
  // The common kinds as constants: the activation switch runs once per tile, not once per
  // stored vector (with K = 16-32 a tile is only 256-512 FMAs).
  Epilogue ek = e;
  switch (e.kind) {
    case ActKind::kNone: ek.kind = ActKind::kNone; store_direct(ek, acc, c, ldc, rows, row0); break;
    case ActKind::kRelu: ek.kind = ActKind::kRelu; store_direct(ek, acc, c, ldc, rows, row0); break;
    case ActKind::kClip: ek.kind = ActKind::kClip; store_direct(ek, acc, c, ldc, rows, row0); break;
    default: store_direct(e, acc, c, ldc, rows, row0); break;
  }
}

// W (<= kDotMaxW) columns of an 8-row A panel with the panel's rows in the lanes of a ymm:
// the columns are packed as they are, bx[k * W + q] = B[k, j + q], and acc_q += A_panel[k]
// (8 rows) * broadcast(bx[k * W + q]), with P k-phases in separate accumulators so that at
// least 4 FMA chains are in flight.
template <int W>
__attribute__((noinline)) void tile_col(int64_t kc, const float* a, const float* bx, float* c,
                                        int64_t ldc, int64_t rows, const Epilogue& e,
                                        int64_t row0) {
  constexpr int P = W <= 2 ? 4 : 2;
  __m256 acc[P][W];
#pragma GCC unroll 4
  for (int ph = 0; ph < P; ++ph)
#pragma GCC unroll 4
    for (int q = 0; q < W; ++q) acc[ph][q] = _mm256_setzero_ps();
  int64_t k = 0;
  for (; k + P <= kc; k += P) {
#pragma GCC unroll 4
    for (int ph = 0; ph < P; ++ph) {
      const __m256 av = _mm256_loadu_ps(a + (k + ph) * kMr);
#pragma GCC unroll 4
      for (int q = 0; q < W; ++q)
        acc[ph][q] = _mm256_fmadd_ps(av, _mm256_broadcast_ss(bx + (k + ph) * W + q), acc[ph][q]);
    }
  }
  for (; k < kc; ++k) {
    const __m256 av = _mm256_loadu_ps(a + k * kMr);
#pragma GCC unroll 4
    for (int q = 0; q < W; ++q)
      acc[0][q] = _mm256_fmadd_ps(av, _mm256_broadcast_ss(bx + k * W + q), acc[0][q]);
  }
  // Column sums s[q] (lane r = row r), transposed in registers into one 4-lane row each.
  __m256 s[4];
#pragma GCC unroll 4
  for (int q = 0; q < 4; ++q) {
    if (q < W) {
      s[q] = acc[0][q];
#pragma GCC unroll 4
      for (int ph = 1; ph < P; ++ph) s[q] = _mm256_add_ps(s[q], acc[ph][q]);
    } else {
      s[q] = _mm256_setzero_ps();
    }
  }
  const __m256 t0 = _mm256_unpacklo_ps(s[0], s[1]);  // r0: c0 c1, r1: c0 c1 | r4.., r5..
  const __m256 t1 = _mm256_unpackhi_ps(s[0], s[1]);  // r2, r3 | r6, r7
  const __m256 t2 = _mm256_unpacklo_ps(s[2], s[3]);
  const __m256 t3 = _mm256_unpackhi_ps(s[2], s[3]);
  const __m256 u0 = _mm256_shuffle_ps(t0, t2, 0x44);  // rows 0 | 4: c0 c1 c2 c3
  const __m256 u1 = _mm256_shuffle_ps(t0, t2, 0xEE);  // rows 1 | 5
  const __m256 u2 = _mm256_shuffle_ps(t1, t3, 0x44);  // rows 2 | 6
  const __m256 u3 = _mm256_shuffle_ps(t1, t3, 0xEE);  // rows 3 | 7
  const __m128 row[8] = {_mm256_castps256_ps128(u0),   _mm256_castps256_ps128(u1),
                         _mm256_castps256_ps128(u2),   _mm256_castps256_ps128(u3),
                         _mm256_extractf128_ps(u0, 1), _mm256_extractf128_ps(u1, 1),
                         _mm256_extractf128_ps(u2, 1), _mm256_extractf128_ps(u3, 1)};
  const __mmask16 m = lanes(W);
#pragma GCC unroll 8
  for (int r = 0; r < kMr; ++r)
    if (r < rows) store16(e, _mm512_zextps128_ps512(row[r]), c + r * ldc, m, row0 + r);
}

// K blocks of at most kc_max, near-equal.
int64_t k_block_of(int64_t k, int64_t kc_max) {
  const int64_t blocks = (k + kc_max - 1) / kc_max;
  return (k + blocks - 1) / blocks;
}

// ---- Small N: output rows in the vector lanes ----
// With few columns (7x7 and 14x14 maps: N = 49, 196) the 8 x 32 tile leaves a column tail
// (196 = 6 * 32 + 4, 49 = 32 + 16 + 1) that runs at a fraction of its rate. tile_t turns the
// tile around: 32 rows (four 8-row A panels, two per zmm) x NC <= 14 columns, 2 * NC
// accumulators holding column sums of 16 rows each, one broadcast of B per column and k, so
// every FMA uses all 16 lanes whatever N is (196 = 14 * 14, 49 = 3 * 14 + 7). The sums are
// transposed in registers (16 x 16) and stored row by row through store16.
constexpr int64_t kTn = 14;     // columns per transposed tile
constexpr int64_t kTRows = 32;  // rows per transposed tile (four A panels)

// v[c] (lane r = row r of column c) -> v[r] (lane c = column c of row r), 16 x 16.
__attribute__((always_inline)) inline void transpose16(__m512 v[16]) {
  __m512 a[16], b[16];
#pragma GCC unroll 8
  for (int i = 0; i < 8; ++i) {
    a[2 * i] = _mm512_unpacklo_ps(v[2 * i], v[2 * i + 1]);
    a[2 * i + 1] = _mm512_unpackhi_ps(v[2 * i], v[2 * i + 1]);
  }
#pragma GCC unroll 4
  for (int j = 0; j < 4; ++j) {
    const __m512d x0 = _mm512_castps_pd(a[4 * j]), x1 = _mm512_castps_pd(a[4 * j + 1]);
    const __m512d x2 = _mm512_castps_pd(a[4 * j + 2]), x3 = _mm512_castps_pd(a[4 * j + 3]);
    b[4 * j] = _mm512_castpd_ps(_mm512_unpacklo_pd(x0, x2));      // rows 4g of cols 4j..4j+3
    b[4 * j + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(x0, x2));  // rows 4g + 1
    b[4 * j + 2] = _mm512_castpd_ps(_mm512_unpacklo_pd(x1, x3));  // rows 4g + 2
    b[4 * j + 3] = _mm512_castpd_ps(_mm512_unpackhi_pd(x1, x3));  // rows 4g + 3
  }
  // b[4j + s], 128-bit lane g: row 4g + s, columns 4j..4j+3; gather lane g of b[s], b[4 + s],
  // b[8 + s], b[12 + s] into row 4g + s.
#pragma GCC unroll 4
  for (int sft = 0; sft < 4; ++sft) {
    const __m512 c0 = _mm512_shuffle_f32x4(b[sft], b[4 + sft], 0x44);
    const __m512 c1 = _mm512_shuffle_f32x4(b[sft], b[4 + sft], 0xEE);
    const __m512 c2 = _mm512_shuffle_f32x4(b[8 + sft], b[12 + sft], 0x44);
    const __m512 c3 = _mm512_shuffle_f32x4(b[8 + sft], b[12 + sft], 0xEE);
    v[sft] = _mm512_shuffle_f32x4(c0, c2, 0x88);
    v[4 + sft] = _mm512_shuffle_f32x4(c0, c2, 0xDD);
    v[8 + sft] = _mm512_shuffle_f32x4(c1, c3, 0x88);
    v[12 + sft] = _mm512_shuffle_f32x4(c1, c3, 0xDD);
  }
}

// 8 floats at p0 in lanes 0..7, 8 at p1 in lanes 8..15 (AVX-512F only: insertf64x4).
__attribute__((always_inline)) inline __m512 join(const float* p0, const float* p1) {
  const __m512d lo = _mm512_castps_pd(_mm512_castps256_ps512(_mm256_loadu_ps(p0)));
  return _mm512_castpd_ps(_mm512_insertf64x4(lo, _mm256_castps_pd(_mm256_loadu_ps(p1)), 1));
}

// 32 rows x NC columns: a points at k = 0 of the first of four 8-row A panels, panel_stride
// floats apart; b at a packed column panel (kTn floats per k, sgemm_pack_b_f32 with nr = 14).
// pf_panels (0..4) A panels from pf on (same stride), kc * 8 floats each, are brought into L1
// at one line per two k each: the share of the next row group's A this tile prefetches.
// BS: floats of B per k (kTn for run_small_n's panels, the dot width for run_dot_group).
template <int NC, int64_t BS = kTn>
__attribute__((noinline)) void tile_t(int64_t kc, const float* a, int64_t panel_stride,
                                      const float* b, float* c, int64_t ldc, const Epilogue& e,
                                      int64_t row0, const float* pf, int64_t pf_panels) {
  __m512 acc[2][NC];
#pragma GCC unroll 14
  for (int n = 0; n < NC; ++n) acc[0][n] = acc[1][n] = _mm512_setzero_ps();
  const float* a0 = a;
  const float* a1 = a + panel_stride;
  const float* a2 = a + 2 * panel_stride;
  const float* a3 = a + 3 * panel_stride;
  for (int64_t k = 0; k < kc; ++k) {
    if ((k & 1) == 0) {
      for (int64_t j = 0; j < pf_panels; ++j)
        _mm_prefetch(reinterpret_cast<const char*>(pf + j * panel_stride + k * kMr), _MM_HINT_T0);
    }
    const __m512 lo = join(a0 + k * kMr, a1 + k * kMr);
    const __m512 hi = join(a2 + k * kMr, a3 + k * kMr);
    const float* bk = b + k * BS;
#pragma GCC unroll 14
    for (int n = 0; n < NC; ++n) {
      const __m512 bv = _mm512_set1_ps(bk[n]);
      acc[0][n] = _mm512_fmadd_ps(lo, bv, acc[0][n]);
      acc[1][n] = _mm512_fmadd_ps(hi, bv, acc[1][n]);
    }
  }
  const __mmask16 m = lanes(NC);
#pragma GCC unroll 2
  for (int h = 0; h < 2; ++h) {
    __m512 v[16];
#pragma GCC unroll 16
    for (int n = 0; n < 16; ++n) v[n] = n < NC ? acc[h][n] : _mm512_setzero_ps();
    transpose16(v);
#pragma GCC unroll 16
    for (int r = 0; r < 16; ++r) store16(e, v[r], c + (16 * h + r) * ldc, m, row0 + 16 * h + r);
  }
}

// Whether n columns run on tile_t rather than the 8 x 32 tiles. Measured on Zen 5 (M512 K512,
// min of 15 interleaved rounds, 8 x 32 -> tile_t, ms): N 9 0.045 -> 0.026, 25 0.071 -> 0.057,
// 36 0.096 -> 0.082, 49 0.126 -> 0.112 (M1024 K1024: 0.494 -> 0.446), 56 0.138 -> 0.123,
// 81 0.195 -> 0.180, 121 0.275 -> 0.269; no gain or a loss where the 32-wide tiles have no
// poor tail: N 16 0.090 / 0.090, 64 0.136 -> 0.144, 100 0.057 / 0.058, 144 0.321 -> 0.325,
// 196 0.439 -> 0.437, 225 0.491 -> 0.512. With A (the weights) from DRAM (64 MB flushed
// between runs), M1024 K1024 N49: 0.533 -> 0.484. MobileNetV1-224's 7x7 layers, per-node min of
// 6 alternating rounds, 1 thread: 0.260 -> 0.240 and 0.515 -> 0.476 ms (2 threads: unchanged).
inline bool rows_in_lanes(int64_t n) { return n < 128 && n % 16 != 0; }

using TileTFn = void (*)(int64_t, const float*, int64_t, const float*, float*, int64_t,
                         const Epilogue&, int64_t, const float*, int64_t);

template <int... NC>
constexpr std::array<TileTFn, sizeof...(NC)> tile_t_table(std::integer_sequence<int, NC...>) {
  return {&tile_t<NC + 1>...};
}

// Rows [m_begin, m_begin + groups * 32) and columns [n_begin, n_end) on the transposed tiles.
// B is packed in 14-column panels, over all of K when that fits the workspace (then each row
// group runs its K blocks back to back, so its four A panels stream sequentially, as the
// weights lie), otherwise one K block at a time. K blocks are <= 256 so that a group's A slice
// (32 KB) stays in L1 across its column tiles; the column tiles of a group prefetch the next
// group's slice, a share each.
void run_small_n(const SgemmParams& p, int64_t m_begin, int64_t groups, int64_t n_begin,
                 int64_t n_end, float* workspace, Epilogue e) {
  static constexpr auto kTiles = tile_t_table(std::make_integer_sequence<int, kTn>{});
  const int64_t n = n_end - n_begin;
  const int64_t panels = (n + kTn - 1) / kTn;
  const int64_t fit = kSgemmWorkspaceFloats / (panels * kTn);
  const int64_t k_block = k_block_of(p.k, fit < 256 ? fit : 256);
  const int64_t panel_stride = kMr * p.k;  // floats from one A panel to the next
  const bool all_k = p.k <= fit;
  // Tile q of the first t column tiles prefetches A panels [4q / t, 4(q + 1) / t) of the next
  // A slice.
  const int64_t t = panels < 4 ? panels : 4;
  // The A slice of group g at k0, and the one the loops below use after it (prefetched).
  auto slice = [&](int64_t g, int64_t k0) {
    return p.packed_a + ((m_begin + g * kTRows) / kMr) * panel_stride + k0 * kMr;
  };
  auto run_block = [&](int64_t g, int64_t k0, int64_t kc, const float* bk, const float* next) {
    const int64_t i0 = m_begin + g * kTRows;
    const float* a = slice(g, k0);
    e.load_c = k0 > 0 || p.accumulate != 0;
    e.last = k0 + kc >= p.k;
    const int64_t b_stride = (all_k ? p.k : kc) * kTn;  // floats between B column panels
    for (int64_t q = 0; q < panels; ++q) {
      const int64_t cols = n - q * kTn < kTn ? n - q * kTn : kTn;
      const int64_t pf0 = q < t ? 4 * q / t : 0, pf1 = q < t ? 4 * (q + 1) / t : 0;
      kTiles[static_cast<size_t>(cols - 1)](
          kc, a, panel_stride, bk + q * b_stride, p.c + i0 * p.ldc + n_begin + q * kTn, p.ldc,
          e, i0, next != nullptr ? next + pf0 * panel_stride : nullptr,
          next != nullptr ? pf1 - pf0 : 0);
    }
  };
  if (all_k) {
    sgemm_pack_b_f32(p.b, 0, p.k, n_begin, n, kTn, workspace);
    for (int64_t g = 0; g < groups; ++g) {
      for (int64_t k0 = 0; k0 < p.k; k0 += k_block) {
        const float* next = k0 + k_block < p.k ? slice(g, k0 + k_block)
                            : g + 1 < groups   ? slice(g + 1, 0)
                                               : nullptr;
        run_block(g, k0, p.k - k0 < k_block ? p.k - k0 : k_block, workspace + k0 * kTn, next);
      }
    }
    return;
  }
  for (int64_t k0 = 0; k0 < p.k; k0 += k_block) {
    const int64_t kc = p.k - k0 < k_block ? p.k - k0 : k_block;
    sgemm_pack_b_f32(p.b, k0, kc, n_begin, n, kTn, workspace);
    for (int64_t g = 0; g < groups; ++g)
      run_block(g, k0, kc, workspace, g + 1 < groups ? slice(g + 1, k0) : nullptr);
  }
}

// How an N block of nc columns is laid out in the workspace: `full` 32-wide panels, then an
// optional tail panel `tail_w` (32 or 16) wide holding `tail_cols` columns, then `dot` columns
// for tile_col (dense B only), packed k-major: dot floats per k.
struct BlockLayout {
  int64_t full, tail_w, tail_cols, dot;
  int64_t floats_per_k() const { return full * kNr + tail_w + dot; }
};

// kc: the K block the layout must fit the workspace with (0: no limit). Without the dot
// columns a block takes at most ceil(nc / 32) * 32 * kc floats, which sgemm_nc keeps within
// the workspace; the dot columns (1 float per k each) are used only where they fit too.
BlockLayout layout_of(int64_t nc, bool dense, int64_t kc) {
  for (bool with_dot : {true, false}) {
    BlockLayout l{nc / kNr, 0, 0, 0};
    int64_t rem = nc % kNr;
    if (with_dot && dense && rem % 16 != 0 && rem % 16 <= kDotMaxW) {
      l.dot = rem % 16;
      rem -= l.dot;
    }
    if (rem > 16) {
      l.tail_w = kNr;
    } else if (rem > 0) {
      l.tail_w = 16;
    }
    l.tail_cols = rem;
    if (l.dot == 0 || kc == 0 || l.floats_per_k() * kc <= kSgemmWorkspaceFloats) return l;
  }
  return BlockLayout{};  // not reached: the layout without dot columns is always returned
}

// Packs B[k0 .. k0+kc, n0 .. n0+nc] in layout l at dst: panel q of the full ones at
// dst + q * kc * 32, the tail panel after them (kc * tail_w floats, zero-padded), then the dot
// columns (kc * dot floats, k-major).
void pack_block(const SgemmB& b, int64_t k0, int64_t kc, int64_t n0, const BlockLayout& l,
                float* dst) {
  const int64_t full_cols = l.full * kNr;
  float* tail_dst = dst + full_cols * kc;
  float* dot_dst = tail_dst + l.tail_w * kc;
  if (b.kind != SgemmBKind::kDense) {
    if (l.full > 0) sgemm_pack_b_f32(b, k0, kc, n0, full_cols, kNr, dst);
    if (l.tail_w > 0) sgemm_pack_b_f32(b, k0, kc, n0 + full_cols, l.tail_cols, l.tail_w, tail_dst);
    return;
  }
  const __mmask16 t0 = lanes(l.tail_cols), t1 = lanes(l.tail_cols - 16);
  // The full panels one at a time, so the stores are sequential: row by row, consecutive
  // stores would be kc * 128 bytes apart, a power of two for MobileNet's K, all in one L1 set
  // (MobileNetV1's 32 -> 64 layer at 112x112: 0.307 -> 0.269 ms).
  for (int64_t q = 0; q < l.full; ++q) {
    const float* src = b.data + k0 * b.ld + n0 + q * kNr;
    float* d = dst + q * kc * kNr;
    for (int64_t kk = 0; kk < kc; ++kk, src += b.ld, d += kNr) {
      _mm512_storeu_ps(d, _mm512_loadu_ps(src));
      _mm512_storeu_ps(d + 16, _mm512_loadu_ps(src + 16));
    }
  }
  for (int64_t kk = 0; kk < kc; ++kk) {
    const float* src = b.data + (k0 + kk) * b.ld + n0;
    if (l.tail_w > 0) {
      const float* s = src + full_cols;
      float* dt = tail_dst + kk * l.tail_w;
      _mm512_storeu_ps(dt, _mm512_maskz_loadu_ps(t0, s));
      if (l.tail_w == kNr) _mm512_storeu_ps(dt + 16, _mm512_maskz_loadu_ps(t1, s + 16));
    }
    for (int64_t q = 0; q < l.dot; ++q) dot_dst[kk * l.dot + q] = src[full_cols + l.tail_cols + q];
  }
}

// The tiles of one A panel (rows [i0, i0 + 8) of the row range) over a packed B block.
// in_place: bp points into prepacked 32-wide panels over all of K (stride p.b.ld, the tail one
// zero-padded to 32); otherwise into the workspace (stride kc * 32, pack_block's layout).
// a_next: the A data used after this block (prefetched during the last full tile).
// dot_later: leave the dot columns to run_dot_group (the panel is part of a full 32-row group).
void run_panel(const SgemmParams& p, int64_t i0, int64_t m_end, int64_t k0, int64_t kc,
               int64_t n0, const BlockLayout& l, const float* bp, bool in_place,
               const Epilogue& e, const float* a_next, bool dot_later = false) {
  const int64_t b_stride = in_place ? p.b.ld : kc * kNr;
  const float* a = p.packed_a + (i0 / kMr) * kMr * p.k + k0 * kMr;
  float* c = p.c + i0 * p.ldc + n0;
  const int64_t rows = m_end - i0 < kMr ? m_end - i0 : kMr;
  const float* b = bp;
  for (int64_t q = 0; q < l.full; ++q, b += b_stride) {
    if (q + 1 == l.full) {
      tile<2, kNr>(kc, a, b, c + q * kNr, p.ldc, rows, kNr, e, i0, a_next);
    } else {
      tile<2, kNr>(kc, a, b, c + q * kNr, p.ldc, rows, kNr, e, i0);
    }
  }
  float* ct = c + l.full * kNr;
  // Without a full panel (N <= 32: 4x4 and smaller maps) the tail tile is the A panel's only
  // pass, so it prefetches the next one (the weights stream from L3 or memory there).
  const float* tail_pf = l.full == 0 ? a_next : nullptr;
  if (l.tail_w == kNr) {
    tile<2, kNr>(kc, a, b, ct, p.ldc, rows, l.tail_cols, e, i0, tail_pf);
  } else if (l.tail_w == 16) {
    // In place (kPacked) the tail is a zero-padded 32-wide panel: read its first 16 columns.
    if (in_place) {
      tile<1, kNr>(kc, a, b, ct, p.ldc, rows, l.tail_cols, e, i0, tail_pf);
    } else {
      tile<1, 16>(kc, a, b, ct, p.ldc, rows, l.tail_cols, e, i0, tail_pf);
    }
  }
  if (l.dot > 0 && !dot_later) {
    const float* bx = bp + l.full * kNr * kc + l.tail_w * kc;
    float* cd = ct + l.tail_cols;
    switch (l.dot) {
      case 1: tile_col<1>(kc, a, bx, cd, p.ldc, rows, e, i0); break;
      case 2: tile_col<2>(kc, a, bx, cd, p.ldc, rows, e, i0); break;
      case 3: tile_col<3>(kc, a, bx, cd, p.ldc, rows, e, i0); break;
      default: tile_col<4>(kc, a, bx, cd, p.ldc, rows, e, i0); break;
    }
  }
}

// The dot columns of a dense B's block for the 32 rows [i0, i0 + 32) (four A panels) on one
// rows-in-lanes tile (tile_t with the dot width as B's stride per k), instead of four 8-row
// tile_col calls: per k, 2 * dot zmm FMAs (16 rows each) for 4 A loads and dot broadcasts,
// against dot ymm FMAs (8 rows) for 1 load and dot broadcasts, which left tile_col bound by
// loads. For dot >= 2 (one column alone has only 2 FMA chains there).
// Measured on Zen 5 (M512 K512 N196, the 14x14 pointwise layers, one thread, median of 1000):
// the 4 dot columns cost 0.028 ms over N = 192 (0.565 vs 0.537 ms) with tile_col.
bool dot_in_groups(const BlockLayout& l) { return l.dot >= 2; }

void run_dot_group(const SgemmParams& p, int64_t i0, int64_t k0, int64_t kc, int64_t n0,
                   const BlockLayout& l, const float* bp, const Epilogue& e) {
  const float* bx = bp + l.full * kNr * kc + l.tail_w * kc;
  const float* a = p.packed_a + (i0 / kMr) * kMr * p.k + k0 * kMr;
  float* c = p.c + i0 * p.ldc + n0 + l.full * kNr + l.tail_cols;
  const int64_t stride = kMr * p.k;
  switch (l.dot) {
    case 2: tile_t<2, 2>(kc, a, stride, bx, c, p.ldc, e, i0, nullptr, 0); break;
    case 3: tile_t<3, 3>(kc, a, stride, bx, c, p.ldc, e, i0, nullptr, 0); break;
    default: tile_t<4, 4>(kc, a, stride, bx, c, p.ldc, e, i0, nullptr, 0); break;
  }
}

// Runs the A panels of rows [m_begin, m_end) over one packed block (pack_block's layout at
// bp), the dot columns of each full 32-row group after its fourth panel. a_next(i0): the A
// data to prefetch while panel i0 runs.
template <typename NextFn>
void run_panels(const SgemmParams& p, int64_t m_begin, int64_t m_end, int64_t k0, int64_t kc,
                int64_t n0, const BlockLayout& l, const float* bp, const Epilogue& e,
                NextFn a_next) {
  const int64_t grouped_end =
      dot_in_groups(l) ? m_begin + (m_end - m_begin) / kTRows * kTRows : m_begin;
  for (int64_t i0 = m_begin; i0 < m_end; i0 += kMr) {
    const bool grouped = i0 < grouped_end;
    run_panel(p, i0, m_end, k0, kc, n0, l, bp, false, e, a_next(i0), grouped);
    if (grouped && (i0 - m_begin) % kTRows == kTRows - kMr)
      run_dot_group(p, i0 + kMr - kTRows, k0, kc, n0, l, bp, e);
  }
}

void finish_gemv(const SgemmParams& p, int64_t row, const float* sums, float* c, int64_t cols) {
  const float bias = p.bias ? p.bias[row] : 0.f;
  for (int64_t j = 0; j < cols; ++j) {
    const float v = (p.accumulate ? c[j] : 0.f) + sums[j] + bias;
    c[j] = activation_ref(p.act, v, row);
  }
}

// One packed 32-column panel of B against the vector a[kk * as] (even / odd k in separate
// accumulators), raw sums to sums[0, 32).
inline void gemv_panel(const float* a, int64_t as, const float* b, int64_t k, float* sums) {
  __m512 x0 = _mm512_setzero_ps(), x1 = _mm512_setzero_ps(), y0 = _mm512_setzero_ps(),
         y1 = _mm512_setzero_ps();
  int64_t kk = 0;
  for (; kk + 2 <= k; kk += 2) {
    const float* bb = b + kk * kNr;
    const __m512 a0 = _mm512_set1_ps(a[kk * as]), a1 = _mm512_set1_ps(a[(kk + 1) * as]);
    x0 = _mm512_fmadd_ps(a0, _mm512_loadu_ps(bb), x0);
    x1 = _mm512_fmadd_ps(a0, _mm512_loadu_ps(bb + 16), x1);
    y0 = _mm512_fmadd_ps(a1, _mm512_loadu_ps(bb + 32), y0);
    y1 = _mm512_fmadd_ps(a1, _mm512_loadu_ps(bb + 48), y1);
  }
  if (kk < k) {
    const __m512 a0 = _mm512_set1_ps(a[kk * as]);
    x0 = _mm512_fmadd_ps(a0, _mm512_loadu_ps(b + kk * kNr), x0);
    x1 = _mm512_fmadd_ps(a0, _mm512_loadu_ps(b + kk * kNr + 16), x1);
  }
  _mm512_store_ps(sums, _mm512_add_ps(x0, y0));
  _mm512_store_ps(sums + 16, _mm512_add_ps(x1, y1));
}

// Matrix-vector product for one row of A (M = 1, the classifier): streams B once. A's row sits
// in its packed panel one float per kMr (a cache line per two k): it is gathered into the
// workspace first, so B streams past a contiguous vector (K = 1024: 4 KB) instead of a 32 KB
// one that B evicts from L1 on every panel. Prepacked B two panels at a time (two streams from
// memory), dense B in 64-column strips. Standalone on Zen 4, K 1024 x N 1024 packed, median of
// 300 with B from DRAM / L3: strided A one panel at a time 198 / 104 us, contiguous A 198 /
// 79 us, two panels 183 / 77 us (a plain 4 MB read: 196 / 75 us).
void gemv_avx512(const SgemmParams& p, int64_t row, int64_t n_begin, int64_t n_end,
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
  alignas(64) float sums[64];
  if (p.b.kind == SgemmBKind::kPacked) {
    int64_t j0 = n_begin;
    for (; as == 1 && j0 + 2 * kNr <= n_end; j0 += 2 * kNr) {
      const float* b0 = p.b.data + (j0 / kNr) * p.b.ld;
      const float* b1 = b0 + p.b.ld;
      __m512 x0 = _mm512_setzero_ps(), x1 = _mm512_setzero_ps(), y0 = _mm512_setzero_ps(),
             y1 = _mm512_setzero_ps();
      for (int64_t kk = 0; kk < k; ++kk) {
        const __m512 av = _mm512_set1_ps(a[kk]);
        x0 = _mm512_fmadd_ps(av, _mm512_loadu_ps(b0 + kk * kNr), x0);
        x1 = _mm512_fmadd_ps(av, _mm512_loadu_ps(b0 + kk * kNr + 16), x1);
        y0 = _mm512_fmadd_ps(av, _mm512_loadu_ps(b1 + kk * kNr), y0);
        y1 = _mm512_fmadd_ps(av, _mm512_loadu_ps(b1 + kk * kNr + 16), y1);
      }
      _mm512_store_ps(sums, x0);
      _mm512_store_ps(sums + 16, x1);
      _mm512_store_ps(sums + 32, y0);
      _mm512_store_ps(sums + 48, y1);
      finish_gemv(p, row, sums, c + j0, 2 * kNr);
    }
    // The last odd panel, or every panel when K is beyond the workspace (A read in place).
    for (; j0 < n_end; j0 += kNr) {
      const int64_t cols = n_end - j0 < kNr ? n_end - j0 : kNr;
      gemv_panel(a, as, p.b.data + (j0 / kNr) * p.b.ld, k, sums);
      finish_gemv(p, row, sums, c + j0, cols);
    }
    return;
  }
  // kDense: B[k, j] = data[k * ld + j].
  for (int64_t j0 = n_begin; j0 < n_end; j0 += 64) {
    const int64_t cols = n_end - j0 < 64 ? n_end - j0 : 64;
    const float* b = p.b.data + j0;
    const __mmask16 m0 = lanes(cols), m1 = lanes(cols - 16), m2 = lanes(cols - 32),
                    m3 = lanes(cols - 48);
    __m512 s0 = _mm512_setzero_ps(), s1 = _mm512_setzero_ps(), s2 = _mm512_setzero_ps(),
           s3 = _mm512_setzero_ps();
    for (int64_t kk = 0; kk < k; ++kk) {
      const float* bb = b + kk * p.b.ld;
      const __m512 av = _mm512_set1_ps(a[kk * as]);
      s0 = _mm512_fmadd_ps(av, _mm512_maskz_loadu_ps(m0, bb), s0);
      s1 = _mm512_fmadd_ps(av, _mm512_maskz_loadu_ps(m1, bb + 16), s1);
      s2 = _mm512_fmadd_ps(av, _mm512_maskz_loadu_ps(m2, bb + 32), s2);
      s3 = _mm512_fmadd_ps(av, _mm512_maskz_loadu_ps(m3, bb + 48), s3);
    }
    _mm512_store_ps(sums, s0);
    _mm512_store_ps(sums + 16, s1);
    _mm512_store_ps(sums + 32, s2);
    _mm512_store_ps(sums + 48, s3);
    finish_gemv(p, row, sums, c + j0, cols);
  }
}

}  // namespace

void sgemm_f32_8x32_avx512(const SgemmParams& p, int64_t m_begin, int64_t m_end,
                           int64_t n_begin, int64_t n_end, float* workspace) {
  if (m_begin >= m_end || n_begin >= n_end) return;
  if (p.k == 0) {  // no products: C = act(C or 0 + bias)
    for (int64_t i = m_begin; i < m_end; ++i) {
      float* c = p.c + i * p.ldc;
      for (int64_t j = n_begin; j < n_end; ++j) {
        const float v = (p.accumulate ? c[j] : 0.f) + (p.bias ? p.bias[i] : 0.f);
        c[j] = activation_ref(p.act, v, i);
      }
    }
    return;
  }
  Epilogue e;
  e.bias = p.bias;
  e.kind = p.act.kind;
  e.alpha = _mm512_set1_ps(p.act.alpha);
  e.beta = _mm512_set1_ps(p.act.beta);
  e.slope = p.act.slope;
  const bool packed_direct =
      p.b.kind == SgemmBKind::kPacked && p.b.panel_nr == kNr && n_begin % kNr == 0;
  if (m_end - m_begin == 1 && (p.b.kind == SgemmBKind::kDense || packed_direct)) {
    gemv_avx512(p, m_begin, n_begin, n_end, workspace);
    return;
  }
  const bool dense = p.b.kind == SgemmBKind::kDense;
  if (!packed_direct && rows_in_lanes(n_end - n_begin) && m_end - m_begin >= kTRows &&
      !(dense && reads_b_in_place(p.k, n_end - n_begin))) {
    const int64_t groups = (m_end - m_begin) / kTRows;
    run_small_n(p, m_begin, groups, n_begin, n_end, workspace, e);
    m_begin += groups * kTRows;
    if (m_begin >= m_end) return;
  }
  if (dense && reads_b_in_place(p.k, n_end - n_begin)) {
    // B read in place, strip by strip: a 32-column strip of B (k x 128 bytes) stays in L1
    // while every A panel of the row range passes over it. The columns after the last full
    // strip go through the packed path below.
    const int64_t n_full = n_begin + (n_end - n_begin) / kNr * kNr;
    e.load_c = p.accumulate != 0;
    e.last = true;
    for (int64_t j = n_begin; j < n_full; j += kNr) {
      const float* b = p.b.data + j;
      const int64_t ahead = j + 3 * kNr <= n_full ? 2 * kNr : 0;
      for (int64_t i0 = m_begin; i0 < m_end; i0 += kMr) {
        const float* a = p.packed_a + (i0 / kMr) * kMr * p.k;
        float* c = p.c + i0 * p.ldc + j;
        const int64_t rows = m_end - i0 < kMr ? m_end - i0 : kMr;
        if (i0 == m_begin && ahead > 0) {
          tile_direct<true>(p.k, a, b, p.b.ld, c, p.ldc, rows, e, i0, ahead);
        } else {
          tile_direct<false>(p.k, a, b, p.b.ld, c, p.ldc, rows, e, i0, 0);
        }
      }
    }
    if (n_full == n_end) return;
    n_begin = n_full;
  }
  int64_t k_block = sgemm_kc(p.k);
  {
    // Small N, large K (14x14 maps: K = 512, N = 196): rather than split N, which reads all
    // of A (the weights, from L3) once per N block, split K finer so that one block covers
    // every column; the partial sums in C make an extra round trip through L2 instead.
    const int64_t per_k = layout_of(n_end - n_begin, dense, 0).floats_per_k();
    if (!packed_direct && per_k * k_block > kSgemmWorkspaceFloats && p.k >= n_end - n_begin) {
      const int64_t kc_fit = kSgemmWorkspaceFloats / per_k;
      if (kc_fit >= 128) k_block = k_block_of(p.k, kc_fit);
    }
  }
  const int64_t nc_max = sgemm_nc(k_block, kNr);
  const int64_t n_blocks = (n_end - n_begin + nc_max - 1) / nc_max;
  const int64_t nc_step = ((n_end - n_begin + n_blocks - 1) / n_blocks + kNr - 1) / kNr * kNr;
  for (int64_t n0 = n_begin; n0 < n_end; n0 += nc_step) {
    const int64_t nc = n_end - n0 < nc_step ? n_end - n0 : nc_step;
    if (packed_direct) {
      // The prepacked panels: full 32-wide ones, the last zero-padded (read as 32 or 16 wide).
      BlockLayout l{nc / kNr, 0, nc % kNr, 0};
      if (l.tail_cols > 0) l.tail_w = l.tail_cols > 16 ? kNr : 16;
      for (int64_t k0 = 0; k0 < p.k; k0 += k_block) {
        const int64_t kc = p.k - k0 < k_block ? p.k - k0 : k_block;
        e.load_c = k0 > 0 || p.accumulate != 0;
        e.last = k0 + kc >= p.k;
        const float* bp = p.b.data + (n0 / kNr) * p.b.ld + k0 * kNr;
        for (int64_t i0 = m_begin; i0 < m_end; i0 += kMr)
          run_panel(p, i0, m_end, k0, kc, n0, l, bp, true, e,
                    p.packed_a + (i0 / kMr + 1) * kMr * p.k + k0 * kMr);
      }
      continue;
    }
    const int64_t kc_first = p.k < k_block ? p.k : k_block;  // the largest K block
    const BlockLayout l = layout_of(nc, dense, kc_first);
    const int64_t per_k = l.floats_per_k();
    if (p.k > k_block && per_k * p.k <= kSgemmWorkspaceFloats) {
      // Every K block of this N block fits at once (small N, e.g. 7x7 maps with K = 1024):
      // pack them all, then run each A panel over all of K, so the weights stream
      // sequentially and a panel's partial sums in C stay in L1 between K blocks.
      for (int64_t k0 = 0; k0 < p.k; k0 += k_block) {
        const int64_t kc = p.k - k0 < k_block ? p.k - k0 : k_block;
        pack_block(p.b, k0, kc, n0, l, workspace + per_k * k0);
      }
      for (int64_t i0 = m_begin; i0 < m_end; i0 += kMr) {
        for (int64_t k0 = 0; k0 < p.k; k0 += k_block) {
          const int64_t kc = p.k - k0 < k_block ? p.k - k0 : k_block;
          e.load_c = k0 > 0 || p.accumulate != 0;
          e.last = k0 + kc >= p.k;
          // A is one array (panel after panel, each k-major): k-inner order reads it in turn.
          run_panel(p, i0, m_end, k0, kc, n0, l, workspace + per_k * k0, false, e,
                    p.packed_a + (i0 / kMr) * kMr * p.k + (k0 + kc) * kMr);
        }
      }
      continue;
    }
    for (int64_t k0 = 0; k0 < p.k; k0 += k_block) {
      const int64_t kc = p.k - k0 < k_block ? p.k - k0 : k_block;
      pack_block(p.b, k0, kc, n0, l, workspace);
      e.load_c = k0 > 0 || p.accumulate != 0;
      e.last = k0 + kc >= p.k;
      run_panels(p, m_begin, m_end, k0, kc, n0, l, workspace, e, [&](int64_t i0) {
        return p.packed_a + (i0 / kMr + 1) * kMr * p.k + k0 * kMr;
      });
    }
  }
}

}  // namespace facet::ops
