// Norm, pool and resize kernels: every optimized variant the host runs against its _ref twin on
// seeded random shapes (tails, odd channels, pads, ceil_mode, count_include_pad, resize
// coordinate modes, fused activations, epsilon). FACET_TEST_SEED changes the seed.
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "engine/cpu.h"
#include "ops/kernels/norm/norm.h"
#include "ops/kernels/pool/pool.h"
#include "ops/kernels/resize/resize.h"
#include "test_util.h"

namespace facet {
namespace {

uint32_t seed_base() { return test::test_seed(777u); }

using Fenced = test::GuardedFloats;

int64_t uniform_int(std::mt19937& g, int64_t lo, int64_t hi) {
  return std::uniform_int_distribution<int64_t>(lo, hi)(g);
}

void randomize(std::mt19937& g, float* p, size_t n, float lo, float hi) {
  std::uniform_real_distribution<float> d(lo, hi);
  for (size_t i = 0; i < n; ++i) p[i] = d(g);
}

// Empty string when every element matches, else a description of the first mismatch.
std::string compare(const float* got, const float* want, size_t n, float atol, float rtol) {
  for (size_t i = 0; i < n; ++i) {
    const float a = got[i], b = want[i];
    if (std::isnan(a) && std::isnan(b)) continue;
    if (std::isinf(b) && a == b) continue;
    if (!(std::fabs(a - b) <= atol + rtol * std::fabs(b))) {
      return "element " + std::to_string(i) + " of " + std::to_string(n) + ": got " +
             std::to_string(a) + ", ref " + std::to_string(b);
    }
  }
  return "";
}

class MiscKernels : public ::testing::TestWithParam<Isa> {
 protected:
  void SetUp() override {
    if (!cpu_supports(GetParam())) GTEST_SKIP() << isa_name(GetParam()) << " not supported here";
  }
};

std::string param_name(const ::testing::TestParamInfo<Isa>& info) { return isa_name(info.param); }

// ------------------------------------------------------------------------------------ norm

ops::NormAct make_act(int kind, const float* slope) {
  return ops::NormAct{static_cast<ops::NormActKind>(kind), 0.15f, slope};
}

TEST_P(MiscKernels, BatchNormWithActivations) {
  const uint32_t seed = seed_base() + 1;
  std::mt19937 g(seed);
  const ops::NormKernels& ref = ops::norm_kernels(Isa::kRef);
  const ops::NormKernels& opt = ops::norm_kernels(GetParam());
  for (int it = 0; it < 160; ++it) {
    const int64_t batch = uniform_int(g, 1, 2);
    const int64_t channels = uniform_int(g, 1, 7) * 2 - 1;  // odd
    const int64_t spatial = it < 40 ? it + 1 : uniform_int(g, 1, 700);
    const int kind = it % 4;
    const float eps = it % 3 == 0 ? 1e-5f : (it % 3 == 1 ? 1e-3f : 0.f);
    const size_t n = static_cast<size_t>(batch * channels * spatial);
    Fenced x(n), y(n), r(n), scale(channels), bias(channels), mean(channels), var(channels),
        slope(channels);
    randomize(g, x.data(), n, -3.f, 3.f);
    randomize(g, scale.data(), channels, -2.f, 2.f);
    randomize(g, bias.data(), channels, -1.f, 1.f);
    randomize(g, mean.data(), channels, -1.f, 1.f);
    randomize(g, var.data(), channels, 0.05f, 3.f);
    randomize(g, slope.data(), channels, -0.5f, 0.5f);
    if (it % 9 == 0) x.data()[n / 2] = std::nanf("");
    const ops::NormAct act = make_act(kind, slope.data());
    const int64_t planes = batch * channels, mid = planes / 2;
    ref.batch_norm(x.data(), r.data(), channels, spatial, scale.data(), bias.data(), mean.data(),
                   var.data(), eps, act, 0, planes);
    opt.batch_norm(x.data(), y.data(), channels, spatial, scale.data(), bias.data(), mean.data(),
                   var.data(), eps, act, 0, mid);
    opt.batch_norm(x.data(), y.data(), channels, spatial, scale.data(), bias.data(), mean.data(),
                   var.data(), eps, act, mid, planes);
    const std::string what = "seed " + std::to_string(seed) + " C " + std::to_string(channels) +
                             " spatial " + std::to_string(spatial) + " act " +
                             std::to_string(kind);
    const std::string m = compare(y.data(), r.data(), n, 1e-6f, 1e-5f);
    EXPECT_TRUE(m.empty()) << "batch norm " << what << ": " << m;
    // In place.
    std::memcpy(y.data(), x.data(), n * sizeof(float));
    opt.batch_norm(y.data(), y.data(), channels, spatial, scale.data(), bias.data(), mean.data(),
                   var.data(), eps, act, 0, planes);
    const std::string m2 = compare(y.data(), r.data(), n, 1e-6f, 1e-5f);
    EXPECT_TRUE(m2.empty()) << "batch norm in place " << what << ": " << m2;
  }
}

TEST_P(MiscKernels, InstanceNormWithActivations) {
  const uint32_t seed = seed_base() + 2;
  std::mt19937 g(seed);
  const ops::NormKernels& ref = ops::norm_kernels(Isa::kRef);
  const ops::NormKernels& opt = ops::norm_kernels(GetParam());
  for (int it = 0; it < 120; ++it) {
    const int64_t batch = uniform_int(g, 1, 2);
    const int64_t channels = uniform_int(g, 1, 4) * 2 - 1;
    int64_t spatial = it < 40 ? it + 1 : uniform_int(g, 1, 3000);
    if (it % 17 == 5) spatial = 1024 * 3 + 7;  // several statistics blocks plus a tail
    const int kind = it % 4;
    const float eps = it % 2 == 0 ? 1e-5f : 1e-3f;
    // Offset data (mean far from 0 against the spread) in some cases.
    const float centre = it % 5 == 0 ? 50.f : 0.f;
    const size_t n = static_cast<size_t>(batch * channels * spatial);
    Fenced x(n), y(n), r(n), scale(channels), bias(channels), slope(channels);
    randomize(g, x.data(), n, centre - 2.f, centre + 2.f);
    randomize(g, scale.data(), channels, -2.f, 2.f);
    randomize(g, bias.data(), channels, -1.f, 1.f);
    randomize(g, slope.data(), channels, -0.5f, 0.5f);
    const ops::NormAct act = make_act(kind, slope.data());
    const int64_t planes = batch * channels, mid = planes / 2;
    ref.instance_norm(x.data(), r.data(), channels, spatial, scale.data(), bias.data(), eps, act,
                      0, planes);
    opt.instance_norm(x.data(), y.data(), channels, spatial, scale.data(), bias.data(), eps, act,
                      0, mid);
    opt.instance_norm(x.data(), y.data(), channels, spatial, scale.data(), bias.data(), eps, act,
                      mid, planes);
    const std::string what = "seed " + std::to_string(seed) + " C " + std::to_string(channels) +
                             " spatial " + std::to_string(spatial) + " act " +
                             std::to_string(kind) + " centre " + std::to_string(centre);
    // Normalized values are O(1..10); the float statistics pass is within ~1e-6 relative.
    const std::string m = compare(y.data(), r.data(), n, 2e-5f, 1e-4f);
    EXPECT_TRUE(m.empty()) << "instance norm " << what << ": " << m;
    std::memcpy(y.data(), x.data(), n * sizeof(float));
    opt.instance_norm(y.data(), y.data(), channels, spatial, scale.data(), bias.data(), eps, act,
                      0, planes);
    const std::string m2 = compare(y.data(), r.data(), n, 2e-5f, 1e-4f);
    EXPECT_TRUE(m2.empty()) << "instance norm in place " << what << ": " << m2;
  }
}

// ------------------------------------------------------------------------------------ pool

struct PoolCase {
  int64_t h, w, kh, kw, sh, sw, pt, pl, pb, pr;
  bool ceil_mode, include_pad;
};

// Fills p like the op does (ONNX output size, ceil_mode dropping a window that starts in the
// right padding). Returns false when the case has no output.
bool make_pool(const PoolCase& c, ops::PoolParams* p) {
  *p = ops::PoolParams{};
  for (int a = 0; a < 3; ++a) {
    p->in_size[a] = p->out_size[a] = p->kernel[a] = p->stride[a] = p->dilation[a] = 1;
  }
  const int64_t in[2] = {c.h, c.w}, k[2] = {c.kh, c.kw}, s[2] = {c.sh, c.sw};
  const int64_t pb[2] = {c.pt, c.pl}, pe[2] = {c.pb, c.pr};
  for (int a = 0; a < 2; ++a) {
    const int64_t span = in[a] + pb[a] + pe[a] - k[a];
    if (span < 0) return false;
    int64_t out = (c.ceil_mode ? (span + s[a] - 1) / s[a] : span / s[a]) + 1;
    if (c.ceil_mode && (out - 1) * s[a] >= in[a] + pb[a]) --out;
    p->in_size[a + 1] = in[a];
    p->out_size[a + 1] = out;
    p->kernel[a + 1] = k[a];
    p->stride[a + 1] = s[a];
    p->pad_begin[a + 1] = pb[a];
    p->pad_end[a + 1] = pe[a];
  }
  p->count_include_pad = c.include_pad;
  return true;
}

void check_pool(Isa isa, const PoolCase& c, std::mt19937& g, uint32_t seed, bool with_nan) {
  ops::PoolParams p;
  if (!make_pool(c, &p)) return;
  const int64_t planes = uniform_int(g, 1, 3);
  const size_t in_n = static_cast<size_t>(planes * c.h * c.w);
  const size_t out_n = static_cast<size_t>(planes * p.out_size[1] * p.out_size[2]);
  Fenced x(in_n), y(out_n), r(out_n);
  randomize(g, x.data(), in_n, -2.f, 2.f);
  if (with_nan) x.data()[uniform_int(g, 0, static_cast<int64_t>(in_n) - 1)] = std::nanf("");
  const std::string what =
      "seed " + std::to_string(seed) + " in " + std::to_string(c.h) + "x" + std::to_string(c.w) +
      " k " + std::to_string(c.kh) + "x" + std::to_string(c.kw) + " s " + std::to_string(c.sh) +
      "x" + std::to_string(c.sw) + " pads " + std::to_string(c.pt) + "," + std::to_string(c.pl) +
      "," + std::to_string(c.pb) + "," + std::to_string(c.pr) + (c.ceil_mode ? " ceil" : "") +
      (c.include_pad ? " include_pad" : "");
  const ops::PoolKernels& ref = ops::pool_kernels(Isa::kRef);
  const ops::PoolKernels& opt = ops::pool_kernels(isa);
  const int64_t mid = planes / 2;
  ref.maxpool(p, x.data(), r.data(), 0, planes);
  opt.maxpool(p, x.data(), y.data(), 0, mid);
  opt.maxpool(p, x.data(), y.data(), mid, planes);
  std::string m = compare(y.data(), r.data(), out_n, 0.f, 0.f);
  EXPECT_TRUE(m.empty()) << "max " << what << ": " << m;
  ref.avgpool(p, x.data(), r.data(), 0, planes);
  opt.avgpool(p, x.data(), y.data(), 0, mid);
  opt.avgpool(p, x.data(), y.data(), mid, planes);
  m = compare(y.data(), r.data(), out_n, 1e-6f, 1e-5f);
  EXPECT_TRUE(m.empty()) << "avg " << what << ": " << m;
}

TEST_P(MiscKernels, PoolCommonWindows) {
  const uint32_t seed = seed_base() + 3;
  std::mt19937 g(seed);
  // 2x2 s2 and 3x3 s1/s2 over every width 1..40 (tails), with and without pads and ceil_mode.
  for (int64_t w = 1; w <= 40; ++w) {
    const int64_t h = uniform_int(g, 1, 9);
    for (int variant = 0; variant < 6; ++variant) {
      const bool ceil = variant % 2 == 1, inc = variant >= 4;
      check_pool(GetParam(), {h, w, 2, 2, 2, 2, 0, 0, 0, 0, ceil, inc}, g, seed, variant == 1);
      check_pool(GetParam(), {h, w, 3, 3, 1, 1, 1, 1, 1, 1, ceil, inc}, g, seed, variant == 2);
      check_pool(GetParam(), {h, w, 3, 3, 2, 2, 1, 1, 1, 1, ceil, inc}, g, seed, variant == 3);
      check_pool(GetParam(), {h, w, 3, 3, 2, 2, 0, 0, 0, 0, ceil, inc}, g, seed, false);
      check_pool(GetParam(), {h, w, 1, 1, 2, 2, 0, 0, 0, 0, ceil, inc}, g, seed, false);
      check_pool(GetParam(), {h, w, 2, 3, 1, 2, 1, 0, 0, 2, ceil, inc}, g, seed, false);
    }
  }
}

TEST_P(MiscKernels, PoolRandomAndWide) {
  const uint32_t seed = seed_base() + 4;
  std::mt19937 g(seed);
  for (int it = 0; it < 300; ++it) {
    PoolCase c{};
    c.h = uniform_int(g, 1, 24);
    c.w = uniform_int(g, 1, 60);
    c.kh = uniform_int(g, 1, 5);
    c.kw = uniform_int(g, 1, 5);
    c.sh = uniform_int(g, 1, 3);
    c.sw = uniform_int(g, 1, 2);
    c.pt = uniform_int(g, 0, c.kh - 1);
    c.pl = uniform_int(g, 0, c.kw - 1);
    c.pb = uniform_int(g, 0, c.kh - 1);
    c.pr = uniform_int(g, 0, c.kw - 1);
    c.ceil_mode = it % 2 == 1;
    c.include_pad = it % 3 == 0;
    check_pool(GetParam(), c, g, seed, it % 7 == 0);
  }
  // Whole-plane and wide windows (PFLD's AveragePool with kernel = input size).
  for (int64_t size : {7, 8, 9, 14, 17, 28, 56}) {
    check_pool(GetParam(), {size, size, size, size, size, size, 0, 0, 0, 0, false, false}, g,
               seed, false);
    check_pool(GetParam(), {size, size + 3, size, size, 1, 1, 0, 0, 0, 0, false, false}, g, seed,
               size == 9);
    check_pool(GetParam(), {size, size, size, size - 1, 1, 2, 0, 1, 0, 1, true, true}, g, seed,
               false);
  }
}

// ------------------------------------------------------------------------------------ resize

enum class Coord { kHalfPixel, kAlignCorners, kAsymmetric, kPytorchHalfPixel };

// Linear taps as the op builds them (left neighbour and the next, clamped into [0, in)).
void linear_table(Coord mode, int64_t in, int64_t out, int64_t stride, int64_t* off, float* w) {
  const double s = static_cast<double>(out) / static_cast<double>(in);
  for (int64_t o = 0; o < out; ++o) {
    double x = 0.0;
    switch (mode) {
      case Coord::kHalfPixel: x = (o + 0.5) / s - 0.5; break;
      case Coord::kAlignCorners: x = out == 1 ? 0.0 : o * (in - 1.0) / (out - 1.0); break;
      case Coord::kAsymmetric: x = o / s; break;
      case Coord::kPytorchHalfPixel: x = out == 1 ? -0.5 : (o + 0.5) / s - 0.5; break;
    }
    const double fl = std::floor(x);
    const double f = x - fl;
    int64_t i0 = static_cast<int64_t>(fl), i1 = i0 + 1;
    i0 = i0 < 0 ? 0 : (i0 >= in ? in - 1 : i0);
    i1 = i1 < 0 ? 0 : (i1 >= in ? in - 1 : i1);
    off[2 * o] = i0 * stride;
    off[2 * o + 1] = i1 * stride;
    w[2 * o] = static_cast<float>(1.0 - f);
    w[2 * o + 1] = static_cast<float>(f);
  }
}

void nearest_table(Coord mode, int64_t in, int64_t out, int64_t stride, int64_t* off) {
  const double s = static_cast<double>(out) / static_cast<double>(in);
  for (int64_t o = 0; o < out; ++o) {
    double x = mode == Coord::kAsymmetric ? o / s : (o + 0.5) / s - 0.5;
    if (mode == Coord::kAlignCorners) x = out == 1 ? 0.0 : o * (in - 1.0) / (out - 1.0);
    int64_t i = static_cast<int64_t>(std::floor(x + 0.5));
    i = i < 0 ? 0 : (i >= in ? in - 1 : i);
    off[o] = i * stride;
  }
}

TEST_P(MiscKernels, ResizeBilinearAndNearestModes) {
  const uint32_t seed = seed_base() + 5;
  std::mt19937 g(seed);
  const kernels::ResizeKernels& ref = kernels::resize_kernels(Isa::kRef);
  const kernels::ResizeKernels& opt = kernels::resize_kernels(GetParam());
  const Coord modes[] = {Coord::kHalfPixel, Coord::kAlignCorners, Coord::kAsymmetric,
                         Coord::kPytorchHalfPixel};
  for (int it = 0; it < 240; ++it) {
    const Coord mode = modes[it % 4];
    const int64_t planes = uniform_int(g, 1, 3);
    const int64_t in_h = uniform_int(g, 1, 12), in_w = it < 40 ? it / 2 + 1 : uniform_int(g, 1, 40);
    int64_t out_h = 1, out_w = 1;
    switch ((it / 4) % 5) {
      case 0: out_h = in_h * 8; out_w = in_w * 8; break;          // segmentation logits x8
      case 1: out_h = in_h * 2; out_w = in_w * 2; break;
      case 2: out_h = uniform_int(g, 1, 30); out_w = uniform_int(g, 1, 45); break;
      case 3: out_h = (in_h + 1) / 2; out_w = (in_w + 1) / 2; break;  // down
      default: out_h = in_h; out_w = in_w + uniform_int(g, 0, 17); break;
    }
    std::vector<int64_t> yo(2 * out_h), xo(2 * out_w), yn(out_h), xn(out_w);
    std::vector<float> yw(2 * out_h), xw(2 * out_w);
    linear_table(mode, in_h, out_h, in_w, yo.data(), yw.data());
    linear_table(mode, in_w, out_w, 1, xo.data(), xw.data());
    nearest_table(mode, in_h, out_h, in_w, yn.data());
    nearest_table(mode, in_w, out_w, 1, xn.data());
    const size_t in_n = static_cast<size_t>(planes * in_h * in_w);
    const size_t out_n = static_cast<size_t>(planes * out_h * out_w);
    Fenced x(in_n), y(out_n), r(out_n), rowbuf(static_cast<size_t>(2 * out_w));
    randomize(g, x.data(), in_n, -3.f, 3.f);
    const std::string what = "seed " + std::to_string(seed) + " mode " +
                             std::to_string(static_cast<int>(mode)) + " " +
                             std::to_string(in_h) + "x" + std::to_string(in_w) + " -> " +
                             std::to_string(out_h) + "x" + std::to_string(out_w);
    const int64_t mid = planes / 2;
    ref.bilinear_2d(x.data(), r.data(), in_h, in_w, out_h, out_w, yo.data(), yw.data(), xo.data(),
                    xw.data(), rowbuf.data(), 0, planes);
    opt.bilinear_2d(x.data(), y.data(), in_h, in_w, out_h, out_w, yo.data(), yw.data(), xo.data(),
                    xw.data(), rowbuf.data(), 0, mid);
    opt.bilinear_2d(x.data(), y.data(), in_h, in_w, out_h, out_w, yo.data(), yw.data(), xo.data(),
                    xw.data(), rowbuf.data(), mid, planes);
    std::string m = compare(y.data(), r.data(), out_n, 1e-5f, 1e-5f);
    EXPECT_TRUE(m.empty()) << "bilinear " << what << ": " << m;
    ref.nearest_2d(x.data(), r.data(), in_h, in_w, out_h, out_w, yn.data(), xn.data(), 0, planes);
    opt.nearest_2d(x.data(), y.data(), in_h, in_w, out_h, out_w, yn.data(), xn.data(), 0, mid);
    opt.nearest_2d(x.data(), y.data(), in_h, in_w, out_h, out_w, yn.data(), xn.data(), mid,
                   planes);
    m = compare(y.data(), r.data(), out_n, 0.f, 0.f);
    EXPECT_TRUE(m.empty()) << "nearest " << what << ": " << m;
  }
}

INSTANTIATE_TEST_SUITE_P(Isa, MiscKernels, ::testing::Values(Isa::kAvx2, Isa::kNeon), param_name);

}  // namespace
}  // namespace facet
