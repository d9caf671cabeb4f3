// Pooling kernel family: max and average pooling over 1-3 spatial axes, and global average, f32.
//
// Layout: NCDHW, row-major and densely packed. The kernels see only "planes": a plane is one
// (n, c) pair's spatial block of in_size[0]*in_size[1]*in_size[2] elements in the input and
// out_size[0]*out_size[1]*out_size[2] elements in the output; plane p starts at p * plane size.
// 1-D and 2-D pools are 3-D with leading sizes of 1 (in = out = kernel = stride = dilation = 1,
// pads 0). All sizes and offsets are in elements.
//
// Work split: planes [begin, end); each output plane is written by one call only. Input and
// output must not alias. No alignment needed, zero overread.
#pragma once

#include <cstddef>
#include <cstdint>

namespace facet {
enum class Isa;  // engine/cpu.h
}

namespace facet::ops {

// Plain aggregate; the caller fills every field.
struct PoolParams {
  int64_t in_size[3];
  int64_t out_size[3];
  int64_t kernel[3];
  int64_t stride[3];
  int64_t dilation[3];
  int64_t pad_begin[3];  // >= 0
  // Padding after each axis as given by the model (>= 0). Only the average pool with
  // count_include_pad uses it: window taps at positions in [-pad_begin, in_size + pad_end) count
  // towards the divisor; taps further right (created by ceil_mode) never do.
  int64_t pad_end[3];
  bool count_include_pad;
};

// Window of output o along an axis: taps at o*stride - pad_begin + k*dilation, k in [0, kernel).
// Max over the taps inside the input; NaN propagates. A window with no tap inside the input
// yields -infinity.
void maxpool_f32_ref(const PoolParams& p, const float* input, float* output, int64_t begin,
                     int64_t end);

// Sum of the taps inside the input divided by either the number of those taps
// (count_include_pad false) or the number of taps inside the padded input (true). A window with
// a zero divisor yields 0.
void avgpool_f32_ref(const PoolParams& p, const float* input, float* output, int64_t begin,
                     int64_t end);

// output[p] = mean of input[p * plane_size .. (p + 1) * plane_size), summed in double.
void global_avgpool_f32_ref(const float* input, float* output, int64_t plane_size, int64_t begin,
                            int64_t end);

// AVX2 (8 lanes) and NEON (4 lanes) variants. max/avg: 2-D pools with dilation 1 and stride_w 1
// or 2 are vectorized along the output row over the interior columns (no per-element checks;
// only padded border columns are scalar); windows of 8+ (NEON 4+) columns with fewer outputs
// or another stride_w are reduced along the window; 3-D and dilated pools run the ref. Results are bit-identical to the ref (same tap order, true division). Global average
// accumulates in double vectors (differs from the ref only in summation order).
void maxpool_f32_avx2(const PoolParams& p, const float* input, float* output, int64_t begin,
                      int64_t end);
void avgpool_f32_avx2(const PoolParams& p, const float* input, float* output, int64_t begin,
                      int64_t end);
void global_avgpool_f32_avx2(const float* input, float* output, int64_t plane_size,
                             int64_t begin, int64_t end);
// NEON variants (aarch64 builds only).
void maxpool_f32_neon(const PoolParams& p, const float* input, float* output, int64_t begin,
                      int64_t end);
void avgpool_f32_neon(const PoolParams& p, const float* input, float* output, int64_t begin,
                      int64_t end);
void global_avgpool_f32_neon(const float* input, float* output, int64_t plane_size,
                             int64_t begin, int64_t end);

using PoolF32Fn = void (*)(const PoolParams& p, const float* input, float* output, int64_t begin,
                           int64_t end);
using GlobalAvgPoolF32Fn = void (*)(const float* input, float* output, int64_t plane_size,
                                    int64_t begin, int64_t end);
struct PoolKernels {
  PoolF32Fn maxpool;
  PoolF32Fn avgpool;
  GlobalAvgPoolF32Fn global_avgpool;
};
// The table for `isa` (the _ref entries where the ISA has no variant or cannot run here).
const PoolKernels& pool_kernels(Isa isa);

}  // namespace facet::ops
