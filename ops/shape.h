// Shape: the input's dims as a 1-D int64 tensor (ONNX Shape-1..15+).
//
// Opset 15 adds 'start' and 'end' (default 0 and rank): negative values are counted from the
// back, both are clamped to [0, rank], and start >= end gives an empty output.
#pragma once

#include <memory>

#include "engine/op.h"

namespace facet::ops {

class ShapeOp final : public Op {
 public:
  explicit ShapeOp(const NodeDef& def);
  void infer(InferContext& ctx) const override;
  void run(const RunContext& ctx) const override;

 private:
  void range(int64_t rank, int64_t* begin, int64_t* end) const;
  int64_t start_ = 0;
  bool has_end_ = false;
  int64_t end_ = 0;
};

std::unique_ptr<Op> make_shape(const NodeDef& def);

}  // namespace facet::ops
