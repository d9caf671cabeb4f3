#include "ops/shape.h"

#include "ops/tensor_ops_common.h"

namespace facet::ops {

ShapeOp::ShapeOp(const NodeDef& def) {
  FACET_CHECK(def.opset >= 15 || (!def.attrs.has("start") && !def.attrs.has("end")), "Shape-",
              def.opset, " has no 'start'/'end' attributes");
  start_ = def.attrs.get_int("start", 0);
  has_end_ = def.attrs.has("end");
  end_ = def.attrs.get_int("end", 0);
}

void ShapeOp::range(int64_t rank, int64_t* begin, int64_t* end) const {
  auto clamp = [rank](int64_t v) {
    if (v < 0) v += rank;
    return v < 0 ? 0 : (v > rank ? rank : v);
  };
  *begin = clamp(start_);
  *end = has_end_ ? clamp(end_) : rank;
  if (*end < *begin) *end = *begin;
}

void ShapeOp::infer(InferContext& ctx) const {
  const int64_t rank = static_cast<int64_t>(ctx.in_shape(0).size());
  int64_t b, e;
  range(rank, &b, &e);
  ctx.set_output(0, DType::kI64, {e - b});
}

void ShapeOp::run(const RunContext& ctx) const {
  const Shape& shape = ctx.input(0).shape();
  int64_t b, e;
  range(static_cast<int64_t>(shape.size()), &b, &e);
  int64_t* out = ctx.output(0).data<int64_t>();
  for (int64_t i = b; i < e; ++i) out[i - b] = shape[static_cast<size_t>(i)];
}

std::unique_ptr<Op> make_shape(const NodeDef& def) { return std::make_unique<ShapeOp>(def); }

}  // namespace facet::ops
