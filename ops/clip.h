// Clip (opsets 1..25): y = min(max(x, min), max).
//
//  - Opset < 11: bounds are the float attributes `min` / `max` (defaults: -FLT_MAX / +FLT_MAX);
//    float32 input only.
//  - Opset >= 11: bounds are optional inputs 1 (min) and 2 (max), each a one-element tensor of
//    x's dtype (float32 or int64); an absent input (empty name) or an empty tensor means no
//    bound. Bound values are read at run time, so they need not be constants.
//  - min > max gives max everywhere (as the spec says and test_clip_min_greater_than_max
//    checks). NaN inputs stay NaN.
#pragma once

#include <memory>

#include "engine/op.h"

namespace facet::ops {

std::unique_ptr<Op> create_clip_op(const NodeDef& def);

}  // namespace facet::ops
