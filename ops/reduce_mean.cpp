#include "ops/reduce_mean.h"

#include <cmath>
#include <cstdint>
#include <vector>

#include "ops/broadcast.h"
#include "ops/eltwise_common.h"

namespace facet::ops {
namespace {

class ReduceMeanOp : public Op {
 public:
  explicit ReduceMeanOp(const NodeDef& def)
      : axes_from_input_(def.opset >= 18),
        keepdims_(def.attrs.get_int("keepdims", 1)),
        noop_with_empty_axes_(def.opset >= 18 ? def.attrs.get_int("noop_with_empty_axes", 0) : 0),
        attr_axes_(def.attrs.get_ints("axes")) {
    FACET_CHECK(keepdims_ == 0 || keepdims_ == 1, "attribute 'keepdims' must be 0 or 1, got ",
                keepdims_);
    FACET_CHECK(noop_with_empty_axes_ == 0 || noop_with_empty_axes_ == 1,
                "attribute 'noop_with_empty_axes' must be 0 or 1, got ", noop_with_empty_axes_);
    FACET_CHECK(!axes_from_input_ || !def.attrs.has("axes"),
                "ReduceMean: opset >= 18 takes axes as input 1, not as an attribute");
  }

  void infer(InferContext& ctx) const override {
    check_runtime_dtype("ReduceMean", 0, ctx.in_dtype(0), false);
    const Shape& s = ctx.in_shape(0);
    const int rank = static_cast<int>(s.size());
    FACET_CHECK(rank <= kMaxBroadcastRank, "ReduceMean: rank above ", kMaxBroadcastRank,
                " is not supported");
    std::vector<int64_t> axes = attr_axes_;
    if (axes_from_input_ && ctx.has_input(1)) {
      FACET_CHECK(ctx.in_dtype(1) == DType::kI64, "ReduceMean: axes must be int64, got ",
                  dtype_name(ctx.in_dtype(1)));
      FACET_CHECK(ctx.in_shape(1).size() <= 1, "ReduceMean: axes must be 1-D, got shape ",
                  shape_str(ctx.in_shape(1)));
      axes = ctx.require_value(1, "ReduceMean axes").to_i64_vector();
    }
    bool mask[kMaxBroadcastRank];
    reduce_mask(axes, rank, mask);  // validates
    Shape out;
    for (int d = 0; d < rank; ++d) {
      if (!mask[d]) {
        out.push_back(s[static_cast<size_t>(d)]);
      } else if (keepdims_) {
        out.push_back(1);
      }
    }
    ctx.set_output(0, ctx.in_dtype(0), out);
  }

  void run(const RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    Tensor& y = ctx.output(0);
    const int rank = x.rank();
    bool mask[kMaxBroadcastRank];
    if (axes_from_input_ && ctx.has_input(1)) {
      const Tensor& a = ctx.input(1);
      reduce_mask(a.data<int64_t>(), static_cast<int>(a.numel()), rank, mask);
    } else {
      reduce_mask(attr_axes_.data(), static_cast<int>(attr_axes_.size()), rank, mask);
    }
    // Split dims into kept ones (iterated per output element) and reduced ones.
    int64_t kept_dims[kMaxBroadcastRank], kept_strides[kMaxBroadcastRank];
    int64_t red_dims[kMaxBroadcastRank], red_strides[kMaxBroadcastRank];
    int num_kept = 0, num_red = 0;
    int64_t stride = 1, count = 1;
    for (int d = rank - 1; d >= 0; --d) {
      if (mask[d]) {
        red_dims[num_red] = x.dim(d);
        red_strides[num_red++] = stride;
        count *= x.dim(d);
      } else {
        kept_dims[num_kept] = x.dim(d);
        kept_strides[num_kept++] = stride;
      }
      stride *= x.dim(d);
    }
    // Both lists run innermost first.
    const int64_t out_n = y.numel();
    const bool is_f32 = x.dtype() == DType::kF32;
    const int64_t grain = count > 0 ? (kEltwiseGrain + count - 1) / count : kEltwiseGrain;
    parallel_range(ctx, out_n, grain, [&](int64_t begin, int64_t end) {
      for (int64_t o = begin; o < end; ++o) {
        int64_t base = 0, rem = o;
        for (int k = 0; k < num_kept; ++k) {
          base += (rem % kept_dims[k]) * kept_strides[k];
          rem /= kept_dims[k];
        }
        int64_t idx[kMaxBroadcastRank] = {};
        double sum_f = 0.0;
        int64_t sum_i = 0;
        int64_t off = base;
        for (int64_t r = 0; r < count; ++r) {
          if (is_f32) {
            sum_f += x.data<float>()[off];
          } else {
            sum_i = static_cast<int64_t>(static_cast<uint64_t>(sum_i) +
                                         static_cast<uint64_t>(x.data<int64_t>()[off]));
          }
          // Odometer over the reduced dims, innermost first.
          for (int k = 0; k < num_red; ++k) {
            off += red_strides[k];
            if (++idx[k] < red_dims[k]) break;
            off -= idx[k] * red_strides[k];
            idx[k] = 0;
          }
        }
        if (is_f32) {
          y.data<float>()[o] = static_cast<float>(sum_f / static_cast<double>(count));
        } else {
          y.data<int64_t>()[o] = count > 0 ? sum_i / count : 0;
        }
      }
    });
  }

 private:
  // mask[d] = whether dim d is reduced. Empty axes: all dims, or none with noop_with_empty_axes.
  void reduce_mask(const int64_t* axes, int num_axes, int rank, bool* mask) const {
    for (int d = 0; d < rank; ++d) mask[d] = num_axes == 0 && !noop_with_empty_axes_;
    for (int i = 0; i < num_axes; ++i) {
      const int d = normalize_axis(axes[i], rank, "ReduceMean");
      FACET_CHECK(!mask[d], "ReduceMean: axis ", axes[i], " is listed twice");
      mask[d] = true;
    }
  }
  void reduce_mask(const std::vector<int64_t>& axes, int rank, bool* mask) const {
    reduce_mask(axes.data(), static_cast<int>(axes.size()), rank, mask);
  }

  bool axes_from_input_;
  int64_t keepdims_;
  int64_t noop_with_empty_axes_;
  std::vector<int64_t> attr_axes_;
};

}  // namespace

std::unique_ptr<Op> create_reduce_mean_op(const NodeDef& def) {
  return std::make_unique<ReduceMeanOp>(def);
}

}  // namespace facet::ops
