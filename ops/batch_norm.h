// BatchNormalization (opsets 1-25), inference only, float32:
//   Y = (X - mean) / sqrt(var + epsilon) * scale + B, per channel (axis 1).
// Opsets 1-6: `is_test` must be 1. Opsets 1-8: `spatial` = 0 takes per-activation parameters of
// shape [C, D1, ..., Dn]. Opsets 7-13: only output Y (the extra outputs mean training).
// Opsets 14+: `training_mode` must be 0. `momentum` is accepted and unused (training only).
//
// Both BatchNormalization and InstanceNormalization (ops/instance_norm.h) can take a following
// Relu, LeakyRelu or per-channel PRelu into their store (ops/fusion.cpp, NormActivationFusable).
#pragma once

#include <memory>
#include <vector>

#include "engine/op.h"
#include "ops/kernels/norm/norm.h"

namespace facet::ops {

// Implemented by the BatchNormalization and InstanceNormalization ops.
class NormActivationFusable {
 public:
  virtual ~NormActivationFusable();
  virtual bool has_norm_activation() const = 0;
  // kind: kRelu, kLeakyRelu (alpha) or kPRelu (one slope per channel, axis 1). With kPRelu,
  // `data_rank` is the rank the input must have for the slope to index axis 1 (0: any); infer()
  // rejects other ranks. Returns false (and changes nothing) when the op cannot take it.
  virtual bool set_norm_activation(NormActKind kind, float alpha, const std::vector<float>& slope,
                                   int data_rank) = 0;
};

std::unique_ptr<Op> make_batch_norm(const NodeDef& def);

}  // namespace facet::ops
