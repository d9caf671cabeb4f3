#include "ops/instance_norm.h"

#include "engine/cpu.h"
#include "engine/status.h"
#include "ops/batch_norm.h"
#include "ops/kernels/norm/norm.h"
#include "ops/nn_common.h"

namespace facet::ops {
namespace {

class InstanceNormOp final : public Op, public NormActivationFusable {
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
    if (act_kind_ == NormActKind::kPRelu) {
      FACET_CHECK(static_cast<int64_t>(slope_.size()) == x[1], "fused PRelu has ", slope_.size(),
                  " slopes for ", x[1], " channels");
      FACET_CHECK(data_rank_ == 0 || static_cast<int>(x.size()) == data_rank_,
                  "fused PRelu slope is per channel only for rank ", data_rank_,
                  " inputs, got rank ", x.size());
    }
    ctx.set_output(0, DType::kF32, x);
  }

  bool has_norm_activation() const override { return act_kind_ != NormActKind::kNone; }
  bool set_norm_activation(NormActKind kind, float alpha, const std::vector<float>& slope,
                           int data_rank) override {
    if (has_norm_activation() || kind == NormActKind::kNone) return false;
    act_kind_ = kind;
    alpha_ = alpha;
    slope_ = slope;
    data_rank_ = data_rank;
    return true;
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
      NormAct act;
      InstanceNormF32Fn fn;
    } job{x.data<float>(),
          ctx.output(0).data<float>(),
          ctx.input(1).data<float>(),
          ctx.input(2).data<float>(),
          x.dim(1),
          inner,
          epsilon_,
          NormAct{act_kind_, alpha_, slope_.data()},
          norm_kernels(active_isa()).instance_norm};
    ctx.parallel_for(x.dim(0) * x.dim(1), 1, [&job](int64_t begin, int64_t end) {
      job.fn(job.x, job.y, job.channels, job.inner, job.scale, job.bias, job.epsilon, job.act,
             begin, end);
    });
  }

 private:
  float epsilon_ = 1e-5f;
  NormActKind act_kind_ = NormActKind::kNone;
  float alpha_ = 0.f;
  std::vector<float> slope_;
  int data_rank_ = 0;
};

}  // namespace

std::unique_ptr<Op> make_instance_norm(const NodeDef& def) {
  return std::make_unique<InstanceNormOp>(def);
}

}  // namespace facet::ops
