#include "ops/reshape.h"

#include "ops/tensor_ops_common.h"

namespace facet::ops {

Shape reshape_output_shape(const Shape& in, const std::vector<int64_t>& target, bool allow_zero) {
  const int64_t numel = shape_numel(in);
  Shape out(target.size());
  int infer_at = -1;
  bool has_zero = false;
  int64_t known = 1;
  for (size_t i = 0; i < target.size(); ++i) {
    int64_t d = target[i];
    if (d == -1) {
      FACET_CHECK(infer_at < 0, "Reshape: more than one -1 in shape ", shape_str(target));
      infer_at = static_cast<int>(i);
      continue;
    }
    FACET_CHECK(d >= 0, "Reshape: invalid dim ", d, " in shape ", shape_str(target));
    if (d == 0) {
      has_zero = true;
      if (!allow_zero) {
        FACET_CHECK(i < in.size(), "Reshape: 0 at index ", i, " of shape ", shape_str(target),
                    " has no matching input dim (input ", shape_str(in), ")");
        d = in[i];
      }
    }
    out[i] = d;
    known = shape_numel({known, d});
  }
  if (infer_at >= 0) {
    FACET_CHECK(!(allow_zero && has_zero), "Reshape: allowzero=1 with both 0 and -1 in shape ",
                shape_str(target));
    FACET_CHECK(known != 0, "Reshape: cannot infer -1 in ", shape_str(target),
                " when the other dims multiply to 0 (input ", shape_str(in), ")");
    FACET_CHECK(numel % known == 0, "Reshape: cannot reshape ", shape_str(in), " (", numel,
                " elements) to ", shape_str(target));
    out[static_cast<size_t>(infer_at)] = numel / known;
  } else {
    FACET_CHECK(known == numel, "Reshape: cannot reshape ", shape_str(in), " (", numel,
                " elements) to ", shape_str(target), " (", known, " elements)");
  }
  return out;
}

// ---- Reshape ----

ReshapeOp::ReshapeOp(const NodeDef& def)
    : legacy_(def.opset < 5), allow_zero_(def.attrs.get_int("allowzero", 0) != 0) {
  if (legacy_) {
    FACET_CHECK(def.attrs.has("shape"), "Reshape-", def.opset, " requires the 'shape' attribute");
    shape_attr_ = def.attrs.get_ints("shape");
  }
  FACET_CHECK(def.opset >= 14 || !def.attrs.has("allowzero"), "Reshape-", def.opset,
              " has no 'allowzero' attribute");
}

void ReshapeOp::infer(InferContext& ctx) const {
  const ValueInfo& in = ctx.input(0);
  std::vector<int64_t> target;
  if (legacy_) {
    target = shape_attr_;
  } else {
    const Tensor& t = ctx.require_value(1, "Reshape shape");
    FACET_CHECK(t.rank() == 1, "Reshape shape must be 1-D, got ", shape_str(t.shape()));
    target = int_values(t, "Reshape shape");
  }
  ctx.set_output(0, in.dtype, reshape_output_shape(in.shape, target, allow_zero_));
}

void ReshapeOp::run(const RunContext& ctx) const { copy_input_to_output(ctx); }

// ---- Flatten ----

FlattenOp::FlattenOp(const NodeDef& def) : axis_(def.attrs.get_int("axis", 1)) {}

void FlattenOp::infer(InferContext& ctx) const {
  const ValueInfo& in = ctx.input(0);
  const int64_t rank = static_cast<int64_t>(in.shape.size());
  FACET_CHECK(axis_ >= -rank && axis_ <= rank, "Flatten axis ", axis_,
              " is out of range for rank ", rank);
  const size_t axis = static_cast<size_t>(axis_ < 0 ? axis_ + rank : axis_);
  ctx.set_output(0, in.dtype,
                 {dims_product(in.shape, 0, axis), dims_product(in.shape, axis, in.shape.size())});
}

void FlattenOp::run(const RunContext& ctx) const { copy_input_to_output(ctx); }

// ---- Squeeze / Unsqueeze ----

SqueezeOp::SqueezeOp(const NodeDef& def, bool unsqueeze)
    : unsqueeze_(unsqueeze), legacy_(def.opset < 13), has_axes_attr_(def.attrs.has("axes")) {
  const char* name = unsqueeze ? "Unsqueeze" : "Squeeze";
  if (legacy_) {
    axes_attr_ = def.attrs.get_ints("axes");
    FACET_CHECK(!unsqueeze || has_axes_attr_, name, "-", def.opset,
                " requires the 'axes' attribute");
  } else {
    FACET_CHECK(!has_axes_attr_, name, "-", def.opset, " takes axes as input 1, not an attribute");
    FACET_CHECK(!unsqueeze || def.has_input(1), name, "-", def.opset, " requires the axes input");
  }
}

void SqueezeOp::infer(InferContext& ctx) const {
  const char* name = unsqueeze_ ? "Unsqueeze" : "Squeeze";
  const ValueInfo& in = ctx.input(0);
  std::vector<int64_t> axes;
  bool have_axes = false;
  if (legacy_) {
    have_axes = has_axes_attr_;
    axes = axes_attr_;
  } else if (ctx.has_input(1)) {
    const Tensor& t = ctx.require_value(1, unsqueeze_ ? "Unsqueeze axes" : "Squeeze axes");
    FACET_CHECK(t.rank() <= 1, name, " axes must be 1-D, got ", shape_str(t.shape()));
    axes = int_values(t, "axes");
    have_axes = true;
  }
  const int64_t rank = static_cast<int64_t>(in.shape.size());
  if (unsqueeze_) {
    const int64_t out_rank = rank + static_cast<int64_t>(axes.size());
    check_rank_supported(static_cast<size_t>(out_rank), name);
    std::vector<bool> inserted(static_cast<size_t>(out_rank), false);
    for (int64_t a : axes) {
      const int axis = normalize_axis(a, out_rank, name);
      FACET_CHECK(!inserted[axis], name, ": axis ", a, " is repeated");
      inserted[axis] = true;
    }
    Shape out;
    size_t next = 0;
    for (int64_t d = 0; d < out_rank; ++d) {
      out.push_back(inserted[static_cast<size_t>(d)] ? 1 : in.shape[next++]);
    }
    ctx.set_output(0, in.dtype, out);
    return;
  }
  std::vector<bool> removed(static_cast<size_t>(rank), false);
  if (have_axes) {
    for (int64_t a : axes) {
      const int axis = normalize_axis(a, rank, name);
      FACET_CHECK(!removed[axis], name, ": axis ", a, " is repeated");
      FACET_CHECK(in.shape[axis] == 1, name, ": axis ", a, " has length ", in.shape[axis],
                  ", expected 1 (input ", shape_str(in.shape), ")");
      removed[axis] = true;
    }
  } else {
    for (int64_t d = 0; d < rank; ++d) removed[d] = in.shape[d] == 1;
  }
  Shape out;
  for (int64_t d = 0; d < rank; ++d) {
    if (!removed[d]) out.push_back(in.shape[d]);
  }
  ctx.set_output(0, in.dtype, out);
}

void SqueezeOp::run(const RunContext& ctx) const { copy_input_to_output(ctx); }

std::unique_ptr<Op> make_reshape(const NodeDef& def) { return std::make_unique<ReshapeOp>(def); }
std::unique_ptr<Op> make_flatten(const NodeDef& def) { return std::make_unique<FlattenOp>(def); }
std::unique_ptr<Op> make_squeeze(const NodeDef& def) {
  return std::make_unique<SqueezeOp>(def, false);
}
std::unique_ptr<Op> make_unsqueeze(const NodeDef& def) {
  return std::make_unique<SqueezeOp>(def, true);
}

}  // namespace facet::ops
