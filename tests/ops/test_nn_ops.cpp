// Tests for the nn ops: Conv, ConvTranspose, MaxPool, AveragePool, GlobalAveragePool,
// BatchNormalization, InstanceNormalization, Gemm, MatMul.
//
// Small cases are checked against hand-computed values; parameter sweeps compare against naive
// reference formulas written here, independently of ops/kernels (they loop over every output
// and kernel coordinate and test bounds per tap).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "engine/status.h"
#include "test_util.h"

namespace facet {
namespace {

using test::expect_close;
using test::run_op;

std::vector<float> random_values(int64_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-1.2f, 1.2f);
  std::vector<float> v(static_cast<size_t>(n));
  for (float& x : v) x = dist(rng);
  return v;
}

Tensor random_tensor(const Shape& s, uint32_t seed) {
  return Tensor::from_f32(s, random_values(shape_numel(s), seed));
}

std::vector<float> iota(int64_t n, float start = 0.f) {
  std::vector<float> v(static_cast<size_t>(n));
  for (size_t i = 0; i < v.size(); ++i) v[i] = start + static_cast<float>(i);
  return v;
}

// Row-major strides of a shape.
std::vector<int64_t> strides_of(const Shape& s) {
  std::vector<int64_t> st(s.size(), 1);
  for (int i = static_cast<int>(s.size()) - 2; i >= 0; --i) {
    st[static_cast<size_t>(i)] = st[static_cast<size_t>(i) + 1] * s[static_cast<size_t>(i) + 1];
  }
  return st;
}

// Multi-index of a flat index in a shape.
std::vector<int64_t> unravel(int64_t flat, const Shape& s) {
  std::vector<int64_t> idx(s.size());
  for (int i = static_cast<int>(s.size()) - 1; i >= 0; --i) {
    idx[static_cast<size_t>(i)] = flat % s[static_cast<size_t>(i)];
    flat /= s[static_cast<size_t>(i)];
  }
  return idx;
}

// Spatial window settings for the naive references; pads are begins then ends.
struct Geo {
  std::vector<int64_t> stride, dilation, pads;
};

// Naive Conv: y[n, m, o] = b[m] + sum_{c, k} x[n, g*C/G + c, o*s - pb + k*d] * w[m, c, k].
std::vector<float> naive_conv(const Tensor& x, const Tensor& w, const Tensor* b, int64_t group,
                              const Geo& g, const Shape& y_shape) {
  const size_t rank = x.shape().size() - 2;
  const auto xv = x.to_f32_vector(), wv = w.to_f32_vector();
  const auto xs = strides_of(x.shape()), ws = strides_of(w.shape());
  const int64_t cin_g = w.dim(1), m_total = w.dim(0), m_g = m_total / group;
  Shape kshape(w.shape().begin() + 2, w.shape().end());
  std::vector<float> y(static_cast<size_t>(shape_numel(y_shape)));
  for (int64_t flat = 0; flat < shape_numel(y_shape); ++flat) {
    auto o = unravel(flat, y_shape);
    const int64_t n = o[0], m = o[1], grp = m / m_g;
    double acc = b ? b->to_f32_vector()[static_cast<size_t>(m)] : 0.0;
    for (int64_t c = 0; c < cin_g; ++c) {
      for (int64_t kf = 0; kf < shape_numel(kshape); ++kf) {
        auto k = unravel(kf, kshape);
        int64_t x_off = n * xs[0] + (grp * cin_g + c) * xs[1];
        bool inside = true;
        for (size_t i = 0; i < rank; ++i) {
          int64_t pos = o[i + 2] * g.stride[i] - g.pads[i] + k[i] * g.dilation[i];
          if (pos < 0 || pos >= x.dim(static_cast<int>(i) + 2)) inside = false;
          x_off += pos * xs[i + 2];
        }
        if (!inside) continue;
        int64_t w_off = m * ws[0] + c * ws[1];
        for (size_t i = 0; i < rank; ++i) w_off += k[i] * ws[i + 2];
        acc += static_cast<double>(xv[static_cast<size_t>(x_off)]) * wv[static_cast<size_t>(w_off)];
      }
    }
    y[static_cast<size_t>(flat)] = static_cast<float>(acc);
  }
  return y;
}

// Naive ConvTranspose by scattering every input element through the kernel.
std::vector<float> naive_conv_transpose(const Tensor& x, const Tensor& w, const Tensor* b,
                                        int64_t group, const Geo& g, const Shape& y_shape) {
  const size_t rank = x.shape().size() - 2;
  const auto xv = x.to_f32_vector(), wv = w.to_f32_vector();
  const auto ys = strides_of(y_shape), ws = strides_of(w.shape());
  const int64_t c_g = x.dim(1) / group, m_g = w.dim(1);
  Shape kshape(w.shape().begin() + 2, w.shape().end());
  std::vector<double> y(static_cast<size_t>(shape_numel(y_shape)), 0.0);
  for (int64_t flat = 0; flat < x.numel(); ++flat) {
    auto i = unravel(flat, x.shape());
    const int64_t n = i[0], c = i[1], grp = c / c_g;
    for (int64_t mm = 0; mm < m_g; ++mm) {
      for (int64_t kf = 0; kf < shape_numel(kshape); ++kf) {
        auto k = unravel(kf, kshape);
        int64_t y_off = n * ys[0] + (grp * m_g + mm) * ys[1];
        bool inside = true;
        for (size_t a = 0; a < rank; ++a) {
          int64_t pos = i[a + 2] * g.stride[a] - g.pads[a] + k[a] * g.dilation[a];
          if (pos < 0 || pos >= y_shape[a + 2]) inside = false;
          y_off += pos * ys[a + 2];
        }
        if (!inside) continue;
        int64_t w_off = c * ws[0] + mm * ws[1];
        for (size_t a = 0; a < rank; ++a) w_off += k[a] * ws[a + 2];
        y[static_cast<size_t>(y_off)] +=
            static_cast<double>(xv[static_cast<size_t>(flat)]) * wv[static_cast<size_t>(w_off)];
      }
    }
  }
  std::vector<float> out(y.size());
  for (int64_t flat = 0; flat < shape_numel(y_shape); ++flat) {
    const int64_t m = unravel(flat, y_shape)[1];
    out[static_cast<size_t>(flat)] = static_cast<float>(
        y[static_cast<size_t>(flat)] + (b ? b->to_f32_vector()[static_cast<size_t>(m)] : 0.f));
  }
  return out;
}

// Naive pooling. avg: divisor is the number of taps inside the input, or with
// count_include_pad the number inside [-pad_begin, in + pad_end).
std::vector<float> naive_pool(const Tensor& x, const Shape& kshape, const Geo& g,
                              const Shape& y_shape, bool is_max, bool count_include_pad) {
  const size_t rank = kshape.size();
  const auto xv = x.to_f32_vector();
  const auto xs = strides_of(x.shape());
  std::vector<float> y(static_cast<size_t>(shape_numel(y_shape)));
  for (int64_t flat = 0; flat < shape_numel(y_shape); ++flat) {
    auto o = unravel(flat, y_shape);
    double sum = 0;
    float mx = -std::numeric_limits<float>::infinity();
    int64_t inside_count = 0, padded_count = 0;
    for (int64_t kf = 0; kf < shape_numel(kshape); ++kf) {
      auto k = unravel(kf, kshape);
      int64_t x_off = o[0] * xs[0] + o[1] * xs[1];
      bool inside = true, in_padded = true;
      for (size_t i = 0; i < rank; ++i) {
        const int64_t pos = o[i + 2] * g.stride[i] - g.pads[i] + k[i] * g.dilation[i];
        const int64_t len = x.dim(static_cast<int>(i) + 2);
        if (pos < 0 || pos >= len) inside = false;
        if (pos < -g.pads[i] || pos >= len + g.pads[i + rank]) in_padded = false;
        x_off += pos * xs[i + 2];
      }
      if (in_padded) ++padded_count;
      if (!inside) continue;
      ++inside_count;
      const float v = xv[static_cast<size_t>(x_off)];
      sum += v;
      mx = std::max(mx, v);
    }
    y[static_cast<size_t>(flat)] =
        is_max ? mx
               : static_cast<float>(sum / static_cast<double>(count_include_pad ? padded_count
                                                                                : inside_count));
  }
  return y;
}

Attributes window_attrs(const Shape& kernel, const Geo& g) {
  Attributes a;
  a.set_ints("kernel_shape", kernel);
  a.set_ints("strides", g.stride);
  a.set_ints("dilations", g.dilation);
  a.set_ints("pads", g.pads);
  return a;
}

template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

// ---------------------------------------------------------------------------------------------
// Conv

TEST(NnConv, Example5x5NoPadAndPad1) {
  // ONNX Conv example: 5x5 input 0..24, 3x3 kernel of ones.
  Tensor x = Tensor::from_f32({1, 1, 5, 5}, iota(25));
  Tensor w = Tensor::from_f32({1, 1, 3, 3}, std::vector<float>(9, 1.f));
  Attributes a;
  a.set_ints("kernel_shape", {3, 3});
  auto y = run_op("Conv", a, {&x, &w}, 1, 22);
  expect_close(y[0], Tensor::from_f32({1, 1, 3, 3}, {54, 63, 72, 99, 108, 117, 144, 153, 162}));

  a.set_ints("pads", {1, 1, 1, 1});
  y = run_op("Conv", a, {&x, &w}, 1, 11);
  expect_close(y[0], Tensor::from_f32({1, 1, 5, 5},
                                      {12, 21, 27, 33, 24, 33, 54, 63, 72, 51, 63, 99, 108,
                                       117, 81, 93, 144, 153, 162, 111, 72, 111, 117, 123, 84}));
}

TEST(NnConv, StridesAsymmetricPadsAndBias) {
  // 1-D by hand: x = [1 2 3 4 5], w = [1 10], pads (2, 0), stride 2, bias 100.
  // Padded: [0 0 1 2 3 4 5]; windows start at 0, 2, 4: [0 0] [1 2] [3 4].
  Tensor x = Tensor::from_f32({1, 1, 5}, {1, 2, 3, 4, 5});
  Tensor w = Tensor::from_f32({1, 1, 2}, {1, 10});
  Tensor b = Tensor::from_f32({1}, {100});
  Attributes a;
  a.set_ints("pads", {2, 0});
  a.set_ints("strides", {2});
  auto y = run_op("Conv", a, {&x, &w, &b}, 1, 1);
  expect_close(y[0], Tensor::from_f32({1, 1, 3}, {100, 121, 143}));
}

TEST(NnConv, AutoPadSameUpperLower) {
  Tensor x = Tensor::from_f32({1, 1, 4}, {1, 2, 3, 4});
  Tensor w = Tensor::from_f32({1, 1, 2}, {1, 1});
  Attributes a;
  a.set_string("auto_pad", "SAME_UPPER");
  expect_close(run_op("Conv", a, {&x, &w})[0], Tensor::from_f32({1, 1, 4}, {3, 5, 7, 4}));
  a.set_string("auto_pad", "SAME_LOWER");
  expect_close(run_op("Conv", a, {&x, &w})[0], Tensor::from_f32({1, 1, 4}, {1, 3, 5, 7}));
  // Stride 2 on 5 elements, kernel 3: out 3, total pad (3-1)*2+3-5 = 2 -> (1, 1) for both.
  Tensor x5 = Tensor::from_f32({1, 1, 5}, {1, 2, 3, 4, 5});
  Tensor w3 = Tensor::from_f32({1, 1, 3}, {1, 1, 1});
  a.set_ints("strides", {2});
  expect_close(run_op("Conv", a, {&x5, &w3})[0], Tensor::from_f32({1, 1, 3}, {3, 9, 9}));
  a.set_string("auto_pad", "VALID");
  expect_close(run_op("Conv", a, {&x5, &w3})[0], Tensor::from_f32({1, 1, 2}, {6, 12}));
}

struct ConvCase {
  Shape x;  // N, C, spatial
  int64_t out_channels, group;
  Shape kernel;
  Geo geo;
  bool bias;
};

TEST(NnConv, MatchesNaiveReference) {
  const std::vector<ConvCase> cases = {
      {{1, 3, 7}, 4, 1, {3}, {{1}, {1}, {0, 0}}, true},
      {{2, 4, 9}, 6, 2, {3}, {{2}, {2}, {1, 2}}, false},
      {{1, 3, 7, 6}, 5, 1, {3, 3}, {{1, 1}, {1, 1}, {1, 1, 1, 1}}, true},
      {{1, 4, 8, 7}, 4, 4, {3, 3}, {{2, 1}, {1, 1}, {1, 0, 0, 1}}, true},      // depthwise
      {{2, 3, 7, 7}, 6, 3, {3, 3}, {{1, 2}, {2, 1}, {2, 1, 0, 2}}, true},      // multiplier 2
      {{1, 6, 9, 5}, 4, 2, {2, 3}, {{3, 2}, {2, 2}, {0, 1, 1, 0}}, false},     // groups, dilation
      {{1, 2, 5, 5}, 3, 1, {1, 1}, {{1, 1}, {1, 1}, {0, 0, 0, 0}}, true},      // 1x1
      {{1, 2, 3, 3}, 2, 1, {3, 3}, {{1, 1}, {1, 1}, {0, 0, 0, 0}}, true},      // 1x1 output
      {{1, 2, 5, 4, 6}, 4, 2, {3, 2, 3}, {{1, 2, 2}, {1, 1, 2}, {1, 0, 1, 1, 1, 0}}, true},
      {{2, 3, 4, 5, 5}, 3, 3, {2, 2, 2}, {{2, 1, 1}, {1, 2, 1}, {0, 1, 0, 1, 0, 1}}, false},
  };
  uint32_t seed = 1;
  for (const ConvCase& c : cases) {
    SCOPED_TRACE("case x=" + shape_str(c.x) + " kernel=" + shape_str(c.kernel));
    Shape ws = {c.out_channels, c.x[1] / c.group};
    ws.insert(ws.end(), c.kernel.begin(), c.kernel.end());
    Tensor x = random_tensor(c.x, seed++);
    Tensor w = random_tensor(ws, seed++);
    Tensor b = random_tensor({c.out_channels}, seed++);
    Attributes a = window_attrs(c.kernel, c.geo);
    a.set_int("group", c.group);
    std::vector<const Tensor*> in = {&x, &w};
    if (c.bias) in.push_back(&b);
    auto y = run_op("Conv", a, in, 1, 22);
    Shape ys = {c.x[0], c.out_channels};
    const size_t r = c.kernel.size();
    for (size_t i = 0; i < r; ++i) {
      ys.push_back((c.x[i + 2] + c.geo.pads[i] + c.geo.pads[i + r] -
                    (c.kernel[i] - 1) * c.geo.dilation[i] - 1) / c.geo.stride[i] + 1);
    }
    expect_close(y[0], Tensor::from_f32(ys, naive_conv(x, w, c.bias ? &b : nullptr, c.group,
                                                       c.geo, ys)));
  }
}

TEST(NnConv, KernelShapeInferredAndZeroBatch) {
  Tensor x = Tensor::empty(DType::kF32, {0, 2, 5, 5});
  Tensor w = random_tensor({3, 2, 3, 3}, 7);
  auto y = run_op("Conv", Attributes(), {&x, &w});
  EXPECT_EQ(shape_str(y[0].shape()), "[0,3,3,3]");
}

TEST(NnConv, Errors) {
  Tensor x = random_tensor({1, 4, 5, 5}, 1);
  Tensor w = random_tensor({4, 2, 3, 3}, 2);
  Attributes a;
  a.set_int("group", 3);
  EXPECT_NE(error_of([&] { run_op("Conv", a, {&x, &w}); }).find("does not divide"),
            std::string::npos);
  Tensor w_bad = random_tensor({4, 3, 3, 3}, 3);
  EXPECT_NE(error_of([&] { run_op("Conv", Attributes(), {&x, &w_bad}); }).find("channels"),
            std::string::npos);
  Tensor x3 = random_tensor({1, 4, 5}, 4);
  EXPECT_NE(error_of([&] { run_op("Conv", Attributes(), {&x3, &w}); })
                .find("input 'W' has rank 4, expected 3"),
            std::string::npos);
  Attributes neg;
  neg.set_ints("pads", {-1, 0, 0, 0});
  EXPECT_NE(error_of([&] { run_op("Conv", neg, {&x, &w}); }).find("pads"), std::string::npos);
  Attributes s0;
  s0.set_ints("strides", {0, 1});
  EXPECT_NE(error_of([&] { run_op("Conv", s0, {&x, &w}); }).find("strides"), std::string::npos);
  Attributes ks;
  ks.set_ints("kernel_shape", {2, 2});
  Tensor w2 = random_tensor({4, 4, 3, 3}, 5);
  EXPECT_NE(error_of([&] { run_op("Conv", ks, {&x, &w2}); }).find("kernel_shape"),
            std::string::npos);
  Tensor xi = Tensor::from_i64({1, 1, 3}, {1, 2, 3});
  Tensor wi = random_tensor({1, 1, 1}, 6);
  EXPECT_NE(error_of([&] { run_op("Conv", Attributes(), {&xi, &wi}); }).find("float32"),
            std::string::npos);
  Tensor big = random_tensor({4, 4, 7, 7}, 7);
  EXPECT_NE(error_of([&] { run_op("Conv", Attributes(), {&x, &big}); }).find("larger"),
            std::string::npos);
  Attributes bad_pad;
  bad_pad.set_string("auto_pad", "SAME");
  EXPECT_NE(error_of([&] { run_op("Conv", bad_pad, {&x, &w2}); }).find("auto_pad"),
            std::string::npos);
}

TEST(NnConv, Macs) {
  NodeDef def;
  def.op_type = "Conv";
  def.opset = 13;
  def.input_present = {true, true};
  auto op = ops::builtin_registry().create(def);
  ValueInfo x{DType::kF32, {1, 4, 8, 8}, nullptr}, w{DType::kF32, {6, 2, 3, 3}, nullptr};
  ValueInfo y{DType::kF32, {1, 6, 6, 6}, nullptr};
  EXPECT_EQ(op->macs({x, w}, {y}), 6 * 6 * 6 * 2 * 9);
}

// ---------------------------------------------------------------------------------------------
// ConvTranspose

TEST(NnConvTranspose, OnnxExample) {
  Tensor x = Tensor::from_f32({1, 1, 3, 3}, iota(9));
  Tensor w = Tensor::from_f32({1, 2, 3, 3}, std::vector<float>(18, 1.f));
  auto y = run_op("ConvTranspose", Attributes(), {&x, &w}, 1, 22);
  std::vector<float> plane = {0, 1,  3,  3,  2,  3, 8,  15, 12, 7,  9,  21, 36,
                              27, 15, 9, 20, 33, 24, 13, 6,  13, 21, 15, 8};
  std::vector<float> both = plane;
  both.insert(both.end(), plane.begin(), plane.end());
  expect_close(y[0], Tensor::from_f32({1, 2, 5, 5}, both));
}

TEST(NnConvTranspose, OneDimStrideHandChecked) {
  // x = [1 2], w = [1 10 100], stride 2: y[0..4] = [1 10 100+2 20 200], pads (1, 1) -> middle 3.
  Tensor x = Tensor::from_f32({1, 1, 2}, {1, 2});
  Tensor w = Tensor::from_f32({1, 1, 3}, {1, 10, 100});
  Attributes a;
  a.set_ints("strides", {2});
  expect_close(run_op("ConvTranspose", a, {&x, &w})[0],
               Tensor::from_f32({1, 1, 5}, {1, 10, 102, 20, 200}));
  a.set_ints("pads", {1, 1});
  expect_close(run_op("ConvTranspose", a, {&x, &w})[0], Tensor::from_f32({1, 1, 3}, {10, 102, 20}));
  // output_padding 1 appends one (bias-only) position.
  Tensor b = Tensor::from_f32({1}, {0.5f});
  a.set_ints("output_padding", {1});
  expect_close(run_op("ConvTranspose", a, {&x, &w, &b})[0],
               Tensor::from_f32({1, 1, 4}, {10.5f, 102.5f, 20.5f, 200.5f}));
}

TEST(NnConvTranspose, MatchesNaiveReference) {
  const std::vector<ConvCase> cases = {
      {{1, 2, 5}, 3, 1, {3}, {{2}, {1}, {0, 0}}, true},
      {{2, 4, 4}, 6, 2, {2}, {{3}, {2}, {1, 0}}, false},
      {{1, 3, 4, 5}, 2, 1, {3, 3}, {{2, 2}, {1, 1}, {1, 1, 1, 1}}, true},
      {{1, 4, 3, 4}, 4, 4, {3, 2}, {{1, 2}, {2, 1}, {0, 1, 2, 0}}, true},  // depthwise
      {{1, 4, 3, 3}, 6, 2, {2, 3}, {{2, 3}, {1, 2}, {0, 0, 1, 1}}, false},
      {{1, 2, 3, 2, 3}, 4, 2, {2, 3, 2}, {{2, 1, 2}, {1, 1, 2}, {0, 1, 0, 1, 0, 1}}, true},
  };
  uint32_t seed = 100;
  for (const ConvCase& c : cases) {
    SCOPED_TRACE("case x=" + shape_str(c.x) + " kernel=" + shape_str(c.kernel));
    Shape ws = {c.x[1], c.out_channels / c.group};
    ws.insert(ws.end(), c.kernel.begin(), c.kernel.end());
    Tensor x = random_tensor(c.x, seed++);
    Tensor w = random_tensor(ws, seed++);
    Tensor b = random_tensor({c.out_channels}, seed++);
    Attributes a = window_attrs(c.kernel, c.geo);
    a.set_int("group", c.group);
    std::vector<const Tensor*> in = {&x, &w};
    if (c.bias) in.push_back(&b);
    auto y = run_op("ConvTranspose", a, in, 1, 11);
    Shape ys = {c.x[0], c.out_channels};
    const size_t r = c.kernel.size();
    for (size_t i = 0; i < r; ++i) {
      ys.push_back(c.geo.stride[i] * (c.x[i + 2] - 1) + (c.kernel[i] - 1) * c.geo.dilation[i] +
                   1 - c.geo.pads[i] - c.geo.pads[i + r]);
    }
    expect_close(y[0], Tensor::from_f32(ys, naive_conv_transpose(x, w, c.bias ? &b : nullptr,
                                                                 c.group, c.geo, ys)));
  }
}

TEST(NnConvTranspose, OutputShapeAndAutoPad) {
  Tensor x = random_tensor({1, 1, 3, 3}, 11);
  Tensor w = random_tensor({1, 2, 3, 3}, 12);
  // output_shape [10, 8] with strides (3, 2) equals output_padding (1, 1) (ONNX example).
  Attributes a;
  a.set_ints("strides", {3, 2});
  a.set_ints("output_shape", {10, 8});
  auto y1 = run_op("ConvTranspose", a, {&x, &w});
  Attributes b;
  b.set_ints("strides", {3, 2});
  b.set_ints("output_padding", {1, 1});
  auto y2 = run_op("ConvTranspose", b, {&x, &w});
  EXPECT_EQ(shape_str(y1[0].shape()), "[1,2,10,8]");
  expect_close(y1[0], y2[0]);

  // SAME_UPPER, stride 2: out = 6, natural 7, total 1 -> pads (0, 1): the first 6 of the natural
  // output. SAME_LOWER -> pads (1, 0): the last 6.
  Attributes natural;
  natural.set_ints("strides", {2, 2});
  auto full = run_op("ConvTranspose", natural, {&x, &w})[0].to_f32_vector();  // [1,2,7,7]
  for (const char* mode : {"SAME_UPPER", "SAME_LOWER"}) {
    SCOPED_TRACE(mode);
    Attributes s = natural;
    s.set_string("auto_pad", mode);
    auto y = run_op("ConvTranspose", s, {&x, &w})[0];
    ASSERT_EQ(shape_str(y.shape()), "[1,2,6,6]");
    const int64_t off = std::string(mode) == "SAME_UPPER" ? 0 : 1;
    std::vector<float> want;
    for (int64_t c = 0; c < 2; ++c)
      for (int64_t i = 0; i < 6; ++i)
        for (int64_t j = 0; j < 6; ++j)
          want.push_back(full[static_cast<size_t>((c * 7 + i + off) * 7 + j + off)]);
    expect_close(y, Tensor::from_f32({1, 2, 6, 6}, want));
  }
}

TEST(NnConvTranspose, Errors) {
  Tensor x = random_tensor({1, 4, 3, 3}, 1);
  Tensor w = random_tensor({3, 2, 3, 3}, 2);
  EXPECT_NE(error_of([&] { run_op("ConvTranspose", Attributes(), {&x, &w}); }).find("channels"),
            std::string::npos);
  Tensor w4 = random_tensor({4, 2, 3, 3}, 3);
  Attributes a;
  a.set_int("group", 3);
  EXPECT_NE(error_of([&] { run_op("ConvTranspose", a, {&x, &w4}); }).find("does not divide"),
            std::string::npos);
  Attributes op;
  op.set_ints("output_padding", {-1, 0});
  EXPECT_NE(error_of([&] { run_op("ConvTranspose", op, {&x, &w4}); }).find("output_padding"),
            std::string::npos);
}

// ---------------------------------------------------------------------------------------------
// Pooling

TEST(NnPool, MaxPoolHandChecked) {
  Tensor x = Tensor::from_f32({1, 1, 4, 4}, iota(16));
  Attributes a;
  a.set_ints("kernel_shape", {2, 2});
  a.set_ints("strides", {2, 2});
  expect_close(run_op("MaxPool", a, {&x}, 1, 12)[0], Tensor::from_f32({1, 1, 2, 2}, {5, 7, 13, 15}));
  // ceil_mode: 3x3 kernel, stride 2 on 4: floor 1, ceil 2.
  Attributes c;
  c.set_ints("kernel_shape", {3, 3});
  c.set_ints("strides", {2, 2});
  expect_close(run_op("MaxPool", c, {&x}, 1, 22)[0], Tensor::from_f32({1, 1, 1, 1}, {10}));
  c.set_int("ceil_mode", 1);
  expect_close(run_op("MaxPool", c, {&x}, 1, 22)[0],
               Tensor::from_f32({1, 1, 2, 2}, {10, 11, 14, 15}));
  // dilation 2, kernel 2: taps (0, 2) -> max at (2, 2) = 10 for output (0, 0).
  Attributes d;
  d.set_ints("kernel_shape", {2, 2});
  d.set_ints("dilations", {2, 2});
  expect_close(run_op("MaxPool", d, {&x}, 1, 10)[0],
               Tensor::from_f32({1, 1, 2, 2}, {10, 11, 14, 15}));
}

TEST(NnPool, CeilModeDropsWindowStartingInRightPad) {
  // ONNX test_maxpool_2d_ceil_output_size_reduce_by_one: 2x2 input, kernel 1, stride 2, ceil:
  // ceil((2 - 1) / 2) + 1 = 2, but window 1 would start at 2 (outside) -> 1.
  Tensor x = Tensor::from_f32({1, 1, 2, 2}, {1, 2, 3, 4});
  Attributes a;
  a.set_ints("kernel_shape", {1, 1});
  a.set_ints("strides", {2, 2});
  a.set_int("ceil_mode", 1);
  expect_close(run_op("MaxPool", a, {&x}, 1, 22)[0], Tensor::from_f32({1, 1, 1, 1}, {1}));
  // test_averagepool_2d_ceil_last_window_starts_on_pad: kernel 3, stride 3, pads 1, 2x2.
  Attributes b;
  b.set_ints("kernel_shape", {3, 3});
  b.set_ints("strides", {3, 3});
  b.set_ints("pads", {1, 1, 1, 1});
  b.set_int("ceil_mode", 1);
  b.set_int("count_include_pad", 1);
  expect_close(run_op("AveragePool", b, {&x}, 1, 22)[0],
               Tensor::from_f32({1, 1, 1, 1}, {10.f / 9.f}));
  b.set_int("count_include_pad", 0);
  expect_close(run_op("AveragePool", b, {&x}, 1, 22)[0], Tensor::from_f32({1, 1, 1, 1}, {2.5f}));
}

TEST(NnPool, AveragePoolCountIncludePad) {
  // 1-D: x = [1 2 3], kernel 2, pads (1, 1): windows [pad 1] [1 2]... stride 1 -> 4 outputs.
  Tensor x = Tensor::from_f32({1, 1, 3}, {1, 2, 3});
  Attributes a;
  a.set_ints("kernel_shape", {2});
  a.set_ints("pads", {1, 1});
  expect_close(run_op("AveragePool", a, {&x}, 1, 11)[0],
               Tensor::from_f32({1, 1, 4}, {1, 1.5f, 2.5f, 3}));
  a.set_int("count_include_pad", 1);
  expect_close(run_op("AveragePool", a, {&x}, 1, 11)[0],
               Tensor::from_f32({1, 1, 4}, {0.5f, 1.5f, 2.5f, 1.5f}));
  // AveragePool-1 has no count_include_pad: the attribute is ignored.
  expect_close(run_op("AveragePool", a, {&x}, 1, 1)[0],
               Tensor::from_f32({1, 1, 4}, {1, 1.5f, 2.5f, 3}));
}

TEST(NnPool, AutoPadSame) {
  Tensor x = Tensor::from_f32({1, 1, 4}, {1, 2, 3, 4});
  Attributes a;
  a.set_ints("kernel_shape", {2});
  a.set_string("auto_pad", "SAME_UPPER");
  expect_close(run_op("AveragePool", a, {&x}, 1, 11)[0],
               Tensor::from_f32({1, 1, 4}, {1.5f, 2.5f, 3.5f, 4}));
  expect_close(run_op("MaxPool", a, {&x}, 1, 11)[0], Tensor::from_f32({1, 1, 4}, {2, 3, 4, 4}));
  a.set_string("auto_pad", "SAME_LOWER");
  expect_close(run_op("AveragePool", a, {&x}, 1, 11)[0],
               Tensor::from_f32({1, 1, 4}, {1, 1.5f, 2.5f, 3.5f}));
  // count_include_pad counts the auto padding too.
  a.set_int("count_include_pad", 1);
  expect_close(run_op("AveragePool", a, {&x}, 1, 11)[0],
               Tensor::from_f32({1, 1, 4}, {0.5f, 1.5f, 2.5f, 3.5f}));
}

TEST(NnPool, MaxPoolNanPropagates) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  Tensor x = Tensor::from_f32({1, 1, 4}, {1, nan, 3, 4});
  Attributes a;
  a.set_ints("kernel_shape", {2});
  auto y = run_op("MaxPool", a, {&x}, 1, 12)[0].to_f32_vector();
  ASSERT_EQ(y.size(), 3u);
  EXPECT_TRUE(std::isnan(y[0]));
  EXPECT_TRUE(std::isnan(y[1]));
  EXPECT_EQ(y[2], 4.f);
}

struct PoolCase {
  Shape x, kernel;
  Geo geo;
  bool ceil;
};

TEST(NnPool, MatchesNaiveReference) {
  const std::vector<PoolCase> cases = {
      {{1, 2, 9}, {3}, {{2}, {1}, {1, 1}}, false},
      {{2, 3, 10}, {2}, {{3}, {2}, {0, 1}}, true},
      {{1, 2, 7, 8}, {3, 2}, {{2, 2}, {1, 1}, {1, 0, 1, 1}}, true},
      {{1, 1, 9, 9}, {3, 3}, {{1, 2}, {2, 2}, {2, 2, 2, 2}}, false},
      {{1, 2, 5, 6, 7}, {2, 3, 2}, {{2, 1, 3}, {1, 2, 1}, {1, 0, 1, 0, 1, 1}}, true},
      {{1, 1, 8, 8, 8}, {3, 3, 3}, {{3, 3, 3}, {2, 2, 2}, {0, 0, 0, 0, 0, 0}}, true},
  };
  uint32_t seed = 200;
  for (const PoolCase& c : cases) {
    Tensor x = random_tensor(c.x, seed++);
    const size_t r = c.kernel.size();
    Shape ys = {c.x[0], c.x[1]};
    for (size_t i = 0; i < r; ++i) {
      const int64_t span = c.x[i + 2] + c.geo.pads[i] + c.geo.pads[i + r] -
                           (c.kernel[i] - 1) * c.geo.dilation[i] - 1;
      int64_t out = (c.ceil ? (span + c.geo.stride[i] - 1) / c.geo.stride[i] : span / c.geo.stride[i]) + 1;
      if (c.ceil && (out - 1) * c.geo.stride[i] >= c.x[i + 2] + c.geo.pads[i]) --out;
      ys.push_back(out);
    }
    for (int kind = 0; kind < 3; ++kind) {
      SCOPED_TRACE("x=" + shape_str(c.x) + " kind=" + std::to_string(kind));
      Attributes a = window_attrs(c.kernel, c.geo);
      a.set_int("ceil_mode", c.ceil ? 1 : 0);
      const bool is_max = kind == 0;
      if (!is_max) a.set_int("count_include_pad", kind == 2 ? 1 : 0);
      auto y = run_op(is_max ? "MaxPool" : "AveragePool", a, {&x}, 1, 22);
      expect_close(y[0], Tensor::from_f32(ys, naive_pool(x, c.kernel, c.geo, ys, is_max,
                                                          kind == 2)));
    }
  }
}

TEST(NnPool, DilationsOnlyFromVersionsThatDefineThem) {
  Tensor x = Tensor::from_f32({1, 1, 5}, {1, 2, 3, 4, 5});
  Attributes a;
  a.set_ints("kernel_shape", {2});
  a.set_ints("dilations", {2});
  expect_close(run_op("AveragePool", a, {&x}, 1, 19)[0], Tensor::from_f32({1, 1, 3}, {2, 3, 4}));
  expect_close(run_op("AveragePool", a, {&x}, 1, 11)[0],
               Tensor::from_f32({1, 1, 4}, {1.5f, 2.5f, 3.5f, 4.5f}));
}

TEST(NnPool, GlobalAveragePool) {
  Tensor x = Tensor::from_f32({2, 2, 2, 2}, iota(16));
  expect_close(run_op("GlobalAveragePool", Attributes(), {&x}, 1, 22)[0],
               Tensor::from_f32({2, 2, 1, 1}, {1.5f, 5.5f, 9.5f, 13.5f}));
  Tensor x1 = Tensor::from_f32({1, 3, 4}, iota(12));
  expect_close(run_op("GlobalAveragePool", Attributes(), {&x1}, 1, 1)[0],
               Tensor::from_f32({1, 3, 1}, {1.5f, 5.5f, 9.5f}));
}

TEST(NnPool, Errors) {
  Tensor x = random_tensor({1, 1, 4, 4}, 1);
  EXPECT_NE(error_of([&] { run_op("MaxPool", Attributes(), {&x}); }).find("kernel_shape"),
            std::string::npos);
  Attributes a;
  a.set_ints("kernel_shape", {2});
  EXPECT_NE(error_of([&] { run_op("MaxPool", a, {&x}); }).find("input 'X' has rank 4, expected 3"),
            std::string::npos);
  Attributes b;
  b.set_ints("kernel_shape", {2, 2});
  EXPECT_NE(error_of([&] { run_op("MaxPool", b, {&x}, 2); }).find("Indices"), std::string::npos);
  b.set_int("storage_order", 2);
  EXPECT_NE(error_of([&] { run_op("MaxPool", b, {&x}, 1, 8); }).find("storage_order"),
            std::string::npos);
}

// ---------------------------------------------------------------------------------------------
// Normalization

TEST(NnNorm, BatchNormHandChecked) {
  // ONNX-style: y = (x - mean) / sqrt(var + eps) * scale + B
  Tensor x = Tensor::from_f32({1, 2, 1, 3}, {-1, 0, 1, 2, 3, 4});
  Tensor s = Tensor::from_f32({2}, {1.f, 1.5f});
  Tensor b = Tensor::from_f32({2}, {0.f, 1.f});
  Tensor mean = Tensor::from_f32({2}, {0.f, 3.f});
  Tensor var = Tensor::from_f32({2}, {1.f, 1.5f});
  Attributes a;
  a.set_float("epsilon", 0.f);
  std::vector<float> want;
  for (float v : {-1.f, 0.f, 1.f}) want.push_back(v);
  for (float v : {2.f, 3.f, 4.f}) want.push_back((v - 3.f) / std::sqrt(1.5f) * 1.5f + 1.f);
  for (int opset : {7, 9, 14, 15}) {
    expect_close(run_op("BatchNormalization", a, {&x, &s, &b, &mean, &var}, 1, opset)[0],
                 Tensor::from_f32({1, 2, 1, 3}, want));
  }
  a.set_int("is_test", 1);
  a.set_float("momentum", 0.9f);
  expect_close(run_op("BatchNormalization", a, {&x, &s, &b, &mean, &var}, 1, 6)[0],
               Tensor::from_f32({1, 2, 1, 3}, want));
  // Rank 2 input [N, C].
  Tensor x2 = Tensor::from_f32({3, 2}, {-1, 2, 0, 3, 1, 4});
  expect_close(run_op("BatchNormalization", a, {&x2, &s, &b, &mean, &var}, 1, 6)[0],
               Tensor::from_f32({3, 2}, {want[0], want[3], want[1], want[4], want[2], want[5]}));
}

TEST(NnNorm, BatchNormSpatialZeroAndErrors) {
  // spatial=0 (opset 7): parameters per activation [C, D].
  Tensor x = Tensor::from_f32({2, 2, 2}, {1, 2, 3, 4, 5, 6, 7, 8});
  Tensor s = Tensor::from_f32({2, 2}, {1, 2, 3, 4});
  Tensor b = Tensor::from_f32({2, 2}, {0, 0, 0, 1});
  Tensor mean = Tensor::from_f32({2, 2}, {1, 1, 1, 1});
  Tensor var = Tensor::from_f32({2, 2}, {1, 1, 1, 1});
  Attributes a;
  a.set_int("spatial", 0);
  a.set_float("epsilon", 0.f);
  expect_close(run_op("BatchNormalization", a, {&x, &s, &b, &mean, &var}, 1, 7)[0],
               Tensor::from_f32({2, 2, 2}, {0, 2, 6, 13, 4, 10, 18, 29}));

  Tensor s1 = Tensor::from_f32({2}, {1, 1});
  Attributes train6;
  train6.set_int("is_test", 0);
  EXPECT_NE(error_of([&] { run_op("BatchNormalization", train6, {&x, &s1, &s1, &s1, &s1}, 1, 6); })
                .find("is_test"),
            std::string::npos);
  Attributes train15;
  train15.set_int("training_mode", 1);
  EXPECT_NE(
      error_of([&] { run_op("BatchNormalization", train15, {&x, &s1, &s1, &s1, &s1}, 1, 15); })
          .find("training_mode"),
      std::string::npos);
  EXPECT_NE(
      error_of([&] { run_op("BatchNormalization", Attributes(), {&x, &s1, &s1, &s1, &s1}, 3, 15); })
          .find("training"),
      std::string::npos);
  Tensor s3 = Tensor::from_f32({3}, {1, 1, 1});
  EXPECT_NE(
      error_of([&] { run_op("BatchNormalization", Attributes(), {&x, &s3, &s1, &s1, &s1}, 1, 9); })
          .find("input 'scale'"),
      std::string::npos);
}

TEST(NnNorm, InstanceNormHandChecked) {
  // Plane [1 2 3 4]: mean 2.5, variance 1.25.
  Tensor x = Tensor::from_f32({1, 2, 4}, {1, 2, 3, 4, 2, 2, 2, 2});
  Tensor s = Tensor::from_f32({2}, {2.f, 1.f});
  Tensor b = Tensor::from_f32({2}, {1.f, -1.f});
  Attributes a;
  a.set_float("epsilon", 0.f);
  const float sd = std::sqrt(1.25f);
  // A constant plane with epsilon 0 is 0 / 0, as in the reference formula.
  const float nan = std::numeric_limits<float>::quiet_NaN();
  expect_close(run_op("InstanceNormalization", a, {&x, &s, &b}, 1, 6)[0],
               Tensor::from_f32({1, 2, 4}, {2 * -1.5f / sd + 1, 2 * -0.5f / sd + 1,
                                            2 * 0.5f / sd + 1, 2 * 1.5f / sd + 1, nan, nan, nan, nan}),
               1e-5f, 1e-5f);
  a.set_float("epsilon", 1e-2f);
  auto y = run_op("InstanceNormalization", a, {&x, &s, &b}, 1, 22)[0].to_f32_vector();
  EXPECT_NEAR(y[0], 2 * -1.5f / std::sqrt(1.26f) + 1, 1e-5f);
  EXPECT_FLOAT_EQ(y[4], -1.f);
}

// ---------------------------------------------------------------------------------------------
// Gemm and MatMul

// Naive Y = alpha * op(A) op(B) + beta * C, with C given as a broadcast lambda.
TEST(NnGemm, MatchesNaiveAllAttributesAndBroadcasts) {
  const int64_t m = 3, n = 4, k = 5;
  const std::vector<Shape> c_shapes = {{}, {1}, {n}, {1, n}, {m, 1}, {m, n}};
  uint32_t seed = 300;
  for (int ta = 0; ta < 2; ++ta) {
    for (int tb = 0; tb < 2; ++tb) {
      for (const Shape& cs : c_shapes) {
        SCOPED_TRACE("transA=" + std::to_string(ta) + " transB=" + std::to_string(tb) + " C=" +
                     shape_str(cs));
        Tensor a = random_tensor(ta ? Shape{k, m} : Shape{m, k}, seed++);
        Tensor b = random_tensor(tb ? Shape{n, k} : Shape{k, n}, seed++);
        Tensor c = random_tensor(cs, seed++);
        const float alpha = 0.75f, beta = -1.25f;
        Attributes at;
        at.set_float("alpha", alpha);
        at.set_float("beta", beta);
        at.set_int("transA", ta);
        at.set_int("transB", tb);
        auto av = a.to_f32_vector(), bv = b.to_f32_vector(), cv = c.to_f32_vector();
        std::vector<float> want;
        for (int64_t i = 0; i < m; ++i) {
          for (int64_t j = 0; j < n; ++j) {
            double acc = 0;
            for (int64_t p = 0; p < k; ++p) {
              acc += static_cast<double>(av[static_cast<size_t>(ta ? p * m + i : i * k + p)]) *
                     bv[static_cast<size_t>(tb ? j * k + p : p * n + j)];
            }
            const int64_t ci = (cs.size() == 2 && cs[0] == m ? i : 0) * (cs.empty() ? 1 : cs.back());
            const int64_t cj = (!cs.empty() && cs.back() == n) ? j : 0;
            want.push_back(static_cast<float>(alpha * acc + beta * cv[static_cast<size_t>(ci + cj)]));
          }
        }
        expect_close(run_op("Gemm", at, {&a, &b, &c}, 1, 13)[0], Tensor::from_f32({m, n}, want));
      }
    }
  }
}

TEST(NnGemm, OptionalCAndLegacyBroadcast) {
  Tensor a = Tensor::from_f32({2, 2}, {1, 2, 3, 4});
  Tensor b = Tensor::from_f32({2, 2}, {5, 6, 7, 8});
  expect_close(run_op("Gemm", Attributes(), {&a, &b}, 1, 11)[0],
               Tensor::from_f32({2, 2}, {19, 22, 43, 50}));
  Tensor c = Tensor::from_f32({2}, {1, 2});
  Attributes legacy;
  legacy.set_int("broadcast", 1);
  expect_close(run_op("Gemm", legacy, {&a, &b, &c}, 1, 6)[0],
               Tensor::from_f32({2, 2}, {20, 24, 44, 52}));
  EXPECT_NE(error_of([&] { run_op("Gemm", Attributes(), {&a, &b, &c}, 1, 6); }).find("broadcast"),
            std::string::npos);
  // beta = 0 ignores C, even NaN.
  Tensor cnan = Tensor::from_f32({2, 2}, std::vector<float>(4, std::nanf("")));
  Attributes z;
  z.set_float("beta", 0.f);
  expect_close(run_op("Gemm", z, {&a, &b, &cnan}, 1, 13)[0],
               Tensor::from_f32({2, 2}, {19, 22, 43, 50}));
  Tensor bad = Tensor::from_f32({3}, {1, 2, 3});
  EXPECT_NE(error_of([&] { run_op("Gemm", Attributes(), {&a, &b, &bad}, 1, 13); }).find("broadcast"),
            std::string::npos);
  Tensor b3 = Tensor::from_f32({3, 2}, {1, 2, 3, 4, 5, 6});
  EXPECT_NE(error_of([&] { run_op("Gemm", Attributes(), {&a, &b3}, 1, 13); }).find("inner"),
            std::string::npos);
}

std::vector<float> naive_matmul_2d(const std::vector<float>& a, const std::vector<float>& b,
                                   int64_t m, int64_t k, int64_t n) {
  std::vector<float> y(static_cast<size_t>(m * n));
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      double acc = 0;
      for (int64_t p = 0; p < k; ++p)
        acc += static_cast<double>(a[static_cast<size_t>(i * k + p)]) * b[static_cast<size_t>(p * n + j)];
      y[static_cast<size_t>(i * n + j)] = static_cast<float>(acc);
    }
  return y;
}

TEST(NnMatMul, VectorsAndShapes) {
  Tensor v = Tensor::from_f32({3}, {1, 2, 3});
  auto dot = run_op("MatMul", Attributes(), {&v, &v}, 1, 13)[0];
  EXPECT_EQ(shape_str(dot.shape()), "[]");
  EXPECT_FLOAT_EQ(dot.to_f32_vector()[0], 14.f);

  Tensor m = Tensor::from_f32({2, 3, 2}, iota(12));
  auto vm = run_op("MatMul", Attributes(), {&v, &m}, 1, 9)[0];  // [3] x [2,3,2] -> [2,2]
  expect_close(vm, Tensor::from_f32({2, 2}, {16, 22, 52, 58}));

  Tensor m4 = Tensor::from_f32({1, 2, 2, 3}, iota(12));
  auto mv = run_op("MatMul", Attributes(), {&m4, &v}, 1, 1)[0];  // [1,2,2,3] x [3] -> [1,2,2]
  expect_close(mv, Tensor::from_f32({1, 2, 2}, {8, 26, 44, 62}));
}

TEST(NnMatMul, BatchBroadcast) {
  Tensor a = random_tensor({2, 1, 3, 4}, 400);
  Tensor b = random_tensor({5, 4, 2}, 401);
  auto y = run_op("MatMul", Attributes(), {&a, &b}, 1, 13)[0];
  ASSERT_EQ(shape_str(y.shape()), "[2,5,3,2]");
  auto av = a.to_f32_vector(), bv = b.to_f32_vector();
  std::vector<float> want;
  for (int64_t i = 0; i < 2; ++i) {
    for (int64_t j = 0; j < 5; ++j) {
      std::vector<float> am(av.begin() + i * 12, av.begin() + (i + 1) * 12);
      std::vector<float> bm(bv.begin() + j * 8, bv.begin() + (j + 1) * 8);
      auto r = naive_matmul_2d(am, bm, 3, 4, 2);
      want.insert(want.end(), r.begin(), r.end());
    }
  }
  expect_close(y, Tensor::from_f32({2, 5, 3, 2}, want));

  Tensor a2 = random_tensor({3, 7}, 402), b2 = random_tensor({7, 5}, 403);
  expect_close(run_op("MatMul", Attributes(), {&a2, &b2})[0],
               Tensor::from_f32({3, 5}, naive_matmul_2d(a2.to_f32_vector(), b2.to_f32_vector(), 3, 7, 5)));
  // K = 0 gives zeros.
  Tensor e1 = Tensor::empty(DType::kF32, {2, 0}), e2 = Tensor::empty(DType::kF32, {0, 3});
  expect_close(run_op("MatMul", Attributes(), {&e1, &e2})[0],
               Tensor::from_f32({2, 3}, std::vector<float>(6, 0.f)));
}

TEST(NnMatMul, Errors) {
  Tensor a = random_tensor({2, 3}, 1), b = random_tensor({4, 2}, 2);
  EXPECT_NE(error_of([&] { run_op("MatMul", Attributes(), {&a, &b}); }).find("inner"),
            std::string::npos);
  Tensor c = random_tensor({2, 2, 3}, 3), d = random_tensor({3, 3, 2}, 4);
  EXPECT_NE(error_of([&] { run_op("MatMul", Attributes(), {&c, &d}); }).find("broadcast"),
            std::string::npos);
}

}  // namespace
}  // namespace facet
