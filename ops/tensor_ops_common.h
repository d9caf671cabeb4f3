// Small helpers shared by the data-movement ops (Concat, Split, Slice, Gather, Reshape, Pad,
// Resize, ...). Everything here is either plan-time validation (throws facet::Error) or
// allocation-free arithmetic usable from run().
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "engine/op.h"
#include "engine/status.h"
#include "engine/tensor.h"

namespace facet::ops {

// Largest rank the data-movement ops accept (the loader caps ranks at 16 as well). run() keeps
// per-axis state in fixed arrays of this size so it never allocates.
constexpr int kMaxTensorRank = 16;

using AxisArray = std::array<int64_t, kMaxTensorRank>;

// Maps axis in [-rank, rank) to [0, rank); throws "<what> axis A is out of range for rank R".
inline int normalize_axis(int64_t axis, int64_t rank, const char* what) {
  FACET_CHECK(axis >= -rank && axis < rank, what, " axis ", axis, " is out of range for rank ",
              rank);
  return static_cast<int>(axis < 0 ? axis + rank : axis);
}

inline void check_rank_supported(size_t rank, const char* op) {
  FACET_CHECK(rank <= static_cast<size_t>(kMaxTensorRank), op, ": rank ", rank,
              " exceeds the supported maximum ", kMaxTensorRank);
}

// Product of dims [begin, end) (no overflow check: shapes were validated by shape_numel).
inline int64_t dims_product(const Shape& s, size_t begin, size_t end) {
  int64_t p = 1;
  for (size_t i = begin; i < end && i < s.size(); ++i) p *= s[i];
  return p;
}

// Element i of an integer tensor (int64 or int32) as int64, without allocating.
inline int64_t int_element(const Tensor& t, int64_t i) {
  if (t.dtype() == DType::kI32) return t.data<int32_t>()[i];
  return t.data<int64_t>()[i];
}

// Checks that an index-like tensor (axes, pads, starts, ...) is int64 or int32; returns values.
inline std::vector<int64_t> int_values(const Tensor& t, const char* what) {
  FACET_CHECK(t.dtype() == DType::kI64 || t.dtype() == DType::kI32, what,
              " must be int64 or int32, got ", dtype_name(t.dtype()));
  return t.to_i64_vector();
}

// An optional input counts as absent when left out or when it has zero elements (ONNX uses
// empty tensors as "not given" for Resize's roi/scales and similar).
inline bool input_given(const InferContext& ctx, int i) {
  return ctx.has_input(i) && shape_numel(ctx.in_shape(i)) > 0;
}
inline bool input_given(const RunContext& ctx, int i) {
  return ctx.has_input(i) && ctx.input(i).numel() > 0;
}

// Copies input 0 into output 0 when they are distinct buffers. View ops (Reshape & co.) are never
// run by the executor, but eval_op() and tests may call run() on them.
inline void copy_input_to_output(const RunContext& ctx) {
  const Tensor& in = ctx.input(0);
  Tensor& out = ctx.output(0);
  if (out.raw() != in.raw() && in.nbytes() > 0) std::memcpy(out.raw(), in.raw(), in.nbytes());
}

}  // namespace facet::ops
