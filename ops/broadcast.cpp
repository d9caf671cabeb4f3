#include "ops/broadcast.h"

#include <cassert>

#include "engine/status.h"

namespace facet::ops {

bool try_broadcast_shapes(const Shape& a, const Shape& b, Shape* out) {
  const size_t rank = a.size() > b.size() ? a.size() : b.size();
  out->assign(rank, 1);
  for (size_t i = 0; i < rank; ++i) {
    // Right-aligned: dim i of the result pairs a[i - (rank - a.size())] with b likewise.
    const int64_t da = i + a.size() >= rank ? a[i + a.size() - rank] : 1;
    const int64_t db = i + b.size() >= rank ? b[i + b.size() - rank] : 1;
    if (da == db || db == 1) {
      (*out)[i] = da;
    } else if (da == 1) {
      (*out)[i] = db;
    } else {
      return false;
    }
  }
  return true;
}

Shape broadcast_shapes(const Shape& a, const Shape& b) {
  Shape out;
  FACET_CHECK(try_broadcast_shapes(a, b, &out), "cannot broadcast ", shape_str(a), " with ",
              shape_str(b));
  return out;
}

bool can_broadcast_to(const Shape& from, const Shape& to) {
  if (from.size() > to.size()) return false;
  const size_t lead = to.size() - from.size();
  for (size_t i = 0; i < from.size(); ++i) {
    if (from[i] != 1 && from[i] != to[lead + i]) return false;
  }
  return true;
}

bool legacy_broadcast_shape(ShapeRef a, ShapeRef b, bool has_axis, int64_t axis,
                            int64_t* b_aligned) {
  for (int i = 0; i < a.rank; ++i) b_aligned[i] = 1;
  int64_t b_numel = 1;
  for (int i = 0; i < b.rank; ++i) b_numel *= b.dims[i];
  if (b_numel == 1) return true;  // one element: plain scalar broadcast
  if (b.rank > a.rank) return false;
  int64_t start = a.rank - b.rank;
  if (has_axis) start = axis < 0 ? axis + a.rank : axis;
  if (start < 0 || start + b.rank > a.rank) return false;
  for (int i = 0; i < b.rank; ++i) {
    if (b.dims[i] != a.dims[start + i]) return false;
    b_aligned[start + i] = b.dims[i];
  }
  return true;
}

BroadcastPlan::BroadcastPlan(ShapeRef out, const ShapeRef* inputs, int num_inputs)
    : num_inputs_(num_inputs) {
  assert(out.rank <= kMaxBroadcastRank && num_inputs <= kMaxBroadcastInputs);
  total_ = 1;
  for (int d = 0; d < out.rank; ++d) total_ *= out.dims[d];

  // Per input: contiguous strides aligned to the output's dims, 0 where the input broadcasts.
  int64_t strides[kMaxBroadcastInputs][kMaxBroadcastRank];
  for (int k = 0; k < num_inputs; ++k) {
    const ShapeRef& in = inputs[k];
    assert(in.rank <= out.rank);
    const int lead = out.rank - in.rank;
    int64_t s = 1;
    for (int d = out.rank - 1; d >= 0; --d) {
      const int64_t in_dim = d >= lead ? in.dims[d - lead] : 1;
      assert(in_dim == out.dims[d] || in_dim == 1);
      strides[k][d] = (in_dim == 1) ? 0 : s;
      s *= in_dim;
    }
  }

  // Merge dims: drop size-1 output dims, join neighbours whose broadcast pattern is the same for
  // every input. merged_* hold the result, outermost first.
  int64_t merged_dims[kMaxBroadcastRank];
  int64_t merged_strides[kMaxBroadcastInputs][kMaxBroadcastRank];
  int merged = 0;
  for (int d = 0; d < out.rank; ++d) {
    if (out.dims[d] == 1) continue;
    bool same = merged > 0;
    for (int k = 0; k < num_inputs && same; ++k) {
      same = (strides[k][d] == 0) == (merged_strides[k][merged - 1] == 0);
    }
    if (same) {
      merged_dims[merged - 1] *= out.dims[d];
      for (int k = 0; k < num_inputs; ++k) merged_strides[k][merged - 1] = strides[k][d];
    } else {
      merged_dims[merged] = out.dims[d];
      for (int k = 0; k < num_inputs; ++k) merged_strides[k][merged] = strides[k][d];
      ++merged;
    }
  }

  if (merged == 0) {  // a single element (or every dim is 1)
    inner_ = 1;
    for (int k = 0; k < num_inputs; ++k) inner_stride_[k] = 0;
  } else {
    inner_ = merged_dims[merged - 1];
    for (int k = 0; k < num_inputs; ++k) inner_stride_[k] = merged_strides[k][merged - 1];
  }
  outer_rank_ = merged > 0 ? merged - 1 : 0;
  for (int d = 0; d < outer_rank_; ++d) {
    outer_dims_[d] = merged_dims[d];
    for (int k = 0; k < num_inputs; ++k) outer_strides_[k][d] = merged_strides[k][d];
  }
  rows_ = inner_ == 0 ? 0 : total_ / inner_;
}

void BroadcastPlan::row_offsets(int64_t row, int64_t* offsets) const {
  for (int k = 0; k < num_inputs_; ++k) offsets[k] = 0;
  for (int d = outer_rank_ - 1; d >= 0 && row > 0; --d) {
    const int64_t idx = row % outer_dims_[d];
    row /= outer_dims_[d];
    for (int k = 0; k < num_inputs_; ++k) offsets[k] += idx * outer_strides_[k][d];
  }
}

}  // namespace facet::ops
