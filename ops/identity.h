// Identity and Dropout (inference), opsets 1..25.
//
// Both are views: output 0 is input 0 (output_is_view() is true, so the executor aliases the
// buffers and never calls run()). run() still copies, for callers that evaluate the op directly.
// Dropout: `ratio` (attribute before opset 12, input 1 from 12) is ignored because inference
// does no dropout; `is_test` (opset < 7) is ignored for the same reason. The optional `mask`
// output is rejected (the factory cannot tell an empty trailing output name from a real one, so
// any second output entry is rejected), and so is a training_mode input (opset >= 12) that is
// not a constant false.
#pragma once

#include <memory>

#include "engine/op.h"

namespace facet::ops {

std::unique_ptr<Op> create_identity_op(const NodeDef& def);
std::unique_ptr<Op> create_dropout_op(const NodeDef& def);

}  // namespace facet::ops
