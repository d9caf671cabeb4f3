// Split: cuts one tensor into several along an axis (ONNX Split-1..18+).
//
// Where the split sizes come from, by opset:
//   1:     optional input 1 or the 'split' attribute;
//   2-12:  the 'split' attribute;
//   13+:   optional input 1 (int64, a plan-time constant);
//   18+:   or 'num_outputs', which cuts ceil(dim / num_outputs)-sized chunks with a smaller last
//          one. Without sizes the axis is divided equally by the number of outputs (it must
//          divide evenly).
// Sizes must be >= 0, one per output, and sum to the axis length.
#pragma once

#include <memory>
#include <vector>

#include "engine/op.h"

namespace facet::ops {

class SplitOp final : public Op {
 public:
  explicit SplitOp(const NodeDef& def);
  void infer(InferContext& ctx) const override;
  void run(const RunContext& ctx) const override;

 private:
  // Size of output i along the axis (allocation-free; `split_input` may be null).
  int64_t part_size(int i, int num_parts, int64_t dim, const Tensor* split_input) const;

  int64_t axis_ = 0;
  bool has_split_attr_ = false;
  std::vector<int64_t> split_attr_;
  int64_t num_outputs_attr_ = 0;  // 0 = not given
};

std::unique_ptr<Op> make_split(const NodeDef& def);

}  // namespace facet::ops
