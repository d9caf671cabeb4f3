#include "ops/transpose.h"

#include "ops/kernels/transpose/transpose.h"
#include "ops/tensor_ops_common.h"

namespace facet::ops {

TransposeOp::TransposeOp(const NodeDef& def)
    : has_perm_(def.attrs.has("perm")), perm_(def.attrs.get_ints("perm")) {}

void TransposeOp::infer(InferContext& ctx) const {
  const ValueInfo& in = ctx.input(0);
  const size_t rank = in.shape.size();
  check_rank_supported(rank, "Transpose");
  if (has_perm_) {
    FACET_CHECK(perm_.size() == rank, "Transpose: perm has ", perm_.size(),
                " entries for a rank-", rank, " input");
    std::vector<bool> seen(rank, false);
    for (int64_t p : perm_) {
      FACET_CHECK(p >= 0 && p < static_cast<int64_t>(rank) && !seen[static_cast<size_t>(p)],
                  "Transpose: perm ", shape_str(perm_), " is not a permutation of 0..", rank - 1);
      seen[static_cast<size_t>(p)] = true;
    }
  }
  Shape out(rank);
  for (size_t i = 0; i < rank; ++i) {
    out[i] = in.shape[has_perm_ ? static_cast<size_t>(perm_[i]) : rank - 1 - i];
  }
  ctx.set_output(0, in.dtype, out);
}

void TransposeOp::run(const RunContext& ctx) const {
  const Tensor& in = ctx.input(0);
  Tensor& out = ctx.output(0);
  if (out.numel() == 0) return;
  const int rank = in.rank();
  const size_t esize = dtype_size(in.dtype());
  if (rank == 0) {
    std::memcpy(out.raw(), in.raw(), esize);
    return;
  }
  AxisArray in_strides{}, src_strides{}, out_dims{};
  int64_t stride = 1;
  for (int d = rank - 1; d >= 0; --d) {
    in_strides[d] = stride;
    stride *= in.dim(d);
  }
  for (int i = 0; i < rank; ++i) {
    const int p = has_perm_ ? static_cast<int>(perm_[static_cast<size_t>(i)]) : rank - 1 - i;
    src_strides[i] = in_strides[p];
    out_dims[i] = out.dim(i);
  }
  const int64_t rows = out.numel() / out_dims[rank - 1];
  // One pointer capture keeps the std::function inside its small buffer: no allocation.
  struct Args {
    const void* src;
    void* dst;
    size_t esize;
    int rank;
    const int64_t* out_dims;
    const int64_t* src_strides;
  } args{in.raw(), out.raw(), esize, rank, out_dims.data(), src_strides.data()};
  ctx.parallel_for(rows, 16, [&args](int64_t begin, int64_t end) {
    kernels::transpose_strided_ref(args.src, args.dst, args.esize, args.rank, args.out_dims,
                                   args.src_strides, begin, end);
  });
}

std::unique_ptr<Op> make_transpose(const NodeDef& def) {
  return std::make_unique<TransposeOp>(def);
}

}  // namespace facet::ops
