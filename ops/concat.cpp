#include "ops/concat.h"

#include <algorithm>
#include <cstring>

#include "ops/tensor_ops_common.h"

namespace facet::ops {

ConcatOp::ConcatOp(const NodeDef& def) {
  FACET_CHECK(def.opset < 4 || def.attrs.has("axis"), "Concat requires the 'axis' attribute");
  axis_ = def.attrs.get_int("axis", 1);
}

void ConcatOp::infer(InferContext& ctx) const {
  FACET_CHECK(ctx.num_inputs() >= 1, "Concat needs at least one input");
  const ValueInfo& first = ctx.input(0);
  const int64_t rank = static_cast<int64_t>(first.shape.size());
  FACET_CHECK(rank >= 1, "Concat inputs must have rank >= 1");
  const int axis = normalize_axis(axis_, rank, "Concat");
  Shape out = first.shape;
  int64_t total = 0;
  for (int i = 0; i < ctx.num_inputs(); ++i) {
    const ValueInfo& in = ctx.input(i);
    FACET_CHECK(in.dtype == first.dtype, "Concat input ", i, " has dtype ", dtype_name(in.dtype),
                ", input 0 has ", dtype_name(first.dtype));
    FACET_CHECK(static_cast<int64_t>(in.shape.size()) == rank, "Concat input ", i, " has shape ",
                shape_str(in.shape), ", rank differs from input 0 ", shape_str(first.shape));
    for (int64_t d = 0; d < rank; ++d) {
      if (d == axis) continue;
      FACET_CHECK(in.shape[d] == first.shape[d], "Concat input ", i, " has shape ",
                  shape_str(in.shape), ", incompatible with input 0 ", shape_str(first.shape),
                  " outside axis ", axis);
    }
    total += in.shape[axis];
  }
  out[axis] = total;
  shape_numel(out);
  ctx.set_output(0, first.dtype, out);
}

void ConcatOp::run(const RunContext& ctx) const {
  Tensor& out = ctx.output(0);
  if (out.numel() == 0) return;
  const Shape& out_shape = out.shape();
  const int64_t rank = static_cast<int64_t>(out_shape.size());
  const int axis = static_cast<int>(axis_ < 0 ? axis_ + rank : axis_);
  const size_t esize = dtype_size(out.dtype());
  const int64_t outer = dims_product(out_shape, 0, axis);
  const int64_t inner = dims_product(out_shape, axis + 1, out_shape.size());
  const size_t out_row = static_cast<size_t>(out_shape[axis] * inner) * esize;
  // The output is a sequence of outer rows, each the inputs' slices side by side. Work is split
  // into chunks of output bytes; a chunk walks the (row, input) slices it covers and copies each
  // piece with one memcpy.
  struct Job {
    const RunContext* ctx;
    uint8_t* dst;
    size_t out_row, esize;
    int64_t inner, axis;
    size_t chunk;
  } job{&ctx, static_cast<uint8_t*>(out.raw()), out_row, esize, inner, axis, 0};
  const size_t total = static_cast<size_t>(outer) * out_row;
  constexpr size_t kChunk = size_t(1) << 18;  // 256 KiB per task
  job.chunk = total < kChunk ? total : kChunk;
  const int64_t chunks = static_cast<int64_t>((total + job.chunk - 1) / job.chunk);
  ctx.parallel_for(chunks, 4, [&job, total](int64_t begin, int64_t end) {
    size_t pos = static_cast<size_t>(begin) * job.chunk;
    const size_t stop = std::min(total, static_cast<size_t>(end) * job.chunk);
    while (pos < stop) {
      const size_t o = pos / job.out_row;
      size_t col = pos - o * job.out_row;  // byte offset inside the output row
      // Find the input whose slice holds `col`.
      size_t start = 0;
      for (int i = 0; i < job.ctx->num_inputs(); ++i) {
        const Tensor& in = job.ctx->input(i);
        const size_t in_row =
            static_cast<size_t>(in.shape()[static_cast<size_t>(job.axis)] * job.inner) *
            job.esize;
        if (col < start + in_row) {
          const size_t off = col - start;
          const size_t n = std::min(in_row - off, stop - pos);
          std::memcpy(job.dst + pos, static_cast<const uint8_t*>(in.raw()) + o * in_row + off, n);
          pos += n;
          col += n;
          if (pos >= stop || col < start + in_row) break;
        }
        start += in_row;
      }
    }
  });
}

std::unique_ptr<Op> make_concat(const NodeDef& def) { return std::make_unique<ConcatOp>(def); }

}  // namespace facet::ops
