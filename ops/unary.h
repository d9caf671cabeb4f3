// Unary element-wise ops (opsets 1..25): Relu, LeakyRelu (alpha=0.01), Sigmoid, Tanh,
// HardSigmoid (alpha=0.2, beta=0.5), HardSwish, Exp, Sqrt, Neg, Abs, Floor, Ceil, Reciprocal.
//
// Output shape and dtype equal the input's. float32 everywhere; Relu, Neg and Abs also take
// int64 (Neg/Abs of INT64_MIN wrap to INT64_MIN). NaN propagates; Sqrt of a negative is NaN.
// The legacy opset-1 attribute `consumed_inputs` is ignored.
#pragma once

#include <memory>

#include "engine/op.h"

namespace facet::ops {

// Builds the op named by def.op_type (one of the list above).
std::unique_ptr<Op> create_unary_op(const NodeDef& def);

}  // namespace facet::ops
