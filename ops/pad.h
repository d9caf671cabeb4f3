// Pad (ONNX Pad-1..25): pads (or, with negative amounts, crops) every axis.
//
//   Pad-1:   attributes 'paddings', 'mode', 'value';
//   Pad-2:   attributes 'pads', 'mode', 'value';
//   Pad-11+: inputs pads (int64, plan-time constant), optional constant_value (scalar or
//            1-element, data dtype); Pad-18+ optional axes (int64, negative allowed, unique).
// pads is [begin_0 .. begin_{n-1}, end_0 .. end_{n-1}] over the listed axes (all axes if none).
// Modes: constant, reflect, edge, and wrap (opset 19+). Negative pads crop first, then the mode
// pads the cropped window (numpy semantics). reflect/edge/wrap need a non-empty window on every
// axis that has output elements. See ops/kernels/pad/pad.h for the index mapping.
#pragma once

#include <memory>
#include <vector>

#include "engine/op.h"
#include "ops/kernels/pad/pad.h"

namespace facet::ops {

class PadOp final : public Op {
 public:
  explicit PadOp(const NodeDef& def);
  void infer(InferContext& ctx) const override;
  void run(const RunContext& ctx) const override;

 private:
  bool legacy_;  // opset < 11: attributes
  kernels::PadMode mode_ = kernels::PadMode::kConstant;
  std::vector<int64_t> pads_attr_;
  float value_attr_ = 0.f;
};

std::unique_ptr<Op> make_pad(const NodeDef& def);

}  // namespace facet::ops
