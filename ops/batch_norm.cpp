#include "ops/batch_norm.h"

#include "engine/cpu.h"
#include "engine/status.h"
#include "ops/kernels/norm/norm.h"
#include "ops/nn_common.h"

namespace facet::ops {
namespace {

// Checks a fused activation against the data shape (infer time).
void check_norm_activation(NormActKind kind, const std::vector<float>& slope, int data_rank,
                           const Shape& x) {
  if (kind != NormActKind::kPRelu) return;
  FACET_CHECK(static_cast<int64_t>(slope.size()) == x[1], "fused PRelu has ", slope.size(),
              " slopes for ", x[1], " channels");
  FACET_CHECK(data_rank == 0 || static_cast<int>(x.size()) == data_rank,
              "fused PRelu slope is per channel only for rank ", data_rank, " inputs, got rank ",
              x.size());
}

class BatchNormOp final : public Op, public NormActivationFusable {
 public:
  explicit BatchNormOp(const NodeDef& def) {
    epsilon_ = def.attrs.get_float("epsilon", 1e-5f);
    FACET_CHECK(epsilon_ >= 0.f, "attribute 'epsilon' has value ", epsilon_, ", expected >= 0");
    if (def.opset < 7) {
      FACET_CHECK(def.attrs.get_int("is_test", 0) == 1,
                  "training mode (is_test=0) is not supported; set is_test=1 for inference");
    }
    if (def.opset < 9) {
      const int64_t s = def.attrs.get_int("spatial", 1);
      FACET_CHECK(s == 0 || s == 1, "attribute 'spatial' has value ", s, ", expected 0 or 1");
      spatial_ = s == 1;
    }
    if (def.opset >= 14) {
      FACET_CHECK(def.attrs.get_int("training_mode", 0) == 0,
                  "training mode (training_mode=1) is not supported");
    }
    FACET_CHECK(def.num_outputs <= 1,
                "training outputs (mean, var, saved or running statistics) are not supported; "
                "only output 'Y'");
  }

  void infer(InferContext& ctx) const override {
    static const char* const kNames[] = {"X", "scale", "B", "input_mean", "input_var"};
    for (int i = 0; i < 5; ++i) check_f32_input(ctx, i, kNames[i]);
    const Shape& x = ctx.in_shape(0);
    FACET_CHECK(x.size() >= 2, "input 'X' has rank ", x.size(), ", expected at least 2");
    int64_t params = x[1];
    if (!spatial_) {
      for (size_t i = 2; i < x.size(); ++i) params *= x[i];
    }
    for (int i = 1; i < 5; ++i) {
      const Shape& s = ctx.in_shape(i);
      if (spatial_) {
        FACET_CHECK(s.size() == 1 && s[0] == params, "input '", kNames[i], "' has shape ",
                    shape_str(s), ", expected [", params, "]");
      } else {
        FACET_CHECK(shape_numel(s) == params, "input '", kNames[i], "' has shape ",
                    shape_str(s), ", expected ", params, " values (spatial=0: [C, D1, ...])");
      }
    }
    check_norm_activation(act_kind_, slope_, data_rank_, x);
    ctx.set_output(0, DType::kF32, x);
  }

  bool has_norm_activation() const override { return act_kind_ != NormActKind::kNone; }
  bool set_norm_activation(NormActKind kind, float alpha, const std::vector<float>& slope,
                           int data_rank) override {
    if (has_norm_activation() || kind == NormActKind::kNone) return false;
    // spatial=0 flattens the channels, so a per-channel slope would be misindexed.
    if (kind == NormActKind::kPRelu && !spatial_) return false;
    act_kind_ = kind;
    alpha_ = alpha;
    slope_ = slope;
    data_rank_ = data_rank;
    return true;
  }

  void run(const RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    // spatial=0 is the same computation with C*D1*...*Dn "channels" of one element each.
    int64_t channels = x.dim(1);
    int64_t inner = 1;
    for (int i = 2; i < x.rank(); ++i) inner *= x.dim(i);
    if (!spatial_) {
      channels *= inner;
      inner = 1;
    }
    struct Job {
      const float* x;
      float* y;
      const float* scale;
      const float* bias;
      const float* mean;
      const float* var;
      int64_t channels, inner;
      float epsilon;
      NormAct act;
      BatchNormF32Fn fn;
    } job{x.data<float>(),
          ctx.output(0).data<float>(),
          ctx.input(1).data<float>(),
          ctx.input(2).data<float>(),
          ctx.input(3).data<float>(),
          ctx.input(4).data<float>(),
          channels,
          inner,
          epsilon_,
          NormAct{act_kind_, alpha_, slope_.data()},
          norm_kernels(active_isa()).batch_norm};
    ctx.parallel_for(x.dim(0) * channels, 1, [&job](int64_t begin, int64_t end) {
      job.fn(job.x, job.y, job.channels, job.inner, job.scale, job.bias, job.mean, job.var,
             job.epsilon, job.act, begin, end);
    });
  }

 private:
  float epsilon_ = 1e-5f;
  bool spatial_ = true;
  NormActKind act_kind_ = NormActKind::kNone;
  float alpha_ = 0.f;
  std::vector<float> slope_;
  int data_rank_ = 0;
};

}  // namespace

NormActivationFusable::~NormActivationFusable() = default;

std::unique_ptr<Op> make_batch_norm(const NodeDef& def) {
  return std::make_unique<BatchNormOp>(def);
}

}  // namespace facet::ops
