// NEON SGEMM: 8 x 12 register tile (24 q accumulators, 2 q for the A column, 3 q for the B
// row) using vfmaq_laneq_f32. Same blocking as the AVX2 driver; prepacked B (kPacked, 12
// wide) is read in place; one-row problems take a matrix-vector path. Partial tiles go
// through a small stack buffer so nothing outside C's rectangle is touched; the sigmoid
// epilogue is scalar (activation_ref), the other activations are vectorized.
#include <arm_neon.h>

#include <cstddef>
#include <cstdint>

#include "ops/kernels/sgemm/sgemm.h"

namespace facet::ops {
namespace {

constexpr int64_t kMr = 8;
constexpr int64_t kNr = 12;

float32x4_t activate(const Activation& act, float32x4_t v, int64_t row) {
  switch (act.kind) {
    case ActKind::kNone:
    case ActKind::kSigmoid:  // handled by the caller
      return v;
    case ActKind::kRelu:
      return vmaxq_f32(v, vdupq_n_f32(0.f));
    case ActKind::kClip:
      return vminq_f32(vmaxq_f32(v, vdupq_n_f32(act.alpha)), vdupq_n_f32(act.beta));
    case ActKind::kLeakyRelu:
      return vbslq_f32(vcltq_f32(v, vdupq_n_f32(0.f)), vmulq_n_f32(v, act.alpha), v);
    case ActKind::kPRelu:
      return vbslq_f32(vcltq_f32(v, vdupq_n_f32(0.f)), vmulq_n_f32(v, act.slope[row]), v);
    case ActKind::kHardSwish: {
      float32x4_t t = vfmaq_f32(vdupq_n_f32(0.5f), v, vdupq_n_f32(1.f / 6.f));
      t = vminq_f32(vmaxq_f32(t, vdupq_n_f32(0.f)), vdupq_n_f32(1.f));
      return vmulq_f32(v, t);
    }
  }
  return v;
}

void finish_row(const SgemmParams& p, float32x4_t* v, float* c, int64_t cols, int64_t row,
                bool load_c, bool last) {
  if (cols == kNr) {
    if (load_c) {
      v[0] = vaddq_f32(v[0], vld1q_f32(c));
      v[1] = vaddq_f32(v[1], vld1q_f32(c + 4));
      v[2] = vaddq_f32(v[2], vld1q_f32(c + 8));
    }
    if (last) {
      if (p.bias) {
        const float32x4_t b = vdupq_n_f32(p.bias[row]);
        for (int t = 0; t < 3; ++t) v[t] = vaddq_f32(v[t], b);
      }
      for (int t = 0; t < 3; ++t) v[t] = activate(p.act, v[t], row);
    }
    vst1q_f32(c, v[0]);
    vst1q_f32(c + 4, v[1]);
    vst1q_f32(c + 8, v[2]);
    if (last && p.act.kind == ActKind::kSigmoid)
      for (int64_t j = 0; j < kNr; ++j) c[j] = activation_ref(p.act, c[j], row);
    return;
  }
  float tmp[kNr];
  vst1q_f32(tmp, v[0]);
  vst1q_f32(tmp + 4, v[1]);
  vst1q_f32(tmp + 8, v[2]);
  for (int64_t j = 0; j < cols; ++j) {
    float x = tmp[j] + (load_c ? c[j] : 0.f);
    if (last) x = activation_ref(p.act, x + (p.bias ? p.bias[row] : 0.f), row);
    c[j] = x;
  }
}

void tile_8x12(const SgemmParams& p, int64_t kc, const float* a, const float* b, float* c,
               int64_t ldc, int64_t rows, int64_t cols, int64_t row0, bool load_c, bool last) {
  float32x4_t acc[8][3];
  for (int r = 0; r < 8; ++r)
    for (int t = 0; t < 3; ++t) acc[r][t] = vdupq_n_f32(0.f);
  for (int64_t k = 0; k < kc; ++k) {
    const float32x4_t a0 = vld1q_f32(a);
    const float32x4_t a1 = vld1q_f32(a + 4);
    const float32x4_t b0 = vld1q_f32(b);
    const float32x4_t b1 = vld1q_f32(b + 4);
    const float32x4_t b2 = vld1q_f32(b + 8);
#define FACET_ROW(R, AV, L)                                \
  acc[R][0] = vfmaq_laneq_f32(acc[R][0], b0, AV, L);       \
  acc[R][1] = vfmaq_laneq_f32(acc[R][1], b1, AV, L);       \
  acc[R][2] = vfmaq_laneq_f32(acc[R][2], b2, AV, L);
    FACET_ROW(0, a0, 0)
    FACET_ROW(1, a0, 1)
    FACET_ROW(2, a0, 2)
    FACET_ROW(3, a0, 3)
    FACET_ROW(4, a1, 0)
    FACET_ROW(5, a1, 1)
    FACET_ROW(6, a1, 2)
    FACET_ROW(7, a1, 3)
#undef FACET_ROW
    a += kMr;
    b += kNr;
  }
  for (int64_t r = 0; r < rows; ++r)
    finish_row(p, acc[r], c + r * ldc, cols, row0 + r, load_c, last);
}

// Matrix-vector product for one row of A (M = 1): streams B once, 12 columns at a time,
// with two accumulator sets over even / odd k; scalar epilogue.
void gemv_neon(const SgemmParams& p, int64_t row, int64_t n_begin, int64_t n_end) {
  const float* a = p.packed_a + (row / kMr) * kMr * p.k + row % kMr;  // a[k * kMr]
  float* c = p.c + row * p.ldc;
  const bool packed = p.b.kind == SgemmBKind::kPacked;
  float sums[kNr];
  for (int64_t j0 = n_begin; j0 < n_end; j0 += kNr) {
    const int64_t cols = n_end - j0 < kNr ? n_end - j0 : kNr;
    // Packed: panel rows kNr apart; dense: rows ld apart (only whole 12-column strips).
    const float* b = packed ? p.b.data + (j0 / kNr) * p.b.ld : p.b.data + j0;
    const int64_t step = packed ? kNr : p.b.ld;
    if (packed || cols == kNr) {
      float32x4_t x0 = vdupq_n_f32(0.f), x1 = x0, x2 = x0, y0 = x0, y1 = x0, y2 = x0;
      int64_t kk = 0;
      for (; kk + 2 <= p.k; kk += 2) {
        const float* b0 = b + kk * step;
        const float* b1 = b0 + step;
        const float32x4_t a0 = vdupq_n_f32(a[kk * kMr]);
        const float32x4_t a1 = vdupq_n_f32(a[(kk + 1) * kMr]);
        x0 = vfmaq_f32(x0, vld1q_f32(b0), a0);
        x1 = vfmaq_f32(x1, vld1q_f32(b0 + 4), a0);
        x2 = vfmaq_f32(x2, vld1q_f32(b0 + 8), a0);
        y0 = vfmaq_f32(y0, vld1q_f32(b1), a1);
        y1 = vfmaq_f32(y1, vld1q_f32(b1 + 4), a1);
        y2 = vfmaq_f32(y2, vld1q_f32(b1 + 8), a1);
      }
      if (kk < p.k) {
        const float* b0 = b + kk * step;
        const float32x4_t a0 = vdupq_n_f32(a[kk * kMr]);
        x0 = vfmaq_f32(x0, vld1q_f32(b0), a0);
        x1 = vfmaq_f32(x1, vld1q_f32(b0 + 4), a0);
        x2 = vfmaq_f32(x2, vld1q_f32(b0 + 8), a0);
      }
      vst1q_f32(sums, vaddq_f32(x0, y0));
      vst1q_f32(sums + 4, vaddq_f32(x1, y1));
      vst1q_f32(sums + 8, vaddq_f32(x2, y2));
    } else {
      for (int64_t t = 0; t < cols; ++t) sums[t] = 0.f;
      for (int64_t kk = 0; kk < p.k; ++kk)
        for (int64_t t = 0; t < cols; ++t) sums[t] += a[kk * kMr] * b[kk * step + t];
    }
    const float bias = p.bias ? p.bias[row] : 0.f;
    for (int64_t t = 0; t < cols; ++t) {
      const float v = (p.accumulate ? c[j0 + t] : 0.f) + sums[t] + bias;
      c[j0 + t] = activation_ref(p.act, v, row);
    }
  }
}

}  // namespace

void sgemm_f32_8x12_neon(const SgemmParams& p, int64_t m_begin, int64_t m_end, int64_t n_begin,
                         int64_t n_end, float* workspace) {
  if (m_begin >= m_end || n_begin >= n_end) return;
  if (p.k == 0) {
    for (int64_t i = m_begin; i < m_end; ++i) {
      float* c = p.c + i * p.ldc;
      for (int64_t j = n_begin; j < n_end; ++j) {
        float v = (p.accumulate ? c[j] : 0.f) + (p.bias ? p.bias[i] : 0.f);
        c[j] = activation_ref(p.act, v, i);
      }
    }
    return;
  }
  const bool packed_direct =
      p.b.kind == SgemmBKind::kPacked && p.b.panel_nr == kNr && n_begin % kNr == 0;
  if (m_end - m_begin == 1 && (p.b.kind == SgemmBKind::kDense || packed_direct)) {
    gemv_neon(p, m_begin, n_begin, n_end);
    return;
  }
  const int64_t k_block = sgemm_kc(p.k);
  // Near-equal N blocks of at most sgemm_nc columns (multiples of kNr).
  const int64_t nc_max = sgemm_nc(k_block, kNr);
  const int64_t n_blocks = (n_end - n_begin + nc_max - 1) / nc_max;
  const int64_t nc_step = ((n_end - n_begin + n_blocks - 1) / n_blocks + kNr - 1) / kNr * kNr;
  for (int64_t n0 = n_begin; n0 < n_end; n0 += nc_step) {
    const int64_t nc = n_end - n0 < nc_step ? n_end - n0 : nc_step;
    for (int64_t k0 = 0; k0 < p.k; k0 += k_block) {
      const int64_t kc = p.k - k0 < k_block ? p.k - k0 : k_block;
      const float* bp = workspace;
      int64_t b_stride = kc * kNr;  // floats between 12-column panels
      if (packed_direct) {
        bp = p.b.data + (n0 / kNr) * p.b.ld + k0 * kNr;
        b_stride = p.b.ld;
      } else {
        sgemm_pack_b_f32(p.b, k0, kc, n0, nc, kNr, workspace);
      }
      const bool load_c = k0 > 0 || p.accumulate != 0;
      const bool last = k0 + kc >= p.k;
      for (int64_t i0 = m_begin; i0 < m_end; i0 += kMr) {
        const int64_t rows = m_end - i0 < kMr ? m_end - i0 : kMr;
        const float* a = p.packed_a + (i0 / kMr) * kMr * p.k + k0 * kMr;
        float* c_row = p.c + i0 * p.ldc + n0;
        const float* b = bp;
        for (int64_t j = 0; j < nc; j += kNr, b += b_stride) {
          const int64_t cols = nc - j < kNr ? nc - j : kNr;
          tile_8x12(p, kc, a, b, c_row + j, p.ldc, rows, cols, i0, load_c, last);
        }
      }
    }
  }
}

}  // namespace facet::ops
