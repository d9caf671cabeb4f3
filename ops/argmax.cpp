#include "ops/argmax.h"

#include <cmath>
#include <cstdint>

#include "ops/eltwise_common.h"

namespace facet::ops {
namespace {

// True if v should replace the current best under numpy's NaN-is-largest rule.
inline bool better(float v, float best, bool last) {
  if (std::isnan(best)) return last && std::isnan(v);
  if (std::isnan(v)) return true;
  return last ? v >= best : v > best;
}
inline bool better(int64_t v, int64_t best, bool last) { return last ? v >= best : v > best; }

template <class T>
void argmax_slices(const T* x, int64_t* y, int64_t begin, int64_t end, int64_t len,
                   int64_t inner, bool last) {
  for (int64_t s = begin; s < end; ++s) {
    const int64_t o = s / inner, j = s % inner;
    const T* p = x + o * len * inner + j;
    int64_t best_k = 0;
    T best = p[0];
    for (int64_t k = 1; k < len; ++k) {
      if (better(p[k * inner], best, last)) {
        best = p[k * inner];
        best_k = k;
      }
    }
    y[s] = best_k;
  }
}

class ArgMaxOp : public Op {
 public:
  explicit ArgMaxOp(const NodeDef& def)
      : axis_(def.attrs.get_int("axis", 0)),
        keepdims_(def.attrs.get_int("keepdims", 1)),
        select_last_(def.attrs.get_int("select_last_index", 0)) {
    FACET_CHECK(keepdims_ == 0 || keepdims_ == 1, "attribute 'keepdims' must be 0 or 1, got ",
                keepdims_);
    FACET_CHECK(select_last_ == 0 || select_last_ == 1,
                "attribute 'select_last_index' must be 0 or 1, got ", select_last_);
  }

  void infer(InferContext& ctx) const override {
    check_runtime_dtype("ArgMax", 0, ctx.in_dtype(0), false);
    const Shape& s = ctx.in_shape(0);
    const int axis = normalize_axis(axis_, static_cast<int>(s.size()), "ArgMax");
    FACET_CHECK(s[static_cast<size_t>(axis)] > 0, "ArgMax: reduced dim ", axis,
                " of shape ", shape_str(s), " is empty");
    Shape out;
    for (size_t d = 0; d < s.size(); ++d) {
      if (static_cast<int>(d) != axis) {
        out.push_back(s[d]);
      } else if (keepdims_) {
        out.push_back(1);
      }
    }
    ctx.set_output(0, DType::kI64, out);
  }

  void run(const RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    Tensor& y = ctx.output(0);
    const int axis = static_cast<int>(axis_ < 0 ? axis_ + x.rank() : axis_);
    int64_t outer = 1, inner = 1;
    for (int d = 0; d < x.rank(); ++d) {
      if (d < axis) outer *= x.dim(d);
      if (d > axis) inner *= x.dim(d);
    }
    const int64_t len = x.dim(axis);
    const bool last = select_last_ != 0;
    int64_t* py = y.data<int64_t>();
    const int64_t grain = (kEltwiseGrain + len - 1) / len;
    parallel_range(ctx, outer * inner, grain, [&](int64_t begin, int64_t end) {
      if (x.dtype() == DType::kF32) {
        argmax_slices(x.data<float>(), py, begin, end, len, inner, last);
      } else {
        argmax_slices(x.data<int64_t>(), py, begin, end, len, inner, last);
      }
    });
  }

 private:
  int64_t axis_, keepdims_, select_last_;
};

}  // namespace

std::unique_ptr<Op> create_argmax_op(const NodeDef& def) {
  return std::make_unique<ArgMaxOp>(def);
}

}  // namespace facet::ops
