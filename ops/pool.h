// Pooling ops, float32 only:
//   MaxPool (opsets 1-25): auto_pad, kernel_shape, pads, strides; storage_order (8+, only
//     affects Indices); ceil_mode, dilations (10+). The optional second output Indices is not
//     supported (error).
//   AveragePool (opsets 1-25): auto_pad, kernel_shape, pads, strides; count_include_pad (7+);
//     ceil_mode (10+); dilations (19+).
//   GlobalAveragePool (opsets 1-25): mean over all spatial axes, which become 1.
// Attributes a version does not define are ignored.
#pragma once

#include <memory>

#include "engine/op.h"

namespace facet::ops {

std::unique_ptr<Op> make_max_pool(const NodeDef& def);
std::unique_ptr<Op> make_average_pool(const NodeDef& def);
std::unique_ptr<Op> make_global_average_pool(const NodeDef& def);

}  // namespace facet::ops
