// Tests for the data-movement ops (ops/register_tensor.cpp): hand-checked values, edge cases
// (zero-size tensors, rank 0, negative axes, out-of-range slice ends, negative steps) and every
// Resize coordinate transform on tiny inputs.
#include <cstdint>
#include <limits>
#include <vector>

#include "test_util.h"

namespace facet {
namespace {

using test::expect_close;
using test::run_op;

Tensor f32(Shape shape, std::vector<float> v) { return Tensor::from_f32(std::move(shape), v); }
Tensor i64(Shape shape, std::vector<int64_t> v) { return Tensor::from_i64(std::move(shape), v); }
Tensor iota(Shape shape) {
  std::vector<float> v(static_cast<size_t>(shape_numel(shape)));
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<float>(i);
  return f32(std::move(shape), v);
}

void expect_i64(const Tensor& t, Shape shape, std::vector<int64_t> values) {
  EXPECT_EQ(t.dtype(), DType::kI64);
  EXPECT_EQ(shape_str(t.shape()), shape_str(shape));
  EXPECT_EQ(t.to_i64_vector(), values);
}

Attributes attrs_int(const std::string& name, int64_t v) {
  Attributes a;
  a.set_int(name, v);
  return a;
}

// ---------------------------------------------------------------- Concat

TEST(Concat, Axis1AndNegative) {
  Tensor a = f32({2, 1}, {1, 2}), b = f32({2, 2}, {3, 4, 5, 6});
  auto out = run_op("Concat", attrs_int("axis", 1), {&a, &b});
  expect_close(out[0], f32({2, 3}, {1, 3, 4, 2, 5, 6}));
  out = run_op("Concat", attrs_int("axis", -1), {&a, &b});
  expect_close(out[0], f32({2, 3}, {1, 3, 4, 2, 5, 6}));
}

TEST(Concat, ZeroSizeInputAndInt64) {
  Tensor a = i64({0, 2}, {}), b = i64({1, 2}, {7, 8});
  auto out = run_op("Concat", attrs_int("axis", 0), {&a, &b});
  expect_i64(out[0], {1, 2}, {7, 8});
}

TEST(Concat, Errors) {
  Tensor a = f32({2, 1}, {1, 2}), b = f32({3, 1}, {1, 2, 3});
  EXPECT_THROW(run_op("Concat", attrs_int("axis", 1), {&a, &b}), Error);
  EXPECT_THROW(run_op("Concat", attrs_int("axis", 2), {&a, &a}), Error);
  EXPECT_THROW(run_op("Concat", Attributes(), {&a, &a}), Error);  // axis required (opset 13)
}

// ---------------------------------------------------------------- Split

TEST(Split, EqualAndAttribute) {
  Tensor x = iota({6});
  auto out = run_op("Split", Attributes(), {&x}, 3);
  expect_close(out[2], f32({2}, {4, 5}));
  Attributes a;
  a.set_ints("split", {1, 5});
  out = run_op("Split", a, {&x}, 2, 11);
  expect_close(out[0], f32({1}, {0}));
  expect_close(out[1], f32({5}, {1, 2, 3, 4, 5}));
}

TEST(Split, InputSplitAxis1) {
  Tensor x = iota({2, 3});
  Tensor s = i64({2}, {2, 1});
  auto out = run_op("Split", attrs_int("axis", -1), {&x, &s}, 2);
  expect_close(out[0], f32({2, 2}, {0, 1, 3, 4}));
  expect_close(out[1], f32({2, 1}, {2, 5}));
}

TEST(Split, NumOutputsUneven) {
  Tensor x = iota({5});
  auto out = run_op("Split", attrs_int("num_outputs", 3), {&x}, 3, 18);
  expect_close(out[0], f32({2}, {0, 1}));
  expect_close(out[1], f32({2}, {2, 3}));
  expect_close(out[2], f32({1}, {4}));
}

TEST(Split, Errors) {
  Tensor x = iota({5});
  EXPECT_THROW(run_op("Split", Attributes(), {&x}, 2), Error);  // 5 not divisible by 2
  Tensor s = i64({2}, {2, 2});
  EXPECT_THROW(run_op("Split", Attributes(), {&x, &s}, 2), Error);  // sums to 4
}

// ---------------------------------------------------------------- Slice

TEST(Slice, Basic) {
  Tensor x = iota({3, 4});
  Tensor starts = i64({2}, {1, 0}), ends = i64({2}, {3, 3}), axes = i64({2}, {0, -1}),
         steps = i64({2}, {1, 2});
  auto out = run_op("Slice", Attributes(), {&x, &starts, &ends, &axes, &steps});
  expect_close(out[0], f32({2, 2}, {4, 6, 8, 10}));
}

TEST(Slice, NegativeStepFullReverse) {
  Tensor x = iota({4});
  Tensor starts = i64({1}, {-1}), ends = i64({1}, {std::numeric_limits<int64_t>::min()}),
         axes = i64({1}, {0}), steps = i64({1}, {-1});
  auto out = run_op("Slice", Attributes(), {&x, &starts, &ends, &axes, &steps});
  expect_close(out[0], f32({4}, {3, 2, 1, 0}));
  Tensor starts2 = i64({1}, {10}), ends2 = i64({1}, {0}), steps2 = i64({1}, {-2});
  out = run_op("Slice", Attributes(), {&x, &starts2, &ends2, &axes, &steps2});
  expect_close(out[0], f32({2}, {3, 1}));
}

TEST(Slice, OutOfBoundsEndsAndEmpty) {
  Tensor x = iota({5});
  Tensor starts = i64({1}, {2}), ends = i64({1}, {std::numeric_limits<int64_t>::max()});
  auto out = run_op("Slice", Attributes(), {&x, &starts, &ends});
  expect_close(out[0], f32({3}, {2, 3, 4}));
  Tensor s2 = i64({1}, {4}), e2 = i64({1}, {1});
  out = run_op("Slice", Attributes(), {&x, &s2, &e2});
  EXPECT_EQ(shape_str(out[0].shape()), "[0]");
}

TEST(Slice, LegacyAttributes) {
  Tensor x = iota({2, 3});
  Attributes a;
  a.set_ints("starts", {1});
  a.set_ints("ends", {1000});
  a.set_ints("axes", {1});
  auto out = run_op("Slice", a, {&x}, 1, 1);
  expect_close(out[0], f32({2, 2}, {1, 2, 4, 5}));
}

TEST(Slice, Errors) {
  Tensor x = iota({5});
  Tensor starts = i64({1}, {0}), ends = i64({1}, {3}), axes = i64({1}, {0}),
         zero = i64({1}, {0});
  EXPECT_THROW(run_op("Slice", Attributes(), {&x, &starts, &ends, &axes, &zero}), Error);
  Tensor bad_axes = i64({1}, {1});
  EXPECT_THROW(run_op("Slice", Attributes(), {&x, &starts, &ends, &bad_axes}), Error);
}

// ---------------------------------------------------------------- Gather

TEST(Gather, Axis0NegativeIndex) {
  Tensor x = iota({3, 2});
  Tensor idx = i64({2}, {-1, 0});
  auto out = run_op("Gather", Attributes(), {&x, &idx});
  expect_close(out[0], f32({2, 2}, {4, 5, 0, 1}));
}

TEST(Gather, Axis1MatrixIndicesAndScalar) {
  Tensor x = iota({2, 3});
  Tensor idx = i64({2, 2}, {2, 0, 1, 1});
  auto out = run_op("Gather", attrs_int("axis", 1), {&x, &idx});
  expect_close(out[0], f32({2, 2, 2}, {2, 0, 1, 1, 5, 3, 4, 4}));
  Tensor scalar = Tensor::scalar_i64(1);
  out = run_op("Gather", Attributes(), {&x, &scalar});
  expect_close(out[0], f32({3}, {3, 4, 5}));
}

TEST(Gather, OutOfRangeIsAnError) {
  Tensor x = iota({3});
  Tensor idx = i64({1}, {3});
  EXPECT_THROW(run_op("Gather", Attributes(), {&x, &idx}), Error);
}

// ---------------------------------------------------------------- Shape

TEST(Shape, StartEnd) {
  Tensor x = iota({2, 3, 4});
  expect_i64(run_op("Shape", Attributes(), {&x})[0], {3}, {2, 3, 4});
  Attributes a;
  a.set_int("start", -2);
  expect_i64(run_op("Shape", a, {&x}, 1, 15)[0], {2}, {3, 4});
  a.set_int("end", -2);
  expect_i64(run_op("Shape", a, {&x}, 1, 15)[0], {0}, {});
  Attributes b;
  b.set_int("start", -10);
  b.set_int("end", 1);
  expect_i64(run_op("Shape", b, {&x}, 1, 15)[0], {1}, {2});
  Tensor s = Tensor::scalar_f32(1.f);
  expect_i64(run_op("Shape", Attributes(), {&s})[0], {0}, {});
}

// ---------------------------------------------------------------- Reshape & co.

TEST(Reshape, ZeroCopiesAndMinusOne) {
  Tensor x = iota({2, 3, 4});
  Tensor shape = i64({3}, {0, -1, 2});
  auto out = run_op("Reshape", Attributes(), {&x, &shape});
  EXPECT_EQ(shape_str(out[0].shape()), "[2,6,2]");
  expect_close(out[0], iota({2, 6, 2}));
}

TEST(Reshape, AllowZeroAndErrors) {
  Tensor x = f32({0, 3}, {});
  Tensor shape = i64({2}, {3, 0});
  auto out = run_op("Reshape", attrs_int("allowzero", 1), {&x, &shape}, 1, 14);
  EXPECT_EQ(shape_str(out[0].shape()), "[3,0]");
  Tensor y = iota({2, 3});
  Tensor two = i64({2}, {-1, -1});
  EXPECT_THROW(run_op("Reshape", Attributes(), {&y, &two}), Error);
  Tensor bad = i64({1}, {5});
  EXPECT_THROW(run_op("Reshape", Attributes(), {&y, &bad}), Error);
  Tensor zm = i64({2}, {0, -1});
  EXPECT_THROW(run_op("Reshape", attrs_int("allowzero", 1), {&y, &zm}, 1, 14), Error);
}

TEST(Reshape, LegacyAttributeAndView) {
  Tensor x = iota({2, 3});
  Attributes a;
  a.set_ints("shape", {3, 2});
  auto out = run_op("Reshape", a, {&x}, 1, 1);
  expect_close(out[0], iota({3, 2}));
  NodeDef def;
  def.op_type = "Reshape";
  def.opset = 13;
  def.input_present = {true, true};
  EXPECT_TRUE(ops::builtin_registry().create(def)->output_is_view());
}

TEST(Flatten, Axes) {
  Tensor x = iota({2, 3, 4});
  EXPECT_EQ(shape_str(run_op("Flatten", Attributes(), {&x})[0].shape()), "[2,12]");
  EXPECT_EQ(shape_str(run_op("Flatten", attrs_int("axis", 0), {&x})[0].shape()), "[1,24]");
  EXPECT_EQ(shape_str(run_op("Flatten", attrs_int("axis", -1), {&x})[0].shape()), "[6,4]");
  EXPECT_EQ(shape_str(run_op("Flatten", attrs_int("axis", 3), {&x})[0].shape()), "[24,1]");
  EXPECT_THROW(run_op("Flatten", attrs_int("axis", 4), {&x}), Error);
}

TEST(Squeeze, AxesInputAttributeAndAll) {
  Tensor x = iota({1, 3, 1});
  Tensor axes = i64({1}, {-1});
  EXPECT_EQ(shape_str(run_op("Squeeze", Attributes(), {&x, &axes})[0].shape()), "[1,3]");
  EXPECT_EQ(shape_str(run_op("Squeeze", Attributes(), {&x})[0].shape()), "[3]");
  Attributes a;
  a.set_ints("axes", {0});
  EXPECT_EQ(shape_str(run_op("Squeeze", a, {&x}, 1, 11)[0].shape()), "[3,1]");
  Tensor bad = i64({1}, {1});
  EXPECT_THROW(run_op("Squeeze", Attributes(), {&x, &bad}), Error);
}

TEST(Unsqueeze, NegativeAndTwoAxes) {
  Tensor x = iota({3, 4});
  Tensor axes = i64({2}, {-1, 0});
  auto out = run_op("Unsqueeze", Attributes(), {&x, &axes});
  EXPECT_EQ(shape_str(out[0].shape()), "[1,3,4,1]");
  expect_close(out[0], iota({1, 3, 4, 1}));
  Tensor s = Tensor::scalar_f32(5.f);
  Tensor zero = i64({1}, {0});
  EXPECT_EQ(shape_str(run_op("Unsqueeze", Attributes(), {&s, &zero})[0].shape()), "[1]");
  Attributes a;
  a.set_ints("axes", {1});
  EXPECT_EQ(shape_str(run_op("Unsqueeze", a, {&x}, 1, 11)[0].shape()), "[3,1,4]");
  Tensor dup = i64({2}, {1, 1});
  EXPECT_THROW(run_op("Unsqueeze", Attributes(), {&x, &dup}), Error);
}

// ---------------------------------------------------------------- Transpose

TEST(Transpose, DefaultAndPerm) {
  Tensor x = iota({2, 3});
  expect_close(run_op("Transpose", Attributes(), {&x})[0], f32({3, 2}, {0, 3, 1, 4, 2, 5}));
  Tensor y = iota({2, 3, 4});
  Attributes a;
  a.set_ints("perm", {1, 2, 0});
  auto out = run_op("Transpose", a, {&y});
  EXPECT_EQ(shape_str(out[0].shape()), "[3,4,2]");
  auto v = out[0].to_f32_vector();
  // out[i][j][k] = y[k][i][j] = k*12 + i*4 + j
  EXPECT_EQ(v[1 * 8 + 2 * 2 + 1], 12 + 4 + 2);
  Attributes bad;
  bad.set_ints("perm", {0, 0, 1});
  EXPECT_THROW(run_op("Transpose", bad, {&y}), Error);
}

TEST(Transpose, Int64AndZeroSize) {
  Tensor x = i64({2, 2}, {1, 2, 3, 4});
  expect_i64(run_op("Transpose", Attributes(), {&x})[0], {2, 2}, {1, 3, 2, 4});
  Tensor z = f32({0, 3}, {});
  EXPECT_EQ(shape_str(run_op("Transpose", Attributes(), {&z})[0].shape()), "[3,0]");
}

// ---------------------------------------------------------------- Pad

TEST(Pad, ConstantWithValue) {
  Tensor x = f32({1, 2}, {1, 2});
  Tensor pads = i64({4}, {0, 1, 1, 0});  // begin: (0, 1), end: (1, 0)
  Tensor value = Tensor::scalar_f32(9.f);
  auto out = run_op("Pad", Attributes(), {&x, &pads, &value});
  expect_close(out[0], f32({2, 3}, {9, 1, 2, 9, 9, 9}));
}

TEST(Pad, ReflectEdgeWrap) {
  Tensor x = f32({3}, {1, 2, 3});
  Tensor pads = i64({2}, {2, 2});
  Attributes a;
  a.set_string("mode", "reflect");
  expect_close(run_op("Pad", a, {&x, &pads})[0], f32({7}, {3, 2, 1, 2, 3, 2, 1}));
  a.set_string("mode", "edge");
  expect_close(run_op("Pad", a, {&x, &pads})[0], f32({7}, {1, 1, 1, 2, 3, 3, 3}));
  a.set_string("mode", "wrap");
  expect_close(run_op("Pad", a, {&x, &pads}, 1, 19)[0], f32({7}, {2, 3, 1, 2, 3, 1, 2}));
  EXPECT_THROW(run_op("Pad", a, {&x, &pads}, 1, 18), Error);  // wrap needs opset 19
}

TEST(Pad, NegativePadsCrop) {
  Tensor x = f32({4}, {1, 2, 3, 4});
  Tensor pads = i64({2}, {-1, 2});
  Attributes a;
  a.set_string("mode", "reflect");
  expect_close(run_op("Pad", a, {&x, &pads})[0], f32({5}, {2, 3, 4, 3, 2}));
  Tensor too_much = i64({2}, {-3, -2});
  EXPECT_THROW(run_op("Pad", Attributes(), {&x, &too_much}), Error);
}

TEST(Pad, LegacyAttributesAndAxes) {
  Tensor x = f32({2, 2}, {1, 2, 3, 4});
  Attributes a;
  a.set_ints("pads", {0, 1, 0, 0});
  a.set_float("value", 7.f);
  expect_close(run_op("Pad", a, {&x}, 1, 2)[0], f32({2, 3}, {7, 1, 2, 7, 3, 4}));
  Tensor pads = i64({2}, {1, 1});
  Tensor axes = i64({1}, {-2});
  Attributes e;
  e.set_string("mode", "edge");
  expect_close(run_op("Pad", e, {&x, &pads, nullptr, &axes}, 1, 18)[0],
               f32({4, 2}, {1, 2, 1, 2, 3, 4, 3, 4}));
}

TEST(Pad, Int64Constant) {
  Tensor x = i64({2}, {5, 6});
  Tensor pads = i64({2}, {1, 0});
  Tensor value = Tensor::scalar_i64(-1);
  expect_i64(run_op("Pad", Attributes(), {&x, &pads, &value})[0], {3}, {-1, 5, 6});
}

// ---------------------------------------------------------------- Expand / Tile

TEST(Expand, BroadcastAndErrors) {
  Tensor x = f32({3, 1}, {1, 2, 3});
  Tensor shape = i64({3}, {2, 1, 2});
  auto out = run_op("Expand", Attributes(), {&x, &shape});
  expect_close(out[0], f32({2, 3, 2}, {1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3}));
  Tensor bad = i64({2}, {2, 2});
  EXPECT_THROW(run_op("Expand", Attributes(), {&x, &bad}), Error);
}

TEST(Tile, Repeats) {
  Tensor x = i64({2, 2}, {1, 2, 3, 4});
  Tensor reps = i64({2}, {2, 1});
  expect_i64(run_op("Tile", Attributes(), {&x, &reps})[0], {4, 2}, {1, 2, 3, 4, 1, 2, 3, 4});
  Tensor reps2 = i64({2}, {1, 2});
  expect_i64(run_op("Tile", Attributes(), {&x, &reps2})[0], {2, 4}, {1, 2, 1, 2, 3, 4, 3, 4});
  Tensor zero = i64({2}, {0, 2});
  EXPECT_EQ(shape_str(run_op("Tile", Attributes(), {&x, &zero})[0].shape()), "[0,4]");
}

// ---------------------------------------------------------------- Resize

// Resize-19 on a float input with scales (sizes = nullptr) or sizes.
Tensor resize(const Tensor& x, const Attributes& a, const Tensor* scales, const Tensor* sizes,
              const Tensor* roi = nullptr, int opset = 19) {
  return run_op("Resize", a, {&x, roi, scales, sizes}, 1, opset)[0];
}

Attributes linear(const std::string& coord) {
  Attributes a;
  a.set_string("mode", "linear");
  a.set_string("coordinate_transformation_mode", coord);
  return a;
}

TEST(Resize, LinearHalfPixelDownsample) {
  Tensor x = f32({4}, {1, 2, 3, 4});
  Tensor scales = f32({1}, {0.5f});
  // x_in = (x + 0.5) / 0.5 - 0.5 = 0.5, 2.5
  expect_close(resize(x, linear("half_pixel"), &scales, nullptr), f32({2}, {1.5f, 3.5f}));
}

TEST(Resize, LinearAlignCornersUsesUnroundedLength) {
  Tensor x = f32({4}, {1, 2, 3, 4});
  Tensor scales = f32({1}, {0.6f});
  // L = 2.4: x_in = x * 3 / 1.4 -> 0, 2.142857
  expect_close(resize(x, linear("align_corners"), &scales, nullptr), f32({2}, {1.f, 3.142857f}));
}

TEST(Resize, LinearAsymmetricUpsampleClampsAtEdge) {
  Tensor x = f32({2}, {1, 2});
  Tensor scales = f32({1}, {2.f});
  // x_in = 0, 0.5, 1, 1.5 (clamped to the last sample)
  expect_close(resize(x, linear("asymmetric"), &scales, nullptr), f32({4}, {1, 1.5f, 2, 2}));
}

TEST(Resize, LinearPytorchHalfPixel) {
  Tensor x = f32({4}, {1, 2, 3, 4});
  Tensor sizes = i64({1}, {3});
  // s = 0.75: x_in = (x + 0.5) / 0.75 - 0.5 = 1/6, 1.5, 17/6
  expect_close(resize(x, linear("pytorch_half_pixel"), nullptr, &sizes),
               f32({3}, {1.f + 1.f / 6.f, 2.5f, 1.f + 17.f / 6.f}));
  Tensor one = i64({1}, {1});
  // Output length 1: x_in = -0.5, i.e. the first sample.
  expect_close(resize(x, linear("pytorch_half_pixel"), nullptr, &one), f32({1}, {1.f}));
  // half_pixel instead samples the middle: x_in = 0.5 / 0.25 - 0.5 = 1.5.
  expect_close(resize(x, linear("half_pixel"), nullptr, &one), f32({1}, {2.5f}));
}

TEST(Resize, LinearHalfPixelSymmetric) {
  Tensor x = f32({4}, {1, 2, 3, 4});
  Tensor scales = f32({1}, {0.6f});
  // L = 2.4, out 2: offset = 2 * (1 - 2 / 2.4) = 1/3; x_in = 1/3 + (x + 0.5) / 0.6 - 0.5
  expect_close(resize(x, linear("half_pixel_symmetric"), &scales, nullptr),
               f32({2}, {1.f + 2.f / 3.f, 1.f + 7.f / 3.f}));
}

TEST(Resize, TfCropAndResize) {
  Tensor x = f32({4}, {1, 2, 3, 4});
  Tensor sizes = i64({1}, {3});
  Tensor roi = f32({2}, {0.f, 0.5f});
  // x_in = x * 0.5 * 3 / 2 = 0, 0.75, 1.5
  expect_close(resize(x, linear("tf_crop_and_resize"), nullptr, &sizes, &roi),
               f32({3}, {1.f, 1.75f, 2.5f}));
  Tensor roi2 = f32({2}, {0.5f, 1.5f});
  Attributes a = linear("tf_crop_and_resize");
  a.set_float("extrapolation_value", 10.f);
  // x_in = 1.5 + x * 1.5 = 1.5, 3, 4.5 (outside -> 10)
  expect_close(resize(x, a, nullptr, &sizes, &roi2), f32({3}, {2.5f, 4.f, 10.f}));
}

TEST(Resize, NearestModes) {
  Tensor x = f32({2}, {10, 20});
  Tensor scales = f32({1}, {4.f});
  // asymmetric: x_in = 0, .25, .5, .75, 1, 1.25, 1.5, 1.75 (indices clamp to 1)
  const std::vector<std::pair<const char*, std::vector<float>>> cases = {
      {"round_prefer_floor", {10, 10, 10, 20, 20, 20, 20, 20}},
      {"round_prefer_ceil", {10, 10, 20, 20, 20, 20, 20, 20}},
      {"floor", {10, 10, 10, 10, 20, 20, 20, 20}},
      {"ceil", {10, 20, 20, 20, 20, 20, 20, 20}},
  };
  for (const auto& c : cases) {
    Attributes a;
    a.set_string("mode", "nearest");
    a.set_string("coordinate_transformation_mode", "asymmetric");
    a.set_string("nearest_mode", c.first);
    SCOPED_TRACE(c.first);
    expect_close(resize(x, a, &scales, nullptr), f32({8}, c.second));
  }
}

TEST(Resize, LinearAntialiasDownsample) {
  Tensor x = f32({4}, {1, 2, 3, 4});
  Tensor scales = f32({1}, {0.5f});
  Attributes a = linear("half_pixel");
  a.set_int("antialias", 1);
  // Triangle of half-width 2 around x_in = 0.5 and 2.5: weights 1/8, 3/8, 3/8, 1/8 over
  // (clamped) samples -1..2 and 1..4.
  expect_close(resize(x, a, &scales, nullptr), f32({2}, {1.625f, 3.375f}));
}

TEST(Resize, BilinearFastPath) {
  Tensor x = f32({1, 1, 2, 2}, {1, 2, 3, 4});
  Tensor scales = f32({4}, {1, 1, 2, 2});
  expect_close(resize(x, linear("half_pixel"), &scales, nullptr),
               f32({1, 1, 4, 4}, {1, 1.25f, 1.75f, 2, 1.5f, 1.75f, 2.25f, 2.5f, 2.5f, 2.75f,
                                  3.25f, 3.5f, 3, 3.25f, 3.75f, 4}));
}

TEST(Resize, NearestUpsample2xAndUpsampleOp) {
  Tensor x = f32({1, 2, 1, 2}, {1, 2, 3, 4});
  Tensor scales = f32({4}, {1, 1, 2, 2});
  Attributes a;
  a.set_string("coordinate_transformation_mode", "asymmetric");
  a.set_string("nearest_mode", "floor");
  Tensor expected =
      f32({1, 2, 2, 4}, {1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4});
  expect_close(resize(x, a, &scales, nullptr), expected);
  expect_close(run_op("Upsample", Attributes(), {&x, &scales}, 1, 9)[0], expected);
  Attributes u;
  u.set_floats("scales", {1, 1, 2, 2});
  expect_close(run_op("Upsample", u, {&x}, 1, 7)[0], expected);
  // Resize-10: (X, scales), asymmetric.
  expect_close(run_op("Resize", Attributes(), {&x, &scales}, 1, 10)[0], expected);
}

TEST(Resize, AxesAndKeepAspectRatio) {
  Tensor x = iota({1, 1, 2, 4});
  Tensor sizes = i64({2}, {6, 6});
  Attributes a;
  a.set_ints("axes", {2, 3});
  EXPECT_EQ(shape_str(resize(x, a, nullptr, &sizes).shape()), "[1,1,6,6]");
  a.set_string("keep_aspect_ratio_policy", "not_larger");
  EXPECT_EQ(shape_str(resize(x, a, nullptr, &sizes).shape()), "[1,1,3,6]");
  a.set_string("keep_aspect_ratio_policy", "not_smaller");
  EXPECT_EQ(shape_str(resize(x, a, nullptr, &sizes).shape()), "[1,1,6,12]");
  Attributes b;
  b.set_ints("axes", {-1});
  Tensor s = f32({1}, {0.5f});
  EXPECT_EQ(shape_str(resize(x, b, &s, nullptr).shape()), "[1,1,2,2]");
}

TEST(Resize, ZeroSizeAndErrors) {
  Tensor z = f32({0, 2}, {});
  Tensor scales = f32({2}, {1, 2});
  EXPECT_EQ(shape_str(resize(z, Attributes(), &scales, nullptr).shape()), "[0,4]");
  Tensor x = f32({2}, {1, 2});
  Tensor zero = f32({1}, {0.f});
  EXPECT_THROW(resize(x, Attributes(), &zero, nullptr), Error);
  Tensor nan = f32({1}, {std::numeric_limits<float>::quiet_NaN()});
  EXPECT_THROW(resize(x, Attributes(), &nan, nullptr), Error);
  Tensor huge = f32({1}, {1e30f});
  EXPECT_THROW(resize(x, Attributes(), &huge, nullptr), Error);
  Tensor one = f32({1}, {1.f});
  Tensor sizes = i64({1}, {2});
  EXPECT_THROW(resize(x, Attributes(), &one, &sizes), Error);  // both given
  Attributes cubic;
  cubic.set_string("mode", "cubic");
  EXPECT_THROW(resize(x, cubic, &one, nullptr), Error);
}

}  // namespace
}  // namespace facet
