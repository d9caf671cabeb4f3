// Thread safety: one loaded Graph run by several Sessions on different threads at once must give
// bit-identical results to a single-threaded run. Also: the C API keeps every exception inside
// and a C session stays usable after errors. tools/tsan-test runs this file under TSan.
#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "engine/graph.h"
#include "engine/session.h"
#include "engine/status.h"
#include "facet.h"
#include "loaders/onnx_loader.h"
#include "loaders/onnx_writer.h"
#include "test_util.h"

namespace facet {
namespace {

using loaders::ModelSpec;
using loaders::node_spec;
using loaders::tensor_spec;
using loaders::value_info;

// Deterministic pseudo-random values in [-1, 1).
std::vector<float> pseudo_random(size_t n, uint32_t seed) {
  return test::lcg_floats(n, seed, 1u);
}

// A small CNN touching the main kernels: Conv (gemm path) -> Relu -> MaxPool -> depthwise Conv
// -> Add (skip) -> Sigmoid -> GlobalAveragePool -> Flatten -> Gemm -> Softmax.
std::string small_cnn_bytes() {
  ModelSpec m;
  m.graph.inputs.push_back(value_info("x", DType::kF32, {1, 3, 24, 24}));
  auto w = [](const std::string& name, Shape s, uint32_t seed) {
    const size_t n = static_cast<size_t>(shape_numel(s));
    return tensor_spec(name, Tensor::from_f32(std::move(s), pseudo_random(n, seed)));
  };
  m.graph.initializers = {w("w1", {16, 3, 3, 3}, 1), w("b1", {16}, 2),
                          w("w2", {16, 1, 3, 3}, 3), w("b2", {16}, 4),
                          w("wf", {10, 16}, 5),      w("bf", {10}, 6)};
  Attributes c1;
  c1.set_ints("pads", {1, 1, 1, 1});
  Attributes mp;
  mp.set_ints("kernel_shape", {2, 2});
  mp.set_ints("strides", {2, 2});
  Attributes dw;
  dw.set_int("group", 16);
  dw.set_ints("pads", {1, 1, 1, 1});
  Attributes gemm;
  gemm.set_int("transB", 1);
  Attributes sm;
  sm.set_int("axis", 1);
  m.graph.nodes = {node_spec("Conv", {"x", "w1", "b1"}, {"c1"}, c1),
                   node_spec("Relu", {"c1"}, {"r1"}),
                   node_spec("MaxPool", {"r1"}, {"p1"}, mp),
                   node_spec("Conv", {"p1", "w2", "b2"}, {"c2"}, dw),
                   node_spec("Add", {"c2", "p1"}, {"a2"}),
                   node_spec("Sigmoid", {"a2"}, {"s2"}),
                   node_spec("GlobalAveragePool", {"s2"}, {"g"}),
                   node_spec("Flatten", {"g"}, {"f"}),
                   node_spec("Gemm", {"f", "wf", "bf"}, {"logits"}, gemm),
                   node_spec("Softmax", {"logits"}, {"prob"}, sm)};
  m.graph.outputs = {value_info("prob", DType::kF32, {1, 10}),
                     value_info("p1", DType::kF32, {1, 16, 12, 12})};
  return loaders::serialize_model(m);
}

std::shared_ptr<Graph> small_cnn() {
  const std::string bytes = small_cnn_bytes();
  return loaders::load_onnx_bytes(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(),
                                  "small_cnn.onnx");
}

bool bit_equal(const Tensor& a, const Tensor& b) {
  return a.dtype() == b.dtype() && a.shape() == b.shape() &&
         std::memcmp(a.raw(), b.raw(), a.nbytes()) == 0;
}

int runs_per_thread() {
  const char* env = std::getenv("FACET_CONCURRENCY_RUNS");
  return env && *env ? std::max(1, std::atoi(env)) : 200;
}

// 4 threads x N runs, each thread with its own Session (threads_per_session intra-op threads)
// on the shared Graph, several distinct inputs so plans and arenas are exercised.
void run_concurrent(int threads_per_session, int runs) {
  std::shared_ptr<const Graph> g = small_cnn();
  constexpr int kThreads = 4;
  constexpr int kInputs = 3;
  std::vector<Tensor> inputs;
  for (int i = 0; i < kInputs; ++i)
    inputs.push_back(Tensor::from_f32({1, 3, 24, 24}, pseudo_random(3 * 24 * 24, 100 + i)));
  // Reference: single-threaded, one session.
  std::vector<std::vector<Tensor>> want;
  {
    SessionOptions opt;
    opt.threads = 1;
    Session s(g, opt);
    for (const Tensor& x : inputs) want.push_back(s.run({x}));
  }
  std::atomic<int> mismatches{0}, errors{0}, done{0};
  std::vector<std::thread> pool;
  for (int t = 0; t < kThreads; ++t) {
    pool.emplace_back([&, t] {
      try {
        SessionOptions opt;
        opt.threads = threads_per_session;
        Session s(g, opt);
        std::vector<Tensor> out;
        for (int r = 0; r < runs; ++r) {
          const int k = (r + t) % kInputs;
          if (r % 2) {
            s.run_into({inputs[k]}, &out);  // steady-state path (reused output buffers)
          } else {
            out = s.run({inputs[k]});
          }
          for (size_t o = 0; o < out.size(); ++o)
            if (!bit_equal(out[o], want[static_cast<size_t>(k)][o])) ++mismatches;
          ++done;
        }
      } catch (const std::exception&) {
        ++errors;
      }
    });
  }
  for (std::thread& th : pool) th.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(mismatches.load(), 0);
  EXPECT_EQ(done.load(), kThreads * runs);
}

TEST(Concurrency, FourThreadsShareOneGraphBitExact) { run_concurrent(1, runs_per_thread()); }

TEST(Concurrency, FourThreadsWithIntraOpPools) {
  run_concurrent(2, std::max(1, runs_per_thread() / 4));
}

// Loading happens concurrently too (no shared mutable state in the loader or op registry).
TEST(Concurrency, ConcurrentLoads) {
  const std::string bytes = small_cnn_bytes();
  const size_t want_nodes = small_cnn()->nodes.size();
  std::atomic<int> ok{0};
  std::vector<std::thread> th;
  for (int t = 0; t < 4; ++t) {
    th.emplace_back([&] {
      for (int i = 0; i < 5; ++i) {
        auto g = loaders::load_onnx_bytes(reinterpret_cast<const uint8_t*>(bytes.data()),
                                          bytes.size(), "m.onnx");
        if (g && g->nodes.size() == want_nodes) ++ok;
      }
    });
  }
  for (auto& x : th) x.join();
  EXPECT_EQ(ok.load(), 20);
}

// ---------------------------------------------------------------------------------------------
// C API: errors come back as codes, never as exceptions, and a session stays usable.

TEST(CApiHostile, ErrorsAreCodesAndSessionStaysUsable) {
  EXPECT_EQ(facet_model_load_memory(nullptr, 0, "x", nullptr), FACET_ERROR_INVALID_ARGUMENT);
  facet_model* bad = nullptr;
  const char garbage[] = "\x0a\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01garbage";
  EXPECT_EQ(facet_model_load_memory(garbage, sizeof garbage, "garbage.onnx", &bad),
            FACET_ERROR_LOAD);
  EXPECT_EQ(bad, nullptr);
  EXPECT_NE(std::string(facet_last_error()).find("garbage.onnx"), std::string::npos);
  EXPECT_NE(facet_model_load_file("/nonexistent/dir/m.onnx", &bad), FACET_OK);

  const std::string bytes = small_cnn_bytes();
  facet_model* model = nullptr;
  ASSERT_EQ(facet_model_load_memory(bytes.data(), bytes.size(), "cnn.onnx", &model), FACET_OK);
  EXPECT_EQ(facet_model_input_count(model), 1u);
  EXPECT_EQ(facet_model_input_name(model, 5), nullptr);
  facet_session* s = nullptr;
  ASSERT_EQ(facet_session_create(model, 1, &s), FACET_OK);

  const std::vector<float> x = pseudo_random(3 * 24 * 24, 100);
  const int64_t dims[4] = {1, 3, 24, 24};
  const int64_t bad_dims[4] = {1, 3, 25, 24};
  const int64_t neg_dims[4] = {1, 3, -24, 24};
  ASSERT_EQ(facet_session_set_input(s, 0, FACET_FLOAT32, dims, 4, x.data()), FACET_OK);
  ASSERT_EQ(facet_session_run(s), FACET_OK);
  facet_dtype dt;
  int64_t odims[8];
  size_t rank = 0;
  const void* data = nullptr;
  ASSERT_EQ(facet_session_get_output(s, 0, &dt, odims, 8, &rank, &data), FACET_OK);
  const std::vector<float> first(static_cast<const float*>(data),
                                 static_cast<const float*>(data) + 10);

  // Hostile calls: each returns an error code.
  EXPECT_NE(facet_session_set_input(s, 7, FACET_FLOAT32, dims, 4, x.data()), FACET_OK);
  EXPECT_NE(facet_session_set_input(s, 0, FACET_FLOAT32, nullptr, 4, x.data()), FACET_OK);
  EXPECT_NE(facet_session_set_input(s, 0, FACET_FLOAT32, neg_dims, 4, x.data()), FACET_OK);
  EXPECT_NE(facet_session_set_input(s, 0, 99, dims, 4, x.data()),
            FACET_OK);
  EXPECT_NE(facet_session_get_output(s, 9, &dt, odims, 8, &rank, &data), FACET_OK);
  // Wrong shape: set_input may accept it, run must fail with a message.
  std::vector<float> big(3 * 25 * 24, 0.f);
  if (facet_session_set_input(s, 0, FACET_FLOAT32, bad_dims, 4, big.data()) == FACET_OK) {
    EXPECT_NE(facet_session_run(s), FACET_OK);
    EXPECT_NE(std::string(facet_last_error()), "");
  }
  // Int64 data where float is expected.
  std::vector<int64_t> ints(3 * 24 * 24, 1);
  if (facet_session_set_input(s, 0, FACET_INT64, dims, 4, ints.data()) == FACET_OK) {
    EXPECT_NE(facet_session_run(s), FACET_OK);
  }
  EXPECT_NE(facet_session_run(nullptr), FACET_OK);

  // The session still works and gives the same answer.
  ASSERT_EQ(facet_session_set_input(s, 0, FACET_FLOAT32, dims, 4, x.data()), FACET_OK);
  ASSERT_EQ(facet_session_run(s), FACET_OK) << facet_last_error();
  ASSERT_EQ(facet_session_get_output(s, 0, &dt, odims, 8, &rank, &data), FACET_OK);
  EXPECT_EQ(rank, 2u);
  EXPECT_EQ(std::memcmp(first.data(), data, 10 * sizeof(float)), 0);
  facet_session_free(s);
  facet_model_free(model);
  facet_session_free(nullptr);
  facet_model_free(nullptr);
}

}  // namespace
}  // namespace facet
