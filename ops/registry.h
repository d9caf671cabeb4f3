// The built-in op set. One explicit function lists every op (no self-registering statics, which
// a static library would silently drop).
#pragma once

#include "engine/op.h"

namespace facet::ops {

// The newest ai.onnx opset accepted (ONNX 1.22). Versions after an op's last semantic change
// only widened the accepted types (float8, int4, ...); for float32 and int64 they behave the
// same, so each op accepts every version from its first up to this one.
constexpr int kLatestOpset = 27;

// Adds every built-in op to the registry.
void register_builtin_ops(OpRegistry& registry);
// A process-wide registry with the built-in ops, built once.
const OpRegistry& builtin_registry();

// Per-group registration functions (one per group file).
void register_nn_ops(OpRegistry& registry);           // ops/register_nn.cpp
void register_elementwise_ops(OpRegistry& registry);  // ops/register_elementwise.cpp
void register_tensor_ops(OpRegistry& registry);       // ops/register_tensor.cpp

}  // namespace facet::ops
