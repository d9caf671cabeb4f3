// Direct 2-D convolution kernel family (f32, NCHW, group 1) for the shapes im2col + GEMM handles
// badly: few output channels (M = 3 .. ~32), few input channels (first layers, C = 3), large
// kernels (9x9) and dilated kernels. Fused bias + activation (sgemm.h Activation).
//
// Layout: input [batch, in_channels, in_h, in_w], output [batch, out_channels, out_h, out_w],
// densely packed. The weights [out_channels, in_channels, kernel_h, kernel_w] are repacked once by
// conv_direct_pack_weights into blocks of kConvDirectOcBlock output channels (the last block may
// be narrower, nb = min(4, M - oc0)); block b starts at oc0 * C * KH * KW and stores, for each
// (c, ky, kx) in that order, its nb weights contiguously.
//
// Math (every variant):
//   y[n, m, oy, ox] = act(m, bias[m] + sum_{c, ky, kx} w[m, c, ky, kx] *
//                              x[n, c, oy*stride_h - pad_top + ky*dilation_h,
//                                      ox*stride_w - pad_left + kx*dilation_w])
// with taps outside the input contributing 0. out_h / out_w are given by the caller (>= 1); the
// far-side pads are implied by them. Pads >= 0.
//
// Scheme: each call walks output rows (flat index n * out_h + oy in [begin, end)). The input rows
// a row needs are copied, once per call and row, into a ring of zero-padded rows in `scratch`,
// split into stride_w phases (column c of phase ph is input column ph + stride_w * c - pad_left),
// so every tap is a unit-stride read without border checks. The row kernel then computes
// blocks of output channels x strips of output columns (avx2: 4 x 24 or 3 x 32, neon: 4 x 16 or
// 3 x 24) in registers, accumulating over (c, ky, kx) with one broadcast weight per channel.
// Rows whose input row is outside the image skip their taps.
//
// Work split: disjoint [begin, end) row ranges may run concurrently, each with its own scratch of
// conv_direct_scratch_floats(p) floats, 8-byte aligned (it also holds row pointers). The
// kernels never allocate or start threads. Tensors need no alignment; nothing outside them is
// read or written.
//
// Accuracy: variants use FMA and sum in (c, ky, kx) order from 0, then add the bias; they match
// conv_f32_ref within |out - ref| <= 1e-5 * sqrt(K) + 1e-4 |ref|-style tolerances, not
// bit-exactly. Sigmoid in the SIMD variants uses the polynomial exp (vecmath).
#pragma once

#include <cstddef>
#include <cstdint>

#include "ops/kernels/sgemm/sgemm.h"

namespace facet {
enum class Isa;  // engine/cpu.h
}

namespace facet::ops {

// Plain aggregate; the caller fills every field.
struct ConvDirectParams {
  int64_t batch, in_channels, out_channels;
  int64_t in_h, in_w, out_h, out_w;
  int64_t kernel_h, kernel_w, stride_h, stride_w, dilation_h, dilation_w, pad_top, pad_left;
  Activation act;  // kPRelu: slope has out_channels entries
};

constexpr int64_t kConvDirectOcBlock = 4;

// Floats of the packed weights (= out_channels * in_channels * kernel_h * kernel_w).
int64_t conv_direct_packed_floats(const ConvDirectParams& p);
void conv_direct_pack_weights(const ConvDirectParams& p, const float* weight, float* packed);
// Floats of scratch one call needs (same for every variant).
int64_t conv_direct_scratch_floats(const ConvDirectParams& p);

using ConvDirectF32Fn = void (*)(const ConvDirectParams& p, const float* input,
                                 const float* packed, const float* bias, float* output,
                                 int64_t begin, int64_t end, float* scratch);

void conv_direct_f32_ref(const ConvDirectParams& p, const float* input, const float* packed,
                         const float* bias, float* output, int64_t begin, int64_t end,
                         float* scratch);
// x86-64 only.
void conv_direct_f32_avx2(const ConvDirectParams& p, const float* input, const float* packed,
                          const float* bias, float* output, int64_t begin, int64_t end,
                          float* scratch);
// x86-64 only (AVX-512F: 8 channels x 48 columns per strip).
void conv_direct_f32_avx512(const ConvDirectParams& p, const float* input, const float* packed,
                            const float* bias, float* output, int64_t begin, int64_t end,
                            float* scratch);
// aarch64 only.
void conv_direct_f32_neon(const ConvDirectParams& p, const float* input, const float* packed,
                          const float* bias, float* output, int64_t begin, int64_t end,
                          float* scratch);

// The variant for `isa`; an ISA this build/CPU cannot run falls back to ref.
ConvDirectF32Fn conv_direct_kernel(Isa isa);

// ---- shared driver (used by the variants; defined in convdirect_ref.cpp) ----

// One output row for all output channels. rows[c * kernel_h + ky] points at the ring row of the
// input row that tap row reads (phase 0, column 0 = input column -pad_left), or is null when that
// input row is outside the image. tap_off[kx] is the offset of tap kx inside a ring row (phase
// and column). out points at y[n, 0, oy, 0]; channel m's row is at out + m * out_plane.
using ConvDirectRowFn = void (*)(const ConvDirectParams& p, const float* const* rows,
                                 const int64_t* tap_off, const float* packed, const float* bias,
                                 float* out, int64_t out_plane);
// Maximum strip width (output columns) a row function may compute past the row end; the ring
// rows are long enough for strips of this many columns starting anywhere before out_w.
constexpr int64_t kConvDirectMaxStrip = 32;

// Fills one ring row from input row `src` (in_w floats): stride_w phase rows of `len` floats,
// phase ph column j = src[ph + stride_w * j - pad_left], zero outside the row. Reads only
// src[0, in_w).
using ConvDirectFillFn = void (*)(const ConvDirectParams& p, int64_t len, const float* src,
                                  float* dst);
void conv_direct_fill_row_ref(const ConvDirectParams& p, int64_t len, const float* src,
                              float* dst);
// x86-64 only: stride 2 deinterleaved with AVX2 (other strides: the reference).
void conv_direct_fill_row_avx2(const ConvDirectParams& p, int64_t len, const float* src,
                               float* dst);

void conv_direct_drive(const ConvDirectParams& p, const float* input, const float* packed,
                       const float* bias, float* output, int64_t begin, int64_t end,
                       float* scratch, ConvDirectRowFn row_fn, ConvDirectFillFn fill_fn);

}  // namespace facet::ops
