// Resize kernel family (float32): separable interpolation driven by per-axis tap tables.
//
// The op (ops/resize.cpp) turns the ONNX coordinate transform, rounding mode and filter into one
// table per axis: for output index o along that axis there are `taps` source positions, each as
// an element offset (source index already multiplied by the axis' input stride, and clamped into
// the input) and a weight. The output value is the sum over the Cartesian product of all axes'
// taps of (product of weights) * src[sum of offsets], i.e. N-linear (or nearest: taps == 1)
// interpolation. Axes that are not resized have the identity table (taps 1, offset o*stride,
// weight 1). tf_crop_and_resize marks output positions whose source coordinate falls outside the
// input with inside[o] == 0; such outputs get the extrapolation value.
//
// Layout: src and dst are dense row-major float32; dst dims are the tables' out_len values.
// Offsets are in ELEMENTS. No alignment assumed; src and dst must not overlap; no overread.
// Accumulation order: taps of the first axis outermost, float32 accumulation.
#pragma once

#include <cstddef>
#include <cstdint>

namespace facet {
enum class Isa;  // engine/cpu.h
}

namespace facet::kernels {

struct ResizeAxisTable {
  int64_t out_len = 0;
  int64_t taps = 1;               // taps per output index
  const int64_t* offset = nullptr;  // out_len * taps element offsets into the input
  const float* weight = nullptr;    // out_len * taps weights
  const uint8_t* inside = nullptr;  // out_len flags (nullptr = all inside)
};

// General N-d path. Rows are all output dims but the last (rows = prod(out_len[0..rank-1)));
// a call writes rows [row_begin, row_end). rank >= 1.
void resize_nd_f32_ref(const float* src, float* dst, int rank, const ResizeAxisTable* axes,
                       float extrapolation_value, int64_t row_begin, int64_t row_end);

// 2-D fast paths over planes (NCHW: planes = N*C), writing planes [plane_begin, plane_end).
// Input plane p starts at src + p*in_h*in_w, output plane at dst + p*out_h*out_w.
// y_offset holds source ROW offsets already multiplied by in_w; x_offset source column indices.

// Nearest: one tap per axis (y_offset[out_h], x_offset[out_w]).
void resize_nearest_2d_f32_ref(const float* src, float* dst, int64_t in_h, int64_t in_w,
                               int64_t out_h, int64_t out_w, const int64_t* y_offset,
                               const int64_t* x_offset, int64_t plane_begin, int64_t plane_end);

// Exact 2x nearest upsampling where output (y, x) reads input (y/2, x/2): asymmetric + floor,
// the YuNet case. The op picks it whenever the nearest tables are exactly that mapping.
void resize_nearest_2x_f32_ref(const float* src, float* dst, int64_t in_h, int64_t in_w,
                               int64_t plane_begin, int64_t plane_end);

// Bilinear: two taps per axis, interleaved per output index: y_offset[2*out_h], y_weight[2*out_h],
// x_offset[2*out_w], x_weight[2*out_w]. out = sum_{i,j} wy_i * wx_j * src[y_i + x_j], i.e.
// out = wy0 * (wx0 * r0[x0] + wx1 * r0[x1]) + wy1 * (wx0 * r1[x0] + wx1 * r1[x1]).
// `rowbuf` is caller scratch of 2 * out_w floats, private to this call (the ref ignores it).
void resize_bilinear_2d_f32_ref(const float* src, float* dst, int64_t in_h, int64_t in_w,
                                int64_t out_h, int64_t out_w, const int64_t* y_offset,
                                const float* y_weight, const int64_t* x_offset,
                                const float* x_weight, float* rowbuf, int64_t plane_begin,
                                int64_t plane_end);

// Optimized variants: AVX2 (x86-64 builds only) and NEON (aarch64 builds only).
// Bilinear is separable: each needed input row is interpolated horizontally once into `rowbuf`
// (two rows cached, so an upsampling reuses them across output rows) and each output row is a
// vectorized vertical blend wy0 * h0 + wy1 * h1 (FMA). Differs from the ref by rounding only.
// General nearest copies the previous output row when the source row repeats. Exact 2x nearest
// duplicates lanes. Nearest results are bit-identical to the ref.
void resize_nearest_2d_f32_avx2(const float* src, float* dst, int64_t in_h, int64_t in_w,
                                int64_t out_h, int64_t out_w, const int64_t* y_offset,
                                const int64_t* x_offset, int64_t plane_begin, int64_t plane_end);
void resize_nearest_2x_f32_avx2(const float* src, float* dst, int64_t in_h, int64_t in_w,
                                int64_t plane_begin, int64_t plane_end);
void resize_bilinear_2d_f32_avx2(const float* src, float* dst, int64_t in_h, int64_t in_w,
                                 int64_t out_h, int64_t out_w, const int64_t* y_offset,
                                 const float* y_weight, const int64_t* x_offset,
                                 const float* x_weight, float* rowbuf, int64_t plane_begin,
                                 int64_t plane_end);
void resize_nearest_2d_f32_neon(const float* src, float* dst, int64_t in_h, int64_t in_w,
                                int64_t out_h, int64_t out_w, const int64_t* y_offset,
                                const int64_t* x_offset, int64_t plane_begin, int64_t plane_end);
void resize_nearest_2x_f32_neon(const float* src, float* dst, int64_t in_h, int64_t in_w,
                                int64_t plane_begin, int64_t plane_end);
void resize_bilinear_2d_f32_neon(const float* src, float* dst, int64_t in_h, int64_t in_w,
                                 int64_t out_h, int64_t out_w, const int64_t* y_offset,
                                 const float* y_weight, const int64_t* x_offset,
                                 const float* x_weight, float* rowbuf, int64_t plane_begin,
                                 int64_t plane_end);

struct ResizeKernels {
  void (*nearest_2d)(const float*, float*, int64_t, int64_t, int64_t, int64_t, const int64_t*,
                     const int64_t*, int64_t, int64_t);
  void (*nearest_2x)(const float*, float*, int64_t, int64_t, int64_t, int64_t);
  void (*bilinear_2d)(const float*, float*, int64_t, int64_t, int64_t, int64_t, const int64_t*,
                      const float*, const int64_t*, const float*, float*, int64_t, int64_t);
};
// The table for `isa` (_ref entries where the ISA has no variant or cannot run here).
const ResizeKernels& resize_kernels(Isa isa);

}  // namespace facet::kernels
