#include "ops/conv.h"

#include "engine/status.h"
#include "ops/kernels/conv/conv.h"
#include "ops/nn_common.h"

namespace facet::ops {
namespace {

// X [N, C, spatial...], W [M, C / group, kernel...], optional B [M] -> Y [N, M, out...].
// Every Conv version (1, 11, 22) has the same attributes and semantics; later versions only
// widen the types.
class ConvOp final : public Op {
 public:
  explicit ConvOp(const NodeDef& def) {
    attrs_ = parse_window_attrs(def.attrs, /*with_dilations=*/true);
    group_ = def.attrs.get_int("group", 1);
    FACET_CHECK(group_ >= 1, "attribute 'group' has value ", group_, ", expected >= 1");
  }

  void infer(InferContext& ctx) const override {
    check_f32_input(ctx, 0, "X");
    check_f32_input(ctx, 1, "W");
    const Shape& x = ctx.in_shape(0);
    const Shape& w = ctx.in_shape(1);
    check_rank_range(x, 3, 5, "X");
    check_rank(w, static_cast<int>(x.size()), "W");
    const int rank = static_cast<int>(x.size()) - 2;
    check_window_ranks(attrs_, rank, /*check_kernel=*/false);
    const int64_t channels = x[1];
    const int64_t out_channels = w[0];
    FACET_CHECK(channels % group_ == 0, "group ", group_, " does not divide the ", channels,
                " input channels");
    FACET_CHECK(out_channels % group_ == 0, "group ", group_, " does not divide the ",
                out_channels, " output channels of W ", shape_str(w));
    FACET_CHECK(w[1] * group_ == channels, "W ", shape_str(w), " has ", w[1],
                " input channels per group, expected ", channels / group_, " (X ",
                shape_str(x), ", group ", group_, ")");
    for (int i = 0; i < rank; ++i) {
      const int64_t k = w[static_cast<size_t>(i) + 2];
      FACET_CHECK(k >= 1, "W ", shape_str(w), " has an empty kernel");
      if (!attrs_.kernel_shape.empty()) {
        FACET_CHECK(attrs_.kernel_shape[static_cast<size_t>(i)] == k,
                    "attribute 'kernel_shape' does not match W ", shape_str(w));
      }
    }
    if (ctx.has_input(2)) {
      check_f32_input(ctx, 2, "B");
      const Shape& b = ctx.in_shape(2);
      check_rank(b, 1, "B");
      FACET_CHECK(b[0] == out_channels, "input 'B' has shape ", shape_str(b), ", expected [",
                  out_channels, "]");
    }
    AxisWindow win[3];
    resolve_forward_windows(attrs_, rank, x.data() + 2, w.data() + 2, false, win);
    Shape y = {x[0], out_channels};
    for (int i = 0; i < rank; ++i) y.push_back(win[i].out);
    ctx.set_output(0, DType::kF32, y);
  }

  void run(const RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Tensor& w = ctx.input(1);
    const float* bias = ctx.has_input(2) ? ctx.input(2).data<float>() : nullptr;
    Tensor& y = ctx.output(0);
    const int rank = x.rank() - 2;
    AxisWindow win[3];
    resolve_forward_windows(attrs_, rank, x.shape().data() + 2, w.shape().data() + 2, false, win);
    ConvParams p;
    p.batch = x.dim(0);
    p.in_channels = x.dim(1);
    p.out_channels = w.dim(0);
    p.group = group_;
    const int lead = 3 - rank;  // 1-D and 2-D map onto the trailing kernel axes
    for (int i = 0; i < 3; ++i) {
      const bool used = i >= lead;
      const AxisWindow* a = used ? &win[i - lead] : nullptr;
      p.in_size[i] = used ? x.dim(2 + i - lead) : 1;
      p.out_size[i] = used ? a->out : 1;
      p.kernel[i] = used ? a->kernel : 1;
      p.stride[i] = used ? a->stride : 1;
      p.dilation[i] = used ? a->dilation : 1;
      p.pad_begin[i] = used ? a->pad_begin : 0;
    }
    struct Job {
      const ConvParams* p;
      const float* x;
      const float* w;
      const float* b;
      float* y;
    } job{&p, x.data<float>(), w.data<float>(), bias, y.data<float>()};
    // One captured reference keeps the std::function small enough to avoid a heap allocation.
    ctx.parallel_for(p.batch * p.out_channels, 1, [&job](int64_t begin, int64_t end) {
      conv_f32_ref(*job.p, job.x, job.w, job.b, job.y, begin, end);
    });
  }

  int64_t macs(const std::vector<ValueInfo>& inputs,
               const std::vector<ValueInfo>& outputs) const override {
    if (inputs.size() < 2 || outputs.empty()) return 0;
    const Shape& w = inputs[1].shape;
    int64_t per_output = 1;  // MACs per output element: C/group * kernel volume
    for (size_t i = 1; i < w.size(); ++i) per_output *= w[i];
    return shape_numel(outputs[0].shape) * per_output;
  }

 private:
  WindowAttrs attrs_;
  int64_t group_ = 1;
};

}  // namespace

std::unique_ptr<Op> make_conv(const NodeDef& def) { return std::make_unique<ConvOp>(def); }

}  // namespace facet::ops
