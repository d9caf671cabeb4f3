#include "ops/pool.h"

#include "engine/status.h"
#include "engine/cpu.h"
#include "ops/kernels/pool/pool.h"
#include "ops/nn_common.h"

namespace facet::ops {
namespace {

class PoolOp final : public Op {
 public:
  enum class Kind { kMax, kAverage };

  PoolOp(const NodeDef& def, Kind kind) : kind_(kind) {
    const bool dilations = kind == Kind::kMax ? def.opset >= 10 : def.opset >= 19;
    attrs_ = parse_window_attrs(def.attrs, dilations);
    FACET_CHECK(!attrs_.kernel_shape.empty(), "missing attribute 'kernel_shape'");
    FACET_CHECK(attrs_.kernel_shape.size() <= 3, "attribute 'kernel_shape' has ",
                attrs_.kernel_shape.size(), " values; at most 3 spatial axes are supported");
    if (def.opset >= 10) {
      const int64_t c = def.attrs.get_int("ceil_mode", 0);
      FACET_CHECK(c == 0 || c == 1, "attribute 'ceil_mode' has value ", c, ", expected 0 or 1");
      ceil_mode_ = c == 1;
    }
    if (kind == Kind::kMax) {
      FACET_CHECK(def.num_outputs <= 1,
                  "MaxPool output 'Indices' is not supported (only output 'Y')");
      if (def.opset >= 8) {
        const int64_t s = def.attrs.get_int("storage_order", 0);
        FACET_CHECK(s == 0 || s == 1, "attribute 'storage_order' has value ", s,
                    ", expected 0 or 1");
      }
    } else if (def.opset >= 7) {
      const int64_t c = def.attrs.get_int("count_include_pad", 0);
      FACET_CHECK(c == 0 || c == 1, "attribute 'count_include_pad' has value ", c,
                  ", expected 0 or 1");
      count_include_pad_ = c == 1;
    }
  }

  void infer(InferContext& ctx) const override {
    check_f32_input(ctx, 0, "X");
    const Shape& x = ctx.in_shape(0);
    const int rank = static_cast<int>(attrs_.kernel_shape.size());
    check_rank(x, rank + 2, "X");
    check_window_ranks(attrs_, rank, /*check_kernel=*/true);
    AxisWindow win[3];
    resolve_forward_windows(attrs_, rank, x.data() + 2, attrs_.kernel_shape.data(), ceil_mode_,
                            win);
    Shape y = {x[0], x[1]};
    for (int i = 0; i < rank; ++i) y.push_back(win[i].out);
    ctx.set_output(0, DType::kF32, y);
  }

  void run(const RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const int rank = static_cast<int>(attrs_.kernel_shape.size());
    AxisWindow win[3];
    resolve_forward_windows(attrs_, rank, x.shape().data() + 2, attrs_.kernel_shape.data(),
                            ceil_mode_, win);
    PoolParams p;
    const int lead = 3 - rank;
    for (int i = 0; i < 3; ++i) {
      const bool used = i >= lead;
      const AxisWindow* a = used ? &win[i - lead] : nullptr;
      p.in_size[i] = used ? x.dim(2 + i - lead) : 1;
      p.out_size[i] = used ? a->out : 1;
      p.kernel[i] = used ? a->kernel : 1;
      p.stride[i] = used ? a->stride : 1;
      p.dilation[i] = used ? a->dilation : 1;
      p.pad_begin[i] = used ? a->pad_begin : 0;
      p.pad_end[i] = used ? a->pad_end : 0;
    }
    p.count_include_pad = count_include_pad_;
    struct Job {
      const PoolParams* p;
      const float* x;
      float* y;
      PoolF32Fn fn;
    } job{&p, x.data<float>(), ctx.output(0).data<float>(),
          kind_ == Kind::kMax ? pool_kernels(active_isa()).maxpool
                              : pool_kernels(active_isa()).avgpool};
    ctx.parallel_for(x.dim(0) * x.dim(1), 1, [&job](int64_t begin, int64_t end) {
      job.fn(*job.p, job.x, job.y, begin, end);
    });
  }

 private:
  Kind kind_;
  WindowAttrs attrs_;
  bool ceil_mode_ = false;
  bool count_include_pad_ = false;
};

// X [N, C, spatial...] -> Y [N, C, 1, ...] (every spatial axis becomes 1).
class GlobalAveragePoolOp final : public Op {
 public:
  void infer(InferContext& ctx) const override {
    check_f32_input(ctx, 0, "X");
    const Shape& x = ctx.in_shape(0);
    FACET_CHECK(x.size() >= 2, "input 'X' has rank ", x.size(), ", expected at least 2");
    Shape y = x;
    for (size_t i = 2; i < y.size(); ++i) {
      FACET_CHECK(x[i] >= 1, "spatial axis ", i - 2, " of the input has size ", x[i],
                  ", expected >= 1");
      y[i] = 1;
    }
    ctx.set_output(0, DType::kF32, y);
  }

  void run(const RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const int64_t planes = x.dim(0) * x.dim(1);
    struct Job {
      const float* x;
      float* y;
      int64_t plane_size;
      GlobalAvgPoolF32Fn fn;
    } job{x.data<float>(), ctx.output(0).data<float>(), planes > 0 ? x.numel() / planes : 0,
          pool_kernels(active_isa()).global_avgpool};
    ctx.parallel_for(planes, 1, [&job](int64_t begin, int64_t end) {
      job.fn(job.x, job.y, job.plane_size, begin, end);
    });
  }
};

}  // namespace

std::unique_ptr<Op> make_max_pool(const NodeDef& def) {
  return std::make_unique<PoolOp>(def, PoolOp::Kind::kMax);
}
std::unique_ptr<Op> make_average_pool(const NodeDef& def) {
  return std::make_unique<PoolOp>(def, PoolOp::Kind::kAverage);
}
std::unique_ptr<Op> make_global_average_pool(const NodeDef& def) {
  (void)def;
  return std::make_unique<GlobalAveragePoolOp>();
}

}  // namespace facet::ops
