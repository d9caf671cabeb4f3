#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "engine/cpu.h"
#include "ops/kernels/sgemm/sgemm.h"

namespace facet::ops {

namespace {

float b_value(const SgemmB& b, int64_t k, int64_t j) {
  switch (b.kind) {
    case SgemmBKind::kDense:
      return b.data[k * b.ld + j];
    case SgemmBKind::kDenseT:
      return b.data[j * b.ld + k];
    case SgemmBKind::kPacked:
      return b.data[(j / b.panel_nr) * b.ld + k * b.panel_nr + j % b.panel_nr];
    case SgemmBKind::kIm2col: {
      const int64_t kx = k % b.kernel_w;
      const int64_t ky = (k / b.kernel_w) % b.kernel_h;
      const int64_t c = k / (b.kernel_w * b.kernel_h);
      const int64_t ox = j % b.out_w;
      const int64_t oy = j / b.out_w;
      const int64_t iy = oy * b.stride_h - b.pad_top + ky * b.dilation_h;
      const int64_t ix = ox * b.stride_w - b.pad_left + kx * b.dilation_w;
      if (iy < 0 || iy >= b.in_h || ix < 0 || ix >= b.in_w) return 0.f;
      return b.data[(c * b.in_h + iy) * b.in_w + ix];
    }
  }
  return 0.f;
}

// Columns [j0, j0 + len) of im2col row k, contiguous in `row`. Run-based: each output row's
// segment is a zero run, a contiguous copy (stride 1, any dilation) or a strided gather, and
// another zero run.
void im2col_row(const SgemmB& b, int64_t k, int64_t j0, int64_t len, float* row) {
  const int64_t kx = k % b.kernel_w;
  const int64_t ky = (k / b.kernel_w) % b.kernel_h;
  const int64_t c = k / (b.kernel_w * b.kernel_h);
  const float* plane = b.data + c * b.in_h * b.in_w;
  int64_t oy = j0 / b.out_w;
  int64_t ox = j0 % b.out_w;
  // Valid ox range for this kx: ix = ox * sw + x0 in [0, in_w).
  const int64_t x0 = kx * b.dilation_w - b.pad_left;
  int64_t ox_lo = x0 >= 0 ? 0 : (-x0 + b.stride_w - 1) / b.stride_w;
  int64_t ox_hi = x0 >= b.in_w ? 0 : (b.in_w - 1 - x0) / b.stride_w + 1;  // exclusive
  if (ox_hi > b.out_w) ox_hi = b.out_w;
  if (ox_lo > ox_hi) ox_lo = ox_hi;
  float* d = row;
  int64_t j = 0;
  while (j < len) {
    const int64_t run = (b.out_w - ox) < (len - j) ? (b.out_w - ox) : (len - j);
    const int64_t end = ox + run;
    const int64_t iy = oy * b.stride_h - b.pad_top + ky * b.dilation_h;
    if (iy < 0 || iy >= b.in_h) {
      std::memset(d, 0, static_cast<size_t>(run) * sizeof(float));
    } else {
      const int64_t lo = ox_lo < ox ? ox : (ox_lo > end ? end : ox_lo);
      const int64_t hi = ox_hi < lo ? lo : (ox_hi > end ? end : ox_hi);
      for (int64_t t = 0; t < lo - ox; ++t) d[t] = 0.f;
      const float* src = plane + iy * b.in_w + lo * b.stride_w + x0;
      float* o = d + (lo - ox);
      if (b.stride_w == 1) {
        std::memcpy(o, src, static_cast<size_t>(hi - lo) * sizeof(float));
      } else {
        for (int64_t t = 0; t < hi - lo; ++t) o[t] = src[t * b.stride_w];
      }
      for (int64_t t = hi - ox; t < run; ++t) d[t] = 0.f;
    }
    d += run;
    j += run;
    ox = 0;
    ++oy;
  }
}

// Copies a contiguous row of `panels * NR` floats into row kk of consecutive NR-wide panels.
template <int NR>
void panelize_row(const float* row, int64_t panels, int64_t panel_stride, float* dst) {
  for (int64_t q = 0; q < panels; ++q)
    std::memcpy(dst + q * panel_stride, row + q * NR, NR * sizeof(float));
}

// Copies kc rows of NR floats (row stride ld) into one k-major NR-wide panel; NR = 0: nr wide.
template <int NR>
void panelize_columns(const float* src, int64_t ld, int64_t kc, int64_t nr, float* dst) {
  const int64_t w = NR > 0 ? NR : nr;
  for (int64_t kk = 0; kk < kc; ++kk, src += ld, dst += w)
    std::memcpy(dst, src, static_cast<size_t>(w) * sizeof(float));
}

// im2col block: each row is built contiguous in a stack buffer (long memcpy runs), then cut
// into the panels with fixed-size copies. Columns past nc are zero (the buffer is padded).
void pack_im2col(const SgemmB& b, int64_t k0, int64_t kc, int64_t n0, int64_t nc, int64_t nr,
                 float* dst) {
  constexpr int64_t kChunk = 1536;  // a multiple of 16 and 12
  float row[kChunk];
  const int64_t panel_stride = kc * nr;
  const int64_t chunk = nr <= 0 || kChunk % nr != 0 ? nr : kChunk;
  for (int64_t c0 = 0; c0 < nc; c0 += chunk) {
    const int64_t len = nc - c0 < chunk ? nc - c0 : chunk;
    const int64_t panels = (len + nr - 1) / nr;
    float* d0 = dst + (c0 / nr) * panel_stride;
    for (int64_t kk = 0; kk < kc; ++kk) {
      im2col_row(b, k0 + kk, n0 + c0, len, row);
      for (int64_t t = len; t < panels * nr; ++t) row[t] = 0.f;
      float* d = d0 + kk * nr;
      if (nr == 16) {
        panelize_row<16>(row, panels, panel_stride, d);
      } else if (nr == 12) {
        panelize_row<12>(row, panels, panel_stride, d);
      } else {
        for (int64_t q = 0; q < panels; ++q)
          for (int64_t t = 0; t < nr; ++t) d[q * panel_stride + t] = row[q * nr + t];
      }
    }
  }
}

}  // namespace

float activation_ref(const Activation& act, float x, int64_t row) {
  switch (act.kind) {
    case ActKind::kNone:
      return x;
    case ActKind::kRelu:
      return x > 0.f ? x : 0.f;
    case ActKind::kClip:
      return x < act.alpha ? act.alpha : (x > act.beta ? act.beta : x);
    case ActKind::kLeakyRelu:
      return x < 0.f ? act.alpha * x : x;
    case ActKind::kPRelu:
      return x < 0.f ? act.slope[row] * x : x;
    case ActKind::kHardSwish: {
      float t = x / 6.f + 0.5f;
      t = t < 0.f ? 0.f : (t > 1.f ? 1.f : t);
      return x * t;
    }
    case ActKind::kSigmoid:
      return 1.f / (1.f + std::exp(-x));
  }
  return x;
}

void activation_apply_f32(const Activation& act, const float* bias, int64_t row0, float* data,
                          int64_t rows, int64_t cols, int64_t ld) {
  if (act.kind == ActKind::kNone && bias == nullptr) return;
  for (int64_t r = 0; r < rows; ++r) {
    float* d = data + r * ld;
    const float b = bias ? bias[row0 + r] : 0.f;
    for (int64_t j = 0; j < cols; ++j) d[j] = activation_ref(act, d[j] + b, row0 + r);
  }
}

void sgemm_f32_ref(const SgemmParams& p, int64_t m_begin, int64_t m_end, int64_t n_begin,
                   int64_t n_end, float* workspace) {
  (void)workspace;
  const int64_t mr = p.a_mr;
  for (int64_t i = m_begin; i < m_end; ++i) {
    const float* panel = p.packed_a + (i / mr) * mr * p.k + (i % mr);
    float* c_row = p.c + i * p.ldc;
    for (int64_t j = n_begin; j < n_end; ++j) {
      float acc = 0.f;
      for (int64_t kk = 0; kk < p.k; ++kk) acc += panel[kk * mr] * b_value(p.b, kk, j);
      if (p.accumulate) acc += c_row[j];
      if (p.bias) acc += p.bias[i];
      c_row[j] = activation_ref(p.act, acc, i);
    }
  }
}

int64_t sgemm_packed_a_floats(int64_t mr, int64_t m, int64_t k) {
  return (m + mr - 1) / mr * mr * k;
}

void sgemm_pack_a_f32(int64_t mr, bool trans_a, int64_t m, int64_t k, float alpha,
                      const float* a, int64_t lda, float* packed) {
  const int64_t panels = (m + mr - 1) / mr;
  for (int64_t p = 0; p < panels; ++p) {
    float* dst = packed + p * mr * k;
    for (int64_t r = 0; r < mr; ++r) {
      const int64_t i = p * mr + r;
      if (i >= m) {
        for (int64_t kk = 0; kk < k; ++kk) dst[kk * mr + r] = 0.f;
        continue;
      }
      if (trans_a) {
        for (int64_t kk = 0; kk < k; ++kk) dst[kk * mr + r] = alpha * a[kk * lda + i];
      } else {
        const float* src = a + i * lda;
        for (int64_t kk = 0; kk < k; ++kk) dst[kk * mr + r] = alpha * src[kk];
      }
    }
  }
}

void sgemm_pack_b_f32(const SgemmB& b, int64_t k0, int64_t kc, int64_t n0, int64_t nc,
                      int64_t nr, float* dst) {
  const int64_t panels = (nc + nr - 1) / nr;
  const int64_t panel_stride = kc * nr;
  const int64_t tail = panels * nr - nc;  // zero-filled columns of the last panel
  switch (b.kind) {
    case SgemmBKind::kDense: {
      // Panel by panel: the stores run sequentially (row by row they would be panel_stride
      // apart, often a power of two, all in one L1 set).
      const int64_t full = nc / nr;
      for (int64_t q = 0; q < full; ++q) {
        const float* src = b.data + k0 * b.ld + n0 + q * nr;
        float* d = dst + q * panel_stride;
        if (nr == 12) {  // fixed-size copies (NEON's panels)
          panelize_columns<12>(src, b.ld, kc, nr, d);
        } else if (nr == 16) {
          panelize_columns<16>(src, b.ld, kc, nr, d);
        } else {
          panelize_columns<0>(src, b.ld, kc, nr, d);
        }
      }
      if (full < panels) {
        const int64_t rem = nc - full * nr;
        const float* src = b.data + k0 * b.ld + n0 + full * nr;
        float* d = dst + full * panel_stride;
        for (int64_t kk = 0; kk < kc; ++kk, src += b.ld, d += nr) {
          std::memcpy(d, src, static_cast<size_t>(rem) * sizeof(float));
          for (int64_t t = rem; t < nr; ++t) d[t] = 0.f;
        }
      }
      return;
    }
    case SgemmBKind::kDenseT: {
      for (int64_t j = 0; j < nc; ++j) {
        const float* src = b.data + (n0 + j) * b.ld + k0;
        float* d = dst + (j / nr) * panel_stride + j % nr;
        for (int64_t kk = 0; kk < kc; ++kk) d[kk * nr] = src[kk];
      }
      break;
    }
    case SgemmBKind::kPacked: {
      for (int64_t j = 0; j < nc; ++j) {
        const int64_t col = n0 + j;
        const float* src = b.data + (col / b.panel_nr) * b.ld + k0 * b.panel_nr + col % b.panel_nr;
        float* d = dst + (j / nr) * panel_stride + j % nr;
        for (int64_t kk = 0; kk < kc; ++kk) d[kk * nr] = src[kk * b.panel_nr];
      }
      break;
    }
    case SgemmBKind::kIm2col:
      pack_im2col(b, k0, kc, n0, nc, nr, dst);
      return;  // the tail columns are already zero
  }
  if (tail > 0) {
    float* last = dst + (panels - 1) * panel_stride;
    for (int64_t kk = 0; kk < kc; ++kk)
      for (int64_t t = nr - tail; t < nr; ++t) last[kk * nr + t] = 0.f;
  }
}

int64_t sgemm_kc(int64_t k) {
  const int64_t blocks = (k + kSgemmMaxKc - 1) / kSgemmMaxKc;
  if (blocks <= 1) return k < 1 ? 1 : k;
  return (k + blocks - 1) / blocks;
}

int64_t sgemm_workspace_floats(int64_t k, int64_t n) {
  if (k <= 0 || n <= 0) return 0;
  const int64_t cols = n < kSgemmMaxNc ? n : kSgemmMaxNc;
  const double bound = static_cast<double>(k) * (static_cast<double>(cols) + 47.0);
  return bound >= static_cast<double>(kSgemmWorkspaceFloats) ? kSgemmWorkspaceFloats
                                                             : k * (cols + 47);
}

int64_t sgemm_nc(int64_t kc, int64_t nr) {
  int64_t nc = kSgemmWorkspaceFloats / (kc < 1 ? 1 : kc);
  if (nc > kSgemmMaxNc) nc = kSgemmMaxNc;
  nc = nc / nr * nr;
  return nc < nr ? nr : nc;
}

int64_t sgemm_packed_b_floats(int64_t nr, int64_t k, int64_t n) {
  return (n + nr - 1) / nr * nr * k;
}

SgemmKernel sgemm_kernel(Isa isa) {
#if defined(__x86_64__) || defined(_M_X64)
  if (isa == Isa::kAvx512 && cpu_supports(Isa::kAvx512))
    return SgemmKernel{sgemm_f32_8x32_avx512, 8, 32, "sgemm_f32_8x32_avx512"};
  if (isa_has_avx2(isa) && cpu_supports(Isa::kAvx2))
    return SgemmKernel{sgemm_f32_6x16_avx2, 6, 16, "sgemm_f32_6x16_avx2"};
#endif
#if defined(__aarch64__)
  if (isa == Isa::kNeon) return SgemmKernel{sgemm_f32_8x12_neon, 8, 12, "sgemm_f32_8x12_neon"};
#endif
  (void)isa;
  return SgemmKernel{sgemm_f32_ref, 8, 1, "sgemm_f32_ref"};
}

SgemmKernel sgemm_conv_kernel(Isa isa) {
#if defined(__x86_64__) || defined(_M_X64)
  if (isa == Isa::kAvx2 && cpu_supports(Isa::kAvx2))
    return SgemmKernel{sgemm_f32_16x6_avx2, 16, 6, "sgemm_f32_16x6_avx2"};
#endif
  return sgemm_kernel(isa);
}

}  // namespace facet::ops
