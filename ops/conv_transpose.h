// ConvTranspose (opsets 1-25): transposed N-D convolution (1 to 3 spatial axes) with groups,
// dilations, strides, pads, output_padding, output_shape and auto_pad. Float32 only.
#pragma once

#include <memory>

#include "engine/op.h"

namespace facet::ops {

std::unique_ptr<Op> make_conv_transpose(const NodeDef& def);

}  // namespace facet::ops
