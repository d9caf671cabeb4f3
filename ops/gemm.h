// Gemm (opsets 1-25), float32: Y = alpha * op(A) * op(B) + beta * C, with op = transpose when
// transA / transB is 1. A and B are 2-D; Y is [M, N]. C is optional (absent: no term) and
// unidirectionally broadcast to [M, N]. Opsets 1-6: C must be exactly [M, N] unless the
// legacy attribute broadcast=1.
#pragma once

#include <memory>

#include "engine/op.h"

namespace facet::ops {

std::unique_ptr<Op> make_gemm(const NodeDef& def);

}  // namespace facet::ops
