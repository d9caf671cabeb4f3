// Graph fusion at load time (called by the ONNX loader right before Graph::finalize()).
//
// fuse_graph rewrites the node list in place:
//  1. BatchNormalization (inference form, one output, 1-D [C] parameters that are all
//     initializers) directly after a Conv whose weights (and bias, if any) are initializers
//     and whose output feeds only that BN and is not a graph output: the BN is folded into new
//     initializers W' = W * s, B' = (B - mean) * s + beta with s = scale / sqrt(var + eps)
//     (s is computed by running the BN node's own op on a probe input, so its epsilon is used
//     exactly), the Conv takes the BN's output value, and the BN node is removed.
//  2. An activation node (Relu, Clip with constant min/max, LeakyRelu, PRelu with a constant
//     scalar or per-channel slope, HardSwish, Sigmoid) directly after a Conv, ConvTranspose or
//     Gemm under the same conditions (sole consumer, not a graph output) is folded into that
//     op's epilogue (see ActivationFusable) and removed.
//  3. A depthwise Conv (group == channels) whose input is the sole output of a pointwise Conv
//     (1x1, stride 1, no pads, group 1, constant weights; conditions in conv_pw_dw.h) with both
//     activations already fused, when the shapes inferred from the declared input shapes show
//     that the pair sets the graph's peak memory (its unfused footprint, inputs + outputs +
//     workspaces, exceeds every other node's) and that fusing lowers the peak by at least 10%:
//     the pair becomes one node (ConvPwDw, op_type still "Conv", name "pw+dw") that never
//     materializes the pointwise output whole. (MobileNetV1-224: the first and third pairs,
//     whose depthwise convs have stride 2. A stride-1 depthwise conv can run in place instead,
//     which its pair's footprint accounts for, so such pairs are rarely worth fusing.)
// A BN after anything else (ESPNet's BN after Concat) stays a BN. Removed nodes' intermediate
// values stay in the value table, unused. Fusion never changes the graph's inputs or outputs.
#pragma once

#include <vector>

#include "engine/graph.h"
#include "ops/kernels/sgemm/sgemm.h"

namespace facet::ops {

// Implemented by ops that can apply an activation in their store (Conv, ConvTranspose, Gemm).
class ActivationFusable {
 public:
  virtual ~ActivationFusable() = default;
  // True when a per-channel PRelu slope indexed by output channel (axis 1 of an NC... output;
  // the channel count is W's dim 0) is supported; otherwise only a scalar slope (as LeakyRelu).
  virtual bool accepts_channel_slope() const = 0;
  virtual bool has_activation() const = 0;
  // kind/alpha/beta as in Activation; `slope` (kPRelu only) has one value per output channel.
  virtual void set_activation(ActKind kind, float alpha, float beta,
                              const std::vector<float>& slope) = 0;
};

struct FuseOptions {
  // Fuse every structurally fusable pointwise + depthwise pair whose shapes are known and whose
  // intermediate is large enough to run in bands, whatever memory it saves (tests of the fused
  // op, experiments).
  bool pw_dw_always = false;
};

// Runs the passes above on a graph that has not been finalized yet. Returns the number of nodes
// removed.
int fuse_graph(Graph& g, const FuseOptions& options = FuseOptions());

}  // namespace facet::ops
