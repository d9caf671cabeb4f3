#include "ops/slice.h"

#include <limits>

#include "ops/kernels/transpose/transpose.h"
#include "ops/tensor_ops_common.h"

namespace facet::ops {

namespace {

// Start element and count per axis for one slice; axes not sliced keep (0, d, 1).
struct SlicePlan {
  int rank = 0;
  AxisArray start{}, step{}, count{};
};

// Reads the k-th value of a parameter given either as a vector (attributes) or a tensor.
struct IntSource {
  const std::vector<int64_t>* vec = nullptr;
  const Tensor* tensor = nullptr;
  int64_t size() const {
    return vec ? static_cast<int64_t>(vec->size()) : (tensor ? tensor->numel() : 0);
  }
  int64_t at(int64_t k) const {
    return vec ? (*vec)[static_cast<size_t>(k)] : int_element(*tensor, k);
  }
};

// Clamps one axis following the ONNX rules (see slice.h). Does not allocate.
void clamp_axis(int64_t dim, int64_t start, int64_t end, int64_t step, int64_t* out_start,
                int64_t* out_count) {
  if (start < 0) start = start < -dim ? -1 : start + dim;  // keeps INT64_MIN from overflowing
  if (end < 0) end = end < -dim ? -1 : end + dim;
  if (step > 0) {
    start = start < 0 ? 0 : (start > dim ? dim : start);
    end = end < 0 ? 0 : (end > dim ? dim : end);
    *out_count = end > start ? (end - start + step - 1) / step : 0;
  } else {
    start = start < 0 ? 0 : (start > dim - 1 ? dim - 1 : start);
    end = end < -1 ? -1 : (end > dim - 1 ? dim - 1 : end);
    *out_count = start > end ? (start - end + (-step) - 1) / (-step) : 0;
  }
  *out_start = start;
}

// Builds the plan; `validate` adds the user-data checks done at plan time.
SlicePlan make_plan(const Shape& shape, const IntSource& starts, const IntSource& ends,
                    const IntSource& axes, const IntSource& steps, bool validate) {
  SlicePlan p;
  p.rank = static_cast<int>(shape.size());
  for (int d = 0; d < p.rank; ++d) {
    p.start[d] = 0;
    p.step[d] = 1;
    p.count[d] = shape[d];
  }
  const int64_t n = starts.size();
  if (validate) {
    FACET_CHECK(ends.size() == n, "Slice: ", n, " starts but ", ends.size(), " ends");
    FACET_CHECK(axes.size() == 0 || axes.size() == n, "Slice: ", n, " starts but ", axes.size(),
                " axes");
    FACET_CHECK(steps.size() == 0 || steps.size() == n, "Slice: ", n, " starts but ",
                steps.size(), " steps");
    FACET_CHECK(n <= p.rank, "Slice: ", n, " axes for a rank-", p.rank, " input");
  }
  bool seen[kMaxTensorRank] = {};
  for (int64_t k = 0; k < n; ++k) {
    int64_t axis = axes.size() ? axes.at(k) : k;
    if (validate) axis = normalize_axis(axis, p.rank, "Slice");
    if (axis < 0) axis += p.rank;
    if (validate) {
      FACET_CHECK(!seen[axis], "Slice: axis ", axis, " is repeated");
      seen[axis] = true;
    }
    const int64_t step = steps.size() ? steps.at(k) : 1;
    if (validate) FACET_CHECK(step != 0, "Slice: step must not be 0");
    clamp_axis(shape[axis], starts.at(k), ends.at(k), step, &p.start[axis], &p.count[axis]);
    p.step[axis] = step;
  }
  return p;
}

}  // namespace

SliceOp::SliceOp(const NodeDef& def) : legacy_(def.opset < 10) {
  if (legacy_) {
    FACET_CHECK(def.attrs.has("starts") && def.attrs.has("ends"),
                "Slice-", def.opset, " requires the 'starts' and 'ends' attributes");
    starts_attr_ = def.attrs.get_ints("starts");
    ends_attr_ = def.attrs.get_ints("ends");
    has_axes_attr_ = def.attrs.has("axes");
    axes_attr_ = def.attrs.get_ints("axes");
  }
}

void SliceOp::infer(InferContext& ctx) const {
  const ValueInfo& in = ctx.input(0);
  check_rank_supported(in.shape.size(), "Slice");
  IntSource starts, ends, axes, steps;
  if (legacy_) {
    starts.vec = &starts_attr_;
    ends.vec = &ends_attr_;
    if (has_axes_attr_) axes.vec = &axes_attr_;
  } else {
    const char* names[4] = {"Slice starts", "Slice ends", "Slice axes", "Slice steps"};
    IntSource* srcs[4] = {&starts, &ends, &axes, &steps};
    for (int i = 1; i <= 4; ++i) {
      if (i >= 3 && !ctx.has_input(i)) continue;
      const Tensor& t = ctx.require_value(i, names[i - 1]);
      int_values(t, names[i - 1]);
      FACET_CHECK(t.rank() <= 1, names[i - 1], " must be 1-D, got ", shape_str(t.shape()));
      srcs[i - 1]->tensor = &t;
    }
  }
  const SlicePlan p = make_plan(in.shape, starts, ends, axes, steps, true);
  Shape out(in.shape.size());
  for (int d = 0; d < p.rank; ++d) out[d] = p.count[d];
  ctx.set_output(0, in.dtype, out);
}

void SliceOp::run(const RunContext& ctx) const {
  const Tensor& in = ctx.input(0);
  Tensor& out = ctx.output(0);
  if (out.numel() == 0) return;
  IntSource starts, ends, axes, steps;
  if (legacy_) {
    starts.vec = &starts_attr_;
    ends.vec = &ends_attr_;
    if (has_axes_attr_) axes.vec = &axes_attr_;
  } else {
    starts.tensor = &ctx.input(1);
    ends.tensor = &ctx.input(2);
    if (ctx.has_input(3)) axes.tensor = &ctx.input(3);
    if (ctx.has_input(4)) steps.tensor = &ctx.input(4);
  }
  const SlicePlan p = make_plan(in.shape(), starts, ends, axes, steps, false);
  if (p.rank == 0) {
    std::memcpy(out.raw(), in.raw(), in.nbytes());
    return;
  }
  // Source strides scaled by the steps; the source pointer starts at the first element read.
  AxisArray strides{};
  int64_t stride = 1, offset = 0;
  for (int d = p.rank - 1; d >= 0; --d) {
    strides[d] = stride * p.step[d];
    offset += p.start[d] * stride;
    stride *= in.shape()[d];
  }
  const size_t esize = dtype_size(in.dtype());
  const auto* src = static_cast<const uint8_t*>(in.raw()) + offset * static_cast<int64_t>(esize);
  const int64_t rows = dims_product(out.shape(), 0, out.shape().size() - 1);
  kernels::transpose_strided_ref(src, out.raw(), esize, p.rank, p.count.data(), strides.data(), 0,
                                 rows);
}

std::unique_ptr<Op> make_slice(const NodeDef& def) { return std::make_unique<SliceOp>(def); }

}  // namespace facet::ops
