// Tests for the element-wise op family (ops/binary, unary, clip, softmax, reduce_mean, argmax,
// cast, identity, constant) and the broadcast helper. Expected values are hand-computed.
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "engine/status.h"
#include "engine/thread_pool.h"
#include "ops/broadcast.h"
#include "ops/kernels/eltwise/eltwise.h"
#include "tests/test_util.h"

namespace facet {
namespace {

using test::expect_close;
using test::run_op;

const float kNaN = std::numeric_limits<float>::quiet_NaN();
const float kInf = std::numeric_limits<float>::infinity();

Tensor f32(Shape s, std::vector<float> v) { return Tensor::from_f32(std::move(s), v); }
Tensor i64(Shape s, std::vector<int64_t> v) { return Tensor::from_i64(std::move(s), v); }

Tensor run1(const std::string& op, const std::vector<const Tensor*>& in, int opset = 13,
            const Attributes& attrs = {}) {
  auto out = run_op(op, attrs, in, 1, opset);
  EXPECT_EQ(out.size(), 1u);
  return out.at(0);
}

void expect_i64(const Tensor& t, const Shape& shape, const std::vector<int64_t>& v) {
  ASSERT_EQ(t.dtype(), DType::kI64);
  ASSERT_EQ(shape_str(t.shape()), shape_str(shape));
  EXPECT_EQ(t.to_i64_vector(), v);
}

// Expects run_op to throw facet::Error whose message contains `needle`.
template <class Fn>
void expect_error(Fn fn, const std::string& needle) {
  try {
    fn();
    ADD_FAILURE() << "no error; expected one containing '" << needle << "'";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
  }
}

Attributes attr_int(const std::string& n, int64_t v) {
  Attributes a;
  a.set_int(n, v);
  return a;
}

// ---------------------------------------------------------------------------------------------
// Broadcast helper

TEST(Broadcast, Shapes) {
  EXPECT_EQ(ops::broadcast_shapes({2, 3}, {3}), (Shape{2, 3}));
  EXPECT_EQ(ops::broadcast_shapes({}, {4, 1}), (Shape{4, 1}));
  EXPECT_EQ(ops::broadcast_shapes({2, 1, 5}, {3, 1}), (Shape{2, 3, 5}));
  EXPECT_EQ(ops::broadcast_shapes({0, 3}, {1, 3}), (Shape{0, 3}));
  EXPECT_EQ(ops::broadcast_shapes({1}, {0}), (Shape{0}));
  expect_error([] { ops::broadcast_shapes({2, 3}, {4}); }, "cannot broadcast [2,3] with [4]");
  EXPECT_TRUE(ops::can_broadcast_to({3, 1}, {2, 3, 4}));
  EXPECT_FALSE(ops::can_broadcast_to({2, 3, 4}, {3, 4}));
  EXPECT_FALSE(ops::can_broadcast_to({4, 1}, {3, 4}));
}

TEST(Broadcast, LegacyShape) {
  int64_t aligned[4];
  const Shape a{2, 3, 4, 5};
  EXPECT_TRUE(ops::legacy_broadcast_shape(a, Shape{4, 5}, false, 0, aligned));
  EXPECT_EQ(std::vector<int64_t>(aligned, aligned + 4), (std::vector<int64_t>{1, 1, 4, 5}));
  EXPECT_TRUE(ops::legacy_broadcast_shape(a, Shape{3, 4}, true, 1, aligned));
  EXPECT_EQ(std::vector<int64_t>(aligned, aligned + 4), (std::vector<int64_t>{1, 3, 4, 1}));
  EXPECT_TRUE(ops::legacy_broadcast_shape(a, Shape{2}, true, 0, aligned));
  EXPECT_TRUE(ops::legacy_broadcast_shape(a, Shape{1, 1}, false, 0, aligned));
  EXPECT_FALSE(ops::legacy_broadcast_shape(a, Shape{3, 4}, false, 0, aligned));
  EXPECT_FALSE(ops::legacy_broadcast_shape(a, Shape{4, 5}, true, 3, aligned));
}

// The plan against a naive index computation, over random shapes.
TEST(Broadcast, PlanMatchesNaive) {
  std::mt19937 rng(1234);
  for (int iter = 0; iter < 300; ++iter) {
    const int rank = static_cast<int>(rng() % 5);
    Shape out(static_cast<size_t>(rank)), a, b;
    for (auto& d : out) d = 1 + static_cast<int64_t>(rng() % 4);
    const int ra = static_cast<int>(rng() % (rank + 1)), rb = static_cast<int>(rng() % (rank + 1));
    for (int d = rank - ra; d < rank; ++d) a.push_back(rng() % 2 ? out[d] : 1);
    for (int d = rank - rb; d < rank; ++d) b.push_back(rng() % 2 ? out[d] : 1);
    Shape full = ops::broadcast_shapes(a, b);
    const ops::ShapeRef ins[2] = {a, b};
    const ops::BroadcastPlan plan(full, ins, 2);
    const int64_t total = shape_numel(full);
    ASSERT_EQ(plan.total(), total);
    std::vector<int64_t> got_a(static_cast<size_t>(total), -1), got_b = got_a;
    const int64_t split = total / 3;  // exercise a mid-row start
    for (auto range : {std::make_pair<int64_t, int64_t>(0, int64_t(split)),
                       std::make_pair<int64_t, int64_t>(int64_t(split), int64_t(total))}) {
      ops::for_each_broadcast_segment(plan, range.first, range.second,
                                      [&](int64_t pos, int64_t len, const int64_t* in) {
                                        for (int64_t i = 0; i < len; ++i) {
                                          got_a[pos + i] = in[0] + i * plan.inner_stride(0);
                                          got_b[pos + i] = in[1] + i * plan.inner_stride(1);
                                        }
                                      });
    }
    for (int64_t o = 0; o < total; ++o) {
      // Naive: unravel o over `full`, ravel into a and b with broadcast.
      int64_t rem = o, off_a = 0, off_b = 0, sa = 1, sb = 1;
      for (int d = static_cast<int>(full.size()) - 1; d >= 0; --d) {
        const int64_t idx = rem % full[d];
        rem /= full[d];
        const int da = d - (static_cast<int>(full.size()) - static_cast<int>(a.size()));
        const int db = d - (static_cast<int>(full.size()) - static_cast<int>(b.size()));
        if (da >= 0) {
          if (a[da] != 1) off_a += idx * sa;
          sa *= a[da];
        }
        if (db >= 0) {
          if (b[db] != 1) off_b += idx * sb;
          sb *= b[db];
        }
      }
      ASSERT_EQ(got_a[o], off_a) << "a " << shape_str(a) << " b " << shape_str(b) << " at " << o;
      ASSERT_EQ(got_b[o], off_b) << "a " << shape_str(a) << " b " << shape_str(b) << " at " << o;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Binary ops

TEST(Binary, SameShape) {
  const Tensor a = f32({2, 2}, {1, 2, 3, 4}), b = f32({2, 2}, {10, 20, 30, 40});
  expect_close(run1("Add", {&a, &b}), f32({2, 2}, {11, 22, 33, 44}));
  expect_close(run1("Sub", {&a, &b}), f32({2, 2}, {-9, -18, -27, -36}));
  expect_close(run1("Mul", {&a, &b}), f32({2, 2}, {10, 40, 90, 160}));
  expect_close(run1("Div", {&b, &a}), f32({2, 2}, {10, 10, 10, 10}));
  const Tensor e = f32({2, 2}, {2, 0.5f, 0, -1});
  expect_close(run1("Pow", {&a, &e}), f32({2, 2}, {1, std::sqrt(2.f), 1, 0.25f}));
}

TEST(Binary, BroadcastScalarAndRanks) {
  const Tensor a = f32({2, 3}, {1, 2, 3, 4, 5, 6});
  const Tensor s = Tensor::scalar_f32(10);  // rank 0
  Tensor y = run1("Add", {&a, &s});
  expect_close(y, f32({2, 3}, {11, 12, 13, 14, 15, 16}));
  y = run1("Sub", {&s, &a});
  expect_close(y, f32({2, 3}, {9, 8, 7, 6, 5, 4}));
  const Tensor row = f32({3}, {1, 10, 100});
  expect_close(run1("Mul", {&a, &row}), f32({2, 3}, {1, 20, 300, 4, 50, 600}));
  const Tensor col = f32({2, 1}, {1, 2});
  expect_close(run1("Div", {&a, &col}), f32({2, 3}, {1, 2, 3, 2, 2.5f, 3}));
  // Both sides broadcast: [2,1,3] + [4,1] -> [2,4,3].
  const Tensor p = f32({2, 1, 3}, {0, 1, 2, 3, 4, 5});
  const Tensor q = f32({4, 1}, {0, 10, 20, 30});
  std::vector<float> expect;
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 4; ++j)
      for (int k = 0; k < 3; ++k) expect.push_back(float(i * 3 + k) + float(j * 10));
  expect_close(run1("Add", {&p, &q}), f32({2, 4, 3}, expect));
  // rank-0 with rank-0.
  const Tensor t = Tensor::scalar_f32(3);
  y = run1("Mul", {&s, &t});
  EXPECT_EQ(y.rank(), 0);
  expect_close(y, Tensor::scalar_f32(30));
}

TEST(Binary, ZeroSize) {
  const Tensor a = Tensor::empty(DType::kF32, {0, 3});
  const Tensor b = f32({1, 3}, {1, 2, 3});
  const Tensor y = run1("Add", {&a, &b});
  EXPECT_EQ(shape_str(y.shape()), "[0,3]");
  const Tensor c = Tensor::empty(DType::kF32, {2, 0});
  const Tensor d = f32({2, 1}, {1, 2});
  EXPECT_EQ(shape_str(run1("Mul", {&d, &c}).shape()), "[2,0]");
}

TEST(Binary, IncompatibleShapes) {
  const Tensor a = Tensor::empty(DType::kF32, {2, 3}), b = Tensor::empty(DType::kF32, {4});
  expect_error([&] { run1("Add", {&a, &b}); }, "cannot broadcast [2,3] with [4]");
  const Tensor c = Tensor::empty(DType::kI64, {2, 3});
  expect_error([&] { run1("Mul", {&a, &c}); }, "dtypes differ");
}

TEST(Binary, NaNAndInf) {
  const Tensor a = f32({4}, {kNaN, 1, 1, 0}), b = f32({4}, {1, kNaN, 0, 0});
  expect_close(run1("Add", {&a, &b}), f32({4}, {kNaN, kNaN, 1, 0}));
  const Tensor d = run1("Div", {&a, &b});
  auto v = d.to_f32_vector();
  EXPECT_TRUE(std::isnan(v[0]) && std::isnan(v[1]) && std::isnan(v[3]));
  EXPECT_EQ(v[2], kInf);
  // Negative base, fractional exponent -> NaN (test_operator_pow).
  const Tensor base = f32({2}, {-2, -2}), ex = f32({2}, {0.5f, 3});
  expect_close(run1("Pow", {&base, &ex}), f32({2}, {kNaN, -8}));
}

TEST(Binary, Int64) {
  const Tensor a = i64({5}, {7, -7, 7, -7, 0}), b = i64({5}, {2, 2, -2, -2, 3});
  expect_i64(run1("Add", {&a, &b}), {5}, {9, -5, 5, -9, 3});
  expect_i64(run1("Sub", {&a, &b}), {5}, {5, -9, 9, -5, -3});
  expect_i64(run1("Mul", {&a, &b}), {5}, {14, -14, -14, 14, 0});
  // Truncation toward zero (ONNX Div on integers), not floor.
  expect_i64(run1("Div", {&a, &b}), {5}, {3, -3, -3, 3, 0});
  const Tensor m = i64({2}, {std::numeric_limits<int64_t>::min(), 5});
  const Tensor z = i64({2}, {-1, 0});
  expect_i64(run1("Div", {&m, &z}), {2}, {std::numeric_limits<int64_t>::min(), 0});
  const Tensor two = Tensor::scalar_i64(2);
  expect_i64(run1("Pow", {&a, &two}), {5}, {49, 49, 49, 49, 0});
  // Shape arithmetic with broadcasting: [4] / scalar.
  const Tensor shape = i64({4}, {1, 3, 224, 224});
  expect_i64(run1("Div", {&shape, &two}), {4}, {0, 1, 112, 112});
}

TEST(Binary, PowMixedDtypes) {
  const Tensor base = f32({3}, {2, 3, -2});
  const Tensor e = i64({3}, {3, -1, 2});
  expect_close(run1("Pow", {&base, &e}, 15), f32({3}, {8, 1.f / 3, 4}));
  const Tensor ib = i64({2}, {4, 9});
  const Tensor fe = Tensor::scalar_f32(0.5f);
  expect_i64(run1("Pow", {&ib, &fe}, 15), {2}, {2, 3});
}

TEST(Binary, LegacyBroadcastAttr) {
  const Tensor a = f32({2, 3, 2}, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11});
  const Tensor b3 = f32({3}, {100, 200, 300});
  Attributes at;
  at.set_int("broadcast", 1);
  at.set_int("axis", 1);
  expect_close(run1("Add", {&a, &b3}, 6, at),
               f32({2, 3, 2}, {100, 101, 202, 203, 304, 305, 106, 107, 208, 209, 310, 311}));
  // Suffix matching without axis.
  const Tensor b2 = f32({2}, {1, -1});
  expect_close(run1("Mul", {&a, &b2}, 6, attr_int("broadcast", 1)),
               f32({2, 3, 2}, {0, -1, 2, -3, 4, -5, 6, -7, 8, -9, 10, -11}));
  // One-element B.
  const Tensor s = f32({1}, {1});
  expect_close(run1("Sub", {&a, &s}, 1, attr_int("broadcast", 1)),
               f32({2, 3, 2}, {-1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10}));
  // Without broadcast=1, shapes must match.
  expect_error([&] { run1("Add", {&a, &b3}, 6); }, "broadcast=0");
  expect_close(run1("Mul", {&a, &a}, 6), run1("Mul", {&a, &a}, 14));
  // Wrong axis.
  at.set_int("axis", 0);
  expect_error([&] { run1("Div", {&a, &b3}, 6, at); }, "cannot broadcast [3] to [2,3,2]");
  // Negative axis counts from rank(A).
  at.set_int("axis", -2);
  expect_close(run1("Add", {&a, &b3}, 6, at), run1("Add", {&a, &b3}, 6, [] {
                 Attributes x;
                 x.set_int("broadcast", 1);
                 x.set_int("axis", 1);
                 return x;
               }()));
}

TEST(Binary, PRelu) {
  const Tensor x = f32({2, 3}, {-1, 2, -3, 4, -5, 6});
  const Tensor slope = f32({3}, {0.1f, 0.2f, 0.3f});
  expect_close(run1("PRelu", {&x, &slope}, 16), f32({2, 3}, {-0.1f, 2, -0.9f, 4, -1.f, 6}));
  const Tensor one = f32({1}, {0.5f});
  expect_close(run1("PRelu", {&x, &one}, 9), f32({2, 3}, {-0.5f, 2, -1.5f, 4, -2.5f, 6}));
  // Slope must broadcast to X, not the other way.
  const Tensor big = Tensor::empty(DType::kF32, {4, 2, 3});
  expect_error([&] { run1("PRelu", {&x, &big}, 16); }, "cannot broadcast slope");
  // Legacy PRelu-6: a 1-D slope is per channel (axis 1), as in test_PReLU_2d_multiparam.
  const Tensor x4 = f32({1, 2, 1, 2}, {-1, -1, -1, 1});
  const Tensor cs = f32({2}, {0.5f, 0.25f});
  expect_close(run1("PRelu", {&x4, &cs}, 6), f32({1, 2, 1, 2}, {-0.5f, -0.5f, -0.25f, 1}));
  // Opset 16: same slope broadcasts along the last dim instead.
  expect_close(run1("PRelu", {&x4, &cs}, 16), f32({1, 2, 1, 2}, {-0.5f, -0.25f, -0.5f, 1}));
}

TEST(Binary, LargeParallel) {
  // Bigger than one parallel chunk; compare with a direct loop.
  const int64_t n = 3, m = 50000;
  std::vector<float> av(static_cast<size_t>(n * m)), bv(static_cast<size_t>(n));
  for (size_t i = 0; i < av.size(); ++i) av[i] = float(i % 97) * 0.5f - 10.f;
  for (size_t i = 0; i < bv.size(); ++i) bv[i] = float(i) + 1.f;
  const Tensor a = f32({n, m}, av), b = f32({n, 1}, bv);
  std::vector<float> expect(av.size());
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < m; ++j) expect[i * m + j] = av[i * m + j] * bv[i];
  expect_close(run1("Mul", {&a, &b}), f32({n, m}, expect), 0.f, 0.f);
  // Same through a thread pool: chunks start mid-row.
  ThreadPool pool(3);
  NodeDef def;
  def.op_type = "Mul";
  def.opset = 14;
  def.input_present = {true, true};
  auto op = ops::builtin_registry().create(def);
  auto out = eval_op(*op, {&a, &b}, 1, &pool);
  expect_close(out.at(0), f32({n, m}, expect), 0.f, 0.f);
  // Unary, softmax and reduce through the pool too.
  const Tensor big = f32({n * m}, av);
  def.op_type = "Relu";
  def.input_present = {true};
  out = eval_op(*ops::builtin_registry().create(def), {&big}, 1, &pool);
  for (size_t i = 0; i < av.size(); ++i) ASSERT_EQ(out[0].data<float>()[i], av[i] < 0 ? 0 : av[i]);
  const Tensor sm_in = f32({m, n}, av);
  def.op_type = "Softmax";
  const Tensor sm_pool = eval_op(*ops::builtin_registry().create(def), {&sm_in}, 1, &pool)[0];
  expect_close(sm_pool, run1("Softmax", {&sm_in}), 0.f, 0.f);
  def.op_type = "ReduceMean";
  def.attrs.set_ints("axes", {1});
  const Tensor rm_pool = eval_op(*ops::builtin_registry().create(def), {&sm_in}, 1, &pool)[0];
  expect_close(rm_pool, run1("ReduceMean", {&sm_in}, 13, def.attrs), 0.f, 0.f);
}

// ---------------------------------------------------------------------------------------------
// Unary ops

TEST(Unary, Activations) {
  const Tensor x = f32({5}, {-2, -0.5f, 0, 0.5f, 2});
  expect_close(run1("Relu", {&x}), f32({5}, {0, 0, 0, 0.5f, 2}));
  expect_close(run1("LeakyRelu", {&x}, 16), f32({5}, {-0.02f, -0.005f, 0, 0.5f, 2}));
  Attributes la;
  la.set_float("alpha", 0.1f);
  expect_close(run1("LeakyRelu", {&x}, 16, la), f32({5}, {-0.2f, -0.05f, 0, 0.5f, 2}));
  std::vector<float> sig, th;
  for (float v : x.to_f32_vector()) {
    sig.push_back(1.f / (1.f + std::exp(-v)));
    th.push_back(std::tanh(v));
  }
  expect_close(run1("Sigmoid", {&x}), f32({5}, sig));
  expect_close(run1("Tanh", {&x}), f32({5}, th));
  expect_close(run1("HardSigmoid", {&x}, 22), f32({5}, {0.1f, 0.4f, 0.5f, 0.6f, 0.9f}));
  Attributes ha;
  ha.set_float("alpha", 0.5f);
  ha.set_float("beta", 0.6f);
  expect_close(run1("HardSigmoid", {&x}, 22, ha), f32({5}, {0, 0.35f, 0.6f, 0.85f, 1}));
  const Tensor hx = f32({5}, {-4, -1, 0, 1, 4});
  expect_close(run1("HardSwish", {&hx}, 22),
               f32({5}, {0, -2.f / 6.f, 0, 4.f / 6.f, 4}));
}

TEST(Unary, Math) {
  const Tensor x = f32({4}, {-1.5f, 0, 0.25f, 4});
  expect_close(run1("Exp", {&x}), f32({4}, {std::exp(-1.5f), 1, std::exp(0.25f), std::exp(4.f)}));
  expect_close(run1("Sqrt", {&x}), f32({4}, {kNaN, 0, 0.5f, 2}));
  expect_close(run1("Neg", {&x}), f32({4}, {1.5f, 0, -0.25f, -4}));
  expect_close(run1("Abs", {&x}), f32({4}, {1.5f, 0, 0.25f, 4}));
  expect_close(run1("Floor", {&x}), f32({4}, {-2, 0, 0, 4}));
  expect_close(run1("Ceil", {&x}), f32({4}, {-1, 0, 1, 4}));
  const Tensor r = run1("Reciprocal", {&x});
  auto rv = r.to_f32_vector();
  EXPECT_FLOAT_EQ(rv[0], -1.f / 1.5f);
  EXPECT_EQ(rv[1], kInf);
  EXPECT_FLOAT_EQ(rv[3], 0.25f);
}

TEST(Unary, SigmoidExtremes) {
  const Tensor x = f32({4}, {-100, 100, -1e30f, 1e30f});
  expect_close(run1("Sigmoid", {&x}), f32({4}, {0, 1, 0, 1}), 1e-30f, 1e-6f);
}

TEST(Unary, NaNPropagates) {
  const Tensor x = f32({1}, {kNaN});
  for (const char* op : {"Relu", "LeakyRelu", "Sigmoid", "Tanh", "HardSigmoid", "Exp", "Sqrt",
                         "Neg", "Abs", "Floor", "Ceil", "Reciprocal"}) {
    const Tensor y = run1(op, {&x}, 13);
    EXPECT_TRUE(std::isnan(y.to_f32_vector()[0])) << op;
  }
}

TEST(Unary, Int64AndErrors) {
  const Tensor x = i64({3}, {-3, 0, 5});
  expect_i64(run1("Relu", {&x}, 14), {3}, {0, 0, 5});
  expect_i64(run1("Neg", {&x}), {3}, {3, 0, -5});
  expect_i64(run1("Abs", {&x}), {3}, {3, 0, 5});
  expect_error([&] { run1("Sigmoid", {&x}); }, "expected float32");
  const Tensor e = Tensor::empty(DType::kF32, {0, 4});
  EXPECT_EQ(shape_str(run1("Exp", {&e}).shape()), "[0,4]");
  const Tensor s = Tensor::scalar_f32(-1);
  expect_close(run1("Relu", {&s}), Tensor::scalar_f32(0));
}

// ---------------------------------------------------------------------------------------------
// Clip

TEST(Clip, InputsForm) {
  const Tensor x = f32({5}, {-3, -1, 0, 1, 3});
  const Tensor lo = Tensor::scalar_f32(-1.5f), hi = Tensor::scalar_f32(2);
  expect_close(run1("Clip", {&x, &lo, &hi}), f32({5}, {-1.5f, -1, 0, 1, 2}));
  expect_close(run1("Clip", {&x, nullptr, &hi}), f32({5}, {-3, -1, 0, 1, 2}));  // Clip(x,"",max)
  expect_close(run1("Clip", {&x, &lo}), f32({5}, {-1.5f, -1, 0, 1, 3}));
  expect_close(run1("Clip", {&x}), x);
  // min > max: every output is max.
  const Tensor lo2 = Tensor::scalar_f32(2), hi2 = Tensor::scalar_f32(1);
  expect_close(run1("Clip", {&x, &lo2, &hi2}), f32({5}, {1, 1, 1, 1, 1}));
  const Tensor n = f32({2}, {kNaN, 5});
  expect_close(run1("Clip", {&n, &lo, &hi}), f32({2}, {kNaN, 2}));
  const Tensor bad = f32({2}, {0, 1});
  expect_error([&] { run1("Clip", {&x, &bad}); }, "must be a scalar");
}

TEST(Clip, Int64) {
  const Tensor x = i64({4}, {-10, 0, 3, 10});
  const Tensor lo = Tensor::scalar_i64(-2), hi = Tensor::scalar_i64(5);
  expect_i64(run1("Clip", {&x, &lo, &hi}, 13), {4}, {-2, 0, 3, 5});
}

TEST(Clip, LegacyAttributes) {
  const Tensor x = f32({4}, {-3, -0.5f, 0.5f, 3});
  Attributes a;
  a.set_float("min", -1);
  a.set_float("max", 1);
  expect_close(run1("Clip", {&x}, 6, a), f32({4}, {-1, -0.5f, 0.5f, 1}));
  expect_close(run1("Clip", {&x}, 6), x);  // defaults: no bounds
  Attributes only_max;
  only_max.set_float("max", 0);
  expect_close(run1("Clip", {&x}, 1, only_max), f32({4}, {-3, -0.5f, 0, 0}));
}

// ---------------------------------------------------------------------------------------------
// Softmax

std::vector<float> softmax_ref(const std::vector<float>& v) {
  float m = v[0];
  for (float x : v) m = std::max(m, x);
  double s = 0;
  for (float x : v) s += std::exp(double(x) - m);
  std::vector<float> out;
  for (float x : v) out.push_back(float(std::exp(double(x) - m) / s));
  return out;
}

TEST(Softmax, LastAxisAndLargeNumbers) {
  const Tensor x = f32({2, 4}, {0, 1, 2, 3, 10000, 10001, 10002, 10003});
  auto r = softmax_ref({0, 1, 2, 3});
  std::vector<float> e = r;
  e.insert(e.end(), r.begin(), r.end());
  expect_close(run1("Softmax", {&x}), f32({2, 4}, e));
  Attributes a = attr_int("axis", -1);
  expect_close(run1("Softmax", {&x}, 13, a), f32({2, 4}, e));
}

TEST(Softmax, MiddleAxisOpset13) {
  // [2,3,2] softmax over axis 1.
  std::vector<float> v(12);
  for (int i = 0; i < 12; ++i) v[static_cast<size_t>(i)] = float((i * 7) % 5) - 2.f;
  const Tensor x = f32({2, 3, 2}, v);
  std::vector<float> e(12);
  for (int o = 0; o < 2; ++o)
    for (int j = 0; j < 2; ++j) {
      std::vector<float> sl;
      for (int k = 0; k < 3; ++k) sl.push_back(v[static_cast<size_t>(o * 6 + k * 2 + j)]);
      auto r = softmax_ref(sl);
      for (int k = 0; k < 3; ++k) e[static_cast<size_t>(o * 6 + k * 2 + j)] = r[k];
    }
  expect_close(run1("Softmax", {&x}, 13, attr_int("axis", 1)), f32({2, 3, 2}, e));
  expect_close(run1("Softmax", {&x}, 13, attr_int("axis", -2)), f32({2, 3, 2}, e));
}

TEST(Softmax, EmptyTensorGivesEmptyOutput) {
  // A 0 in any dim (the fuzzer's [3, 0, 5] with axis 1): nothing to normalize, the output has
  // the input's shape, and no offset is taken from the empty tensors' null data pointers.
  for (int64_t axis : {0, 1, 2}) {
    const Tensor x = f32({3, 0, 5}, {});
    const Tensor y = run1("Softmax", {&x}, 13, attr_int("axis", axis));
    EXPECT_EQ(y.shape(), (Shape{3, 0, 5})) << "axis " << axis;
    EXPECT_EQ(y.numel(), 0);
  }
}

TEST(Softmax, LegacyCoercesTo2D) {
  // Opset 11, axis=1 on [2,3,2]: softmax over the 6 trailing elements of each batch.
  std::vector<float> v(12);
  for (int i = 0; i < 12; ++i) v[static_cast<size_t>(i)] = float(i % 5) * 0.3f;
  const Tensor x = f32({2, 3, 2}, v);
  auto r0 = softmax_ref(std::vector<float>(v.begin(), v.begin() + 6));
  auto r1 = softmax_ref(std::vector<float>(v.begin() + 6, v.end()));
  r0.insert(r0.end(), r1.begin(), r1.end());
  expect_close(run1("Softmax", {&x}, 11), f32({2, 3, 2}, r0));  // default axis=1
  // Opset 1 axis=0: one softmax over everything.
  expect_close(run1("Softmax", {&x}, 1, attr_int("axis", 0)), f32({2, 3, 2}, softmax_ref(v)));
  expect_error([&] { run1("Softmax", {&x}, 13, attr_int("axis", 3)); }, "out of range");
}

TEST(Softmax, NaNRow) {
  const Tensor x = f32({2, 2}, {kNaN, 1, 0, 0});
  expect_close(run1("Softmax", {&x}), f32({2, 2}, {kNaN, kNaN, 0.5f, 0.5f}));
}

// ---------------------------------------------------------------------------------------------
// ReduceMean

TEST(ReduceMean, AttributeAxes) {
  const Tensor x = f32({2, 3, 2}, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11});
  Attributes a;
  a.set_ints("axes", {1});
  expect_close(run1("ReduceMean", {&x}, 13, a), f32({2, 1, 2}, {2, 3, 8, 9}));
  a.set_int("keepdims", 0);
  expect_close(run1("ReduceMean", {&x}, 13, a), f32({2, 2}, {2, 3, 8, 9}));
  a.set_ints("axes", {0, -1});
  expect_close(run1("ReduceMean", {&x}, 13, a), f32({3}, {3.5f, 5.5f, 7.5f}));
  expect_close(run1("ReduceMean", {&x}, 13), f32({1, 1, 1}, {5.5f}));  // all axes
  a.set_ints("axes", {1, -2});
  expect_error([&] { run1("ReduceMean", {&x}, 13, a); }, "listed twice");
}

TEST(ReduceMean, InputAxesOpset18) {
  const Tensor x = f32({2, 3, 2}, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11});
  const Tensor axes = i64({2}, {-3, 2});
  expect_close(run1("ReduceMean", {&x, &axes}, 18), f32({1, 3, 1}, {3.5f, 5.5f, 7.5f}));
  const Tensor empty = i64({0}, {});
  expect_close(run1("ReduceMean", {&x, &empty}, 18, attr_int("keepdims", 0)),
               Tensor::scalar_f32(5.5f));
  expect_close(run1("ReduceMean", {&x}, 18), f32({1, 1, 1}, {5.5f}));
  // noop_with_empty_axes: identity.
  expect_close(run1("ReduceMean", {&x, &empty}, 18, attr_int("noop_with_empty_axes", 1)), x);
  expect_close(run1("ReduceMean", {&x}, 18, attr_int("noop_with_empty_axes", 1)), x);
}

TEST(ReduceMean, Int64AndZeroSize) {
  const Tensor x = i64({2, 2}, {1, 2, -3, -4});
  Attributes a;
  a.set_ints("axes", {1});
  expect_i64(run1("ReduceMean", {&x}, 13, a), {2, 1}, {1, -3});
  const Tensor z = Tensor::empty(DType::kF32, {0, 3});
  a.set_ints("axes", {0});
  const Tensor y = run1("ReduceMean", {&z}, 13, a);
  EXPECT_EQ(shape_str(y.shape()), "[1,3]");
  EXPECT_TRUE(std::isnan(y.to_f32_vector()[0]));
  a.set_ints("axes", {1});
  EXPECT_EQ(shape_str(run1("ReduceMean", {&z}, 13, a).shape()), "[0,1]");
}

// ---------------------------------------------------------------------------------------------
// ArgMax

TEST(ArgMax, AxesKeepdimsSelectLast) {
  const Tensor x = f32({2, 3}, {1, 5, 5, 7, 2, 7});
  expect_i64(run1("ArgMax", {&x}), {1, 3}, {1, 0, 1});  // default axis 0, keepdims
  expect_i64(run1("ArgMax", {&x}, 13, attr_int("axis", 1)), {2, 1}, {1, 0});
  Attributes a;
  a.set_int("axis", -1);
  a.set_int("keepdims", 0);
  expect_i64(run1("ArgMax", {&x}, 13, a), {2}, {1, 0});
  a.set_int("select_last_index", 1);
  expect_i64(run1("ArgMax", {&x}, 13, a), {2}, {2, 2});
  const Tensor n = f32({3}, {1, kNaN, 2});
  expect_i64(run1("ArgMax", {&n}, 13, attr_int("keepdims", 0)), {}, {1});
  const Tensor xi = i64({2, 2}, {3, -1, 3, 9});
  expect_i64(run1("ArgMax", {&xi}, 13, attr_int("axis", 1)), {2, 1}, {0, 1});
  const Tensor z = Tensor::empty(DType::kF32, {0, 2});
  expect_error([&] { run1("ArgMax", {&z}); }, "is empty");
  expect_i64(run1("ArgMax", {&z}, 13, attr_int("axis", 1)), {0, 1}, {});
}

// ---------------------------------------------------------------------------------------------
// Cast

TEST(Cast, FloatInt64) {
  const Tensor x = f32({5}, {-2.7f, -0.5f, 0.5f, 2.7f, kNaN});
  expect_i64(run1("Cast", {&x}, 13, attr_int("to", 7)), {5}, {-2, 0, 0, 2, 0});
  const Tensor i = i64({3}, {-3, 0, 1LL << 40});
  expect_close(run1("Cast", {&i}, 13, attr_int("to", 1)), f32({3}, {-3, 0, float(1LL << 40)}));
  expect_close(run1("Cast", {&x}, 13, attr_int("to", 1)), x);
}

TEST(Cast, EmulatedTypes) {
  const Tensor x = f32({4}, {300.7f, -1.f, 0.f, 70000.f});
  expect_i64(run1("Cast", {&x}, 13, attr_int("to", 2)), {4}, {44, 255, 0, 112});  // uint8 wraps
  expect_i64(run1("Cast", {&x}, 13, attr_int("to", 9)), {4}, {1, 1, 0, 1});      // bool
  // float16: 70000 overflows to inf; 300.7 rounds to 300.75 (quantum 0.25).
  auto h = run1("Cast", {&x}, 13, attr_int("to", 10)).to_f32_vector();
  EXPECT_EQ(h[0], 300.75f);
  EXPECT_EQ(h[3], kInf);
  const Tensor small = f32({2}, {1.0e-7f, 1.0009765625f});
  auto hs = run1("Cast", {&small}, 13, attr_int("to", 10)).to_f32_vector();
  EXPECT_FLOAT_EQ(hs[0], std::ldexp(2.f, -24));  // nearest half subnormal: 2 * 2^-24
  EXPECT_EQ(hs[1], 1.0009765625f);               // exactly representable
  auto b = run1("Cast", {&small}, 13, attr_int("to", 16)).to_f32_vector();
  EXPECT_EQ(b[1], 1.0f);  // bfloat16 has 7 mantissa bits
  // Opset 1: `to` is a string.
  Attributes s;
  s.set_string("to", "INT64");
  expect_i64(run1("Cast", {&x}, 1, s), {4}, {300, -1, 0, 70000});
  expect_error([&] { run1("Cast", {&x}, 13, attr_int("to", 8)); }, "not supported");
  expect_error([&] { run1("Cast", {&x}, 13); }, "'to'");
}

// ---------------------------------------------------------------------------------------------
// Identity, Dropout, Constant, ConstantOfShape

TEST(IdentityDropout, CopyAndView) {
  const Tensor x = f32({2, 2}, {1, 2, 3, 4});
  expect_close(run1("Identity", {&x}), x);
  expect_close(run1("Dropout", {&x}, 22), x);
  Attributes r;
  r.set_float("ratio", 0.2f);
  expect_close(run1("Dropout", {&x}, 7, r), x);
  const Tensor ratio = Tensor::scalar_f32(0.5f);
  expect_close(run1("Dropout", {&x, &ratio}, 13), x);
  const Tensor xi = i64({2}, {1, 2});
  expect_i64(run1("Identity", {&xi}), {2}, {1, 2});
  NodeDef def;
  def.op_type = "Dropout";
  def.opset = 13;
  def.input_present = {true};
  def.num_outputs = 1;
  EXPECT_TRUE(ops::builtin_registry().create(def)->output_is_view());
  def.num_outputs = 2;
  expect_error([&] { ops::builtin_registry().create(def); }, "mask");
}

TEST(Constant, Forms) {
  Attributes a;
  a.set_tensor("value", f32({2}, {1.5f, 2.5f}));
  expect_close(run1("Constant", {}, 25, a), f32({2}, {1.5f, 2.5f}));
  Attributes b;
  b.set_float("value_float", 3);
  expect_close(run1("Constant", {}, 13, b), Tensor::scalar_f32(3));
  Attributes c;
  c.set_ints("value_ints", {4, 5, 6});
  expect_i64(run1("Constant", {}, 13, c), {3}, {4, 5, 6});
  Attributes d;
  d.set_int("value_int", 9);
  expect_i64(run1("Constant", {}, 13, d), {}, {9});
  Attributes e;
  e.set_floats("value_floats", {});
  EXPECT_EQ(shape_str(run1("Constant", {}, 13, e).shape()), "[0]");
  expect_error([] { run1("Constant", {}, 13); }, "exactly one");
  Attributes two = a;
  two.set_int("value_int", 1);
  expect_error([&] { run1("Constant", {}, 13, two); }, "exactly one");
}

TEST(ConstantOfShape, ValueAndShape) {
  const Tensor shape = i64({2}, {2, 3});
  const Tensor y = run1("ConstantOfShape", {&shape}, 9);
  expect_close(y, f32({2, 3}, {0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(y.dtype(), DType::kF32);
  Attributes a;
  a.set_tensor("value", i64({1}, {7}));
  expect_i64(run1("ConstantOfShape", {&shape}, 20, a), {2, 3}, {7, 7, 7, 7, 7, 7});
  Attributes f;
  f.set_tensor("value", f32({1}, {1}));
  const Tensor empty = i64({0}, {});
  expect_close(run1("ConstantOfShape", {&empty}, 25, f), Tensor::scalar_f32(1));
  const Tensor zero = i64({2}, {0, 4});
  EXPECT_EQ(shape_str(run1("ConstantOfShape", {&zero}, 25, f).shape()), "[0,4]");
  const Tensor neg = i64({1}, {-1});
  expect_error([&] { run1("ConstantOfShape", {&neg}, 25); }, "negative");
}

// ---------------------------------------------------------------------------------------------
// Registry coverage and kernels

TEST(ElementwiseRegistry, OpsetRanges) {
  const auto& r = ops::builtin_registry();
  for (const char* op : {"Add", "Sub", "Mul", "Div", "Pow", "PRelu", "Relu", "LeakyRelu", "Clip",
                         "Sigmoid", "Tanh", "HardSigmoid", "Exp", "Sqrt", "Softmax", "ReduceMean",
                         "ArgMax", "Cast", "Identity", "Dropout", "Constant"}) {
    EXPECT_TRUE(r.supports("", op, 1)) << op;
    EXPECT_TRUE(r.supports("", op, 25)) << op;
  }
  EXPECT_TRUE(r.supports("", "HardSwish", 14));
  EXPECT_FALSE(r.supports("", "HardSwish", 13));
  EXPECT_TRUE(r.supports("", "ConstantOfShape", 9));
}

TEST(EltwiseKernels, RangeAndStride) {
  const auto& k = ops::kernels::eltwise_kernels_ref();
  const float a[4] = {1, 2, 3, 4}, b = 10;
  float out[4] = {-1, -1, -1, -1};
  k.binary[static_cast<int>(ops::kernels::BinaryKind::kSub)](a, 1, &b, 0, out, 1, 3);
  EXPECT_EQ(out[0], -1);
  EXPECT_EQ(out[1], -8);
  EXPECT_EQ(out[2], -7);
  EXPECT_EQ(out[3], -1);
  for (int i = 0; i < static_cast<int>(ops::kernels::UnaryKind::kCount); ++i) {
    EXPECT_NE(k.unary[i], nullptr) << i;
  }
}

}  // namespace
}  // namespace facet
