// Small helpers shared by the element-wise op family (binary, unary, clip, softmax, reduce,
// argmax, cast, constant). Internal to ops/.
#pragma once

#include <cstdint>
#include <string>

#include "engine/op.h"
#include "engine/status.h"
#include "engine/tensor.h"

namespace facet::ops {

// Output elements per parallel_for chunk for cheap element-wise loops.
constexpr int64_t kEltwiseGrain = 16384;

// Maps axis in [-rank, rank) to [0, rank); throws "<what> axis 5 out of range for rank 3".
inline int normalize_axis(int64_t axis, int rank, const char* what) {
  FACET_CHECK(axis >= -rank && axis < rank, what, " axis ", axis, " out of range for rank ",
              rank);
  return static_cast<int>(axis < 0 ? axis + rank : axis);
}

// Throws "<op>: input <i> has dtype X, expected float32 or int64" unless the dtype is one of the
// two runtime dtypes (or float32 only, if float_only).
inline void check_runtime_dtype(const char* op, int input, DType dtype, bool float_only) {
  if (dtype == DType::kF32 || (!float_only && dtype == DType::kI64)) return;
  fail(str_cat(op, ": input ", input, " has dtype ", dtype_name(dtype), ", expected ",
               float_only ? "float32" : "float32 or int64"));
}

// Runs fn(begin, end) over [0, n) through ctx.parallel_for without allocating: the lambda handed
// to std::function captures a single pointer, which std::function stores inline.
template <class Fn>
void parallel_range(const RunContext& ctx, int64_t n, int64_t grain, const Fn& fn) {
  if (n <= 0) return;
  if (n <= grain) {
    fn(int64_t(0), n);
    return;
  }
  const Fn* f = &fn;
  ctx.parallel_for(n, grain, [f](int64_t begin, int64_t end) { (*f)(begin, end); });
}

}  // namespace facet::ops
