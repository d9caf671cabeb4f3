// Data-movement ops: Concat, Split, Slice, Gather, Shape, Reshape, Flatten, Squeeze, Unsqueeze,
// Transpose, Pad, Resize, Upsample, Expand, Tile.
#include "ops/concat.h"
#include "ops/expand.h"
#include "ops/gather.h"
#include "ops/pad.h"
#include "ops/registry.h"
#include "ops/reshape.h"
#include "ops/resize.h"
#include "ops/shape.h"
#include "ops/slice.h"
#include "ops/split.h"
#include "ops/tile.h"
#include "ops/transpose.h"

namespace facet::ops {

void register_tensor_ops(OpRegistry& registry) {
  registry.add("", "Concat", 1, kLatestOpset, make_concat);
  registry.add("", "Split", 1, kLatestOpset, make_split);
  registry.add("", "Slice", 1, kLatestOpset, make_slice);
  registry.add("", "Gather", 1, kLatestOpset, make_gather);
  registry.add("", "Shape", 1, kLatestOpset, make_shape);
  registry.add("", "Reshape", 1, kLatestOpset, make_reshape);
  registry.add("", "Flatten", 1, kLatestOpset, make_flatten);
  registry.add("", "Squeeze", 1, kLatestOpset, make_squeeze);
  registry.add("", "Unsqueeze", 1, kLatestOpset, make_unsqueeze);
  registry.add("", "Transpose", 1, kLatestOpset, make_transpose);
  registry.add("", "Pad", 1, kLatestOpset, make_pad);
  registry.add("", "Resize", 10, kLatestOpset, make_resize);
  registry.add("", "Upsample", 1, 9, make_upsample);
  registry.add("", "Expand", 8, kLatestOpset, make_expand);
  registry.add("", "Tile", 6, kLatestOpset, make_tile);
}

}  // namespace facet::ops
