// ArgMax (opsets 1..25): index of the largest element along `axis` (default 0), as int64.
//
// keepdims (default 1) keeps the reduced dim with size 1. select_last_index (opset >= 12,
// default 0) picks the last of equal maxima instead of the first. Input float32 or int64; the
// reduced dim must be non-empty. NaN counts as larger than every number (numpy's rule), so the
// first (or last) NaN wins.
#pragma once

#include <memory>

#include "engine/op.h"

namespace facet::ops {

std::unique_ptr<Op> create_argmax_op(const NodeDef& def);

}  // namespace facet::ops
