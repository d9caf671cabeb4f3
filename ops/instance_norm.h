// InstanceNormalization (opsets 1-25), float32:
//   Y[n, c] = (X[n, c] - mean) / sqrt(variance + epsilon) * scale[c] + B[c], where mean and
//   (population) variance are taken over the spatial elements of X[n, c].
// A following Relu, LeakyRelu or per-channel PRelu may be fused in (see ops/batch_norm.h).
#pragma once

#include <memory>

#include "engine/op.h"

namespace facet::ops {

std::unique_ptr<Op> make_instance_norm(const NodeDef& def);

}  // namespace facet::ops
