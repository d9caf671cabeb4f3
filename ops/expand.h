// Expand (ONNX Expand-8..13+): numpy-broadcasts the input to a shape given as input 1 (int64,
// plan-time constant). The output rank is max(input rank, len(shape)); a dim of 1 on either side
// takes the other side's value, otherwise both must agree.
#pragma once

#include <memory>

#include "engine/op.h"

namespace facet::ops {

class ExpandOp final : public Op {
 public:
  explicit ExpandOp(const NodeDef&) {}
  void infer(InferContext& ctx) const override;
  void run(const RunContext& ctx) const override;
};

std::unique_ptr<Op> make_expand(const NodeDef& def);

}  // namespace facet::ops
