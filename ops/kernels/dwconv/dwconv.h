// Depthwise convolution kernel family (f32): Conv with group == in_channels == out_channels
// (one filter per channel, channel multiplier 1), 2-D, with optional bias and a fused activation.
//
// Layout: NCHW, row-major; planes densely packed unless in_plane_stride / out_plane_stride say
// otherwise.
//   input  [batch, channels, in_h, in_w]
//   weight [channels, 1, kernel_h, kernel_w]   (the ONNX layout as stored; no repacking needed)
//   bias   [channels] or nullptr (= zeros)
//   output [batch, channels, out_h, out_w]
//
// Math (every variant):
//   acc = bias[c] + sum_{kh, kw} input[n, c, oy*stride_h - pad_top  + kh*dilation_h,
//                                            ox*stride_w - pad_left + kw*dilation_w] * weight[c, kh, kw]
//   with taps outside the input contributing 0 (zero padding);
//   output[n, c, oy, ox] = act(acc, c).
// out_h / out_w are given by the caller and must satisfy
//   out = floor((in + pad_begin + pad_end - dilation*(kernel-1) - 1) / stride) + 1   (>= 1).
// pad_bottom / pad_right only document the geometry (the kernels derive bounds from in/out sizes);
// pads may be asymmetric and larger than the kernel.
//
// Work split: a call computes whole output planes with flat index p = n * channels + c in
// [begin, end) (0 <= begin <= end <= batch * channels). Each plane is written by exactly one call,
// so disjoint ranges may run on different threads. The kernels never start threads and never
// allocate. input/weight/bias/slope are read-only and must not overlap output. No alignment
// is required; nothing is read or written outside the described tensors (zero overread).
//
// Accuracy: the optimized variants use FMA and a different summation order than _ref, so they
// agree with _ref within |out - ref| <= 1e-5 + 1e-4 * |ref| (not bit-exactly). The sigmoid
// activation in the optimized variants uses a polynomial exp (relative error < 2e-7 over the
// float range, see eltwise.h); hardswish/relu/clip/leaky/prelu are exact given acc.
//
// Variants (every ISA provides all three entry points; they share one signature):
//   *_3x3s1   requires kernel 3x3, stride 1x1, dilation 1x1; any pads, any sizes >= 1.
//   *_3x3s2   requires kernel 3x3, stride 2x2, dilation 1x1; any pads, any sizes >= 1.
//   *_general any kernel / stride / dilation / pads.
// dwconv2d_f32_select() picks the best entry of a table for given params; call it once in
// prepare() (or when shapes are known) and store the pointer.
#pragma once

#include <cstddef>
#include <cstdint>

namespace facet {
enum class Isa;  // engine/cpu.h: kRef, kAvx2, kAvx512, kNeon
}

namespace facet::ops {

// Fused activation applied to acc (after the bias) before the store.
enum class DwActKind : int {
  kNone = 0,   // y = acc
  kRelu,       // y = max(acc, 0)
  kClip,       // y = min(max(acc, alpha), beta)       (Relu6: alpha 0, beta 6)
  kLeakyRelu,  // y = acc < 0 ? alpha * acc : acc
  kPRelu,      // y = acc < 0 ? slope[c] * acc : acc    (slope has `channels` entries; a
               //   scalar / broadcast slope must be expanded to per-channel by the caller)
  kHardSwish,  // y = acc * min(max(acc / 6 + 0.5, 0), 1)   (ONNX HardSwish)
  kSigmoid,    // y = 1 / (1 + exp(-acc))
};

// Plain aggregate (no default member initializers: no inline constructor is shared between
// files built with different ISA flags). The caller fills every field.
struct DwActivation {
  DwActKind kind;
  float alpha;         // kClip: min; kLeakyRelu: alpha; otherwise ignored
  float beta;          // kClip: max; otherwise ignored
  const float* slope;  // kPRelu: [channels] per-channel slopes; otherwise ignored (may be null)
};

struct DwConvParams {
  int64_t batch;
  int64_t channels;
  int64_t in_h, in_w;
  int64_t out_h, out_w;
  int64_t kernel_h, kernel_w;
  int64_t stride_h, stride_w;
  int64_t dilation_h, dilation_w;
  int64_t pad_top, pad_left, pad_bottom, pad_right;  // >= 0
  // Floats from one plane to the next in input / output; 0 means densely packed (in_h * in_w,
  // out_h * out_w). Larger strides run a band of rows of bigger planes (the fused
  // pointwise+depthwise op). Only the described in_h x in_w / out_h x out_w rows of each plane
  // are read / written.
  int64_t in_plane_stride, out_plane_stride;
  DwActivation act;
  // Input plane the caller runs next, after this call's last plane (nullptr: none). Kernels
  // may prefetch it while they run the last plane (only a hint: never dereferenced), as they
  // prefetch the next plane inside a call; the in-place path calls a few planes at a time.
  const float* prefetch_after;
};

// Every kernel of the family has this signature.
using DwConvF32Fn = void (*)(const DwConvParams& p, const float* input, const float* weight,
                             const float* bias, float* output, int64_t begin, int64_t end);

// Reference (scalar, obviously right; the spec). All three have identical semantics.
void dwconv2d_f32_general_ref(const DwConvParams& p, const float* input, const float* weight,
                              const float* bias, float* output, int64_t begin, int64_t end);
void dwconv2d_f32_3x3s1_ref(const DwConvParams& p, const float* input, const float* weight,
                            const float* bias, float* output, int64_t begin, int64_t end);
void dwconv2d_f32_3x3s2_ref(const DwConvParams& p, const float* input, const float* weight,
                            const float* bias, float* output, int64_t begin, int64_t end);

// AVX2+FMA (x86-64 only; the symbols exist only there). 3x3: vertical strips of 8 output
// columns sliding down the rows (each input row loaded once per strip), masked loads for the
// zero padding, no scalar borders or tails. General: vectorized along the output row per tap.
void dwconv2d_f32_general_avx2(const DwConvParams& p, const float* input, const float* weight,
                               const float* bias, float* output, int64_t begin, int64_t end);
void dwconv2d_f32_3x3s1_avx2(const DwConvParams& p, const float* input, const float* weight,
                             const float* bias, float* output, int64_t begin, int64_t end);
void dwconv2d_f32_3x3s2_avx2(const DwConvParams& p, const float* input, const float* weight,
                             const float* bias, float* output, int64_t begin, int64_t end);

// AVX-512F (x86-64 only): the 3x3 paths with 16-wide strips (rows of at most 8 outputs on the
// AVX2 strips; stride-1 "same" planes of at most 32 outputs, such as 4 x 4, as one or two flat
// vectors with per-tap masks); the general geometry uses the AVX2 kernel
// (dwconv2d_kernels(Isa::kAvx512) pairs them).
void dwconv2d_f32_3x3s1_avx512(const DwConvParams& p, const float* input, const float* weight,
                               const float* bias, float* output, int64_t begin, int64_t end);
void dwconv2d_f32_3x3s2_avx512(const DwConvParams& p, const float* input, const float* weight,
                               const float* bias, float* output, int64_t begin, int64_t end);

// NEON (aarch64 only). Same structure with 4-wide strips (border strips read through a
// zero-filled stack window instead of masked loads).
void dwconv2d_f32_general_neon(const DwConvParams& p, const float* input, const float* weight,
                               const float* bias, float* output, int64_t begin, int64_t end);
void dwconv2d_f32_3x3s1_neon(const DwConvParams& p, const float* input, const float* weight,
                             const float* bias, float* output, int64_t begin, int64_t end);
void dwconv2d_f32_3x3s2_neon(const DwConvParams& p, const float* input, const float* weight,
                             const float* bias, float* output, int64_t begin, int64_t end);

// One function-pointer table per ISA.
struct DwConvKernels {
  DwConvF32Fn k3x3s1;   // requires 3x3, stride 1, dilation 1
  DwConvF32Fn k3x3s2;   // requires 3x3, stride 2, dilation 1
  DwConvF32Fn general;  // any geometry
};

// Table for `isa`. An ISA this build/CPU cannot run falls back to the _ref table, so
// dwconv2d_kernels(active_isa()) is always safe. Returns a reference to a static table.
const DwConvKernels& dwconv2d_kernels(Isa isa);

// The table the fused pointwise + depthwise op runs on its bands of a few rows for `isa`:
// dwconv2d_kernels(isa), except that kAvx512 maps to the AVX2 table where zmm ops run at half
// rate (cpu_zmm_full_width() false). The Conv op's whole planes use dwconv2d_kernels(isa)
// on every x86 CPU. Zen 4, MobileNetV1-224, per-node minimum of 8 ABBA rounds, AVX2 -> AVX-512
// table, twice with A and B swapped: whole planes 112 x 112 s1 0.89 / 0.88 of the AVX2 time,
// 56 x 56 s1 0.96 / 0.93, 28 x 28 s1 0.76 / 0.77, 28 x 28 s2 0.90 / 0.89, 14 x 14 s1 0.81-0.85
// / 0.82-0.86 (3DDFA's 30 x 30 and 15 x 15: 0.81, 0.89); the banded 112 x 112 s2 pair 1.035 /
// 1.07 (2 threads 1.09). Tests use dwconv2d_kernels to reach every variant.
const DwConvKernels& dwconv2d_kernels_tuned(Isa isa);

// The table entry suited to p (3x3 s1 / 3x3 s2 fast paths when they apply, else general).
DwConvF32Fn dwconv2d_f32_select(const DwConvKernels& table, const DwConvParams& p);

}  // namespace facet::ops
