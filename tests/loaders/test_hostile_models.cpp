// A catalogue of hand-made hostile models, generated with facet's own ONNX writer, and hostile
// images. Each must fail cleanly (facet::Error, no crash, no huge allocation, no stack overflow)
// with its specific message, or, where the input is legal but extreme, run safely.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "engine/graph.h"
#include "engine/session.h"
#include "engine/status.h"
#include "loaders/image.h"
#include "loaders/onnx_loader.h"
#include "loaders/onnx_writer.h"
#include "loaders/tensor_io.h"

namespace facet::loaders {
namespace {

namespace fs = std::filesystem;

#define EXPECT_ERROR_HAS(message, needle)                                          \
  do {                                                                             \
    const std::string m_ = (message);                                              \
    EXPECT_NE(m_.find(needle), std::string::npos) << "message: '" << m_ << "'";   \
  } while (0)

constexpr int64_t kI64Max = std::numeric_limits<int64_t>::max();

std::shared_ptr<Graph> load_model(const ModelSpec& m, const std::string& base_dir = "",
                                  const LoadLimits& limits = {}) {
  const std::string bytes = serialize_model(m);
  return load_onnx_bytes(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(),
                         "hostile.onnx", base_dir, limits);
}

// The loader's error for m, or "<loaded>".
std::string load_error(const ModelSpec& m, const std::string& base_dir = "",
                       const LoadLimits& limits = {}) {
  try {
    load_model(m, base_dir, limits);
  } catch (const Error& e) {
    return e.what();
  }
  return "<loaded>";
}

// Loads m and plans it for `inputs`: the first error (load or plan), or "<planned>".
std::string plan_error(const ModelSpec& m, const std::vector<Tensor>& inputs,
                       SessionOptions opt = {}) {
  try {
    auto g = load_model(m);
    opt.threads = 1;
    Session s(g, opt);
    s.plan_for(inputs);
  } catch (const Error& e) {
    return e.what();
  }
  return "<planned>";
}

TensorSpec f32_init(const std::string& name, Shape dims, float fill = 0.5f) {
  const int64_t n = shape_numel(dims);
  return tensor_spec(name, Tensor::from_f32(std::move(dims),
                                            std::vector<float>(static_cast<size_t>(n), fill)));
}

TensorSpec i64_init(const std::string& name, std::vector<int64_t> v) {
  const int64_t n = static_cast<int64_t>(v.size());
  return tensor_spec(name, Tensor::from_i64({n}, v));
}

// x[1,C,H,W] -> op(x, extra inputs...) -> y
ModelSpec one_node(const std::string& op, Shape x_shape, std::vector<std::string> inputs,
                   Attributes attrs, std::vector<TensorSpec> inits = {}) {
  ModelSpec m;
  m.graph.inputs.push_back(value_info("x", DType::kF32, x_shape));
  m.graph.outputs.push_back(value_info("y", DType::kF32, {}));
  m.graph.outputs.back().has_shape = false;
  inputs.insert(inputs.begin(), "x");
  m.graph.nodes.push_back(node_spec(op, inputs, {"y"}, attrs, "n0"));
  m.graph.initializers = std::move(inits);
  return m;
}

Tensor zeros(Shape s) { return Tensor::empty(DType::kF32, std::move(s)); }

ModelSpec conv_model(Attributes a, Shape w_shape = {4, 4, 3, 3}) {
  return one_node("Conv", {1, 4, 8, 8}, {"w"}, std::move(a), {f32_init("w", std::move(w_shape))});
}

// ---------------------------------------------------------------------------------------------
// Sizes and counts.

TEST(HostileModels, DimsProductOverflowsInt64) {
  TensorSpec t;
  t.name = "w";
  t.dims = {int64_t(1) << 32, int64_t(1) << 32};
  t.has_raw_data = true;
  ModelSpec m = one_node("Add", {1}, {"w"}, {}, {t});
  EXPECT_ERROR_HAS(load_error(m), "overflows int64");
  // Declared (value_info) shapes are bounded the same way.
  ModelSpec d = one_node("Relu", {kI64Max, kI64Max}, {}, {});
  EXPECT_ERROR_HAS(load_error(d), "has more than");
}

TEST(HostileModels, TwoToTheFortyElementTensor) {
  TensorSpec t;
  t.name = "w";
  t.dims = {int64_t(1) << 20, int64_t(1) << 20};
  t.has_raw_data = true;  // no bytes at all: must be refused before anything is allocated
  ModelSpec m = one_node("Add", {1}, {"w"}, {}, {t});
  EXPECT_ERROR_HAS(load_error(m), "more than the limit of");
  // A graph input declared with 2^40 elements.
  ModelSpec in = one_node("Relu", {int64_t(1) << 20, int64_t(1) << 20}, {}, {});
  EXPECT_ERROR_HAS(load_error(in), "has more than 2147483648 elements");
}

TEST(HostileModels, ExpandTo2To40ElementsHitsArenaLimit) {
  // A tiny model whose intermediate would need 4 TiB: refused at plan time, nothing allocated.
  // x has rank 2, so it is not a plan-time constant and Expand is planned, not folded.
  ModelSpec m = one_node("Expand", {1, 1}, {"shape"}, {},
                         {i64_init("shape", {int64_t(1) << 20, int64_t(1) << 20})});
  SessionOptions opt;
  opt.max_arena_bytes = size_t(64) << 20;
  EXPECT_ERROR_HAS(plan_error(m, {zeros({1, 1})}, opt),
                   "bytes of intermediate memory, the limit is 67108864");
  // Folded at plan time (constant input): the allocation is refused, nothing is allocated.
  ModelSpec c = one_node("Expand", {1}, {"shape"}, {},
                         {i64_init("shape", {int64_t(1) << 31, int64_t(1) << 31})});
  EXPECT_ERROR_HAS(plan_error(c, {zeros({1})}, opt), "is too large");
}

TEST(HostileModels, IntermediateWhoseByteSizeWrapsAround) {
  // 2^62 float32 elements: numel fits int64 but numel * 4 wraps size_t to 0. Must be refused,
  // not planned as an empty buffer that the kernel would then overrun (even with no limit).
  ModelSpec m = one_node("Expand", {1, 1}, {"shape"}, {},
                         {i64_init("shape", {int64_t(1) << 31, int64_t(1) << 31})});
  SessionOptions opt;
  opt.max_arena_bytes = 0;  // no limit: the overflow check alone must catch it
  EXPECT_ERROR_HAS(plan_error(m, {zeros({1, 1})}, opt),
                   "value 'y' of shape [2147483648,2147483648] is too large to allocate");
  // Four 2^61-byte buffers alive at once: each passes, their sum would wrap the arena size.
  ModelSpec sum;
  sum.graph.inputs.push_back(value_info("x", DType::kF32, {1, 1}));
  sum.graph.initializers.push_back(i64_init("s", {int64_t(1) << 30, int64_t(1) << 29}));
  for (const char* v : {"a", "b", "c", "d"})
    sum.graph.nodes.push_back(node_spec("Expand", {"x", "s"}, {v}));
  sum.graph.nodes.push_back(node_spec("Add", {"a", "b"}, {"e"}));
  sum.graph.nodes.push_back(node_spec("Add", {"e", "c"}, {"f"}));
  sum.graph.nodes.push_back(node_spec("Add", {"f", "d"}, {"y"}));
  sum.graph.outputs.push_back(value_info("y", DType::kF32, {}));
  sum.graph.outputs.back().has_shape = false;
  EXPECT_ERROR_HAS(plan_error(sum, {zeros({1, 1})}, opt), "memory plan overflows");
}

TEST(HostileModels, RankLimit) {
  ModelSpec m = one_node("Relu", Shape(40, 1), {}, {});
  EXPECT_ERROR_HAS(load_error(m), "rank exceeds the limit of 16");
}

TEST(HostileModels, NodeCountAndFileSizeLimits) {
  ModelSpec m = one_node("Relu", {1}, {}, {});
  LoadLimits lim;
  lim.max_nodes = 0;
  EXPECT_ERROR_HAS(load_error(m, "", lim), "more than 0 nodes");
  LoadLimits small;
  small.max_file_bytes = 16;
  EXPECT_ERROR_HAS(load_error(m, "", small), "more than the limit of 16");
}

// Nested GRAPH attributes, each holding a node with the next level, 40 deep. Subgraphs are not
// decoded (no op needs them), so there is no recursion at all: the model fails cleanly on the
// unsupported op. The nesting limit of the wire reader is checked with a smaller limit.
TEST(HostileModels, NestingDepth) {
  std::string graph;  // innermost GraphProto: empty
  for (int level = 0; level < 40; ++level) {
    PbWriter attr;  // AttributeProto {name: "body", type: GRAPH, g: graph}
    attr.field_string(1, "body");
    attr.field_varint(20, 5);
    attr.field_string(6, graph);
    PbWriter node;  // NodeProto {op_type: "If", attribute: attr}
    node.field_string(4, "If");
    node.field_message(5, attr);
    PbWriter g;  // GraphProto {node: node}
    g.field_message(1, node);
    graph = g.take();
  }
  PbWriter model;
  model.field_varint(1, 7);
  model.field_string(7, graph);
  PbWriter opset;
  opset.field_varint(2, 13);
  model.field_message(8, opset);
  const std::string bytes = model.take();
  try {
    load_onnx_bytes(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), "deep.onnx");
    ADD_FAILURE() << "loaded";
  } catch (const Error& e) {
    EXPECT_ERROR_HAS(e.what(), "unsupported op 'If'");
  }
  // ModelProto > GraphProto > NodeProto > AttributeProto > TensorProto is 4 deep.
  ModelSpec m = one_node("Relu", {1}, {}, {});
  Attributes a;
  a.set_tensor("value", Tensor::scalar_f32(1.f));
  m.graph.nodes.push_back(node_spec("Constant", {}, {"c"}, a));
  LoadLimits lim;
  lim.max_nesting_depth = 3;
  EXPECT_ERROR_HAS(load_error(m, "", lim), "nested deeper than 3 levels");
}

TEST(HostileModels, TenThousandDeepChainLoadsPlansAndRuns) {
  // No recursion in finalize (Kahn's algorithm), planning or execution: a 10000-node chain must
  // work (or fail cleanly), not overflow the stack.
  ModelSpec m;
  m.graph.inputs.push_back(value_info("x", DType::kF32, {1, 4}));
  std::string prev = "x";
  const int kDepth = 10000;
  for (int i = 0; i < kDepth; ++i) {
    const std::string out = "t" + std::to_string(i);
    m.graph.nodes.push_back(node_spec(i % 1000 == 999 ? "Relu" : "Neg", {prev}, {out}));
    prev = out;
  }
  m.graph.outputs.push_back(value_info(prev, DType::kF32, {1, 4}));
  std::shared_ptr<Graph> g;
  ASSERT_NO_THROW(g = load_model(m));
  ASSERT_EQ(g->nodes.size(), size_t(kDepth));
  SessionOptions opt;
  opt.threads = 1;
  Session s(g, opt);
  Tensor x = Tensor::from_f32({1, 4}, {-1, 2, -3, 4});
  std::vector<Tensor> out = s.run({x});
  ASSERT_EQ(out.size(), 1u);
  // 999 Negs (odd) then a Relu, ten times: the first block gives max(0, -x) = {1, 0, 3, 0},
  // the next blocks negate that to non-positive values and Relu zeroes them.
  EXPECT_EQ(out[0].to_f32_vector(), (std::vector<float>{0, 0, 0, 0}));
  EXPECT_LE(s.current_plan()->arena_bytes, size_t(4096));  // buffers reused along the chain
}

// ---------------------------------------------------------------------------------------------
// External data.

class HostileExternal : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("facet_hostile_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "a" / "b");
  }
  void TearDown() override { fs::remove_all(dir_); }
  static ModelSpec ext_model(const std::string& location) {
    TensorSpec t;
    t.name = "w";
    t.dims = {4};
    t.data_location = 1;
    t.external_data = {{"location", location}, {"length", "16"}};
    return one_node("Add", {4}, {"w"}, {}, {t});
  }
  std::string base() const { return (dir_ / "a" / "b").string(); }
  fs::path dir_;
};

TEST_F(HostileExternal, EtcPasswd) {
  EXPECT_ERROR_HAS(load_error(ext_model("../../etc/passwd"), base()), "contains '..'");
  EXPECT_ERROR_HAS(load_error(ext_model("/etc/passwd"), base()), "is not a relative path");
  EXPECT_ERROR_HAS(load_error(ext_model("x/../../../etc/passwd"), base()), "contains '..'");
  // Loaded from memory with no folder: external data is refused outright.
  EXPECT_ERROR_HAS(load_error(ext_model("w.bin")), "external data is not allowed");
}

TEST_F(HostileExternal, SymlinkToEtcPasswd) {
  std::error_code ec;
  fs::create_symlink("/etc/passwd", dir_ / "a" / "b" / "w.bin", ec);
  if (ec) GTEST_SKIP() << "no symlinks: " << ec.message();
  EXPECT_ERROR_HAS(load_error(ext_model("w.bin"), base()), "outside the model folder");
}

// ---------------------------------------------------------------------------------------------
// Attributes.

TEST(HostileModels, ConvAttributes) {
  Attributes neg_pads;
  neg_pads.set_ints("pads", {-1, 0, 0, 0});
  EXPECT_ERROR_HAS(load_error(conv_model(neg_pads)), "attribute 'pads' has value -1, expected >= 0");
  Attributes g0;
  g0.set_int("group", 0);
  EXPECT_ERROR_HAS(load_error(conv_model(g0)), "attribute 'group' has value 0, expected >= 1");
  Attributes gneg;
  gneg.set_int("group", -4);
  EXPECT_ERROR_HAS(load_error(conv_model(gneg)), "attribute 'group' has value -4");
  Attributes g3;
  g3.set_int("group", 3);
  EXPECT_ERROR_HAS(plan_error(conv_model(g3, {3, 1, 3, 3}), {zeros({1, 4, 8, 8})}),
                   "group 3 does not divide the 4");
  Attributes k0;
  k0.set_ints("kernel_shape", {0, 3});
  EXPECT_ERROR_HAS(load_error(conv_model(k0)), "attribute 'kernel_shape' has value 0");
  Attributes s0;
  s0.set_ints("strides", {1, 0});
  EXPECT_ERROR_HAS(load_error(conv_model(s0)), "attribute 'strides' has value 0");
  Attributes d0;
  d0.set_ints("dilations", {0, 1});
  EXPECT_ERROR_HAS(load_error(conv_model(d0)), "attribute 'dilations' has value 0");
  Attributes huge_group;
  huge_group.set_int("group", kI64Max);
  EXPECT_ERROR_HAS(plan_error(conv_model(huge_group), {zeros({1, 4, 8, 8})}), "does not divide");
}

TEST(HostileModels, PoolAttributes) {
  Attributes a;
  a.set_ints("kernel_shape", {2, 2});
  a.set_ints("strides", {0, 1});
  EXPECT_ERROR_HAS(load_error(one_node("MaxPool", {1, 1, 4, 4}, {}, a)),
                   "attribute 'strides' has value 0");
  Attributes p;
  p.set_ints("kernel_shape", {2, 2});
  p.set_ints("pads", {0, 0, -2, 0});
  EXPECT_ERROR_HAS(load_error(one_node("AveragePool", {1, 1, 4, 4}, {}, p)),
                   "attribute 'pads' has value -2");
}

TEST(HostileModels, AxesOutOfRange) {
  Attributes sm;
  sm.set_int("axis", 7);
  EXPECT_ERROR_HAS(plan_error(one_node("Softmax", {2, 3}, {}, sm), {zeros({2, 3})}), "axis 7");
  Attributes cat;
  cat.set_int("axis", -9);
  EXPECT_ERROR_HAS(plan_error(one_node("Concat", {2, 3}, {}, cat), {zeros({2, 3})}),
                   "axis -9");
  Attributes tr;
  tr.set_ints("perm", {0, 5});
  EXPECT_ERROR_HAS(plan_error(one_node("Transpose", {2, 3}, {}, tr), {zeros({2, 3})}), "perm");
  Attributes ga;
  ga.set_int("axis", kI64Max);
  EXPECT_ERROR_HAS(plan_error(one_node("Gather", {2, 3}, {"i"}, ga, {i64_init("i", {0})}),
                              {zeros({2, 3})}),
                   "out of range");
}

TEST(HostileModels, ReshapeWithTwoMinusOnes) {
  ModelSpec m = one_node("Reshape", {2, 3}, {"shape"}, {}, {i64_init("shape", {-1, -1})});
  EXPECT_ERROR_HAS(plan_error(m, {zeros({2, 3})}), "more than one -1");
  ModelSpec neg = one_node("Reshape", {2, 3}, {"shape"}, {}, {i64_init("shape", {-7, 6})});
  EXPECT_ERROR_HAS(plan_error(neg, {zeros({2, 3})}), "invalid dim -7");
}

TEST(HostileModels, GatherIndexOneBillion) {
  ModelSpec m = one_node("Gather", {4, 2}, {"i"}, {}, {i64_init("i", {0, 1000000000})});
  EXPECT_ERROR_HAS(plan_error(m, {zeros({4, 2})}), "Gather index 1000000000 is out of range");
  ModelSpec lo = one_node("Gather", {4, 2}, {"i"}, {}, {i64_init("i", {-5})});
  EXPECT_ERROR_HAS(plan_error(lo, {zeros({4, 2})}), "Gather index -5 is out of range");
}

TEST(HostileModels, GatherIndicesAsRunTimeInputNeverReadOutOfBounds) {
  // Indices fed at run time (more than const_int_input_max values, so not a plan constant)
  // cannot be checked at plan time and run() cannot throw: out-of-range rows come out as zeros,
  // in-range rows are gathered, and nothing outside the data is read (ASan build checks this).
  ModelSpec m;
  m.graph.inputs.push_back(value_info("data", DType::kF32, {4, 2}));
  m.graph.inputs.push_back(value_info("idx", DType::kI64, {100}));
  m.graph.outputs.push_back(value_info("y", DType::kF32, {100, 2}));
  m.graph.nodes.push_back(node_spec("Gather", {"data", "idx"}, {"y"}));
  auto g = load_model(m);
  SessionOptions opt;
  opt.threads = 1;
  Session s(g, opt);
  Tensor data = Tensor::from_f32({4, 2}, {1, 2, 3, 4, 5, 6, 7, 8});
  std::vector<int64_t> idx(100, 1000000000);
  idx[0] = 3;
  idx[1] = -1;
  idx[2] = -1000000000;
  idx[3] = std::numeric_limits<int64_t>::min();
  idx[4] = kI64Max;
  std::vector<Tensor> out = s.run({data, Tensor::from_i64({100}, idx)});
  ASSERT_EQ(out.size(), 1u);
  const std::vector<float> y = out[0].to_f32_vector();
  EXPECT_EQ(y[0], 7.f);
  EXPECT_EQ(y[1], 8.f);
  EXPECT_EQ(y[2], 7.f);  // -1 wraps to the last row
  for (size_t k = 4; k < y.size(); ++k) EXPECT_EQ(y[k], 0.f) << k;
}

TEST(HostileModels, ResizeScales) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  struct Case {
    float scale;
    const char* msg;
  };
  const Case cases[] = {{nan, "must be a finite number > 0"},
                        {0.f, "must be a finite number > 0"},
                        {-2.f, "must be a finite number > 0"},
                        {inf, "must be a finite number > 0"},
                        {1e30f, "gives an output that is too large"}};
  for (const Case& c : cases) {
    ModelSpec m = one_node("Resize", {1, 1, 4, 4}, {"", "scales"}, {},
                           {tensor_spec("scales", Tensor::from_f32({4}, {1, 1, c.scale, 2}))});
    SCOPED_TRACE(c.scale);
    EXPECT_ERROR_HAS(plan_error(m, {zeros({1, 1, 4, 4})}), c.msg);
  }
  // Scales given as a graph input (a plan-time constant through the plan key): same checks.
  ModelSpec m;
  m.graph.inputs.push_back(value_info("x", DType::kF32, {1, 1, 4, 4}));
  m.graph.inputs.push_back(value_info("scales", DType::kF32, {4}));
  m.graph.outputs.push_back(value_info("y", DType::kF32, {}));
  m.graph.outputs.back().has_shape = false;
  m.graph.nodes.push_back(node_spec("Resize", {"x", "", "scales"}, {"y"}));
  EXPECT_ERROR_HAS(plan_error(m, {zeros({1, 1, 4, 4}), Tensor::from_f32({4}, {1, 1, nan, 1})}),
                   "must be a finite number > 0");
}

TEST(HostileModels, TileAndExpandNegative) {
  ModelSpec t = one_node("Tile", {2}, {"r"}, {}, {i64_init("r", {-3})});
  EXPECT_ERROR_HAS(plan_error(t, {zeros({2})}), "Tile: negative repeat -3");
  ModelSpec e = one_node("Expand", {1}, {"s"}, {}, {i64_init("s", {-4})});
  EXPECT_ERROR_HAS(plan_error(e, {zeros({1})}), "Expand: negative dim -4");
}

TEST(HostileModels, NodeWithEveryOutputUnusedIsNotRun) {
  // Found by fuzz_onnx_load: a Softmax whose only output is "" was planned and run with a null
  // output. Such a node computes nothing anybody reads; it must simply be skipped.
  ModelSpec m;
  m.graph.inputs.push_back(value_info("x", DType::kF32, {2, 3}));
  m.graph.outputs.push_back(value_info("x", DType::kF32, {2, 3}));
  m.graph.nodes.push_back(node_spec("Softmax", {"x"}, {""}));
  m.graph.nodes.push_back(node_spec("Relu", {"x"}, {""}));
  auto g = load_model(m);
  Session s(g, SessionOptions{});
  const Tensor x = Tensor::from_f32({2, 3}, {1, 2, 3, 4, 5, 6});
  std::vector<Tensor> out = s.run({x});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].to_f32_vector(), x.to_f32_vector());
  EXPECT_TRUE(s.current_plan()->steps.empty());
}

// ---------------------------------------------------------------------------------------------
// After an error, a session stays usable.

TEST(HostileModels, SessionUsableAfterErrors) {
  ModelSpec m;
  m.graph.inputs.push_back(value_info("x", DType::kF32, {1, 3}));
  m.graph.inputs.back().dim_params = {"N", ""};
  m.graph.inputs.push_back(value_info("shape", DType::kI64, {2}));
  m.graph.outputs.push_back(value_info("y", DType::kF32, {}));
  m.graph.outputs.back().has_shape = false;
  m.graph.nodes.push_back(node_spec("Reshape", {"x", "shape"}, {"y"}));
  auto g = load_model(m);
  SessionOptions opt;
  opt.threads = 1;
  Session s(g, opt);
  const Tensor x = Tensor::from_f32({2, 3}, {1, 2, 3, 4, 5, 6});
  const Tensor good = Tensor::from_i64({2}, {3, 2});
  std::vector<Tensor> out;
  ASSERT_TRUE(s.try_run({x, good}, &out).is_ok());
  const std::vector<float> want = out[0].to_f32_vector();
  // Errors of every kind: bad shape argument, wrong count, wrong dtype, wrong rank.
  Status st = s.try_run({x, Tensor::from_i64({2}, {-1, -1})}, &out);
  EXPECT_FALSE(st.is_ok());
  EXPECT_ERROR_HAS(st.message(), "more than one -1");
  EXPECT_FALSE(s.try_run({x}, &out).is_ok());
  EXPECT_FALSE(s.try_run({Tensor::from_i64({2, 3}, {1, 2, 3, 4, 5, 6}), good}, &out).is_ok());
  EXPECT_FALSE(s.try_run({zeros({6}), good}, &out).is_ok());
  EXPECT_FALSE(s.try_run({x, Tensor::from_i64({2}, {4, 4})}, &out).is_ok());
  EXPECT_THROW(s.run({x, Tensor::from_i64({2}, {7, 1})}), Error);
  // The next valid call works and gives the same result.
  out.clear();
  ASSERT_TRUE(s.try_run({x, good}, &out).is_ok());
  EXPECT_EQ(out[0].to_f32_vector(), want);
  EXPECT_EQ(out[0].shape(), (Shape{3, 2}));
  std::vector<Tensor> again = s.run({x, Tensor::from_i64({2}, {1, 6})});
  EXPECT_EQ(again[0].shape(), (Shape{1, 6}));
}

// ---------------------------------------------------------------------------------------------
// Hostile images.

TEST(HostileImages, PixelLimitBeforeAllocation) {
  ImageLimits lim;
  lim.max_pixels = 1000;
  const Image img = Image::blank(40, 30, 3);
  const std::vector<uint8_t> png = encode_png(img);
  try {
    decode_image(png.data(), png.size(), "big.png", lim);
    ADD_FAILURE() << "decoded";
  } catch (const Error& e) {
    EXPECT_ERROR_HAS(e.what(), "big.png");
    EXPECT_ERROR_HAS(e.what(), "limit is 1000");
  }
  // A PPM header claiming 100000 x 100000 pixels with 6 bytes of data.
  const std::string ppm = "P6\n100000 100000\n255\n\x01\x02\x03\x04\x05\x06";
  try {
    decode_image(reinterpret_cast<const uint8_t*>(ppm.data()), ppm.size(), "huge.ppm");
    ADD_FAILURE() << "decoded";
  } catch (const Error& e) {
    EXPECT_ERROR_HAS(e.what(), "huge.ppm");
  }
  // A PNG whose IHDR claims 2^31-1 x 2^31-1 (CRC fixed up) is refused from the header.
  std::vector<uint8_t> huge = encode_png(Image::blank(1, 1, 1));
  for (int k = 0; k < 4; ++k) huge[16 + k] = huge[20 + k] = k == 0 ? 0x7f : 0xff;
  uint32_t crc = 0xffffffffu;  // CRC-32 over "IHDR" + 13 data bytes (offsets 12..28)
  for (size_t i = 12; i < 29; ++i) {
    crc ^= huge[i];
    for (int b = 0; b < 8; ++b) crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
  }
  crc ^= 0xffffffffu;
  for (int k = 0; k < 4; ++k) huge[29 + k] = static_cast<uint8_t>(crc >> (24 - 8 * k));
  try {
    decode_image(huge.data(), huge.size(), "huge.png");
    ADD_FAILURE() << "decoded";
  } catch (const Error& e) {
    EXPECT_ERROR_HAS(e.what(), "huge.png");
  }
}

TEST(HostileTensors, NpyShapeOverflowAndTruncation) {
  const std::string hdr = "{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296), }";
  std::string npy = std::string("\x93NUMPY\x01\x00", 8);
  npy += static_cast<char>(hdr.size() + 1);
  npy += '\0';
  npy += hdr + "\n";
  try {
    parse_npy(reinterpret_cast<const uint8_t*>(npy.data()), npy.size(), "big.npy");
    ADD_FAILURE() << "parsed";
  } catch (const Error& e) {
    EXPECT_ERROR_HAS(e.what(), "big.npy: .npy shape");
    EXPECT_ERROR_HAS(e.what(), "overflows int64");
  }
}

}  // namespace
}  // namespace facet::loaders
