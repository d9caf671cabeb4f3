#include "ops/gather.h"

#include <cstring>

#include "ops/tensor_ops_common.h"

namespace facet::ops {

GatherOp::GatherOp(const NodeDef& def) : axis_(def.attrs.get_int("axis", 0)) {}

void GatherOp::infer(InferContext& ctx) const {
  const ValueInfo& data = ctx.input(0);
  const ValueInfo& indices = ctx.input(1);
  const int64_t rank = static_cast<int64_t>(data.shape.size());
  FACET_CHECK(rank >= 1, "Gather data must have rank >= 1");
  const int axis = normalize_axis(axis_, rank, "Gather");
  FACET_CHECK(indices.dtype == DType::kI64 || indices.dtype == DType::kI32,
              "Gather indices must be int64 or int32, got ", dtype_name(indices.dtype));
  const int64_t dim = data.shape[axis];
  if (indices.value) {
    const Tensor& t = *indices.value;
    for (int64_t i = 0; i < t.numel(); ++i) {
      const int64_t idx = int_element(t, i);
      FACET_CHECK(idx >= -dim && idx < dim, "Gather index ", idx, " is out of range for axis ",
                  axis, " of length ", dim);
    }
  }
  Shape out(data.shape.begin(), data.shape.begin() + axis);
  out.insert(out.end(), indices.shape.begin(), indices.shape.end());
  out.insert(out.end(), data.shape.begin() + axis + 1, data.shape.end());
  shape_numel(out);
  ctx.set_output(0, data.dtype, out);
}

void GatherOp::run(const RunContext& ctx) const {
  const Tensor& data = ctx.input(0);
  const Tensor& indices = ctx.input(1);
  Tensor& out = ctx.output(0);
  if (out.numel() == 0) return;
  const Shape& shape = data.shape();
  const int64_t rank = static_cast<int64_t>(shape.size());
  const int axis = static_cast<int>(axis_ < 0 ? axis_ + rank : axis_);
  const int64_t dim = shape[axis];
  const int64_t outer = dims_product(shape, 0, axis);
  const int64_t inner = dims_product(shape, axis + 1, shape.size());
  const int64_t count = indices.numel();
  const size_t esize = dtype_size(data.dtype());
  const size_t chunk = static_cast<size_t>(inner) * esize;
  const auto* src = static_cast<const uint8_t*>(data.raw());
  auto* dst = static_cast<uint8_t*>(out.raw());
  for (int64_t o = 0; o < outer; ++o) {
    const uint8_t* src_block = src + static_cast<size_t>(o * dim) * chunk;
    for (int64_t j = 0; j < count; ++j) {
      int64_t idx = int_element(indices, j);
      if (idx < 0) idx += dim;
      uint8_t* to = dst + static_cast<size_t>(o * count + j) * chunk;
      if (idx < 0 || idx >= dim) {
        std::memset(to, 0, chunk);  // defensive: non-constant out-of-range index
      } else {
        std::memcpy(to, src_block + static_cast<size_t>(idx) * chunk, chunk);
      }
    }
  }
}

std::unique_ptr<Op> make_gather(const NodeDef& def) { return std::make_unique<GatherOp>(def); }

}  // namespace facet::ops
