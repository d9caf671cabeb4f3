#include "ops/kernels/resize/resize.h"

#include "engine/cpu.h"

namespace facet::kernels {

namespace {

constexpr int kMaxResizeRank = 16;

// Sum over the taps of axes [axis, rank) for output coordinates `coord`, starting from a source
// offset and weight accumulated over the axes before `axis`.
float accumulate(const float* src, int rank, const ResizeAxisTable* axes, const int64_t* coord,
                 int axis, int64_t offset, float weight) {
  const ResizeAxisTable& t = axes[axis];
  const int64_t* off = t.offset + coord[axis] * t.taps;
  const float* w = t.weight + coord[axis] * t.taps;
  float sum = 0.f;
  if (axis == rank - 1) {
    for (int64_t k = 0; k < t.taps; ++k) sum += weight * w[k] * src[offset + off[k]];
    return sum;
  }
  for (int64_t k = 0; k < t.taps; ++k) {
    if (w[k] == 0.f) continue;
    sum += accumulate(src, rank, axes, coord, axis + 1, offset + off[k], weight * w[k]);
  }
  return sum;
}

}  // namespace

void resize_nd_f32_ref(const float* src, float* dst, int rank, const ResizeAxisTable* axes,
                       float extrapolation_value, int64_t row_begin, int64_t row_end) {
  if (rank < 1 || rank > kMaxResizeRank) return;
  const int last = rank - 1;
  const int64_t width = axes[last].out_len;
  int64_t coord[kMaxResizeRank];
  for (int64_t row = row_begin; row < row_end; ++row) {
    int64_t rem = row;
    bool outside = false;
    for (int k = last - 1; k >= 0; --k) {
      coord[k] = rem % axes[k].out_len;
      rem /= axes[k].out_len;
      if (axes[k].inside && !axes[k].inside[coord[k]]) outside = true;
    }
    float* out = dst + row * width;
    for (int64_t x = 0; x < width; ++x) {
      coord[last] = x;
      if (outside || (axes[last].inside && !axes[last].inside[x])) {
        out[x] = extrapolation_value;
      } else {
        out[x] = accumulate(src, rank, axes, coord, 0, 0, 1.f);
      }
    }
  }
}

void resize_nearest_2d_f32_ref(const float* src, float* dst, int64_t in_h, int64_t in_w,
                               int64_t out_h, int64_t out_w, const int64_t* y_offset,
                               const int64_t* x_offset, int64_t plane_begin, int64_t plane_end) {
  for (int64_t p = plane_begin; p < plane_end; ++p) {
    const float* in = src + p * in_h * in_w;
    float* out = dst + p * out_h * out_w;
    for (int64_t y = 0; y < out_h; ++y) {
      const float* in_row = in + y_offset[y];
      float* out_row = out + y * out_w;
      for (int64_t x = 0; x < out_w; ++x) out_row[x] = in_row[x_offset[x]];
    }
  }
}

void resize_nearest_2x_f32_ref(const float* src, float* dst, int64_t in_h, int64_t in_w,
                               int64_t plane_begin, int64_t plane_end) {
  const int64_t out_w = 2 * in_w;
  for (int64_t p = plane_begin; p < plane_end; ++p) {
    const float* in = src + p * in_h * in_w;
    float* out = dst + p * 4 * in_h * in_w;
    for (int64_t y = 0; y < in_h; ++y) {
      const float* in_row = in + y * in_w;
      float* out_row0 = out + 2 * y * out_w;
      float* out_row1 = out_row0 + out_w;
      for (int64_t x = 0; x < in_w; ++x) {
        const float v = in_row[x];
        out_row0[2 * x] = v;
        out_row0[2 * x + 1] = v;
        out_row1[2 * x] = v;
        out_row1[2 * x + 1] = v;
      }
    }
  }
}

void resize_bilinear_2d_f32_ref(const float* src, float* dst, int64_t in_h, int64_t in_w,
                                int64_t out_h, int64_t out_w, const int64_t* y_offset,
                                const float* y_weight, const int64_t* x_offset,
                                const float* x_weight, float* rowbuf, int64_t plane_begin,
                                int64_t plane_end) {
  (void)rowbuf;
  for (int64_t p = plane_begin; p < plane_end; ++p) {
    const float* in = src + p * in_h * in_w;
    float* out = dst + p * out_h * out_w;
    for (int64_t y = 0; y < out_h; ++y) {
      const float* row0 = in + y_offset[2 * y];
      const float* row1 = in + y_offset[2 * y + 1];
      const float wy0 = y_weight[2 * y], wy1 = y_weight[2 * y + 1];
      float* out_row = out + y * out_w;
      for (int64_t x = 0; x < out_w; ++x) {
        const int64_t x0 = x_offset[2 * x], x1 = x_offset[2 * x + 1];
        const float wx0 = x_weight[2 * x], wx1 = x_weight[2 * x + 1];
        const float top = wx0 * row0[x0] + wx1 * row0[x1];
        const float bottom = wx0 * row1[x0] + wx1 * row1[x1];
        out_row[x] = wy0 * top + wy1 * bottom;
      }
    }
  }
}

const ResizeKernels& resize_kernels(Isa isa) {
  static const ResizeKernels ref = {resize_nearest_2d_f32_ref, resize_nearest_2x_f32_ref,
                                    resize_bilinear_2d_f32_ref};
#if defined(__x86_64__) || defined(_M_X64)
  static const ResizeKernels avx2 = {resize_nearest_2d_f32_avx2, resize_nearest_2x_f32_avx2,
                                     resize_bilinear_2d_f32_avx2};
  if (isa_has_avx2(isa) && cpu_supports(Isa::kAvx2)) return avx2;
#endif
#if defined(__aarch64__)
  static const ResizeKernels neon = {resize_nearest_2d_f32_neon, resize_nearest_2x_f32_neon,
                                     resize_bilinear_2d_f32_neon};
  if (isa == Isa::kNeon) return neon;
#endif
  (void)isa;
  return ref;
}

}  // namespace facet::kernels
