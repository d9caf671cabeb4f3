// Memory behaviour of loading and preparing a model:
//  - Graph::finalize() frees an initializer's data once the op reading it has packed its own
//    copy (Op::releases_constant_input), but only when that op is its sole reader; the Value
//    keeps dtype and shape, sessions still plan, run and re-plan at other shapes, and the
//    results are bit-identical to a graph that keeps every initializer;
//  - load_onnx_file (which maps the file and drops pages as it decodes) gives the same graph
//    as load_onnx_bytes, and a truncated or odd file still gives an error, not a crash.
// Peak RSS itself is not asserted here (it depends on the machine); `facet bench` prints it.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "engine/cpu.h"
#include "engine/graph.h"
#include "engine/session.h"
#include "engine/status.h"
#include "loaders/onnx_loader.h"
#include "loaders/onnx_writer.h"
#include "test_util.h"

namespace facet {
namespace {

namespace fs = std::filesystem;
using loaders::ModelSpec;
using loaders::node_spec;
using loaders::tensor_spec;
using loaders::value_info;

std::vector<float> pseudo_random(size_t n, uint32_t seed) {
  return test::lcg_floats(n, seed, 7u);
}

loaders::TensorSpec weight(const std::string& name, Shape s, uint32_t seed) {
  const size_t n = static_cast<size_t>(shape_numel(s));
  return tensor_spec(name, Tensor::from_f32(std::move(s), pseudo_random(n, seed)));
}

Attributes pads1() {
  Attributes a;
  a.set_ints("pads", {1, 1, 1, 1});
  return a;
}

// x [1, 8, H, W] -> Conv 3x3 (w1: GEMM path) -> Relu -> depthwise Conv (w2) -> Conv 1x1 (w3)
// -> y. Input dims H and W are symbolic so the same graph runs at several sizes.
ModelSpec conv_chain() {
  ModelSpec m;
  loaders::ValueInfoSpec x = value_info("x", DType::kF32, {1, 8, -1, -1});
  x.dim_params = {"", "", "h", "w"};
  m.graph.inputs.push_back(x);
  m.graph.initializers = {weight("w1", {16, 8, 3, 3}, 1), weight("b1", {16}, 2),
                          weight("w2", {16, 1, 3, 3}, 3), weight("w3", {4, 16, 1, 1}, 4)};
  Attributes dw = pads1();
  dw.set_int("group", 16);
  m.graph.nodes = {node_spec("Conv", {"x", "w1", "b1"}, {"c1"}, pads1()),
                   node_spec("Relu", {"c1"}, {"r1"}),
                   node_spec("Conv", {"r1", "w2"}, {"c2"}, dw),
                   node_spec("Conv", {"c2", "w3"}, {"y"})};
  loaders::ValueInfoSpec y = value_info("y", DType::kF32, {});
  y.has_shape = false;
  m.graph.outputs = {y};
  return m;
}

std::shared_ptr<Graph> load(const ModelSpec& m, bool release) {
  const std::string bytes = loaders::serialize_model(m);
  loaders::LoadLimits lim;
  lim.release_packed_weights = release;
  return loaders::load_onnx_bytes(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(),
                                  "memory_test.onnx", "", lim);
}

const Value& value(const Graph& g, const std::string& name) {
  const int id = g.find_value(name);
  EXPECT_GE(id, 0) << name;
  return g.values.at(static_cast<size_t>(id < 0 ? 0 : id));
}

bool released(const Graph& g, const std::string& name) {
  const Value& v = value(g, name);
  EXPECT_TRUE(v.initializer.defined()) << name;  // shape and dtype stay known
  EXPECT_EQ(v.data_released, v.initializer.raw() == nullptr) << name;
  return v.data_released;
}

bool bit_equal(const Tensor& a, const Tensor& b) {
  return a.dtype() == b.dtype() && a.shape() == b.shape() &&
         std::memcmp(a.raw(), b.raw(), a.nbytes()) == 0;
}

Tensor input(int64_t c, int64_t h, int64_t w, uint32_t seed) {
  return Tensor::from_f32({1, c, h, w}, pseudo_random(static_cast<size_t>(c * h * w), seed));
}

// The released graph and a graph keeping its data give bit-identical outputs, through a plan,
// a re-plan at another shape and a return to the first shape.
void expect_same_runs(const std::shared_ptr<Graph>& released_graph,
                      const std::shared_ptr<Graph>& kept_graph, int64_t channels) {
  SessionOptions opt;
  opt.threads = 2;
  Session a(released_graph, opt), b(kept_graph, opt);
  const Tensor x1 = input(channels, 9, 11, 5);
  const Tensor x2 = input(channels, 20, 6, 6);
  for (const Tensor* x : {&x1, &x2, &x1}) {
    std::vector<Tensor> ya = a.run({*x});
    std::vector<Tensor> yb = b.run({*x});
    ASSERT_EQ(ya.size(), yb.size());
    for (size_t i = 0; i < ya.size(); ++i) EXPECT_TRUE(bit_equal(ya[i], yb[i])) << i;
  }
}

TEST(Memory, PackedConvWeightIsReleased) {
  auto g = load(conv_chain(), true);
  auto kept = load(conv_chain(), false);
  const bool packs = active_isa() != Isa::kRef;  // the scalar SGEMM keeps the reference loops
  EXPECT_EQ(released(*g, "w1"), packs);
  EXPECT_EQ(released(*g, "w3"), packs);
  EXPECT_FALSE(released(*g, "w2"));  // depthwise kernels read W as it is
  EXPECT_FALSE(released(*g, "b1"));  // biases are read in place
  EXPECT_EQ(shape_str(value(*g, "w1").initializer.shape()), "[16,8,3,3]");
  EXPECT_EQ(value(*g, "w1").initializer.dtype(), DType::kF32);
  EXPECT_EQ(g->parameter_count(), kept->parameter_count());
  for (const Value& v : kept->values) EXPECT_FALSE(v.data_released) << v.name;
  EXPECT_EQ(value(*kept, "w1").initializer.to_f32_vector(), pseudo_random(16 * 8 * 9, 1));
  expect_same_runs(g, kept, 8);
}

TEST(Memory, ReferenceIsaKeepsWeights) {
  if (!cpu_supports(Isa::kRef)) GTEST_SKIP();
  set_isa_override(Isa::kRef);
  std::shared_ptr<Graph> g, kept;
  try {
    g = load(conv_chain(), true);
    kept = load(conv_chain(), false);
  } catch (...) {
    clear_isa_override();
    throw;
  }
  clear_isa_override();
  for (const Value& v : g->values) EXPECT_FALSE(v.data_released) << v.name;
  expect_same_runs(g, kept, 8);
}

// A weight read by two nodes, and a weight that is also a graph output, keep their data.
TEST(Memory, SharedOrReturnedInitializerIsKept) {
  ModelSpec m;
  m.graph.inputs.push_back(value_info("x", DType::kF32, {1, 4, 7, 7}));
  m.graph.initializers = {weight("shared", {4, 4, 3, 3}, 11), weight("ret", {6, 4, 1, 1}, 12),
                          weight("own", {4, 4, 1, 1}, 13)};
  m.graph.nodes = {node_spec("Conv", {"x", "shared"}, {"a"}, pads1()),
                   node_spec("Conv", {"a", "shared"}, {"b"}, pads1()),
                   node_spec("Conv", {"b", "ret"}, {"c"}),
                   node_spec("Conv", {"b", "own"}, {"d"})};
  m.graph.outputs = {value_info("c", DType::kF32, {1, 6, 7, 7}),
                     value_info("d", DType::kF32, {1, 4, 7, 7}),
                     value_info("ret", DType::kF32, {6, 4, 1, 1})};
  auto g = load(m, true);
  auto kept = load(m, false);
  EXPECT_FALSE(released(*g, "shared"));
  EXPECT_FALSE(released(*g, "ret"));
  EXPECT_EQ(released(*g, "own"), active_isa() != Isa::kRef);
  Session a(g), b(kept);
  const Tensor x = input(4, 7, 7, 21);
  std::vector<Tensor> ya = a.run({x}), yb = b.run({x});
  ASSERT_EQ(ya.size(), 3u);
  for (size_t i = 0; i < ya.size(); ++i) EXPECT_TRUE(bit_equal(ya[i], yb[i])) << i;
  EXPECT_EQ(ya[2].to_f32_vector(), pseudo_random(6 * 4, 12));
}

// A Conv whose data input is an initializer too: with W kept the session folds it at plan
// time; with W released it must not fold (W has no data) and runs it as a step instead.
TEST(Memory, AllConstantConvWithReleasedWeight) {
  ModelSpec m;
  m.graph.inputs.push_back(value_info("x", DType::kF32, {1, 4, 5, 5}));
  m.graph.initializers = {weight("xc", {1, 4, 5, 5}, 31), weight("w", {4, 4, 3, 3}, 32)};
  m.graph.nodes = {node_spec("Conv", {"xc", "w"}, {"k"}, pads1()),
                   node_spec("Add", {"k", "x"}, {"y"})};
  m.graph.outputs = {value_info("y", DType::kF32, {1, 4, 5, 5})};
  auto g = load(m, true);
  auto kept = load(m, false);
  EXPECT_EQ(released(*g, "w"), active_isa() != Isa::kRef);
  Session a(g), b(kept);
  const Tensor x = input(4, 5, 5, 33);
  std::vector<Tensor> ya = a.run({x}), yb = b.run({x});
  ASSERT_EQ(ya.size(), 1u);
  EXPECT_TRUE(bit_equal(ya[0], yb[0]));
  EXPECT_EQ(b.current_plan()->folded_nodes, 1);
}

// finalize() again (as a tool re-validating a graph would) keeps the first packing.
TEST(Memory, SecondFinalizeKeepsPackedWeights) {
  auto g = load(conv_chain(), true);
  auto kept = load(conv_chain(), false);
  g->finalize();
  expect_same_runs(g, kept, 8);
}

// Runs both graphs on x (batch 1) and expects bit-identical outputs.
void expect_same_outputs(const std::shared_ptr<Graph>& a, const std::shared_ptr<Graph>& b,
                         const Tensor& x, int threads) {
  SessionOptions opt;
  opt.threads = threads;
  Session sa(a, opt), sb(b, opt);
  std::vector<Tensor> ya = sa.run({x}), yb = sb.run({x});
  ASSERT_EQ(ya.size(), yb.size());
  for (size_t i = 0; i < ya.size(); ++i) EXPECT_TRUE(bit_equal(ya[i], yb[i])) << i;
}

// Runs both graphs on x (one output each) and expects the outputs within 1e-4 (a folded
// BatchNormalization rounds differently from the separate one).
void expect_close_outputs(const std::shared_ptr<Graph>& a, const std::shared_ptr<Graph>& b,
                          const Tensor& x) {
  Session sa(a), sb(b);
  std::vector<Tensor> ya = sa.run({x}), yb = sb.run({x});
  ASSERT_EQ(ya.size(), 1u);
  ASSERT_EQ(yb.size(), 1u);
  test::expect_close(ya[0], yb[0], 1e-4f, 1e-4f);
}

// Weights of many pages, packed a piece at a time while their pages are handed back
// (prepare_consumed): 1x1 convs with a partial last A panel and with two groups, and a Gemm
// whose B (transB) is packed in column pieces. The results are those of a graph that keeps
// every weight.
TEST(Memory, LargeWeightsPackedPageByPage) {
  ModelSpec m;
  m.graph.inputs.push_back(value_info("x", DType::kF32, {1, 512, 5, 5}));
  m.graph.initializers = {weight("w1", {302, 512, 1, 1}, 51), weight("w2", {300, 151, 1, 1}, 52),
                          weight("fc", {257, 300}, 53), weight("fcb", {257}, 54)};
  Attributes grouped;
  grouped.set_int("group", 2);
  Attributes trans_b;
  trans_b.set_int("transB", 1);
  m.graph.nodes = {node_spec("Conv", {"x", "w1"}, {"c1"}),
                   node_spec("Conv", {"c1", "w2"}, {"c2"}, grouped),
                   node_spec("GlobalAveragePool", {"c2"}, {"g"}),
                   node_spec("Flatten", {"g"}, {"f"}),
                   node_spec("Gemm", {"f", "fc", "fcb"}, {"y"}, trans_b)};
  m.graph.outputs = {value_info("y", DType::kF32, {1, 257}), value_info("c1", DType::kF32, {})};
  m.graph.outputs[1].has_shape = false;
  auto g = load(m, true);
  auto kept = load(m, false);
  const bool packs = active_isa() != Isa::kRef;
  EXPECT_EQ(released(*g, "w1"), packs);
  EXPECT_EQ(released(*g, "w2"), packs);
  EXPECT_TRUE(released(*g, "fc"));
  EXPECT_EQ(value(*kept, "w1").initializer.to_f32_vector(), pseudo_random(302 * 512, 51));
  EXPECT_EQ(value(*kept, "fc").initializer.to_f32_vector(), pseudo_random(257 * 300, 53));
  const Tensor x = input(512, 5, 5, 55);
  for (int threads : {1, 2}) expect_same_outputs(g, kept, x, threads);
}

// A weight whose storage the caller shares (here: the test keeps the Tensor it built the graph
// from) is packed without handing pages back, and BatchNormalization folds into a copy of it:
// the caller's values are untouched.
TEST(Memory, SharedWeightStorageIsLeftIntact) {
  const std::vector<float> w_values = pseudo_random(302 * 512, 61);
  const Tensor w = Tensor::from_f32({302, 512, 1, 1}, w_values);
  const Tensor ones = Tensor::from_f32({302}, std::vector<float>(302, 1.5f));
  const Tensor zeros = Tensor::from_f32({302}, std::vector<float>(302, 0.25f));
  const std::vector<test::NodeSpec> nodes = {
      {"Conv", Attributes(), {"x", "w"}, {"c"}},
      {"BatchNormalization", Attributes(), {"c", "s", "b", "mean", "var"}, {"y"}}};
  const std::vector<std::pair<std::string, Tensor>> inits = {
      {"w", w}, {"s", ones}, {"b", zeros}, {"mean", zeros}, {"var", ones}};
  int removed = 0;
  auto fused = test::build_graph(nodes, inits, "x", {"y"}, true, &removed);
  EXPECT_EQ(removed, 1);  // the BN folded into the conv
  auto plain = test::build_graph(nodes, inits, "x", {"y"}, false, &removed);
  EXPECT_EQ(w.to_f32_vector(), w_values);
  expect_close_outputs(fused, plain, input(512, 5, 5, 62));
}

// A model file's Conv + BatchNormalization: the loader owns W alone, so the fold rewrites it
// in place; the results match the unfused graph.
TEST(Memory, BatchNormFoldedInPlaceMatchesUnfused) {
  const Tensor w = Tensor::from_f32({64, 32, 3, 3}, pseudo_random(64 * 32 * 9, 71));
  const Tensor scale = Tensor::from_f32({64}, pseudo_random(64, 72));
  const Tensor bias = Tensor::from_f32({64}, pseudo_random(64, 73));
  const Tensor mean = Tensor::from_f32({64}, pseudo_random(64, 74));
  std::vector<float> var_values = pseudo_random(64, 75);
  for (float& v : var_values) v = v * v + 0.1f;
  const Tensor var = Tensor::from_f32({64}, var_values);
  ModelSpec m;
  m.graph.inputs.push_back(value_info("x", DType::kF32, {1, 32, 12, 10}));
  m.graph.initializers = {tensor_spec("w", w), tensor_spec("s", scale), tensor_spec("b", bias),
                          tensor_spec("mean", mean), tensor_spec("var", var)};
  m.graph.nodes = {node_spec("Conv", {"x", "w"}, {"c"}, pads1()),
                   node_spec("BatchNormalization", {"c", "s", "b", "mean", "var"}, {"y"})};
  m.graph.outputs = {value_info("y", DType::kF32, {1, 64, 12, 10})};
  auto loaded = load(m, false);  // keeps W: it must hold the folded values, not a copy's
  EXPECT_EQ(loaded->nodes.size(), 1u);
  EXPECT_EQ(loaded->find_value("w_bnfold"), -1);  // no second copy of W was made
  const std::vector<test::NodeSpec> nodes = {
      {"Conv", pads1(), {"x", "w"}, {"c"}},
      {"BatchNormalization", Attributes(), {"c", "s", "b", "mean", "var"}, {"y"}}};
  int removed = 0;
  auto plain = test::build_graph(
      nodes, {{"w", w}, {"s", scale}, {"b", bias}, {"mean", mean}, {"var", var}}, "x", {"y"},
      false, &removed);
  expect_close_outputs(loaded, plain, input(32, 12, 10, 76));
}

// x [N, C, H, W] -> Add (x + x) -> depthwise 3x3 stride 1 + PRelu -> GlobalAveragePool.
// The depthwise step is the arena's peak (input + output) unless it runs in place; with its
// input also a graph output it cannot. Both give bit-identical results at 1 and 3 threads,
// batch 1 and 2, under every ISA. Shapes: 32 planes of 64 x 64 (16 KiB each: one plane per
// in-place kernel call), 100 of 12 x 12 (28 planes per call: each thread's 33-34 channels end
// in a shorter group) and 512 of 7 x 7 (83 planes per call, 1 or 2 short groups per thread).
void check_depthwise_in_place(int64_t c, int64_t h, int64_t w) {
  Attributes dw = pads1();
  dw.set_int("group", c);
  const std::vector<test::NodeSpec> nodes = {
      {"Add", Attributes(), {"x", "x"}, {"a"}},
      {"Conv", dw, {"a", "w2", "b2"}, {"c2"}},
      {"PRelu", Attributes(), {"c2", "slope"}, {"p2"}},
      {"GlobalAveragePool", Attributes(), {"p2"}, {"y"}}};
  const std::vector<std::pair<std::string, Tensor>> inits = {
      {"w2", Tensor::from_f32({c, 1, 3, 3}, pseudo_random(static_cast<size_t>(c * 9), 82))},
      {"b2", Tensor::from_f32({c}, pseudo_random(static_cast<size_t>(c), 83))},
      {"slope", Tensor::from_f32({c, 1, 1}, pseudo_random(static_cast<size_t>(c), 84))}};
  for (Isa isa : {Isa::kRef, Isa::kAvx2, Isa::kAvx512, Isa::kNeon}) {
    if (!cpu_supports(isa)) continue;
    test::IsaOverride cap(isa);
    int removed = 0;
    auto in_place = test::build_graph(nodes, inits, "x", {"y"}, true, &removed);
    EXPECT_EQ(removed, 1);  // PRelu fused into the depthwise conv
    auto apart = test::build_graph(nodes, inits, "x", {"y", "a"}, true, &removed);
    for (int threads : {1, 3}) {
      for (int64_t batch : {1, 2}) {
        SCOPED_TRACE(std::string(isa_name(isa)) + " threads " + std::to_string(threads) +
                     " batch " + std::to_string(batch) + " shape " + std::to_string(c) + "x" +
                     std::to_string(h) + "x" + std::to_string(w));
        SessionOptions opt;
        opt.threads = threads;
        Session a(in_place, opt), b(apart, opt);
        const Tensor x = Tensor::from_f32(
            {batch, c, h, w}, pseudo_random(static_cast<size_t>(batch * c * h * w), 86));
        std::vector<Tensor> ya = a.run({x}), yb = b.run({x});
        ASSERT_EQ(ya.size(), 1u);
        ASSERT_EQ(yb.size(), 2u);
        EXPECT_TRUE(bit_equal(ya[0], yb[0]));
        int steps_in_place = 0;
        for (const PlannedNode& s : a.current_plan()->steps) steps_in_place += s.in_place;
        for (const PlannedNode& s : b.current_plan()->steps) EXPECT_FALSE(s.in_place);
        EXPECT_EQ(steps_in_place, 1);
        EXPECT_LT(a.current_plan()->arena_bytes, b.current_plan()->arena_bytes);
        // A second run (the output of the first in-place run overwrote its input) agrees.
        std::vector<Tensor> ya2 = a.run({x});
        EXPECT_TRUE(bit_equal(ya2[0], ya[0]));
      }
    }
  }
}

TEST(Memory, DepthwiseRunsInPlaceWhereItShrinksTheArena) {
  check_depthwise_in_place(32, 64, 64);
  check_depthwise_in_place(100, 12, 12);
  check_depthwise_in_place(512, 7, 7);
}

class MemoryFile : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("facet_memory_test_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
            "_" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  std::string write(const std::string& name, const std::string& bytes) {
    const std::string path = (dir_ / name).string();
    std::ofstream(path, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    return path;
  }
  fs::path dir_;
};

std::string error_of(const std::string& path) {
  try {
    loaders::load_onnx_file(path);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

// The mapped file path gives the same graph (and results) as decoding the bytes in memory,
// with large weights spanning many pages.
TEST_F(MemoryFile, MappedLoadMatchesBytes) {
  ModelSpec m = conv_chain();
  m.graph.initializers[0] = weight("w1", {16, 8, 3, 3}, 1);
  m.graph.initializers.push_back(weight("big", {64, 16, 3, 3}, 41));  // unused: stays loaded
  m.graph.initializers.push_back(weight("w4", {256, 4, 1, 1}, 42));
  m.graph.nodes.push_back(node_spec("Conv", {"y", "w4"}, {"z"}));
  m.graph.outputs = {value_info("z", DType::kF32, {})};
  m.graph.outputs[0].has_shape = false;
  const std::string path = write("m.onnx", loaders::serialize_model(m));
  auto from_file = loaders::load_onnx_file(path);
  auto kept = load(m, false);
  EXPECT_EQ(value(*from_file, "big").initializer.to_f32_vector(), pseudo_random(64 * 16 * 9, 41));
  EXPECT_EQ(from_file->parameter_count(), kept->parameter_count());
  expect_same_runs(from_file, kept, 8);
}

// External data: float is read straight into the tensor, int32 and float16 through a
// conversion buffer; a file shorter than the declared range is an error.
TEST_F(MemoryFile, ExternalDataDirectAndConverted) {
  std::string bin(16, '\0');  // 2 floats, 2 int32, then 2 float16
  const float f[2] = {1.5f, -2.f};
  const int32_t i[2] = {-7, 1 << 30};
  const uint16_t h[2] = {0x3c00, 0xc000};  // 1.0, -2.0
  std::memcpy(&bin[0], f, 8);
  std::memcpy(&bin[8], i, 8);
  write("w.bin", bin + std::string(reinterpret_cast<const char*>(h), 4));
  auto ext = [](const std::string& name, int32_t type, const std::string& offset,
                const std::string& length) {
    loaders::TensorSpec t;
    t.name = name;
    t.data_type = type;
    t.dims = {2};
    t.data_location = 1;
    t.external_data = {{"location", "w.bin"}, {"offset", offset}, {"length", length}};
    return t;
  };
  ModelSpec m;
  m.graph.initializers = {ext("f", loaders::onnx_dtype::kFloat, "0", "8"),
                          ext("i", loaders::onnx_dtype::kInt32, "8", "8"),
                          ext("h", loaders::onnx_dtype::kFloat16, "16", "4")};
  for (const char* n : {"f", "h"}) m.graph.outputs.push_back(value_info(n, DType::kF32, {2}));
  m.graph.outputs.push_back(value_info("i", DType::kI64, {2}));
  auto g = loaders::load_onnx_file(write("m.onnx", loaders::serialize_model(m)));
  EXPECT_EQ(value(*g, "f").initializer.to_f32_vector(), (std::vector<float>{1.5f, -2.f}));
  EXPECT_EQ(value(*g, "i").initializer.to_i64_vector(), (std::vector<int64_t>{-7, 1 << 30}));
  EXPECT_EQ(value(*g, "h").initializer.to_f32_vector(), (std::vector<float>{1.f, -2.f}));
  m.graph.initializers[0] = ext("f", loaders::onnx_dtype::kFloat, "16", "8");
  const std::string bad = write("bad.onnx", loaders::serialize_model(m));
  EXPECT_NE(error_of(bad).find("past the end"), std::string::npos) << error_of(bad);
}

// Every prefix of a model file, an empty file and a directory: errors with the path, never a
// crash (the mapping only covers the bytes the file has).
TEST_F(MemoryFile, TruncatedAndOddFiles) {
  const std::string bytes = loaders::serialize_model(conv_chain());
  for (size_t len = 0; len < bytes.size(); len += 1 + len / 16) {
    const std::string path = write("t.onnx", bytes.substr(0, len));
    EXPECT_NE(error_of(path).find(path), std::string::npos) << len;
  }
  EXPECT_NE(error_of(dir_.string()).find("is a directory"), std::string::npos);
  EXPECT_NE(error_of((dir_ / "missing.onnx").string()).find("cannot open"), std::string::npos);
  const std::string path = write("ok.onnx", bytes);
  loaders::LoadLimits small;
  small.max_file_bytes = 16;
  try {
    loaders::load_onnx_file(path, small);
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("more than the limit of 16"), std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace facet
