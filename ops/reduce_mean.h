// ReduceMean (opsets 1..25): mean over the listed axes.
//
//  - Opset < 18: axes come from the `axes` attribute; absent means every axis.
//  - Opset >= 18: axes come from optional input 1 (int64, 1-D, must be a plan-time constant).
//    Absent or empty axes reduce every axis, unless noop_with_empty_axes=1, in which case the
//    op is the identity.
//  - keepdims (default 1) keeps reduced dims with size 1. Axes may be negative; duplicates are
//    an error.
// float32 sums are accumulated in double. int64 means truncate toward zero. The mean over an
// empty set of elements is NaN for float32 (0/0, as numpy) and 0 for int64.
#pragma once

#include <memory>

#include "engine/op.h"

namespace facet::ops {

std::unique_ptr<Op> create_reduce_mean_op(const NodeDef& def);

}  // namespace facet::ops
