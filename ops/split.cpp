#include "ops/split.h"

#include <cstring>

#include "ops/tensor_ops_common.h"

namespace facet::ops {

SplitOp::SplitOp(const NodeDef& def) {
  axis_ = def.attrs.get_int("axis", 0);
  if (def.attrs.has("split")) {
    FACET_CHECK(def.opset < 13, "Split-", def.opset,
                " takes split sizes as input 1, not as the 'split' attribute");
    has_split_attr_ = true;
    split_attr_ = def.attrs.get_ints("split");
    for (int64_t s : split_attr_) FACET_CHECK(s >= 0, "Split: negative split size ", s);
  }
  if (def.attrs.has("num_outputs")) {
    FACET_CHECK(def.opset >= 18, "Split-", def.opset, " has no 'num_outputs' attribute");
    num_outputs_attr_ = def.attrs.get_int("num_outputs", 0);
    FACET_CHECK(num_outputs_attr_ >= 1, "Split: num_outputs must be >= 1, got ",
                num_outputs_attr_);
    FACET_CHECK(num_outputs_attr_ == def.num_outputs, "Split: num_outputs=", num_outputs_attr_,
                " but the node has ", def.num_outputs, " outputs");
    FACET_CHECK(!def.has_input(1), "Split: 'num_outputs' and the 'split' input are exclusive");
  }
  FACET_CHECK(def.num_outputs >= 1, "Split needs at least one output");
  FACET_CHECK(!def.has_input(1) || def.opset == 1 || def.opset >= 13, "Split-", def.opset,
              " takes no second input");
}

int64_t SplitOp::part_size(int i, int num_parts, int64_t dim, const Tensor* split_input) const {
  if (split_input) return int_element(*split_input, i);
  if (has_split_attr_) return split_attr_[static_cast<size_t>(i)];
  if (num_outputs_attr_ > 0) {
    const int64_t chunk = (dim + num_parts - 1) / num_parts;
    const int64_t begin = chunk * i;
    if (begin >= dim) return 0;
    return dim - begin < chunk ? dim - begin : chunk;
  }
  return dim / num_parts;
}

void SplitOp::infer(InferContext& ctx) const {
  const ValueInfo& in = ctx.input(0);
  const int64_t rank = static_cast<int64_t>(in.shape.size());
  FACET_CHECK(rank >= 1, "Split input must have rank >= 1");
  const int axis = normalize_axis(axis_, rank, "Split");
  const int64_t dim = in.shape[axis];
  const int parts = ctx.num_outputs();
  const Tensor* split_input = nullptr;
  if (ctx.has_input(1)) {
    split_input = &ctx.require_value(1, "Split 'split'");
    FACET_CHECK(split_input->dtype() == DType::kI64 || split_input->dtype() == DType::kI32,
                "Split 'split' must be int64");
    if (split_input->numel() == 0) split_input = nullptr;
  }
  if (split_input || has_split_attr_) {
    const int64_t n = split_input ? split_input->numel() : static_cast<int64_t>(split_attr_.size());
    FACET_CHECK(n == parts, "Split: ", n, " split sizes for ", parts, " outputs");
  } else if (num_outputs_attr_ == 0) {
    FACET_CHECK(dim % parts == 0, "Split: axis ", axis, " of length ", dim,
                " cannot be split evenly into ", parts, " outputs");
  }
  int64_t total = 0;
  for (int i = 0; i < parts; ++i) {
    const int64_t s = part_size(i, parts, dim, split_input);
    FACET_CHECK(s >= 0, "Split: negative split size ", s);
    total += s;
    Shape out = in.shape;
    out[axis] = s;
    ctx.set_output(i, in.dtype, out);
  }
  FACET_CHECK(total == dim, "Split: sizes sum to ", total, " but axis ", axis, " has length ",
              dim);
}

void SplitOp::run(const RunContext& ctx) const {
  const Tensor& in = ctx.input(0);
  const Shape& shape = in.shape();
  const int64_t rank = static_cast<int64_t>(shape.size());
  const int axis = static_cast<int>(axis_ < 0 ? axis_ + rank : axis_);
  const int64_t dim = shape[axis];
  const Tensor* split_input = input_given(ctx, 1) ? &ctx.input(1) : nullptr;
  const size_t esize = dtype_size(in.dtype());
  const int64_t outer = dims_product(shape, 0, axis);
  const int64_t inner = dims_product(shape, axis + 1, shape.size());
  const size_t in_row = static_cast<size_t>(dim * inner) * esize;
  const auto* src = static_cast<const uint8_t*>(in.raw());
  const int parts = ctx.num_outputs();
  size_t col = 0;
  for (int i = 0; i < parts; ++i) {
    const int64_t s = part_size(i, parts, dim, split_input);
    const size_t out_row = static_cast<size_t>(s * inner) * esize;
    if (ctx.has_output(i) && out_row > 0) {
      auto* dst = static_cast<uint8_t*>(ctx.output(i).raw());
      for (int64_t o = 0; o < outer; ++o) {
        std::memcpy(dst + static_cast<size_t>(o) * out_row,
                    src + static_cast<size_t>(o) * in_row + col, out_row);
      }
    }
    col += out_row;
  }
}

std::unique_ptr<Op> make_split(const NodeDef& def) { return std::make_unique<SplitOp>(def); }

}  // namespace facet::ops
