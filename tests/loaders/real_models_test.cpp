// The loader on the real model files in ../shared: every model loads; every prefix and many
// random corruptions of three of them give an error or a valid graph, never a crash.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "engine/graph.h"
#include "engine/status.h"
#include "loaders/onnx_loader.h"
#include "loaders/onnx_writer.h"
#include "loaders/pb_reader.h"
#include "loaders/tensor_io.h"
#include "test_util.h"

namespace facet::loaders {
namespace {

namespace fs = std::filesystem;

std::string models_dir() {
  const std::string shared = test::shared_dir();
  return shared.empty() ? "" : shared + "/models";
}

std::vector<std::string> find_files(const std::string& root, const std::string& ext) {
  std::vector<std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    if (e.is_regular_file() && e.path().extension() == ext) out.push_back(e.path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

#define REQUIRE_DIR(dir)                                                                     \
  do {                                                                                       \
    if ((dir).empty() || !fs::is_directory(dir)) {                                           \
      GTEST_SKIP() << "shared data folder '" << (dir) << "' not found (set FACET_SHARED_DIR)"; \
    }                                                                                        \
  } while (0)

// Wire-level and tensor errors carry a byte offset ("@0x..."); graph/op errors do not.
bool is_parse_error(const std::string& msg) { return msg.find(" @0x") != std::string::npos; }

TEST(RealModels, EveryModelParses) {
  const std::string dir = models_dir();
  REQUIRE_DIR(dir);
  auto files = find_files(dir, ".onnx");
  ASSERT_FALSE(files.empty());
  for (const std::string& f : files) {
    try {
      load_onnx_file(f);
    } catch (const Error& e) {
      EXPECT_FALSE(is_parse_error(e.what())) << e.what();
    }
  }
}

TEST(RealModels, EveryModelLoads) {
  const std::string dir = models_dir();
  REQUIRE_DIR(dir);
  for (const std::string& f : find_files(dir, ".onnx")) {
    std::shared_ptr<Graph> g;
    Status s = try_load_onnx_file(f, &g);
    EXPECT_TRUE(s.is_ok()) << s.message();
    if (!s.is_ok()) continue;
    EXPECT_FALSE(g->nodes.empty()) << f;
    EXPECT_FALSE(g->inputs.empty()) << f;
    EXPECT_FALSE(g->outputs.empty()) << f;
    EXPECT_GT(g->parameter_count(), 0) << f;
    EXPECT_EQ(g->topo_order().size(), g->nodes.size()) << f;
    for (int id : g->inputs) {
      EXPECT_FALSE(g->values[static_cast<size_t>(id)].initializer.defined()) << f;
    }
  }
}

TEST(RealModels, UltraFaceTypedDataAndYuNetEmptyInitializer) {
  const std::string dir = models_dir();
  REQUIRE_DIR(dir);
  // Loading only needs the parser for these checks, so look at a graph if one loads.
  for (const char* rel : {"detection/ultraface_rfb_320x240_simplified.onnx",
                          "detection/yunet_s_320x320.onnx"}) {
    std::shared_ptr<Graph> g;
    Status s = try_load_onnx_file(dir + "/" + rel, &g);
    if (!s.is_ok()) {
      EXPECT_FALSE(is_parse_error(s.message())) << s.message();
      continue;
    }
    int empty = 0, i64 = 0;
    for (const Value& v : g->values) {
      if (!v.initializer.defined()) continue;
      if (v.initializer.numel() == 0) ++empty;
      if (v.initializer.dtype() == DType::kI64) ++i64;
    }
    if (std::string(rel).find("yunet") != std::string::npos) {
      EXPECT_GE(empty, 1) << rel;
    } else {
      EXPECT_GE(i64, 8) << rel;
    }
  }
}

TEST(RealModels, ConformanceModelsParse) {
  const std::string root = test::shared_dir() + "/conformance";
  REQUIRE_DIR(root);
  int n = 0;
  for (const std::string& f : find_files(root, ".onnx")) {
    ++n;
    try {
      load_onnx_file(f);
    } catch (const Error& e) {
      EXPECT_FALSE(is_parse_error(e.what())) << e.what();
    }
  }
  EXPECT_GT(n, 0);
}

const char* const kFuzzModels[] = {
    "detection/yunet_s_320x320.onnx",
    "detection/ultraface_rfb_320x240_simplified.onnx",
    "landmarks/pfld_ghostone_98pt_112x112.onnx",
};

// Loads bytes; returns true if it loaded. Any facet::Error is fine; anything else escapes and
// fails the test.
bool try_load(const std::string& bytes, size_t size, const std::string& name) {
  try {
    load_onnx_bytes(reinterpret_cast<const uint8_t*>(bytes.data()), size, name);
    return true;
  } catch (const Error&) {
    return false;
  }
}

bool long_tests() {
  const char* env = std::getenv("FACET_LONG_TESTS");
  return env && *env && std::string(env) != "0";
}

// Prefix lengths to try for a file of `size` bytes: all of them with FACET_LONG_TESTS=1
// (about 4 million loads for the three files, tens of seconds); otherwise every prefix in the
// first and last 4 KB (file header, and the fields after the graph) plus 5000 spread evenly
// and 5000 random ones in between. Every prefix that ends inside the graph field fails at the
// same length check, so the sample loses little.
std::vector<size_t> prefix_lengths(size_t size, std::mt19937& rng) {
  std::vector<size_t> out;
  if (long_tests() || size <= 16384) {
    for (size_t n = 0; n < size; ++n) out.push_back(n);
    return out;
  }
  for (size_t n = 0; n < 4096; ++n) out.push_back(n);
  for (size_t n = size - 4096; n < size; ++n) out.push_back(n);
  for (size_t i = 0; i < 5000; ++i) out.push_back(4096 + (size - 8192) * i / 5000);
  for (size_t i = 0; i < 5000; ++i) out.push_back(4096 + rng() % (size - 8192));
  return out;
}

TEST(RealModels, EveryPrefixTruncation) {
  const std::string dir = models_dir();
  REQUIRE_DIR(dir);
  std::mt19937 rng(7);
  for (const char* rel : kFuzzModels) {
    const std::string path = dir + "/" + rel;
    if (!fs::exists(path)) {
      ADD_FAILURE() << "missing " << path;
      continue;
    }
    const std::string bytes = read_file_bytes(path);
    // Each prefix is loaded from the start of the full buffer with a shorter size, so nothing
    // is copied. The short prefixes are checked again from exact-size copies, so that ASan would
    // see a read past the end.
    size_t loaded = 0;
    for (size_t n : prefix_lengths(bytes.size(), rng)) {
      if (try_load(bytes, n, rel)) ++loaded;
    }
    for (size_t n = 0; n < std::min<size_t>(bytes.size(), 512); ++n) {
      std::string copy = bytes.substr(0, n);
      try_load(copy, copy.size(), rel);
    }
    // The full file loads, and no proper prefix that cuts into the graph does.
    EXPECT_LT(loaded, 64u) << rel;
  }
}

// Cuts the GraphProto inside the file at many points and fixes up its length, so that parsing
// goes deep into nodes, attributes and tensors before it meets the cut.
TEST(RealModels, GraphBodyTruncation) {
  const std::string dir = models_dir();
  REQUIRE_DIR(dir);
  std::mt19937 rng(11);
  for (const char* rel : kFuzzModels) {
    const std::string path = dir + "/" + rel;
    if (!fs::exists(path)) continue;
    const std::string bytes = read_file_bytes(path);
    const auto* base = reinterpret_cast<const uint8_t*>(bytes.data());
    PbSource src{base, rel, 32};
    PbReader r(src, base, base + bytes.size(), "ModelProto");
    size_t tag_off = 0, body_off = 0, body_size = 0;
    bool found = false;
    while (r.next()) {
      if (r.field() == 7) {
        tag_off = r.field_offset();
        body_off = static_cast<size_t>(r.bytes_data() - base);
        body_size = r.bytes_size();
        found = true;
      }
    }
    ASSERT_TRUE(found) << rel;
    const std::string head = bytes.substr(0, tag_off);
    const std::string tail = bytes.substr(body_off + body_size);
    const int cuts = long_tests() ? 3000 : 300;
    for (int i = 0; i < cuts; ++i) {
      const size_t cut = (i % 2) ? rng() % body_size : body_size * static_cast<size_t>(i) / cuts;
      PbWriter w;
      w.raw(head);
      w.field_bytes(7, bytes.data() + body_off, cut);
      w.raw(tail);
      SCOPED_TRACE(::testing::Message() << rel << " graph cut at " << cut);
      try_load(w.bytes(), w.size(), rel);
    }
  }
}

TEST(RealModels, RandomCorruptions) {
  const std::string dir = models_dir();
  REQUIRE_DIR(dir);
  const char* seed_env = std::getenv("FACET_FUZZ_SEED");
  const uint32_t seed = seed_env ? static_cast<uint32_t>(std::strtoul(seed_env, nullptr, 10)) : 20240611u;
  for (const char* rel : kFuzzModels) {
    const std::string path = dir + "/" + rel;
    if (!fs::exists(path)) {
      ADD_FAILURE() << "missing " << path;
      continue;
    }
    std::string bytes = read_file_bytes(path);
    std::mt19937 rng(seed);
    int loaded = 0;
    for (int iter = 0; iter < 1000; ++iter) {
      // 1-8 bytes changed; half of the edits aim at the first 64 KB, where the graph structure
      // (and in these files the small tensors) tends to be, the rest anywhere.
      const int edits = 1 + static_cast<int>(rng() % 8);
      std::vector<std::pair<size_t, char>> saved;
      for (int e = 0; e < edits; ++e) {
        const size_t span = (rng() & 1) ? std::min<size_t>(bytes.size(), 65536) : bytes.size();
        const size_t pos = rng() % span;
        saved.emplace_back(pos, bytes[pos]);
        switch (rng() % 4) {
          case 0: bytes[pos] = static_cast<char>(rng()); break;
          case 1: bytes[pos] = static_cast<char>(bytes[pos] ^ (1 << (rng() % 8))); break;
          case 2: bytes[pos] = static_cast<char>(0xff); break;
          default: bytes[pos] = 0; break;
        }
      }
      SCOPED_TRACE(::testing::Message() << rel << " seed " << seed << " iteration " << iter);
      if (try_load(bytes, bytes.size(), rel)) ++loaded;
      for (auto it = saved.rbegin(); it != saved.rend(); ++it) bytes[it->first] = it->second;
    }
    RecordProperty(std::string("corruptions_loaded_") + fs::path(rel).stem().string(), loaded);
  }
}

}  // namespace
}  // namespace facet::loaders
