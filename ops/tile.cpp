#include "ops/tile.h"

#include "ops/kernels/transpose/transpose.h"
#include "ops/tensor_ops_common.h"

namespace facet::ops {

void TileOp::infer(InferContext& ctx) const {
  const ValueInfo& in = ctx.input(0);
  const Tensor& t = ctx.require_value(1, "Tile repeats");
  const std::vector<int64_t> repeats = int_values(t, "Tile repeats");
  check_rank_supported(in.shape.size(), "Tile");
  FACET_CHECK(repeats.size() == in.shape.size(), "Tile: ", repeats.size(),
              " repeats for a rank-", in.shape.size(), " input");
  Shape out(in.shape.size());
  for (size_t i = 0; i < out.size(); ++i) {
    FACET_CHECK(repeats[i] >= 0, "Tile: negative repeat ", repeats[i]);
    out[i] = shape_numel({in.shape[i], repeats[i]});
  }
  shape_numel(out);
  ctx.set_output(0, in.dtype, out);
}

void TileOp::run(const RunContext& ctx) const {
  const Tensor& in = ctx.input(0);
  Tensor& out = ctx.output(0);
  if (out.numel() == 0) return;
  const int rank = in.rank();
  const size_t esize = dtype_size(in.dtype());
  if (rank == 0) {
    std::memcpy(out.raw(), in.raw(), esize);
    return;
  }
  // The output seen as [rep_0, d_0, rep_1, d_1, ...] (row-major, same bytes): the repeat dims
  // read the input with stride 0.
  std::array<int64_t, 2 * kMaxTensorRank> dims{}, strides{};
  int64_t stride = 1;
  for (int d = rank - 1; d >= 0; --d) {
    dims[2 * d] = out.dim(d) / in.dim(d);
    dims[2 * d + 1] = in.dim(d);
    strides[2 * d] = 0;
    strides[2 * d + 1] = stride;
    stride *= in.dim(d);
  }
  kernels::transpose_strided_ref(in.raw(), out.raw(), esize, 2 * rank, dims.data(),
                                 strides.data(), 0, out.numel() / dims[2 * rank - 1]);
}

std::unique_ptr<Op> make_tile(const NodeDef& def) { return std::make_unique<TileOp>(def); }

}  // namespace facet::ops
