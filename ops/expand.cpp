#include "ops/expand.h"

#include <algorithm>

#include "ops/kernels/transpose/transpose.h"
#include "ops/tensor_ops_common.h"

namespace facet::ops {

void ExpandOp::infer(InferContext& ctx) const {
  const ValueInfo& in = ctx.input(0);
  const Tensor& t = ctx.require_value(1, "Expand shape");
  FACET_CHECK(t.rank() == 1, "Expand shape must be 1-D, got ", shape_str(t.shape()));
  const std::vector<int64_t> target = int_values(t, "Expand shape");
  const size_t rank = std::max(in.shape.size(), target.size());
  check_rank_supported(rank, "Expand");
  Shape out(rank);
  for (size_t i = 0; i < rank; ++i) {
    const int64_t a = i + in.shape.size() >= rank ? in.shape[i + in.shape.size() - rank] : 1;
    const int64_t b = i + target.size() >= rank ? target[i + target.size() - rank] : 1;
    FACET_CHECK(b >= 0, "Expand: negative dim ", b, " in shape ", shape_str(target));
    FACET_CHECK(a == b || a == 1 || b == 1, "Expand: cannot broadcast ", shape_str(in.shape),
                " to ", shape_str(target));
    out[i] = a == 1 ? b : a;
  }
  shape_numel(out);
  ctx.set_output(0, in.dtype, out);
}

void ExpandOp::run(const RunContext& ctx) const {
  const Tensor& in = ctx.input(0);
  Tensor& out = ctx.output(0);
  if (out.numel() == 0) return;
  const int rank = out.rank();
  const size_t esize = dtype_size(in.dtype());
  if (rank == 0) {
    std::memcpy(out.raw(), in.raw(), esize);
    return;
  }
  // Input strides aligned to the output's trailing dims; broadcast dims read with stride 0.
  AxisArray strides{}, dims{};
  int64_t stride = 1;
  const int shift = rank - in.rank();
  for (int d = rank - 1; d >= 0; --d) {
    dims[d] = out.dim(d);
    const int k = d - shift;
    const int64_t in_dim = k >= 0 ? in.dim(k) : 1;
    strides[d] = in_dim == 1 ? 0 : stride;
    stride *= in_dim;
  }
  kernels::transpose_strided_ref(in.raw(), out.raw(), esize, rank, dims.data(), strides.data(), 0,
                                 out.numel() / dims[rank - 1]);
}

std::unique_ptr<Op> make_expand(const NodeDef& def) { return std::make_unique<ExpandOp>(def); }

}  // namespace facet::ops
