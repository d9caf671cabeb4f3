// Tile (ONNX Tile-6..13+): repeats the input repeats[i] times along axis i. repeats is an int64
// input (plan-time constant) with one value >= 0 per input axis.
#pragma once

#include <memory>

#include "engine/op.h"

namespace facet::ops {

class TileOp final : public Op {
 public:
  explicit TileOp(const NodeDef&) {}
  void infer(InferContext& ctx) const override;
  void run(const RunContext& ctx) const override;
};

std::unique_ptr<Op> make_tile(const NodeDef& def);

}  // namespace facet::ops
