// Resize (ONNX Resize-10/11/13/18/19) and Upsample (ONNX Upsample-1/7/9), float32 data.
//
// Output size. With scales: out = floor(in * scale) per axis. With sizes: out = sizes, except
// that keep_aspect_ratio_policy not_larger / not_smaller (opset 18+) use one scale for all listed
// axes, the min / max of sizes[i] / in[i], and out = round_half_up(scale * in). Exactly one of
// scales and sizes must be given; a left-out input or a 0-element tensor counts as absent.
// 'axes' (opset 18+) lists the axes that scales/sizes/roi refer to; other axes keep scale 1.
//
// Coordinate transforms map output index x to a (fractional) input coordinate. They use the
// scale s (sizes[i]/in[i] when sizes are given) and the resized length L = s * in, which is not
// rounded (so with scales, align_corners divides by in*s - 1, not out - 1: onnx/onnx#2462):
//   half_pixel:            (x + 0.5) / s - 0.5
//   half_pixel_symmetric:  c * (1 - out/L) + (x + 0.5) / s - 0.5, with c = in / 2: centres the
//                          sampled window when out was rounded down from L
//   pytorch_half_pixel:    L == 1 ? -0.5 : (x + 0.5) / s - 0.5
//   align_corners:         L == 1 ? 0 : x * (in - 1) / (L - 1)
//   asymmetric:            x / s
//   tf_crop_and_resize:    roi_start * (in - 1) + x * (roi_end - roi_start) * (in - 1) / (L - 1)
//                          (L == 1: the window centre); coordinates outside [0, in - 1] give
//                          extrapolation_value.
// Filters, following the ONNX reference implementation:
//   nearest: x is rounded by nearest_mode (round_prefer_floor, round_prefer_ceil, floor, ceil; an
//            integral x is itself), then clamped into [0, in - 1];
//   linear:  taps at i0 = floor(x) and i0 + 1 with weights 1 - f, f (f = x - i0), indices clamped
//            into the input (edge replication). With antialias=1 and s < 1 the triangle filter is
//            widened by 1/s: taps j around x with weight max(0, 1 - |j - x| * s), normalised.
//   exclude_outside=1 zeroes the weights of taps outside the input and renormalises.
//   cubic:   rejected at load time.
// Resize-10 and Upsample use asymmetric coordinates and floor rounding for nearest (numpy-repeat
// semantics of Upsample). scales, sizes and roi must be plan-time constants.
#pragma once

#include <memory>
#include <vector>

#include "engine/op.h"

namespace facet::ops {

enum class ResizeCoordMode {
  kHalfPixel,
  kHalfPixelSymmetric,
  kPytorchHalfPixel,
  kAlignCorners,
  kAsymmetric,
  kTfCropAndResize,
};
enum class ResizeNearestMode { kRoundPreferFloor, kRoundPreferCeil, kFloor, kCeil };
enum class ResizeAspectPolicy { kStretch, kNotLarger, kNotSmaller };

struct ResizeConfig {
  bool linear = false;  // false: nearest
  ResizeCoordMode coord = ResizeCoordMode::kHalfPixel;
  ResizeNearestMode nearest = ResizeNearestMode::kRoundPreferFloor;
  ResizeAspectPolicy policy = ResizeAspectPolicy::kStretch;
  float extrapolation_value = 0.f;
  bool antialias = false;
  bool exclude_outside = false;
  std::vector<int64_t> axes;  // empty: all axes
  int roi_input = -1;         // input indices, -1 = not part of this op version
  int scales_input = -1;
  int sizes_input = -1;
  bool has_scales_attr = false;  // Upsample-1/7
  std::vector<float> scales_attr;
};

class ResizeOp final : public Op {
 public:
  explicit ResizeOp(ResizeConfig config) : config_(std::move(config)) {}
  void infer(InferContext& ctx) const override;
  void run(const RunContext& ctx) const override;
  const ResizeConfig& config() const { return config_; }

 private:
  ResizeConfig config_;
};

std::unique_ptr<Op> make_resize(const NodeDef& def);
std::unique_ptr<Op> make_upsample(const NodeDef& def);

}  // namespace facet::ops
