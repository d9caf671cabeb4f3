// Concat: joins inputs along one axis (ONNX Concat-1..13+).
//
// All inputs share dtype and rank (>= 1) and agree on every dim except `axis`; zero-size inputs
// are allowed. Concat-1 defaults axis to 1; from opset 4 the attribute is required; negative axes
// count from the back (opset 11+, accepted everywhere).
#pragma once

#include <memory>

#include "engine/op.h"

namespace facet::ops {

class ConcatOp final : public Op {
 public:
  explicit ConcatOp(const NodeDef& def);
  void infer(InferContext& ctx) const override;
  void run(const RunContext& ctx) const override;

 private:
  int64_t axis_;
};

std::unique_ptr<Op> make_concat(const NodeDef& def);

}  // namespace facet::ops
