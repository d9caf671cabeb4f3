// View ops: Reshape, Flatten, Squeeze, Unsqueeze. Each returns output_is_view() == true, so the
// executor aliases output 0 to input 0 and never calls run(); infer() still computes and
// validates the output shape. run() copies the data when called directly (eval_op, tests).
//
// Reshape (1..25): target shape from the 'shape' attribute (opset < 5) or input 1 (a plan-time
//   constant). A 0 copies the input dim at the same index unless allowzero=1 (opset 14+), in
//   which case it is a real 0; at most one -1, inferred from the element count. allowzero=1 with
//   both 0 and -1 is an error.
// Flatten (1..25): 2-D [prod(dims[:axis]), prod(dims[axis:])], axis in [-r, r] (default 1).
// Squeeze (1..25): axes from the attribute (opset < 13) or optional input 1; every listed dim
//   must be 1; without axes every dim equal to 1 is removed.
// Unsqueeze (1..25): axes (attribute < 13, input 1 from 13) index the OUTPUT, whose rank is
//   r + len(axes); negative axes count from the back of the output; duplicates are an error.
#pragma once

#include <memory>
#include <vector>

#include "engine/op.h"

namespace facet::ops {

class ReshapeOp final : public Op {
 public:
  explicit ReshapeOp(const NodeDef& def);
  void infer(InferContext& ctx) const override;
  void run(const RunContext& ctx) const override;
  bool output_is_view() const override { return true; }

 private:
  bool legacy_;  // opset < 5
  std::vector<int64_t> shape_attr_;
  bool allow_zero_;
};

class FlattenOp final : public Op {
 public:
  explicit FlattenOp(const NodeDef& def);
  void infer(InferContext& ctx) const override;
  void run(const RunContext& ctx) const override;
  bool output_is_view() const override { return true; }

 private:
  int64_t axis_;
};

class SqueezeOp final : public Op {
 public:
  // unsqueeze=false: Squeeze, true: Unsqueeze.
  SqueezeOp(const NodeDef& def, bool unsqueeze);
  void infer(InferContext& ctx) const override;
  void run(const RunContext& ctx) const override;
  bool output_is_view() const override { return true; }

 private:
  bool unsqueeze_;
  bool legacy_;  // opset < 13: axes attribute
  bool has_axes_attr_;
  std::vector<int64_t> axes_attr_;
};

// Pure shape helpers (exposed for tests and constant folding).
Shape reshape_output_shape(const Shape& in, const std::vector<int64_t>& target, bool allow_zero);

std::unique_ptr<Op> make_reshape(const NodeDef& def);
std::unique_ptr<Op> make_flatten(const NodeDef& def);
std::unique_ptr<Op> make_squeeze(const NodeDef& def);
std::unique_ptr<Op> make_unsqueeze(const NodeDef& def);

}  // namespace facet::ops
