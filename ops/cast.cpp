#include "ops/cast.h"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>

#include "ops/eltwise_common.h"

namespace facet::ops {
namespace {

// TensorProto.DataType numbers.
enum OnnxType : int64_t {
  kFloat = 1, kUint8 = 2, kInt8 = 3, kUint16 = 4, kInt16 = 5, kInt32 = 6, kInt64 = 7,
  kString = 8, kBool = 9, kFloat16 = 10, kDouble = 11, kUint32 = 12, kUint64 = 13,
  kBfloat16 = 16,
};

int64_t type_from_name(const std::string& s) {
  static const struct {
    const char* name;
    int64_t type;
  } kNames[] = {{"FLOAT", kFloat},     {"UINT8", kUint8},     {"INT8", kInt8},
                {"UINT16", kUint16},   {"INT16", kInt16},     {"INT32", kInt32},
                {"INT64", kInt64},     {"STRING", kString},   {"BOOL", kBool},
                {"FLOAT16", kFloat16}, {"DOUBLE", kDouble},   {"UINT32", kUint32},
                {"UINT64", kUint64},   {"BFLOAT16", kBfloat16}};
  for (const auto& n : kNames) {
    if (s == n.name) return n.type;
  }
  fail(str_cat("Cast: unknown 'to' type name '", s, "'"));
}

uint32_t float_bits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}
float bits_float(uint32_t u) {
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

// Rounds a float32 to the nearest bfloat16 (ties to even) and widens it back.
float round_to_bf16(float f) {
  if (std::isnan(f)) return f;
  uint32_t u = float_bits(f);
  u += 0x7FFFu + ((u >> 16) & 1u);
  return bits_float(u & 0xFFFF0000u);
}

// Rounds a float32 to the nearest IEEE half (ties to even, overflow to inf, subnormals kept)
// and widens it back.
float round_to_f16(float f) {
  if (std::isnan(f) || std::isinf(f)) return f;
  const float a = std::fabs(f);
  if (a >= 65520.f) return std::copysign(std::numeric_limits<float>::infinity(), f);
  // Quantum: 2^(e-10) for normal halves (e = unbiased exponent, >= -14), 2^-24 below.
  int e = 0;
  std::frexp(a, &e);  // a = m * 2^e, m in [0.5, 1)
  const int exp2 = (e - 1 < -14 ? -14 : e - 1) - 10;
  const float q = std::ldexp(1.f, exp2);
  // nearbyint uses the current rounding mode (round-to-nearest-even by default).
  return std::copysign(std::nearbyint(a / q) * q, f);
}

// float -> int64: truncate, NaN -> 0, saturate out of range.
int64_t float_to_i64(float v) {
  if (std::isnan(v)) return 0;
  if (v >= 9223372036854775807.f) return std::numeric_limits<int64_t>::max();
  if (v <= -9223372036854775808.f) return std::numeric_limits<int64_t>::min();
  return static_cast<int64_t>(v);
}

// Wraps an int64 to the target integer type's width and widens it back.
int64_t wrap_to(int64_t v, int64_t to) {
  switch (to) {
    case kUint8: return static_cast<uint8_t>(v);
    case kInt8: return static_cast<int8_t>(v);
    case kUint16: return static_cast<uint16_t>(v);
    case kInt16: return static_cast<int16_t>(v);
    case kInt32: return static_cast<int32_t>(v);
    case kUint32: return static_cast<uint32_t>(v);
    case kBool: return v != 0 ? 1 : 0;
    default: return v;  // INT64, UINT64
  }
}

class CastOp : public Op {
 public:
  explicit CastOp(const NodeDef& def) {
    const Attribute* a = def.attrs.find("to");
    FACET_CHECK(a != nullptr, "Cast: missing required attribute 'to'");
    if (a->kind == Attribute::Kind::kString) {
      to_ = type_from_name(a->s);
    } else {
      to_ = def.attrs.get_int("to", 0);
    }
    switch (to_) {
      case kFloat: case kDouble: case kFloat16: case kBfloat16:
        out_dtype_ = DType::kF32;
        break;
      case kInt64: case kInt32: case kInt16: case kInt8: case kUint8: case kUint16:
      case kUint32: case kUint64: case kBool:
        out_dtype_ = DType::kI64;
        break;
      default:
        fail(str_cat("Cast: target type ", to_, " is not supported (facet computes in float32 "
                     "and int64)"));
    }
  }

  void infer(InferContext& ctx) const override {
    check_runtime_dtype("Cast", 0, ctx.in_dtype(0), false);
    ctx.set_output(0, out_dtype_, ctx.in_shape(0));
  }

  void run(const RunContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    Tensor& y = ctx.output(0);
    const int64_t n = x.numel();
    const int64_t to = to_;
    if (x.dtype() == DType::kF32 && out_dtype_ == DType::kF32) {
      const float* px = x.data<float>();
      float* py = y.data<float>();
      for (int64_t i = 0; i < n; ++i) {
        py[i] = to == kFloat16 ? round_to_f16(px[i]) : to == kBfloat16 ? round_to_bf16(px[i]) : px[i];
      }
    } else if (x.dtype() == DType::kF32) {  // -> integer
      const float* px = x.data<float>();
      int64_t* py = y.data<int64_t>();
      for (int64_t i = 0; i < n; ++i) {
        py[i] = to == kBool ? (px[i] != 0.f ? 1 : 0) : wrap_to(float_to_i64(px[i]), to);
      }
    } else if (out_dtype_ == DType::kF32) {  // int64 -> float
      const int64_t* px = x.data<int64_t>();
      float* py = y.data<float>();
      for (int64_t i = 0; i < n; ++i) {
        const float v = static_cast<float>(px[i]);
        py[i] = to == kFloat16 ? round_to_f16(v) : to == kBfloat16 ? round_to_bf16(v) : v;
      }
    } else {  // int64 -> integer
      const int64_t* px = x.data<int64_t>();
      int64_t* py = y.data<int64_t>();
      for (int64_t i = 0; i < n; ++i) py[i] = wrap_to(px[i], to);
    }
  }

 private:
  int64_t to_ = 0;
  DType out_dtype_ = DType::kUndefined;
};

}  // namespace

std::unique_ptr<Op> create_cast_op(const NodeDef& def) { return std::make_unique<CastOp>(def); }

}  // namespace facet::ops
