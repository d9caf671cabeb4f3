// Conv (opsets 1-25): N-D convolution (1 to 3 spatial axes) with groups, dilations, strides,
// explicit or automatic padding and an optional bias. Float32 only.
#pragma once

#include <memory>
#include <vector>

#include "engine/op.h"
#include "ops/kernels/sgemm/sgemm.h"
#include "ops/nn_common.h"

namespace facet::ops {

std::unique_ptr<Op> make_conv(const NodeDef& def);

// What the graph fusion passes (ops/fusion.cpp) read from a Conv node's op: its window
// attributes, group and fused activation (act.slope is not set; the PRelu slope is `slope`).
struct ConvSettings {
  WindowAttrs attrs;
  int64_t group = 1;
  ActKind act_kind = ActKind::kNone;
  float act_alpha = 0.f;
  float act_beta = 0.f;
  std::vector<float> slope;
};

// Fills *out and returns true when `op` was made by make_conv; false otherwise.
bool conv_settings(const Op& op, ConvSettings* out);

}  // namespace facet::ops
