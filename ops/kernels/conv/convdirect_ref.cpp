#include <algorithm>
#include <cstring>

#include "engine/cpu.h"
#include "ops/kernels/conv/convdirect.h"

namespace facet::ops {
namespace {

int64_t round16(int64_t n) { return (n + 15) / 16 * 16; }

// Columns per phase of a ring row: every strip of up to kConvDirectMaxStrip columns that starts
// before out_w, shifted by the largest tap offset, stays inside.
int64_t phase_len(const ConvDirectParams& p) {
  return p.out_w + kConvDirectMaxStrip + (p.kernel_w - 1) * p.dilation_w / p.stride_w + 1;
}

int64_t ring_rows(const ConvDirectParams& p) { return (p.kernel_h - 1) * p.dilation_h + 1; }

}  // namespace

// Fills one ring row (all stride_w phases) from input row `src` (in_w floats).
void conv_direct_fill_row_ref(const ConvDirectParams& p, int64_t len, const float* src,
                              float* dst) {
  const int64_t sw = p.stride_w, in_w = p.in_w;
  for (int64_t ph = 0; ph < sw; ++ph, dst += len) {
    // Column j reads input column ph + sw * j - pad_left; valid for j in [jl, jh).
    const int64_t first = ph - p.pad_left;
    int64_t jl = first >= 0 ? 0 : (-first + sw - 1) / sw;
    int64_t jh = in_w - 1 - first < 0 ? 0 : (in_w - 1 - first) / sw + 1;
    jh = std::min(jh, len);
    jl = std::min(jl, jh);
    std::fill(dst, dst + jl, 0.f);
    if (sw == 1) {
      std::memcpy(dst + jl, src + first + jl, static_cast<size_t>(jh - jl) * sizeof(float));
    } else if (sw == 2) {
      // Constant stride: the compiler turns this gather into vector shuffles.
      const float* s = src + first;
      for (int64_t j = jl; j < jh; ++j) dst[j] = s[2 * j];
    } else {
      const float* s = src + first;
      for (int64_t j = jl; j < jh; ++j) dst[j] = s[j * sw];
    }
    std::fill(dst + jh, dst + len, 0.f);
  }
}

namespace {

void row_ref(const ConvDirectParams& p, const float* const* rows, const int64_t* tap_off,
             const float* packed, const float* bias, float* out, int64_t out_plane) {
  const int64_t taps = p.in_channels * p.kernel_h * p.kernel_w;
  for (int64_t m = 0; m < p.out_channels; ++m) {
    const int64_t oc0 = m / kConvDirectOcBlock * kConvDirectOcBlock;
    const int64_t nb = std::min(kConvDirectOcBlock, p.out_channels - oc0);
    const float* w = packed + oc0 * taps + (m - oc0);
    float* o = out + m * out_plane;
    for (int64_t ox = 0; ox < p.out_w; ++ox) {
      float acc = 0.f;
      for (int64_t r = 0; r < p.in_channels * p.kernel_h; ++r) {
        if (rows[r] == nullptr) continue;
        for (int64_t kx = 0; kx < p.kernel_w; ++kx)
          acc += w[(r * p.kernel_w + kx) * nb] * rows[r][tap_off[kx] + ox];
      }
      o[ox] = activation_ref(p.act, acc + (bias ? bias[m] : 0.f), m);
    }
  }
}

}  // namespace

int64_t conv_direct_packed_floats(const ConvDirectParams& p) {
  return p.out_channels * p.in_channels * p.kernel_h * p.kernel_w;
}

void conv_direct_pack_weights(const ConvDirectParams& p, const float* weight, float* packed) {
  const int64_t taps = p.in_channels * p.kernel_h * p.kernel_w;
  for (int64_t oc0 = 0; oc0 < p.out_channels; oc0 += kConvDirectOcBlock) {
    const int64_t nb = std::min(kConvDirectOcBlock, p.out_channels - oc0);
    for (int64_t t = 0; t < taps; ++t)
      for (int64_t j = 0; j < nb; ++j)
        packed[oc0 * taps + t * nb + j] = weight[(oc0 + j) * taps + t];
  }
}

int64_t conv_direct_scratch_floats(const ConvDirectParams& p) {
  const int64_t ring = p.in_channels * ring_rows(p) * p.stride_w * phase_len(p);
  return round16(2 * p.in_channels * p.kernel_h) + round16(2 * p.kernel_w) + round16(ring);
}

void conv_direct_drive(const ConvDirectParams& p, const float* input, const float* packed,
                       const float* bias, float* output, int64_t begin, int64_t end,
                       float* scratch, ConvDirectRowFn row_fn, ConvDirectFillFn fill_fn) {
  const int64_t C = p.in_channels, kh = p.kernel_h;
  const int64_t len = phase_len(p), row_floats = p.stride_w * len, span = ring_rows(p);
  const float** rows = reinterpret_cast<const float**>(scratch);
  int64_t* tap_off = reinterpret_cast<int64_t*>(scratch + round16(2 * C * kh));
  float* ring = scratch + round16(2 * C * kh) + round16(2 * p.kernel_w);
  for (int64_t kx = 0; kx < p.kernel_w; ++kx) {
    const int64_t off = kx * p.dilation_w;
    tap_off[kx] = off % p.stride_w * len + off / p.stride_w;
  }
  const int64_t in_plane = p.in_h * p.in_w, out_plane = p.out_h * p.out_w;
  int64_t cur_n = -1, next_fill = 0;
  for (int64_t idx = begin; idx < end; ++idx) {
    const int64_t n = idx / p.out_h, oy = idx % p.out_h;
    const int64_t lo = oy * p.stride_h - p.pad_top, hi = lo + (kh - 1) * p.dilation_h;
    if (n != cur_n) {
      cur_n = n;
      next_fill = lo;
    }
    const int64_t first = std::max<int64_t>({lo, next_fill, 0});
    const int64_t last = std::min(hi, p.in_h - 1);
    for (int64_t iy = first; iy <= last; ++iy) {
      const int64_t slot = (iy + p.pad_top) % span;
      for (int64_t c = 0; c < C; ++c)
        fill_fn(p, len, input + (n * C + c) * in_plane + iy * p.in_w,
                ring + (c * span + slot) * row_floats);
    }
    next_fill = std::max(next_fill, hi + 1);
    // Prefetch (a hint, toward L2) the input rows the output row kPrefetchRows ahead adds to
    // the ring: a first layer reads the caller's image, which a whole model run has pushed out
    // to L3 or memory by the next run. MobileNetV1-224's 3 -> 32 s2 layer, 1 thread, per-node
    // min of 12 ABBA rounds, four runs: 0.226 -> 0.214, 0.227 -> 0.216, 0.231 -> 0.221,
    // 0.223 -> 0.205 ms (1 or 4 rows ahead: no better than 2).
    {
      constexpr int64_t kPrefetchRows = 2;
      const int64_t p0 = hi + 1 + (kPrefetchRows - 1) * p.stride_h;
      const int64_t p1 = std::min(p0 + p.stride_h, p.in_h);
      for (int64_t iy = std::max<int64_t>(p0, 0); iy < p1; ++iy)
        for (int64_t c = 0; c < C; ++c) {
          const float* r = input + (n * C + c) * in_plane + iy * p.in_w;
          for (int64_t x = 0; x < p.in_w; x += 16) __builtin_prefetch(r + x, 0, 2);
        }
    }
    for (int64_t c = 0; c < C; ++c)
      for (int64_t ky = 0; ky < kh; ++ky) {
        const int64_t iy = lo + ky * p.dilation_h;
        rows[c * kh + ky] = iy >= 0 && iy < p.in_h
                                ? ring + (c * span + (iy + p.pad_top) % span) * row_floats
                                : nullptr;
      }
    row_fn(p, rows, tap_off, packed, bias, output + n * p.out_channels * out_plane + oy * p.out_w,
           out_plane);
  }
}

void conv_direct_f32_ref(const ConvDirectParams& p, const float* input, const float* packed,
                         const float* bias, float* output, int64_t begin, int64_t end,
                         float* scratch) {
  conv_direct_drive(p, input, packed, bias, output, begin, end, scratch, row_ref,
                    conv_direct_fill_row_ref);
}

ConvDirectF32Fn conv_direct_kernel(Isa isa) {
#if defined(__x86_64__) || defined(_M_X64)
  if (isa == Isa::kAvx512 && cpu_supports(Isa::kAvx512)) return conv_direct_f32_avx512;
  if (isa_has_avx2(isa) && cpu_supports(Isa::kAvx2)) return conv_direct_f32_avx2;
#endif
#if defined(__aarch64__)
  if (isa == Isa::kNeon) return conv_direct_f32_neon;
#endif
  (void)isa;
  return conv_direct_f32_ref;
}

}  // namespace facet::ops
