// Constant and ConstantOfShape.
//
// Constant (opsets 1..25): no inputs; the output is exactly one of the attributes `value`
// (tensor), `value_float` (rank-0 float32), `value_floats` (1-D float32), `value_int` (rank-0
// int64), `value_ints` (1-D int64). `sparse_value`, `value_string(s)` are rejected. Since it has
// no inputs, the session folds it at plan time; run() copies the stored tensor.
//
// ConstantOfShape (opsets 9..25): input 0 is a 1-D int64 shape (a plan-time constant; an empty
// shape gives a rank-0 output; dims must be >= 0). The output is filled with the one element of
// the `value` tensor attribute (default: float32 0).
//
// Tensor attributes of non-runtime dtypes are converted: float16/double -> float32;
// int8/int32/uint8/bool -> int64.
#pragma once

#include <memory>

#include "engine/op.h"

namespace facet::ops {

std::unique_ptr<Op> create_constant_op(const NodeDef& def);
std::unique_ptr<Op> create_constant_of_shape_op(const NodeDef& def);

// Returns t converted to float32 or int64 (see above); t itself if already one of them.
// Throws for dtypes it cannot convert.
Tensor to_runtime_dtype(const Tensor& t);

}  // namespace facet::ops
