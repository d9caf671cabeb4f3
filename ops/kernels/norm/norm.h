// Normalization kernel family, f32 (inference).
//
// Layout: x and y are [batch, channels, spatial] row-major and densely packed (spatial is the
// product of all dims after the channel dim); per-channel parameters are arrays of `channels`.
// The kernels work on planes (n, c) with flat index n * channels + c in [begin, end); a plane is
// `spatial` contiguous elements. y may equal x (in place) but must not partially overlap it.
// No alignment needed, zero overread.
#pragma once

#include <cstddef>
#include <cstdint>

namespace facet::ops {

// y = (x - mean[c]) * (scale[c] / sqrt(var[c] + epsilon)) + bias[c]
void batch_norm_f32_ref(const float* x, float* y, int64_t channels, int64_t spatial,
                        const float* scale, const float* bias, const float* mean,
                        const float* var, float epsilon, int64_t begin, int64_t end);

// Per plane: mu, sigma^2 = mean and population variance of the plane (accumulated in double);
// y = (x - mu) / sqrt(sigma^2 + epsilon) * scale[c] + bias[c].
void instance_norm_f32_ref(const float* x, float* y, int64_t channels, int64_t spatial,
                           const float* scale, const float* bias, float epsilon, int64_t begin,
                           int64_t end);

}  // namespace facet::ops
