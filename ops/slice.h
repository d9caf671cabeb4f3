// Slice: strided sub-tensor (ONNX Slice-1..13+).
//
// Slice-1 takes starts/ends/axes as attributes; Slice-10+ takes starts, ends and optional axes
// and steps as int64/int32 inputs (plan-time constants). Per sliced axis of length d, following
// the ONNX/numpy rules:
//   negative start/end are counted from the back (+d);
//   step > 0: start and end are clamped to [0, d];
//   step < 0: start is clamped to [0, d-1] and end to [-1, d-1] (so INT64_MIN reaches the front);
//   count = max(0, ceil((end - start) / step)).
// Ends of INT64_MAX/INT64_MIN are the usual "to the end" markers and are handled by the clamps.
// Axes must be unique; steps must be non-zero.
#pragma once

#include <memory>
#include <vector>

#include "engine/op.h"

namespace facet::ops {

class SliceOp final : public Op {
 public:
  explicit SliceOp(const NodeDef& def);
  void infer(InferContext& ctx) const override;
  void run(const RunContext& ctx) const override;

 private:
  bool legacy_;  // opset < 10: attributes
  std::vector<int64_t> starts_attr_, ends_attr_, axes_attr_;
  bool has_axes_attr_ = false;
};

std::unique_ptr<Op> make_slice(const NodeDef& def);

}  // namespace facet::ops
