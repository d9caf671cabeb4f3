// Cast (opsets 1..25) between facet's runtime dtypes.
//
// `to` is a TensorProto data type number (opset >= 6) or its name as a string ("FLOAT",
// "INT64", ...; opset 1-5). facet computes in float32 and int64 only, so the target type is
// emulated:
//  - FLOAT, DOUBLE            -> float32 output (DOUBLE is stored as float32).
//  - FLOAT16, BFLOAT16        -> float32 output holding the value rounded to that type
//                                (round to nearest even; overflow to +-inf), so downstream math
//                                sees the same numbers a real fp16 tensor would hold.
//  - INT64, INT32, INT16, INT8, UINT8, UINT16, UINT32, UINT64, BOOL -> int64 output holding the
//    value converted to that type and widened back: float -> int truncates toward zero (NaN -> 0,
//    out-of-range saturates to the int64 range first), then wraps to the target width like a C
//    cast (UINT64 values >= 2^63 appear negative); BOOL gives 0/1 (x != 0; NaN -> 1).
//  - STRING, COMPLEX*, FLOAT8*, INT4/UINT4, FLOAT4 are rejected by the factory.
// The `saturate` attribute (opset 19+) only concerns float8 targets and is accepted and ignored.
#pragma once

#include <memory>

#include "engine/op.h"

namespace facet::ops {

std::unique_ptr<Op> create_cast_op(const NodeDef& def);

}  // namespace facet::ops
