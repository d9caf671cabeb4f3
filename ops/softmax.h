// Softmax (opsets 1..25), float32.
//
//  - Opset < 13: the input is coerced to 2-D [prod(dims[:axis]), prod(dims[axis:])] and softmax
//    runs over each row; `axis` defaults to 1 and may be in [-rank, rank].
//  - Opset >= 13: softmax along the single dim `axis` (default -1), in [-rank, rank).
// Numerics: y = exp(x - max) / sum(exp(x - max)) per slice, so large inputs do not overflow.
// A NaN anywhere in a slice makes that slice NaN (as numpy).
#pragma once

#include <memory>

#include "engine/op.h"

namespace facet::ops {

std::unique_ptr<Op> create_softmax_op(const NodeDef& def);

// Softmax over `len` elements spaced `stride` apart, starting at x / y.
void softmax_slice_f32(const float* x, float* y, int64_t len, int64_t stride);

}  // namespace facet::ops
