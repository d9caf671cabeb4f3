// Transpose (ONNX Transpose-1..25): out.shape[i] = in.shape[perm[i]]; perm defaults to the
// reversed axis order and must be a permutation of [0, rank).
#pragma once

#include <memory>
#include <vector>

#include "engine/op.h"

namespace facet::ops {

class TransposeOp final : public Op {
 public:
  explicit TransposeOp(const NodeDef& def);
  void infer(InferContext& ctx) const override;
  void run(const RunContext& ctx) const override;

 private:
  bool has_perm_;
  std::vector<int64_t> perm_;
};

std::unique_ptr<Op> make_transpose(const NodeDef& def);

}  // namespace facet::ops
