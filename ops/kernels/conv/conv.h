// Convolution kernel family: direct N-D convolution and transposed convolution, f32.
//
// Layout: NCDHW, row-major and densely packed (strides are implied by the sizes, in elements).
// 1-D and 2-D problems are expressed as 3-D with leading spatial sizes of 1 (in = out =
// kernel = stride = dilation = 1, pad = 0). Sizes are in elements.
//
// Work split: both kernels compute the output planes (n, oc) with flat index
// n * out_channels + oc in [begin, end); each plane is written by exactly one call, so ranges
// may run on different threads. Inputs, weights and bias are read-only and must not alias the
// output. No alignment is required and nothing is read or written outside the described
// tensors (zero overread).
//
// Accumulation order (ref): the plane is first set to the bias (or 0), then taps are added in
// the order input channel, kd, kh, kw, output position.
#pragma once

#include <cstddef>
#include <cstdint>

namespace facet::ops {

// A plain aggregate (no default member initializers, so no inline constructor is shared between
// files built with different ISA flags); the caller fills every field.
struct ConvParams {
  int64_t batch;
  int64_t in_channels;   // C: all input channels (not per group)
  int64_t out_channels;  // M: all output channels (not per group)
  int64_t group;         // divides in_channels and out_channels
  int64_t in_size[3];   // d, h, w of the input
  int64_t out_size[3];  // d, h, w of the output
  int64_t kernel[3];
  int64_t stride[3];
  int64_t dilation[3];
  // Padding before each spatial axis. For Conv it is >= 0. For ConvTranspose it may be negative
  // (an output_shape larger than the natural one); padding after is implied by out_size.
  int64_t pad_begin[3];
};

// Conv: output[n, oc, o] = bias[oc] + sum_{ic in group(oc), k} input[n, ic, o*stride - pad + k*dilation]
//                                     * weight[oc, ic - group_start, k]
// input  [batch, in_channels, in_size]
// weight [out_channels, in_channels / group, kernel]
// bias   [out_channels] or nullptr
// output [batch, out_channels, out_size]
void conv_f32_ref(const ConvParams& p, const float* input, const float* weight, const float* bias,
                  float* output, int64_t begin, int64_t end);

// ConvTranspose (the adjoint of Conv, plus bias):
// output[n, oc, i*stride - pad + k*dilation] += input[n, ic, i] * weight[ic, oc - group_start, k]
// input  [batch, in_channels, in_size]
// weight [in_channels, out_channels / group, kernel]
// bias   [out_channels] or nullptr
// output [batch, out_channels, out_size]; positions no tap reaches hold the bias.
void conv_transpose_f32_ref(const ConvParams& p, const float* input, const float* weight,
                            const float* bias, float* output, int64_t begin, int64_t end);

}  // namespace facet::ops
