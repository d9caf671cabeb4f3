#include "ops/clip.h"

#include <cstdint>
#include <limits>

#include "ops/eltwise_common.h"
#include "engine/cpu.h"
#include "ops/kernels/eltwise/eltwise.h"

namespace facet::ops {
namespace {

class ClipOp : public Op {
 public:
  explicit ClipOp(const NodeDef& def) : inputs_form_(def.opset >= 11) {
    if (!inputs_form_) {
      min_attr_ = def.attrs.get_float("min", -std::numeric_limits<float>::max());
      max_attr_ = def.attrs.get_float("max", std::numeric_limits<float>::max());
    }
    kernel_ = kernels::eltwise_kernels(active_isa()).unary[static_cast<int>(kernels::UnaryKind::kClip)];
  }

  void infer(InferContext& ctx) const override {
    const DType t = ctx.in_dtype(0);
    check_runtime_dtype("Clip", 0, t, !inputs_form_);
    if (inputs_form_) {
      for (int i = 1; i <= 2; ++i) {
        if (!ctx.has_input(i)) continue;
        FACET_CHECK(ctx.in_dtype(i) == t, "Clip: ", i == 1 ? "min" : "max", " has dtype ",
                    dtype_name(ctx.in_dtype(i)), ", expected ", dtype_name(t), " like the input");
        const int64_t n = shape_numel(ctx.in_shape(i));
        FACET_CHECK(n <= 1, "Clip: ", i == 1 ? "min" : "max", " must be a scalar, got shape ",
                    shape_str(ctx.in_shape(i)));
      }
    } else {
      FACET_CHECK(ctx.num_inputs() <= 1 || !ctx.has_input(1),
                  "Clip: opset < 11 takes min/max as attributes, not inputs");
    }
    ctx.set_output(0, t, ctx.in_shape(0));
  }

  void run(const RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    Tensor& y = ctx.output(0);
    const int64_t n = x.numel();
    if (x.dtype() == DType::kF32) {
      float lo = min_attr_, hi = max_attr_;
      if (inputs_form_) {
        lo = bound<float>(ctx, 1, -std::numeric_limits<float>::infinity());
        hi = bound<float>(ctx, 2, std::numeric_limits<float>::infinity());
      }
      const float* px = x.data<float>();
      float* py = y.data<float>();
      const kernels::UnaryF32Fn fn = kernel_;
      parallel_range(ctx, n, kEltwiseGrain,
                     [&](int64_t begin, int64_t end) { fn(px, py, begin, end, lo, hi); });
      return;
    }
    const int64_t lo = bound<int64_t>(ctx, 1, std::numeric_limits<int64_t>::min());
    const int64_t hi = bound<int64_t>(ctx, 2, std::numeric_limits<int64_t>::max());
    const int64_t* px = x.data<int64_t>();
    int64_t* py = y.data<int64_t>();
    for (int64_t i = 0; i < n; ++i) {
      const int64_t v = px[i] < lo ? lo : px[i];
      py[i] = v > hi ? hi : v;
    }
  }

 private:
  template <class T>
  static T bound(const RunContext& ctx, int i, T none) {
    if (!ctx.has_input(i) || ctx.input(i).numel() == 0) return none;
    return ctx.input(i).data<T>()[0];
  }

  bool inputs_form_;
  float min_attr_ = 0.f, max_attr_ = 0.f;
  kernels::UnaryF32Fn kernel_ = nullptr;
};

}  // namespace

std::unique_ptr<Op> create_clip_op(const NodeDef& def) { return std::make_unique<ClipOp>(def); }

}  // namespace facet::ops
