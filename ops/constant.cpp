#include "ops/constant.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#include "ops/eltwise_common.h"

namespace facet::ops {

namespace {

float half_to_float(uint16_t h) {
  const int sign = (h >> 15) & 1, exp = (h >> 10) & 0x1F, mant = h & 0x3FF;
  float v;
  if (exp == 0) {
    v = std::ldexp(static_cast<float>(mant), -24);  // zero / subnormal
  } else if (exp == 31) {
    v = mant ? std::nanf("") : INFINITY;
  } else {
    v = std::ldexp(static_cast<float>(mant | 0x400), exp - 25);
  }
  return sign ? -v : v;
}

}  // namespace

Tensor to_runtime_dtype(const Tensor& t) {
  const int64_t n = t.numel();
  switch (t.dtype()) {
    case DType::kF32:
    case DType::kI64:
      return t;
    case DType::kF16:
    case DType::kF64: {
      Tensor out = Tensor::empty(DType::kF32, t.shape());
      float* p = out.data<float>();
      for (int64_t i = 0; i < n; ++i) {
        p[i] = t.dtype() == DType::kF64 ? static_cast<float>(t.data<double>()[i])
                                        : half_to_float(t.data<uint16_t>()[i]);
      }
      return out;
    }
    case DType::kU8:
    case DType::kI8:
    case DType::kBool:
    case DType::kI32: {
      Tensor out = Tensor::empty(DType::kI64, t.shape());
      int64_t* p = out.data<int64_t>();
      for (int64_t i = 0; i < n; ++i) {
        switch (t.dtype()) {
          case DType::kU8: p[i] = t.data<uint8_t>()[i]; break;
          case DType::kI8: p[i] = t.data<int8_t>()[i]; break;
          case DType::kBool: p[i] = t.data<uint8_t>()[i] != 0 ? 1 : 0; break;
          default: p[i] = t.data<int32_t>()[i]; break;
        }
      }
      return out;
    }
    default:
      fail(str_cat("tensor of dtype ", dtype_name(t.dtype()), " is not supported"));
  }
}

namespace {

// Holds a fixed tensor; Constant returns it, ConstantOfShape fills with its one element.
class ConstantOp : public Op {
 public:
  explicit ConstantOp(Tensor value) : value_(std::move(value)) {}

  void infer(InferContext& ctx) const override {
    ctx.set_output(0, value_.dtype(), value_.shape());
  }

  void run(const RunContext& ctx) const override {
    Tensor& y = ctx.output(0);
    if (value_.nbytes() > 0) std::memcpy(y.raw(), value_.raw(), value_.nbytes());
  }

 private:
  Tensor value_;
};

class ConstantOfShapeOp : public Op {
 public:
  explicit ConstantOfShapeOp(Tensor value) : value_(std::move(value)) {}

  void infer(InferContext& ctx) const override {
    FACET_CHECK(ctx.in_dtype(0) == DType::kI64, "ConstantOfShape: shape input must be int64, got ",
                dtype_name(ctx.in_dtype(0)));
    FACET_CHECK(ctx.in_shape(0).size() == 1, "ConstantOfShape: shape input must be 1-D, got ",
                shape_str(ctx.in_shape(0)));
    const Shape shape = ctx.require_value(0, "ConstantOfShape shape").to_i64_vector();
    for (int64_t d : shape) {
      FACET_CHECK(d >= 0, "ConstantOfShape: negative dim in shape ", shape_str(shape));
    }
    shape_numel(shape);  // overflow check
    ctx.set_output(0, value_.dtype(), shape);
  }

  void run(const RunContext& ctx) const override {
    Tensor& y = ctx.output(0);
    const int64_t n = y.numel();
    if (value_.dtype() == DType::kF32) {
      std::fill(y.data<float>(), y.data<float>() + n, value_.data<float>()[0]);
    } else {
      std::fill(y.data<int64_t>(), y.data<int64_t>() + n, value_.data<int64_t>()[0]);
    }
  }

 private:
  Tensor value_;
};

}  // namespace

std::unique_ptr<Op> create_constant_op(const NodeDef& def) {
  static const char* const kForms[] = {"value", "value_float", "value_floats", "value_int",
                                       "value_ints", "sparse_value", "value_string",
                                       "value_strings"};
  int count = 0;
  for (const char* f : kForms) count += def.attrs.has(f) ? 1 : 0;
  FACET_CHECK(count == 1, "Constant: exactly one of the value* attributes must be set, got ",
              count);
  Tensor value;
  const Attributes& a = def.attrs;
  if (a.has("value")) {
    value = to_runtime_dtype(a.get_tensor("value"));
  } else if (a.has("value_float")) {
    value = Tensor::scalar_f32(a.get_float("value_float", 0.f));
  } else if (a.has("value_floats")) {
    const std::vector<float> v = a.get_floats("value_floats");
    value = Tensor::from_f32({static_cast<int64_t>(v.size())}, v);
  } else if (a.has("value_int")) {
    value = Tensor::scalar_i64(a.get_int("value_int", 0));
  } else if (a.has("value_ints")) {
    const std::vector<int64_t> v = a.get_ints("value_ints");
    value = Tensor::from_i64({static_cast<int64_t>(v.size())}, v);
  } else {
    fail("Constant: sparse and string values are not supported");
  }
  return std::make_unique<ConstantOp>(std::move(value));
}

std::unique_ptr<Op> create_constant_of_shape_op(const NodeDef& def) {
  Tensor value;
  if (def.attrs.has("value")) {
    value = to_runtime_dtype(def.attrs.get_tensor("value"));
    FACET_CHECK(value.numel() == 1, "ConstantOfShape: 'value' must have one element, got ",
                value.numel());
  } else {
    value = Tensor::scalar_f32(0.f);
  }
  return std::make_unique<ConstantOfShapeOp>(std::move(value));
}

}  // namespace facet::ops
