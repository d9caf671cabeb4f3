#include "ops/softmax.h"

#include <cmath>
#include <cstdint>

#include "engine/cpu.h"
#include "ops/eltwise_common.h"
#include "ops/kernels/eltwise/eltwise.h"

namespace facet::ops {

void softmax_slice_f32(const float* x, float* y, int64_t len, int64_t stride) {
  if (len <= 0) return;
  float max_v = x[0];
  bool has_nan = std::isnan(x[0]);
  for (int64_t k = 1; k < len; ++k) {
    const float v = x[k * stride];
    if (v > max_v) max_v = v;
    has_nan = has_nan || std::isnan(v);
  }
  if (has_nan) max_v = std::nanf("");
  // Accumulate in double: the row can be long and its terms vary by orders of magnitude.
  double sum = 0.0;
  for (int64_t k = 0; k < len; ++k) {
    const float e = std::exp(x[k * stride] - max_v);
    y[k * stride] = e;
    sum += e;
  }
  const float inv = static_cast<float>(1.0 / sum);
  for (int64_t k = 0; k < len; ++k) y[k * stride] *= inv;
}

namespace {

class SoftmaxOp : public Op {
 public:
  explicit SoftmaxOp(const NodeDef& def)
      : legacy_(def.opset < 13),
        axis_(def.attrs.get_int("axis", def.opset < 13 ? 1 : -1)),
        rows_kernel_(kernels::eltwise_kernels(active_isa()).softmax_rows) {}

  void infer(InferContext& ctx) const override {
    check_runtime_dtype("Softmax", 0, ctx.in_dtype(0), true);
    const Shape& s = ctx.in_shape(0);
    const int rank = static_cast<int>(s.size());
    if (legacy_) {
      FACET_CHECK(axis_ >= -rank && axis_ <= rank, "Softmax axis ", axis_,
                  " out of range for rank ", rank);
    } else {
      normalize_axis(axis_, rank, "Softmax");
    }
    ctx.set_output(0, DType::kF32, s);
  }

  void run(const RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    Tensor& y = ctx.output(0);
    const int rank = x.rank();
    const int axis = static_cast<int>(axis_ < 0 ? axis_ + rank : axis_);
    int64_t outer = 1, len = 1, inner = 1;
    for (int d = 0; d < rank; ++d) {
      if (d < axis) {
        outer *= x.dim(d);
      } else if (d == axis || legacy_) {
        len *= x.dim(d);  // legacy: every dim from axis on forms the row
      } else {
        inner *= x.dim(d);
      }
    }
    // An empty tensor (a 0 in any dim, e.g. [3, 0, 5]) has nothing to normalize; its data
    // pointer may be null, so no offset is taken from it.
    if (x.numel() == 0) return;
    const float* px = x.data<float>();
    float* py = y.data<float>();
    const int64_t grain = len > 0 ? (kEltwiseGrain + len - 1) / len : kEltwiseGrain;
    if (inner == 1 && len > 0) {  // contiguous rows (softmax along the last axis)
      const kernels::SoftmaxRowsF32Fn fn = rows_kernel_;
      parallel_range(ctx, outer, grain,
                     [&](int64_t begin, int64_t end) { fn(px, py, len, begin, end); });
      return;
    }
    parallel_range(ctx, outer * inner, grain, [&](int64_t begin, int64_t end) {
      for (int64_t s = begin; s < end; ++s) {
        const int64_t o = s / inner, j = s % inner;
        const int64_t base = o * len * inner + j;
        softmax_slice_f32(px + base, py + base, len, inner);
      }
    });
  }

 private:
  bool legacy_;
  int64_t axis_;
  kernels::SoftmaxRowsF32Fn rows_kernel_;
};

}  // namespace

std::unique_ptr<Op> create_softmax_op(const NodeDef& def) {
  return std::make_unique<SoftmaxOp>(def);
}

}  // namespace facet::ops
