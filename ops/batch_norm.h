// BatchNormalization (opsets 1-25), inference only, float32:
//   Y = (X - mean) / sqrt(var + epsilon) * scale + B, per channel (axis 1).
// Opsets 1-6: `is_test` must be 1. Opsets 1-8: `spatial` = 0 takes per-activation parameters of
// shape [C, D1, ..., Dn]. Opsets 7-13: only output Y (the extra outputs mean training).
// Opsets 14+: `training_mode` must be 0. `momentum` is accepted and unused (training only).
#pragma once

#include <memory>

#include "engine/op.h"

namespace facet::ops {

std::unique_ptr<Op> make_batch_norm(const NodeDef& def);

}  // namespace facet::ops
