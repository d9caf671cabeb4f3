// Conv (opsets 1-25): N-D convolution (1 to 3 spatial axes) with groups, dilations, strides,
// explicit or automatic padding and an optional bias. Float32 only.
#pragma once

#include <memory>

#include "engine/op.h"

namespace facet::ops {

std::unique_ptr<Op> make_conv(const NodeDef& def);

}  // namespace facet::ops
