// Fused pointwise + depthwise convolution (made only by fuse_graph, never read from a file).
//
// A 1x1 Conv (stride 1, no pads, group 1) whose output feeds only a depthwise Conv (group ==
// channels, one filter per channel) is replaced by one node with inputs
//   X [N, Cin, H, W], Wpw [Cmid, Cin, 1, 1], Bpw [Cmid] or absent,
//   Wdw [Cmid, 1, kh, kw], Bdw [Cmid] or absent
// and the depthwise Conv's output Y [N, Cmid, OH, OW]. Each conv keeps its own fused activation.
//
// Why: in MobileNet-style chains the pointwise output is the largest tensor (MobileNetV1-224:
// 3.2 MB after the first pointwise conv, against 1.6 MB in and 0.8 MB out of the pair). When it
// is large (kBandAboveBytes), the depthwise output rows are computed in bands: the pointwise
// rows a band needs are computed into a per-thread scratch buffer of about kBandBytes (rows
// shared with the previous band are carried over, not recomputed), and the depthwise kernel
// reads them back from cache. The intermediate never exists whole, so the session's arena
// shrinks by it.
// fuse_graph fuses only pairs whose intermediate (inferred from the declared input shapes) is
// that large and that set the graph's peak memory; if a session later runs smaller inputs, the
// pair runs as one band, which is the unfused computation with the intermediate in scratch. Both steps use the same kernels as the unfused ops (packed SGEMM with the fused
// epilogue, the dwconv family), so results match the unfused graph up to those kernels'
// tolerances.
#pragma once

#include <memory>

#include "engine/op.h"
#include "ops/conv.h"

namespace facet::ops {

// True when the two convs (settings plus weight shapes) can be fused: pointwise is 2-D 1x1,
// stride 1, dilation 1, no pads (explicit or auto), group 1; depthwise is 2-D, group ==
// Wdw[0], Wdw[1] == 1, Wdw[0] == Wpw[0], explicit pads (auto_pad NOTSET/VALID) each smaller
// than the dilated kernel extent (so every output window overlaps the input).
bool conv_pw_dw_fusable(const ConvSettings& pw, const Shape& w_pw, const ConvSettings& dw,
                        const Shape& w_dw);

// For input X [N, Cin, H, W]: false when the pointwise output is too small to run in bands
// (at most 1 MiB per image: fusing would only hold input, intermediate and output at once);
// otherwise the bytes the fused step holds (input, output, band buffers, GEMM workspaces) and
// the larger of the two separate steps (input + intermediate + workspaces, intermediate +
// output). fuse_graph fuses a pair only when fused < unfused and the pair is the graph's memory
// bottleneck (see fusion.h): banding costs a few percent of speed.
bool conv_pw_dw_footprints(const ConvSettings& dw, const Shape& x, const Shape& w_pw,
                           const Shape& w_dw, double* fused_bytes, double* unfused_bytes);

std::unique_ptr<Op> make_conv_pw_dw(const ConvSettings& pw, const ConvSettings& dw);

}  // namespace facet::ops
