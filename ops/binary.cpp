#include "ops/binary.h"

#include <cmath>
#include <cstdint>
#include <limits>

#include "ops/broadcast.h"
#include "ops/eltwise_common.h"
#include "engine/cpu.h"
#include "ops/kernels/eltwise/eltwise.h"

namespace facet::ops {
namespace {

using kernels::BinaryKind;

int64_t wrap_add(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) + static_cast<uint64_t>(b));
}
int64_t wrap_sub(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) - static_cast<uint64_t>(b));
}
int64_t wrap_mul(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) * static_cast<uint64_t>(b));
}
int64_t trunc_div(int64_t a, int64_t b) {
  if (b == 0) return 0;
  if (b == -1) return wrap_sub(0, a);  // avoids the INT64_MIN / -1 trap
  return a / b;
}
int64_t int_pow(int64_t base, int64_t exp) {
  if (exp < 0) {
    if (base == 1) return 1;
    if (base == -1) return (exp % 2 == 0) ? 1 : -1;
    return 0;  // |result| < 1 truncates to 0 (base 0: undefined, also 0)
  }
  int64_t result = 1;
  while (exp > 0) {
    if (exp & 1) result = wrap_mul(result, base);
    base = wrap_mul(base, base);
    exp >>= 1;
  }
  return result;
}
// double -> int64 without UB: NaN gives 0, out-of-range values saturate.
int64_t saturate_to_i64(double v) {
  if (std::isnan(v)) return 0;
  if (v >= 9223372036854775807.0) return std::numeric_limits<int64_t>::max();
  if (v <= -9223372036854775808.0) return std::numeric_limits<int64_t>::min();
  return static_cast<int64_t>(v);
}

int64_t apply_i64(BinaryKind kind, int64_t a, int64_t b) {
  switch (kind) {
    case BinaryKind::kAdd: return wrap_add(a, b);
    case BinaryKind::kSub: return wrap_sub(a, b);
    case BinaryKind::kMul: return wrap_mul(a, b);
    case BinaryKind::kDiv: return trunc_div(a, b);
    case BinaryKind::kPow: return int_pow(a, b);
    case BinaryKind::kPRelu: return a < 0 ? wrap_mul(a, b) : a;
    default: return 0;
  }
}

BinaryKind kind_from_name(const std::string& op_type) {
  if (op_type == "Add") return BinaryKind::kAdd;
  if (op_type == "Sub") return BinaryKind::kSub;
  if (op_type == "Mul") return BinaryKind::kMul;
  if (op_type == "Div") return BinaryKind::kDiv;
  if (op_type == "Pow") return BinaryKind::kPow;
  if (op_type == "PRelu") return BinaryKind::kPRelu;
  fail(str_cat("not a binary element-wise op: '", op_type, "'"));
}

class BinaryOp : public Op {
 public:
  explicit BinaryOp(const NodeDef& def) : kind_(kind_from_name(def.op_type)), name_(def.op_type) {
    legacy_ = def.opset < 7;
    if (legacy_ && kind_ != BinaryKind::kPRelu) {
      const int64_t broadcast = def.attrs.get_int("broadcast", 0);
      FACET_CHECK(broadcast == 0 || broadcast == 1, "attribute 'broadcast' must be 0 or 1, got ",
                  broadcast);
      legacy_broadcast_ = broadcast == 1;
      has_axis_ = def.attrs.has("axis");
      axis_ = def.attrs.get_int("axis", 0);
    }
    kernel_ = kernels::eltwise_kernels(active_isa()).binary[static_cast<int>(kind_)];
  }

  void infer(InferContext& ctx) const override {
    const DType ta = ctx.in_dtype(0), tb = ctx.in_dtype(1);
    check_runtime_dtype(name_.c_str(), 0, ta, false);
    check_runtime_dtype(name_.c_str(), 1, tb, false);
    FACET_CHECK(kind_ == BinaryKind::kPow || ta == tb, name_, ": input dtypes differ (",
                dtype_name(ta), " and ", dtype_name(tb), ")");
    const Shape& a = ctx.in_shape(0);
    const Shape& b = ctx.in_shape(1);
    FACET_CHECK(a.size() <= kMaxBroadcastRank && b.size() <= kMaxBroadcastRank, name_,
                ": rank above ", kMaxBroadcastRank, " is not supported");
    Shape out;
    if (kind_ == BinaryKind::kPRelu) {
      int64_t aligned[kMaxBroadcastRank];
      FACET_CHECK(prelu_slope_shape(a, b, aligned), "PRelu: cannot broadcast slope ",
                  shape_str(b), " to X ", shape_str(a));
      out = a;
    } else if (legacy_ && legacy_broadcast_) {
      int64_t aligned[kMaxBroadcastRank];
      FACET_CHECK(legacy_broadcast_shape(a, b, has_axis_, axis_, aligned), name_,
                  ": cannot broadcast ", shape_str(b), " to ", shape_str(a),
                  has_axis_ ? str_cat(" at axis ", axis_) : std::string(" (suffix)"),
                  " (opset < 7, broadcast=1)");
      out = a;
    } else if (legacy_) {
      FACET_CHECK(a == b, name_, ": shapes ", shape_str(a), " and ", shape_str(b),
                  " differ and broadcast=0 (opset < 7 needs broadcast=1 to broadcast)");
      out = a;
    } else {
      out = broadcast_shapes(a, b);
    }
    shape_numel(out);  // overflow check
    ctx.set_output(0, ta, out);
  }

  void run(const RunContext& ctx) const override {
    const Tensor& a = ctx.input(0);
    const Tensor& b = ctx.input(1);
    Tensor& y = ctx.output(0);
    int64_t aligned[kMaxBroadcastRank];
    ShapeRef shapes[2] = {ShapeRef(a.shape()), ShapeRef(b.shape())};
    if (kind_ == BinaryKind::kPRelu) {
      prelu_slope_shape(a.shape(), b.shape(), aligned);
      shapes[1] = ShapeRef(aligned, a.rank());
    } else if (legacy_ && legacy_broadcast_) {
      legacy_broadcast_shape(a.shape(), b.shape(), has_axis_, axis_, aligned);
      shapes[1] = ShapeRef(aligned, a.rank());
    }
    const BroadcastPlan plan(ShapeRef(y.shape()), shapes, 2);
    const int64_t sa = plan.inner_stride(0), sb = plan.inner_stride(1);

    if (a.dtype() == DType::kF32 && b.dtype() == DType::kF32) {
      const float* pa = a.data<float>();
      const float* pb = b.data<float>();
      float* py = y.data<float>();
      const kernels::BinaryF32Fn fn = kernel_;
      auto body = [&](int64_t begin, int64_t end) {
        for_each_broadcast_segment(plan, begin, end,
                                   [&](int64_t pos, int64_t len, const int64_t* in) {
                                     fn(pa + in[0], sa, pb + in[1], sb, py + pos, 0, len);
                                   });
      };
      parallel_range(ctx, plan.total(), kEltwiseGrain, body);
      return;
    }
    // Mixed / integer paths: plain loops (shape arithmetic; small tensors).
    auto body = [&](int64_t begin, int64_t end) {
      for_each_broadcast_segment(plan, begin, end, [&](int64_t pos, int64_t len,
                                                       const int64_t* in) {
        for (int64_t i = 0; i < len; ++i) {
          const int64_t ia = in[0] + i * sa, ib = in[1] + i * sb;
          if (a.dtype() == DType::kI64 && b.dtype() == DType::kI64) {
            y.data<int64_t>()[pos + i] = apply_i64(kind_, a.data<int64_t>()[ia],
                                                   b.data<int64_t>()[ib]);
          } else if (a.dtype() == DType::kF32) {  // Pow: float base, int64 exponent
            y.data<float>()[pos + i] = static_cast<float>(
                std::pow(static_cast<double>(a.data<float>()[ia]),
                         static_cast<double>(b.data<int64_t>()[ib])));
          } else {  // Pow: int64 base, float exponent
            y.data<int64_t>()[pos + i] = saturate_to_i64(
                std::pow(static_cast<double>(a.data<int64_t>()[ia]),
                         static_cast<double>(b.data<float>()[ib])));
          }
        }
      });
    };
    parallel_range(ctx, plan.total(), kEltwiseGrain, body);
  }

 private:
  // Writes the slope's shape aligned to X's rank into `aligned`; false if it does not fit.
  bool prelu_slope_shape(const Shape& x, const Shape& slope, int64_t* aligned) const {
    const int rank = static_cast<int>(x.size());
    for (int i = 0; i < rank; ++i) aligned[i] = 1;
    if (legacy_ && slope.size() == 1 && rank >= 2 && slope[0] == x[1]) {
      aligned[1] = slope[0];  // PRelu-1/6: per-channel slope
      return true;
    }
    if (legacy_ && shape_numel(slope) == 1) return true;
    if (!can_broadcast_to(slope, x)) return false;
    const int lead = rank - static_cast<int>(slope.size());
    for (size_t i = 0; i < slope.size(); ++i) aligned[lead + static_cast<int>(i)] = slope[i];
    return true;
  }

  BinaryKind kind_;
  std::string name_;
  bool legacy_ = false;
  bool legacy_broadcast_ = false;
  bool has_axis_ = false;
  int64_t axis_ = 0;
  kernels::BinaryF32Fn kernel_ = nullptr;
};

}  // namespace

std::unique_ptr<Op> create_binary_op(const NodeDef& def) {
  return std::make_unique<BinaryOp>(def);
}

}  // namespace facet::ops
