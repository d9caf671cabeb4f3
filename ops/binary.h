// Binary element-wise ops: Add, Sub, Mul, Div, Pow, PRelu (opsets 1..25).
//
// Semantics:
//  - Opset >= 7: numpy multidirectional broadcasting (PRelu: slope broadcasts unidirectionally
//    to X; output has X's shape).
//  - Opset < 7 (Add/Sub/Mul/Div-1/6, Pow-1): without `broadcast=1` both shapes must be equal;
//    with it, B is a contiguous run of A's dims starting at `axis` (default: suffix matching)
//    or has one element. PRelu-1/6: a rank-1 slope of length X.dim(1) is per channel (axis 1);
//    otherwise the slope broadcasts as in PRelu-7.
//  - Dtypes: float32 and int64; both inputs must match, except Pow, whose exponent may be either
//    (output dtype = base dtype). int64 Add/Sub/Mul wrap around; int64 Div truncates toward zero
//    (as C, and as the ONNX spec states); x / 0 gives 0 and INT64_MIN / -1 gives INT64_MIN (the
//    spec leaves these undefined; we just must not trap). int64 Pow with a negative exponent
//    gives the truncated real result (1 for base 1, +-1 for base -1, else 0).
#pragma once

#include <memory>

#include "engine/op.h"

namespace facet::ops {

// Builds the op named by def.op_type ("Add", "Sub", "Mul", "Div", "Pow", "PRelu").
std::unique_ptr<Op> create_binary_op(const NodeDef& def);

}  // namespace facet::ops
