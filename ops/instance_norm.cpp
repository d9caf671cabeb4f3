#include "ops/instance_norm.h"

#include "engine/status.h"
#include "ops/kernels/norm/norm.h"
#include "ops/nn_common.h"

namespace facet::ops {
namespace {

class InstanceNormOp final : public Op {
 public:
  explicit InstanceNormOp(const NodeDef& def) {
    epsilon_ = def.attrs.get_float("epsilon", 1e-5f);
    FACET_CHECK(epsilon_ >= 0.f, "attribute 'epsilon' has value ", epsilon_, ", expected >= 0");
  }

  void infer(InferContext& ctx) const override {
    check_f32_input(ctx, 0, "input");
    check_f32_input(ctx, 1, "scale");
    check_f32_input(ctx, 2, "B");
    const Shape& x = ctx.in_shape(0);
    FACET_CHECK(x.size() >= 3, "input 'input' has rank ", x.size(), ", expected at least 3");
    const char* names[] = {"scale", "B"};
    for (int i = 1; i < 3; ++i) {
      const Shape& s = ctx.in_shape(i);
      FACET_CHECK(s.size() == 1 && s[0] == x[1], "input '", names[i - 1], "' has shape ",
                  shape_str(s), ", expected [", x[1], "]");
    }
    ctx.set_output(0, DType::kF32, x);
  }

  void run(const RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    int64_t inner = 1;
    for (int i = 2; i < x.rank(); ++i) inner *= x.dim(i);
    struct Job {
      const float* x;
      float* y;
      const float* scale;
      const float* bias;
      int64_t channels, inner;
      float epsilon;
    } job{x.data<float>(),         ctx.output(0).data<float>(), ctx.input(1).data<float>(),
          ctx.input(2).data<float>(), x.dim(1), inner, epsilon_};
    ctx.parallel_for(x.dim(0) * x.dim(1), 1, [&job](int64_t begin, int64_t end) {
      instance_norm_f32_ref(job.x, job.y, job.channels, job.inner, job.scale, job.bias,
                            job.epsilon, begin, end);
    });
  }

 private:
  float epsilon_ = 1e-5f;
};

}  // namespace

std::unique_ptr<Op> make_instance_norm(const NodeDef& def) {
  return std::make_unique<InstanceNormOp>(def);
}

}  // namespace facet::ops
