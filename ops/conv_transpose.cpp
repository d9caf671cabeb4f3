#include "ops/conv_transpose.h"

#include "engine/status.h"
#include "ops/kernels/conv/conv.h"
#include "ops/nn_common.h"

namespace facet::ops {
namespace {

int64_t floor_div2(int64_t v) { return v >= 0 ? v / 2 : -((-v + 1) / 2); }

// X [N, C, in...], W [C, M / group, kernel...], optional B [M] -> Y [N, M, out...].
//
// Per axis, with dk = (kernel - 1) * dilation + 1 and natural = stride * (in - 1) +
// output_padding + dk:
//  * output_shape given: out = output_shape, total = natural - out, pads split as below
//    (explicit pads are ignored); total may be negative, which leaves bias-only borders;
//  * SAME_UPPER / SAME_LOWER: out = in * stride, total = natural - out, split as below;
//  * otherwise out = natural - pad_begin - pad_end (VALID: pads 0).
// Split: SAME_UPPER puts floor(total / 2) first; everything else (SAME_LOWER, NOTSET with
// output_shape) puts total - floor(total / 2) first, as the ONNX spec states.
class ConvTransposeOp final : public Op {
 public:
  explicit ConvTransposeOp(const NodeDef& def) {
    attrs_ = parse_window_attrs(def.attrs, /*with_dilations=*/true);
    group_ = def.attrs.get_int("group", 1);
    FACET_CHECK(group_ >= 1, "attribute 'group' has value ", group_, ", expected >= 1");
    output_padding_ = def.attrs.get_ints("output_padding");
    for (int64_t v : output_padding_) {
      FACET_CHECK(v >= 0, "attribute 'output_padding' has value ", v, ", expected >= 0");
    }
    output_shape_ = def.attrs.get_ints("output_shape");
    for (int64_t v : output_shape_) {
      FACET_CHECK(v >= 1, "attribute 'output_shape' has value ", v, ", expected >= 1");
    }
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
    const size_t n = static_cast<size_t>(rank);
    FACET_CHECK(output_padding_.empty() || output_padding_.size() == n,
                "attribute 'output_padding' has ", output_padding_.size(), " values, expected ",
                n);
    FACET_CHECK(output_shape_.empty() || output_shape_.size() == n ||
                    output_shape_.size() == n + 2,
                "attribute 'output_shape' has ", output_shape_.size(), " values, expected ", n);
    const int64_t channels = x[1];
    FACET_CHECK(channels % group_ == 0, "group ", group_, " does not divide the ", channels,
                " input channels");
    FACET_CHECK(w[0] == channels, "W ", shape_str(w), " has ", w[0],
                " input channels, expected ", channels, " (X ", shape_str(x), ")");
    const int64_t out_channels = w[1] * group_;
    for (size_t i = 0; i < n; ++i) {
      FACET_CHECK(w[i + 2] >= 1, "W ", shape_str(w), " has an empty kernel");
      FACET_CHECK(x[i + 2] >= 1, "spatial axis ", i, " of the input has size ", x[i + 2],
                  ", expected >= 1");
      if (!attrs_.kernel_shape.empty()) {
        FACET_CHECK(attrs_.kernel_shape[i] == w[i + 2],
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
    ConvParams p;
    resolve(x, w, &p);
    Shape y = {x[0], out_channels};
    for (int i = 3 - rank; i < 3; ++i) {
      FACET_CHECK(p.out_size[i] >= 1, "output size ", p.out_size[i], " on spatial axis ",
                  i - (3 - rank), " (pads too large for the input)");
      y.push_back(p.out_size[i]);
    }
    ctx.set_output(0, DType::kF32, y);
  }

  void run(const RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Tensor& w = ctx.input(1);
    const float* bias = ctx.has_input(2) ? ctx.input(2).data<float>() : nullptr;
    ConvParams p;
    resolve(x.shape(), w.shape(), &p);
    struct Job {
      const ConvParams* p;
      const float* x;
      const float* w;
      const float* b;
      float* y;
    } job{&p, x.data<float>(), w.data<float>(), bias, ctx.output(0).data<float>()};
    ctx.parallel_for(p.batch * p.out_channels, 1, [&job](int64_t begin, int64_t end) {
      conv_transpose_f32_ref(*job.p, job.x, job.w, job.b, job.y, begin, end);
    });
  }

  int64_t macs(const std::vector<ValueInfo>& inputs,
               const std::vector<ValueInfo>& outputs) const override {
    (void)outputs;
    if (inputs.size() < 2) return 0;
    const Shape& w = inputs[1].shape;
    int64_t per_input = 1;  // MACs per input element: M/group * kernel volume
    for (size_t i = 1; i < w.size(); ++i) per_input *= w[i];
    return shape_numel(inputs[0].shape) * per_input;
  }

 private:
  // Fills every field of p from the shapes (checked in infer); allocation-free.
  void resolve(const Shape& x, const Shape& w, ConvParams* p) const {
    const int rank = static_cast<int>(x.size()) - 2;
    const size_t n = static_cast<size_t>(rank);
    p->batch = x[0];
    p->in_channels = x[1];
    p->out_channels = w[1] * group_;
    p->group = group_;
    const int lead = 3 - rank;
    for (int j = 0; j < 3; ++j) {
      if (j < lead) {
        p->in_size[j] = p->out_size[j] = p->kernel[j] = p->stride[j] = p->dilation[j] = 1;
        p->pad_begin[j] = 0;
        continue;
      }
      const size_t i = static_cast<size_t>(j - lead);
      const int64_t in = x[i + 2];
      const int64_t k = w[i + 2];
      const int64_t s = attrs_.strides.empty() ? 1 : attrs_.strides[i];
      const int64_t d = attrs_.dilations.empty() ? 1 : attrs_.dilations[i];
      const int64_t op = output_padding_.empty() ? 0 : output_padding_[i];
      const int64_t natural = s * (in - 1) + op + (k - 1) * d + 1;
      int64_t out, pad_begin;
      const bool same =
          attrs_.auto_pad == AutoPad::kSameUpper || attrs_.auto_pad == AutoPad::kSameLower;
      if (!output_shape_.empty() || same) {
        out = !output_shape_.empty() ? output_shape_[output_shape_.size() - n + i] : in * s;
        const int64_t total = natural - out;
        pad_begin = attrs_.auto_pad == AutoPad::kSameUpper ? floor_div2(total)
                                                           : total - floor_div2(total);
      } else if (attrs_.auto_pad == AutoPad::kValid || attrs_.pads.empty()) {
        out = natural;
        pad_begin = 0;
      } else {
        pad_begin = attrs_.pads[i];
        out = natural - attrs_.pads[i] - attrs_.pads[i + n];
      }
      p->in_size[j] = in;
      p->out_size[j] = out;
      p->kernel[j] = k;
      p->stride[j] = s;
      p->dilation[j] = d;
      p->pad_begin[j] = pad_begin;
    }
  }

  WindowAttrs attrs_;
  int64_t group_ = 1;
  std::vector<int64_t> output_padding_;
  std::vector<int64_t> output_shape_;
};

}  // namespace

std::unique_ptr<Op> make_conv_transpose(const NodeDef& def) {
  return std::make_unique<ConvTransposeOp>(def);
}

}  // namespace facet::ops
