#include "ops/unary.h"

#include <cstdint>
#include <string>

#include "ops/eltwise_common.h"
#include "engine/cpu.h"
#include "ops/kernels/eltwise/eltwise.h"

namespace facet::ops {
namespace {

using kernels::UnaryKind;

struct UnaryInfo {
  const char* name;
  UnaryKind kind;
  bool allows_i64;
};

constexpr UnaryInfo kUnaryOps[] = {
    {"Relu", UnaryKind::kRelu, true},          {"LeakyRelu", UnaryKind::kLeakyRelu, false},
    {"Sigmoid", UnaryKind::kSigmoid, false},   {"Tanh", UnaryKind::kTanh, false},
    {"HardSigmoid", UnaryKind::kHardSigmoid, false},
    {"HardSwish", UnaryKind::kHardSwish, false},
    {"Exp", UnaryKind::kExp, false},           {"Sqrt", UnaryKind::kSqrt, false},
    {"Neg", UnaryKind::kNeg, true},            {"Abs", UnaryKind::kAbs, true},
    {"Floor", UnaryKind::kFloor, false},       {"Ceil", UnaryKind::kCeil, false},
    {"Reciprocal", UnaryKind::kReciprocal, false},
};

const UnaryInfo& find_unary(const std::string& op_type) {
  for (const UnaryInfo& info : kUnaryOps) {
    if (op_type == info.name) return info;
  }
  fail(str_cat("not a unary element-wise op: '", op_type, "'"));
}

class UnaryOp : public Op {
 public:
  explicit UnaryOp(const NodeDef& def) : info_(find_unary(def.op_type)) {
    if (info_.kind == UnaryKind::kLeakyRelu) {
      alpha_ = def.attrs.get_float("alpha", 0.01f);
    } else if (info_.kind == UnaryKind::kHardSigmoid) {
      alpha_ = def.attrs.get_float("alpha", 0.2f);
      beta_ = def.attrs.get_float("beta", 0.5f);
    }
    kernel_ = kernels::eltwise_kernels(active_isa()).unary[static_cast<int>(info_.kind)];
  }

  void infer(InferContext& ctx) const override {
    check_runtime_dtype(info_.name, 0, ctx.in_dtype(0), !info_.allows_i64);
    ctx.set_output(0, ctx.in_dtype(0), ctx.in_shape(0));
  }

  void run(const RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    Tensor& y = ctx.output(0);
    const int64_t n = x.numel();
    if (x.dtype() == DType::kF32) {
      const float* px = x.data<float>();
      float* py = y.data<float>();
      const kernels::UnaryF32Fn fn = kernel_;
      const float alpha = alpha_, beta = beta_;
      parallel_range(ctx, n, kEltwiseGrain,
                     [&](int64_t begin, int64_t end) { fn(px, py, begin, end, alpha, beta); });
      return;
    }
    const int64_t* px = x.data<int64_t>();
    int64_t* py = y.data<int64_t>();
    const UnaryKind kind = info_.kind;
    for (int64_t i = 0; i < n; ++i) {
      const int64_t v = px[i];
      const int64_t neg = static_cast<int64_t>(uint64_t(0) - static_cast<uint64_t>(v));
      if (kind == UnaryKind::kRelu) {
        py[i] = v < 0 ? 0 : v;
      } else if (kind == UnaryKind::kNeg) {
        py[i] = neg;
      } else {  // kAbs
        py[i] = v < 0 ? neg : v;
      }
    }
  }

 private:
  const UnaryInfo& info_;
  float alpha_ = 0.f, beta_ = 0.f;
  kernels::UnaryF32Fn kernel_ = nullptr;
};

}  // namespace

std::unique_ptr<Op> create_unary_op(const NodeDef& def) { return std::make_unique<UnaryOp>(def); }

}  // namespace facet::ops
