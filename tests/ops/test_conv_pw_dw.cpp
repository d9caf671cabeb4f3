// Fused pointwise + depthwise convolution (ops/conv_pw_dw.h, made by fuse_graph): the fused
// graph against the same graph unfused and run by the scalar reference kernels
// (FACET_ISA=ref: conv_f32_ref for both convs), over seeded geometries that cover one band and
// many bands (carried rows, strides larger than the kernel, pads, dilation), every fused
// activation, absent biases, batch > 1 and 1 or 3 threads; and the pairs fuse_graph must leave
// alone.
#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "engine/cpu.h"
#include "engine/graph.h"
#include "engine/session.h"
#include "ops/fusion.h"
#include "ops/registry.h"
#include "alloc_counter.h"
#include "test_util.h"

namespace facet {
namespace {

using Spec = test::NodeSpec;

// The pair under test at opset 14 (HardSwish); `declared`: the input's declared shape (empty:
// unknown), from which fuse_graph infers the intermediate's size. `always`: fuse every
// structurally fusable pair, not only those that lower the graph's peak memory.
std::shared_ptr<Graph> make_graph(const std::vector<Spec>& nodes,
                                  const std::vector<std::pair<std::string, Tensor>>& inits,
                                  const std::vector<std::string>& outputs, bool fuse,
                                  int* removed, const Shape& declared, bool always = false) {
  ops::FuseOptions opt;
  opt.pw_dw_always = always;
  return test::build_graph(nodes, inits, "x", outputs, fuse, removed, 14, declared, opt);
}

std::vector<float> rand_vec(int64_t n, std::mt19937& rng, float lo = -1.f, float hi = 1.f) {
  std::uniform_real_distribution<float> d(lo, hi);
  std::vector<float> v(static_cast<size_t>(n));
  for (float& f : v) f = d(rng);
  return v;
}

struct Case {
  int64_t batch, cin, cmid, h, w, k, stride, dil;
  int64_t declared_h, declared_w;  // the declared input size (0: h, w): fusion decides on it
  int64_t pads[4];  // top, left, bottom, right
  const char* act1;
  const char* act2;
  bool bias1, bias2;
  int threads;
};

std::string describe(const Case& c) {
  char b[256];
  std::snprintf(b, sizeof b,
                "N%lld Cin%lld Cmid%lld %lldx%lld (declared %lldx%lld) k%lld s%lld d%lld pads "
                "%lld,%lld,%lld,%lld act %s/%s bias %d/%d threads %d",
                (long long)c.batch, (long long)c.cin, (long long)c.cmid, (long long)c.h,
                (long long)c.w, (long long)c.declared_h, (long long)c.declared_w, (long long)c.k, (long long)c.stride, (long long)c.dil,
                (long long)c.pads[0], (long long)c.pads[1], (long long)c.pads[2],
                (long long)c.pads[3], c.act1, c.act2, c.bias1, c.bias2, c.threads);
  return b;
}

// Appends an activation node (or nothing for "") from `in`; returns the output name.
std::string add_act(std::vector<Spec>* nodes, std::vector<std::pair<std::string, Tensor>>* inits,
                    const std::string& kind, const std::string& in, int64_t channels,
                    std::mt19937& rng) {
  if (kind.empty()) return in;
  const std::string out = in + "_" + kind;
  Attributes a;
  if (kind == "Relu" || kind == "Sigmoid" || kind == "HardSwish") {
    nodes->push_back({kind, a, {in}, {out}});
  } else if (kind == "LeakyRelu") {
    a.set_float("alpha", 0.15f);
    nodes->push_back({kind, a, {in}, {out}});
  } else if (kind == "Clip") {
    inits->push_back({out + "_lo", Tensor::from_f32({}, {0.f})});
    inits->push_back({out + "_hi", Tensor::from_f32({}, {0.6f})});
    nodes->push_back({kind, a, {in, out + "_lo", out + "_hi"}, {out}});
  } else if (kind == "PRelu") {
    inits->push_back({out + "_slope", Tensor::from_f32({channels, 1, 1},
                                                       rand_vec(channels, rng, -0.5f, 0.5f))});
    nodes->push_back({kind, a, {in, out + "_slope"}, {out}});
  }
  return out;
}

void check_case(const Case& c, uint32_t seed) {
  SCOPED_TRACE(describe(c));
  std::mt19937 rng(seed);
  std::vector<std::pair<std::string, Tensor>> inits;
  inits.push_back({"wpw", Tensor::from_f32({c.cmid, c.cin, 1, 1},
                                           rand_vec(c.cmid * c.cin, rng, -0.5f, 0.5f))});
  inits.push_back({"wdw", Tensor::from_f32({c.cmid, 1, c.k, c.k}, rand_vec(c.cmid * c.k * c.k, rng))});
  if (c.bias1) inits.push_back({"bpw", Tensor::from_f32({c.cmid}, rand_vec(c.cmid, rng))});
  if (c.bias2) inits.push_back({"bdw", Tensor::from_f32({c.cmid}, rand_vec(c.cmid, rng))});
  std::vector<Spec> nodes;
  nodes.push_back({"Conv", Attributes(), {"x", "wpw"}, {"mid"}});
  if (c.bias1) nodes.back().inputs.push_back("bpw");
  const std::string a1 = add_act(&nodes, &inits, c.act1, "mid", c.cmid, rng);
  Attributes dw;
  dw.set_int("group", c.cmid);
  dw.set_ints("strides", {c.stride, c.stride});
  dw.set_ints("dilations", {c.dil, c.dil});
  dw.set_ints("pads", {c.pads[0], c.pads[1], c.pads[2], c.pads[3]});
  nodes.push_back({"Conv", dw, {a1, "wdw"}, {"y"}});
  if (c.bias2) nodes.back().inputs.push_back("bdw");
  const std::string out = add_act(&nodes, &inits, c.act2, "y", c.cmid, rng);

  const Tensor x = Tensor::from_f32({c.batch, c.cin, c.h, c.w}, rand_vec(c.batch * c.cin * c.h * c.w, rng));
  const Shape declared = {c.batch, c.cin, c.declared_h ? c.declared_h : c.h,
                          c.declared_w ? c.declared_w : c.w};
  SessionOptions opts;
  opts.threads = c.threads;
  opts.relax_input_shapes = true;
  std::vector<Tensor> expect;
  {
    test::IsaOverride ref(Isa::kRef);
    int removed = 0;
    auto plain = make_graph(nodes, inits, {out}, false, &removed, declared);
    Session s(plain, opts);
    expect = s.run({x});
  }
  int removed = 0;
  auto fused = make_graph(nodes, inits, {out}, true, &removed, declared, true);
  // Activations fold into their convs, then the pair becomes one node.
  ASSERT_EQ(fused->nodes.size(), 1u);
  EXPECT_NE(fused->nodes[0].name.find('+'), std::string::npos);
  Session s(fused, opts);
  const std::vector<Tensor> inputs = {x};
  std::vector<Tensor> got;
  s.run_into(inputs, &got);
  // A second run reuses the band buffers and allocates nothing (band-parallel and split paths).
  const long before = test::allocation_count();
  s.run_into(inputs, &got);
  if (test::allocation_counting_enabled()) {
    EXPECT_EQ(test::allocation_count() - before, 0);
  }
  ASSERT_EQ(got.size(), 1u);
  ASSERT_EQ(got[0].shape(), expect[0].shape());
  const float* g = got[0].data<float>();
  const float* e = expect[0].data<float>();
  // Pointwise sums c.cin products (|x| <= 1, |w| <= 0.5), then k*k depthwise taps.
  const double tol_scale = std::sqrt(static_cast<double>(c.cin)) + c.k;
  int bad = 0;
  for (int64_t i = 0; i < got[0].numel(); ++i) {
    const double err = std::fabs(double(g[i]) - double(e[i]));
    if (err > (2e-5 + 2e-5 * std::fabs(e[i])) * tol_scale) {
      if (++bad <= 5) ADD_FAILURE() << "element " << i << ": fused " << g[i] << " ref " << e[i];
    }
  }
  EXPECT_EQ(bad, 0);
}

TEST(ConvPwDw, FusedMatchesReferenceOnBandedAndSingleBandShapes) {
  const uint32_t seed = test::test_seed(20261201u);
  // Cmid * H * W * 4 > 1 MiB fuses and runs in bands (see conv_pw_dw.cpp). The one-band path
  // runs when a session feeds a smaller input than the declared one the graph was fused for.
  const std::vector<Case> cases = {
      // MobileNet-like, banded: 64 x 72 x 72 floats = 1.3 MB intermediate.
      {1, 16, 64, 72, 72, 3, 2, 1, 0, 0, {1, 1, 1, 1}, "Relu", "Relu", true, true, 1},
      {1, 16, 64, 72, 72, 3, 1, 1, 0, 0, {1, 1, 1, 1}, "Relu", "Relu", true, true, 1},
      {1, 16, 64, 72, 72, 3, 1, 1, 0, 0, {1, 1, 1, 1}, "Clip", "Clip", true, true, 3},
      {1, 8, 64, 71, 73, 3, 2, 1, 0, 0, {0, 0, 1, 1}, "PRelu", "LeakyRelu", false, true, 3},
      {1, 8, 80, 67, 61, 5, 2, 1, 0, 0, {2, 1, 2, 0}, "HardSwish", "Sigmoid", true, false, 1},
      {1, 8, 64, 66, 70, 3, 1, 2, 0, 0, {2, 2, 2, 2}, "", "PRelu", false, false, 3},
      {1, 4, 72, 65, 64, 3, 4, 1, 0, 0, {1, 0, 0, 1}, "LeakyRelu", "", true, true, 1},  // gaps
      {2, 8, 64, 70, 66, 3, 2, 1, 0, 0, {1, 1, 1, 1}, "Relu", "Relu", true, true, 3},
      // Fused for a large declared input, run smaller: one band.
      {1, 8, 32, 14, 14, 3, 1, 1, 100, 100, {1, 1, 1, 1}, "Relu", "Relu", true, true, 1},
      {1, 5, 7, 9, 11, 3, 2, 1, 200, 200, {1, 1, 1, 1}, "PRelu", "PRelu", true, true, 3},
      {3, 3, 12, 1, 1, 3, 1, 1, 300, 300, {1, 1, 1, 1}, "", "", false, false, 1},
      {1, 6, 9, 8, 5, 1, 1, 1, 300, 300, {0, 0, 0, 0}, "Relu", "", true, true, 1},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    check_case(cases[i], seed + static_cast<uint32_t>(i));
    if (HasFailure()) return;
  }
}

TEST(ConvPwDw, PairsThatMustStayApart) {
  std::mt19937 rng(test::test_seed(7));
  const int64_t c = 16;
  std::vector<std::pair<std::string, Tensor>> inits = {
      {"w1", Tensor::from_f32({c, 4, 1, 1}, rand_vec(c * 4, rng))},
      {"w3", Tensor::from_f32({c, 4, 3, 3}, rand_vec(c * 36, rng))},
      {"wdw", Tensor::from_f32({c, 1, 3, 3}, rand_vec(c * 9, rng))},
      {"wg", Tensor::from_f32({c, 2, 3, 3}, rand_vec(c * 18, rng))},  // group c / 2
  };
  Attributes dw;
  dw.set_int("group", c);
  dw.set_ints("pads", {1, 1, 1, 1});
  Attributes grouped;
  grouped.set_int("group", c / 2);
  Attributes strided;
  strided.set_ints("strides", {2, 2});
  Attributes big_pad = dw;
  big_pad.set_ints("pads", {3, 1, 1, 1});
  struct Pair {
    const char* what;
    std::vector<Spec> nodes;
    std::vector<std::string> outputs;
  };
  const std::vector<Pair> pairs = {
      {"3x3 producer", {{"Conv", Attributes(), {"x", "w3"}, {"m"}}, {"Conv", dw, {"m", "wdw"}, {"y"}}}, {"y"}},
      {"strided 1x1 producer",
       {{"Conv", strided, {"x", "w1"}, {"m"}}, {"Conv", dw, {"m", "wdw"}, {"y"}}}, {"y"}},
      {"grouped, not depthwise",
       {{"Conv", Attributes(), {"x", "w1"}, {"m"}}, {"Conv", grouped, {"m", "wg"}, {"y"}}}, {"y"}},
      {"intermediate is a graph output",
       {{"Conv", Attributes(), {"x", "w1"}, {"m"}}, {"Conv", dw, {"m", "wdw"}, {"y"}}}, {"y", "m"}},
      {"intermediate has another reader",
       {{"Conv", Attributes(), {"x", "w1"}, {"m"}}, {"Conv", dw, {"m", "wdw"}, {"y"}},
        {"Add", Attributes(), {"y", "m"}, {"z"}}}, {"z"}},
      {"pad as large as the kernel",
       {{"Conv", Attributes(), {"x", "w1"}, {"m"}}, {"Conv", big_pad, {"m", "wdw"}, {"y"}}}, {"y"}},
  };
  const Tensor x = Tensor::from_f32({1, 4, 7, 7}, rand_vec(4 * 49, rng));
  // Declared 1 x 4 x 256 x 256: every pair's intermediate (16 x 256 x 256 floats, 4 MiB) is
  // large enough to fuse (conv_pw_dw_worth_fusing), so only the rule under test keeps it apart.
  const Shape big = {1, 4, 256, 256};
  SessionOptions opts;
  opts.relax_input_shapes = true;
  for (const Pair& p : pairs) {
    SCOPED_TRACE(p.what);
    int removed = -1;
    auto g = make_graph(p.nodes, inits, p.outputs, true, &removed, big, true);
    EXPECT_EQ(removed, 0);
    EXPECT_EQ(g->nodes.size(), p.nodes.size());
    Session s(g, opts);
    EXPECT_NO_THROW(s.run({x}));
  }
  // A fusable pair with a stride-2 depthwise conv: fused when the declared shape makes the
  // intermediate the graph's large peak, kept apart when it is small (1 x 4 x 7 x 7) or
  // unknown. With stride 1 the depthwise conv can run in place instead, which takes less
  // memory than the fused op's band buffers: kept apart unless every pair is to be fused.
  Attributes dw2 = dw;
  dw2.set_ints("strides", {2, 2});
  const std::vector<Spec> fusable = {{"Conv", Attributes(), {"x", "w1"}, {"m"}},
                                     {"Conv", dw2, {"m", "wdw"}, {"y"}}};
  for (const Shape& declared : {big, Shape{1, 4, 7, 7}, Shape{}}) {
    int removed = -1;
    auto g = make_graph(fusable, inits, {"y"}, true, &removed, declared);
    EXPECT_EQ(removed, declared == big ? 1 : 0) << shape_str(declared);
    g = make_graph(fusable, inits, {"y"}, true, &removed, declared, true);
    EXPECT_EQ(removed, declared == big ? 1 : 0) << shape_str(declared) << " (always)";
  }
  const std::vector<Spec> same_size = {{"Conv", Attributes(), {"x", "w1"}, {"m"}},
                                       {"Conv", dw, {"m", "wdw"}, {"y"}}};
  int removed = -1;
  make_graph(same_size, inits, {"y"}, true, &removed, big);
  EXPECT_EQ(removed, 0);
  make_graph(same_size, inits, {"y"}, true, &removed, big, true);
  EXPECT_EQ(removed, 1);
}

}  // namespace
}  // namespace facet
