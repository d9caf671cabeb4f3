#include "ops/identity.h"

#include <cstring>

#include "ops/eltwise_common.h"

namespace facet::ops {
namespace {

class IdentityOp : public Op {
 public:
  explicit IdentityOp(bool dropout) : dropout_(dropout) {}

  void infer(InferContext& ctx) const override {
    const char* name = dropout_ ? "Dropout" : "Identity";
    check_runtime_dtype(name, 0, ctx.in_dtype(0), dropout_);
    if (dropout_ && ctx.has_input(2)) {
      const Tensor& t = ctx.require_value(2, "Dropout training_mode");
      FACET_CHECK(t.numel() == 1 && t.to_i64_vector()[0] == 0,
                  "Dropout: training_mode=true is not supported (inference only)");
    }
    ctx.set_output(0, ctx.in_dtype(0), ctx.in_shape(0));
  }

  void run(const RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    Tensor& y = ctx.output(0);
    if (y.raw() != x.raw() && x.nbytes() > 0) std::memcpy(y.raw(), x.raw(), x.nbytes());
  }

  bool output_is_view() const override { return true; }

 private:
  bool dropout_;
};

}  // namespace

std::unique_ptr<Op> create_identity_op(const NodeDef& def) {
  (void)def;
  return std::make_unique<IdentityOp>(false);
}

std::unique_ptr<Op> create_dropout_op(const NodeDef& def) {
  FACET_CHECK(def.num_outputs <= 1,
              "Dropout: the 'mask' output is not supported (inference only; remove it)");
  if (def.opset < 12 && def.attrs.has("ratio")) {
    const float ratio = def.attrs.get_float("ratio", 0.5f);
    FACET_CHECK(ratio >= 0.f && ratio < 1.f, "Dropout: ratio ", ratio, " not in [0, 1)");
  }
  return std::make_unique<IdentityOp>(true);
}

}  // namespace facet::ops
