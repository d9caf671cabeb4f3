// MatMul (opsets 1-25), float32, numpy.matmul semantics: a 1-D A is a row vector [1, K] and a
// 1-D B a column vector [K, 1] (the added axis is dropped from Y); leading (batch) axes
// broadcast. At most 8 batch axes.
#pragma once

#include <memory>

#include "engine/op.h"

namespace facet::ops {

std::unique_ptr<Op> make_matmul(const NodeDef& def);

}  // namespace facet::ops
