// Broadcasting helpers shared by element-wise ops (and Expand/Where-like ops).
//
// Shape rules:
//  - broadcast_shapes(): numpy "multidirectional" broadcasting. Shapes are right-aligned; each
//    pair of dims must be equal or one of them 1 (a 0-size dim broadcasts only with 0 or 1).
//  - can_broadcast_to(): ONNX "unidirectional" broadcasting: `from` stretches to `to`, whose shape
//    is the result (PRelu slope, Expand input).
//  - legacy_broadcast_shape(): the opset < 7 `broadcast=1, axis=k` form of Add/Sub/Mul/Div/Pow.
//
// Iteration: BroadcastPlan describes how N inputs (N <= kMaxBroadcastInputs) map onto one
// contiguous row-major output. It merges adjacent dims that broadcast the same way for every
// input and drops output dims of size 1, so the output becomes rows() rows of inner() contiguous
// elements. Along a row, input k advances by inner_stride(k) elements (0 = broadcast, 1 =
// contiguous); row_offsets() gives each input's element offset at the start of a row. Building
// and using a plan never allocates, so ops can do it in run().
//
// Typical use over a flat output range [begin, end) (e.g. one parallel_for chunk):
//   for_each_broadcast_segment(plan, begin, end, [&](int64_t out_pos, int64_t len,
//                                                     const int64_t* in_pos) { ... });
// where the segment covers output elements [out_pos, out_pos + len) and input k starts at
// element in_pos[k] with stride inner_stride(k).
#pragma once

#include <cstdint>
#include <string>

#include "engine/tensor.h"

namespace facet::ops {

constexpr int kMaxBroadcastRank = 16;
constexpr int kMaxBroadcastInputs = 4;

// A non-owning view of a shape (pointer + rank), so that callers can describe shapes held in
// fixed-size arrays without allocating.
struct ShapeRef {
  const int64_t* dims = nullptr;
  int rank = 0;
  ShapeRef() = default;
  ShapeRef(const int64_t* d, int r) : dims(d), rank(r) {}
  ShapeRef(const Shape& s) : dims(s.data()), rank(static_cast<int>(s.size())) {}  // NOLINT
};

// Numpy broadcast of a and b. Returns false (leaving *out unspecified) if incompatible.
bool try_broadcast_shapes(const Shape& a, const Shape& b, Shape* out);
// Same, but throws facet::Error "cannot broadcast [2,3] with [4]".
Shape broadcast_shapes(const Shape& a, const Shape& b);
// True if `from` broadcasts unidirectionally to `to` (rank(from) <= rank(to), each right-aligned
// dim equal or 1).
bool can_broadcast_to(const Shape& from, const Shape& to);

// Opset < 7 broadcast (Add/Sub/Mul/Div/Pow with broadcast=1): B's shape must be a contiguous run
// of A's dims starting at `axis` (default, has_axis=false: suffix matching), or B has one
// element. Writes B's shape padded with 1s to rank(A) into b_aligned[0..rank(A)) and returns
// true; returns false if B does not fit. `axis` may be negative (counted from rank(A)).
bool legacy_broadcast_shape(ShapeRef a, ShapeRef b, bool has_axis, int64_t axis,
                            int64_t* b_aligned);

class BroadcastPlan {
 public:
  // `out` must be the broadcast of all inputs and each input must broadcast to it
  // (unidirectionally); ranks <= kMaxBroadcastRank and num_inputs <= kMaxBroadcastInputs. These
  // are preconditions checked in infer(); violating them is a programming error.
  BroadcastPlan(ShapeRef out, const ShapeRef* inputs, int num_inputs);

  int num_inputs() const { return num_inputs_; }
  int64_t total() const { return total_; }  // output elements
  int64_t rows() const { return rows_; }
  int64_t inner() const { return inner_; }
  int64_t inner_stride(int k) const { return inner_stride_[k]; }
  // offsets[k] = element offset in input k of the first element of `row`.
  void row_offsets(int64_t row, int64_t* offsets) const;

 private:
  int num_inputs_ = 0;
  int outer_rank_ = 0;  // merged dims except the innermost
  int64_t outer_dims_[kMaxBroadcastRank] = {};
  int64_t outer_strides_[kMaxBroadcastInputs][kMaxBroadcastRank] = {};
  int64_t inner_stride_[kMaxBroadcastInputs] = {};
  int64_t total_ = 0, rows_ = 0, inner_ = 0;
};

// Calls fn(out_pos, len, in_pos) for the row segments covering output elements [begin, end).
template <class Fn>
void for_each_broadcast_segment(const BroadcastPlan& plan, int64_t begin, int64_t end, Fn&& fn) {
  if (begin >= end || plan.inner() == 0) return;
  int64_t row = begin / plan.inner();
  int64_t col = begin % plan.inner();
  int64_t pos = begin;
  int64_t offsets[kMaxBroadcastInputs];
  while (pos < end) {
    plan.row_offsets(row, offsets);
    const int64_t len = (plan.inner() - col < end - pos) ? plan.inner() - col : end - pos;
    for (int k = 0; k < plan.num_inputs(); ++k) offsets[k] += col * plan.inner_stride(k);
    fn(pos, len, static_cast<const int64_t*>(offsets));
    pos += len;
    col = 0;
    ++row;
  }
}

}  // namespace facet::ops
