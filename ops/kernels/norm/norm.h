// Normalization kernel family, f32 (inference): BatchNormalization and InstanceNormalization,
// each with an optional fused activation (Relu, LeakyRelu, per-channel PRelu) applied to the
// normalized value before it is stored.
//
// Layout: x and y are [batch, channels, spatial] row-major and densely packed (spatial is the
// product of all dims after the channel dim); per-channel parameters are arrays of `channels`.
// The kernels work on planes (n, c) with flat index n * channels + c in [begin, end); a plane is
// `spatial` contiguous elements. y may equal x (in place) but must not partially overlap it.
// No alignment needed, zero overread.
//
// Accuracy of the optimized variants against the _ref: batch norm differs only by FMA rounding
// (one rounding of (x - mean) * a + b); instance norm computes the mean and variance with float
// partial sums (blocks of at most 1024 elements, shifted by a pivot taken from the plane's first
// elements, so a large mean does not cancel) folded into double, then applies the affine map in
// float: relative error about 1e-6 of the normalized value.
#pragma once

#include <cstddef>
#include <cstdint>

namespace facet {
enum class Isa;  // engine/cpu.h
}

namespace facet::ops {

// Activation applied after the normalization. v is the normalized value of channel c.
enum class NormActKind : int {
  kNone = 0,   // v
  kRelu,       // v < 0 ? 0 : v   (NaN stays NaN)
  kLeakyRelu,  // v < 0 ? alpha * v : v
  kPRelu,      // v < 0 ? slope[c] * v : v
};
struct NormAct {
  NormActKind kind;
  float alpha;         // kLeakyRelu
  const float* slope;  // kPRelu: `channels` values
};

// y = act((x - mean[c]) * (scale[c] / sqrt(var[c] + epsilon)) + bias[c])
void batch_norm_f32_ref(const float* x, float* y, int64_t channels, int64_t spatial,
                        const float* scale, const float* bias, const float* mean,
                        const float* var, float epsilon, const NormAct& act, int64_t begin,
                        int64_t end);

// Per plane: mu, sigma^2 = mean and population variance of the plane (accumulated in double);
// y = act((x - mu) / sqrt(sigma^2 + epsilon) * scale[c] + bias[c]).
void instance_norm_f32_ref(const float* x, float* y, int64_t channels, int64_t spatial,
                           const float* scale, const float* bias, float epsilon,
                           const NormAct& act, int64_t begin, int64_t end);

// AVX2+FMA variants (x86-64 builds only).
void batch_norm_f32_avx2(const float* x, float* y, int64_t channels, int64_t spatial,
                         const float* scale, const float* bias, const float* mean,
                         const float* var, float epsilon, const NormAct& act, int64_t begin,
                         int64_t end);
void instance_norm_f32_avx2(const float* x, float* y, int64_t channels, int64_t spatial,
                            const float* scale, const float* bias, float epsilon,
                            const NormAct& act, int64_t begin, int64_t end);
// NEON variants (aarch64 builds only).
void batch_norm_f32_neon(const float* x, float* y, int64_t channels, int64_t spatial,
                         const float* scale, const float* bias, const float* mean,
                         const float* var, float epsilon, const NormAct& act, int64_t begin,
                         int64_t end);
void instance_norm_f32_neon(const float* x, float* y, int64_t channels, int64_t spatial,
                            const float* scale, const float* bias, float epsilon,
                            const NormAct& act, int64_t begin, int64_t end);

using BatchNormF32Fn = void (*)(const float* x, float* y, int64_t channels, int64_t spatial,
                                const float* scale, const float* bias, const float* mean,
                                const float* var, float epsilon, const NormAct& act,
                                int64_t begin, int64_t end);
using InstanceNormF32Fn = void (*)(const float* x, float* y, int64_t channels, int64_t spatial,
                                   const float* scale, const float* bias, float epsilon,
                                   const NormAct& act, int64_t begin, int64_t end);
struct NormKernels {
  BatchNormF32Fn batch_norm;
  InstanceNormF32Fn instance_norm;
};
// The table for `isa` (the _ref entries where the ISA has no variant or cannot run here).
const NormKernels& norm_kernels(Isa isa);

}  // namespace facet::ops
