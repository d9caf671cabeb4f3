// Gather: picks slices along one axis by index (ONNX Gather-1..13+).
//
// out.shape = data.shape[:axis] + indices.shape + data.shape[axis+1:]. Indices (int64 or int32,
// any rank including 0) may be negative (counted from the back). Out-of-range indices are an
// error at plan time when the indices are constant; otherwise run() (which cannot fail) writes
// zeros for them.
#pragma once

#include <memory>

#include "engine/op.h"

namespace facet::ops {

class GatherOp final : public Op {
 public:
  explicit GatherOp(const NodeDef& def);
  void infer(InferContext& ctx) const override;
  void run(const RunContext& ctx) const override;

 private:
  int64_t axis_;
};

std::unique_ptr<Op> make_gather(const NodeDef& def);

}  // namespace facet::ops
