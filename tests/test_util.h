// Helpers shared by the tests.
#pragma once

#include <gtest/gtest.h>

#include <sys/mman.h>
#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <initializer_list>
#include <iterator>
#include <memory>
#include <utility>
#include <string>
#include <vector>

#include "engine/cpu.h"
#include "engine/graph.h"
#include "engine/op.h"
#include "engine/tensor.h"
#include "ops/kernels/dwconv/dwconv.h"
#include "ops/fusion.h"
#include "ops/registry.h"

namespace facet::test {

// Runs one built-in op on concrete inputs (nullptr = absent optional input).
inline std::vector<Tensor> run_op(const std::string& op_type, const Attributes& attrs,
                                  const std::vector<const Tensor*>& inputs, int num_outputs = 1,
                                  int opset = 13) {
  NodeDef def;
  def.name = "test_node";
  def.op_type = op_type;
  def.opset = opset;
  def.attrs = attrs;
  for (const Tensor* t : inputs) def.input_present.push_back(t != nullptr);
  def.num_outputs = num_outputs;
  auto op = ops::builtin_registry().create(def);
  return eval_op(*op, inputs, num_outputs);
}

// Element-wise |a - e| <= atol + rtol * |e| (NaN matches NaN); shape must be equal.
inline void expect_close(const Tensor& actual, const Tensor& expected, float atol = 1e-5f,
                         float rtol = 1e-4f) {
  ASSERT_EQ(shape_str(actual.shape()), shape_str(expected.shape()));
  auto a = actual.to_f32_vector();
  auto e = expected.to_f32_vector();
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::isnan(e[i])) {
      EXPECT_TRUE(std::isnan(a[i])) << "at " << i;
      continue;
    }
    EXPECT_LE(std::fabs(a[i] - e[i]), atol + rtol * std::fabs(e[i]))
        << "at index " << i << ": actual " << a[i] << " expected " << e[i];
  }
}

// Folder with the shared models/conformance data, or "" if absent.
inline std::string shared_dir() {
  const char* env = std::getenv("FACET_SHARED_DIR");
  if (env && *env) return env;
#ifdef FACET_SHARED_DIR
  return FACET_SHARED_DIR;
#else
  return "";
#endif
}

// The seed for a randomized test: $FACET_TEST_SEED when set, else the test's fixed default.
inline uint32_t test_seed(uint32_t default_seed) {
  const char* env = std::getenv("FACET_TEST_SEED");
  return env != nullptr && *env != '\0' ? static_cast<uint32_t>(std::strtoul(env, nullptr, 10))
                                        : default_seed;
}

// n floats whose last element sits right before a PROT_NONE page, so a kernel reading or
// writing one float past the end faults. The memory starts zeroed, as fresh mmap pages.
// Mappings are kept per thread after use (up to kGuardedCache, by size) and reused, zeroed:
// the exhaustive kernel tests make tens of thousands of small cases, and an mmap, mprotect and
// munmap per buffer (plus the page faults) took most of their time (the 3x3 depthwise sweep:
// 15 s per ISA in the Release build).
class GuardedFloats {
 public:
  explicit GuardedFloats(size_t n) : n_(n) {
    const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
    const size_t bytes = (n * sizeof(float) + page - 1) / page * page;
    total_ = bytes + page;
    base_ = nullptr;
    std::vector<Mapping>& cache = mappings();
    for (size_t i = cache.size(); i-- > 0;) {
      if (cache[i].total == total_) {
        base_ = cache[i].base;
        cache.erase(cache.begin() + static_cast<std::ptrdiff_t>(i));
        break;
      }
    }
    if (base_ == nullptr) {
      void* m = mmap(nullptr, total_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
      if (m == MAP_FAILED) std::abort();
      base_ = static_cast<char*>(m);
      if (mprotect(base_ + bytes, page, PROT_NONE) != 0) std::abort();
    } else {
      std::memset(base_, 0, bytes);
    }
    data_ = reinterpret_cast<float*>(base_ + bytes) - n;
  }
  ~GuardedFloats() {
    std::vector<Mapping>& cache = mappings();
    if (cache.size() >= kGuardedCache) {
      munmap(cache.front().base, cache.front().total);
      cache.erase(cache.begin());
    }
    cache.push_back(Mapping{base_, total_});
  }
  GuardedFloats(const GuardedFloats&) = delete;
  GuardedFloats& operator=(const GuardedFloats&) = delete;
  float* data() { return data_; }
  size_t size() const { return n_; }
  float& operator[](size_t i) { return data_[i]; }

 private:
  struct Mapping {
    char* base;
    size_t total;
  };
  static constexpr size_t kGuardedCache = 16;
  // Unmapped at thread exit.
  struct Cache {
    std::vector<Mapping> list;
    ~Cache() {
      for (const Mapping& m : list) munmap(m.base, m.total);
    }
  };
  static std::vector<Mapping>& mappings() {
    thread_local Cache cache;
    return cache.list;
  }
  size_t n_, total_;
  char* base_;
  float* data_;
};

// Caps the kernel choice to `isa` for the scope's lifetime.
struct IsaOverride {
  explicit IsaOverride(Isa isa) { set_isa_override(isa); }
  ~IsaOverride() { clear_isa_override(); }
  IsaOverride(const IsaOverride&) = delete;
  IsaOverride& operator=(const IsaOverride&) = delete;
};

// One line naming every field of a depthwise problem, for failure messages.
inline std::string dw_desc(const ops::DwConvParams& p) {
  char b[256];
  std::snprintf(b, sizeof b,
                "N%lld C%lld in %lldx%lld out %lldx%lld k %lldx%lld s %lldx%lld d %lldx%lld pad "
                "t%lld l%lld b%lld r%lld act %d",
                (long long)p.batch, (long long)p.channels, (long long)p.in_h, (long long)p.in_w,
                (long long)p.out_h, (long long)p.out_w, (long long)p.kernel_h,
                (long long)p.kernel_w, (long long)p.stride_h, (long long)p.stride_w,
                (long long)p.dilation_h, (long long)p.dilation_w, (long long)p.pad_top,
                (long long)p.pad_left, (long long)p.pad_bottom, (long long)p.pad_right,
                static_cast<int>(p.act.kind));
  return b;
}

// The shared models folder (shared_dir() + "/models"), or "" when there is no shared data.
inline std::string models_dir() {
  const std::string s = shared_dir();
  return s.empty() ? "" : s + "/models";
}

inline bool file_exists(const std::string& path) { return std::ifstream(path).good(); }

// True when every path (relative to models_dir()) exists.
inline bool have_model_files(std::initializer_list<const char*> relative_paths) {
  if (models_dir().empty()) return false;
  for (const char* rel : relative_paths)
    if (!file_exists(models_dir() + "/" + rel)) return false;
  return true;
}

// Whole file as bytes; a test failure (and an empty result) when it cannot be read.
inline std::string read_bytes(const std::string& path) {
  std::ifstream is(path, std::ios::binary);
  EXPECT_TRUE(is.good()) << "cannot read " << path;
  return std::string((std::istreambuf_iterator<char>(is)), std::istreambuf_iterator<char>());
}

// A raw little-endian float32 file (the reference tensors in models/testdata).
inline std::vector<float> read_floats(const std::string& path) {
  const std::string bytes = read_bytes(path);
  EXPECT_FALSE(bytes.empty()) << "empty reference file " << path;
  std::vector<float> v(bytes.size() / 4);
  if (!v.empty()) std::memcpy(v.data(), bytes.data(), v.size() * 4);
  return v;
}

// Deterministic floats in [-1, 1) from a 32-bit LCG (identical on every platform and standard
// library, unlike <random> distributions). `offset` gives files that share seeds their own
// streams.
inline std::vector<float> lcg_floats(size_t n, uint32_t seed, uint32_t offset) {
  std::vector<float> v(n);
  uint32_t s = seed * 2654435761u + offset;
  for (float& x : v) {
    s = s * 1664525u + 1013904223u;
    x = static_cast<float>(s >> 8) / float(1 << 23) - 1.f;
  }
  return v;
}

// One node of a hand-built graph (build_graph): registry op `type` with attributes, input and
// output value names.
struct NodeSpec {
  std::string type;
  Attributes attrs;
  std::vector<std::string> inputs, outputs;
};

// A finalized graph of `nodes` (default-domain ops at `opset`, node i named after its first
// output + "_node"), initializers `inits` and one graph input `input`, whose declared shape is
// `declared` (float32; empty: unknown). With `fuse`, ops::fuse_graph (with `fuse_options`)
// runs first and *removed gets the number of nodes it removed (0 otherwise).
inline std::shared_ptr<Graph> build_graph(
    const std::vector<NodeSpec>& nodes, const std::vector<std::pair<std::string, Tensor>>& inits,
    const std::string& input, const std::vector<std::string>& outputs, bool fuse, int* removed,
    int opset = 13, const Shape& declared = {}, const ops::FuseOptions& fuse_options = {}) {
  auto g = std::make_shared<Graph>();
  g->source = "test";
  g->opsets[""] = opset;
  g->inputs.push_back(g->add_value(input));
  if (!declared.empty()) {
    Value& x = g->values.back();
    x.dtype = DType::kF32;
    x.shape = declared;
    x.shape_known = true;
  }
  for (const auto& kv : inits)
    g->values[static_cast<size_t>(g->add_value(kv.first))].initializer = kv.second;
  for (const NodeSpec& s : nodes) {
    Node n;
    n.name = s.outputs.empty() ? s.type : s.outputs[0] + "_node";
    n.op_type = s.type;
    n.opset = opset;
    NodeDef def;
    def.op_type = s.type;
    def.opset = opset;
    def.attrs = s.attrs;
    for (const std::string& in : s.inputs) {
      n.inputs.push_back(g->get_or_add_value(in));
      def.input_present.push_back(true);
    }
    for (const std::string& out : s.outputs) n.outputs.push_back(g->get_or_add_value(out));
    def.num_outputs = static_cast<int>(s.outputs.size());
    n.op = ops::builtin_registry().create(def);
    g->nodes.push_back(std::move(n));
  }
  for (const std::string& o : outputs) g->outputs.push_back(g->find_value(o));
  *removed = fuse ? ops::fuse_graph(*g, fuse_options) : 0;
  g->finalize();
  return g;
}

}  // namespace facet::test

// Skips the current test, naming what is missing, unless every listed file (relative to the
// shared models folder) exists.
#define FACET_SKIP_WITHOUT_MODEL_FILES(...)                                                  \
  if (!::facet::test::have_model_files({__VA_ARGS__}))                                       \
  GTEST_SKIP() << "shared models not found at '" << ::facet::test::models_dir()              \
               << "' (need " << #__VA_ARGS__                                                 \
               << "; set FACET_SHARED_DIR to the folder holding models/)"
