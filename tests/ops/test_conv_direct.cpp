// convdirect family: every variant the host runs against conv_f32_ref (+ activation_ref) and
// against conv_direct_f32_ref, over seeded random shapes: odd widths, Cin 1..5, Cout 1..9,
// kernels 1..9, strides 1/2, dilations 1..4, asymmetric pads, every activation, batch 1..2.
// The row range is split in two calls (separate scratch) to exercise begin/end; the output
// ends against a PROT_NONE guard page. FACET_TEST_SEED overrides the seed.
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "engine/cpu.h"
#include "ops/kernels/conv/conv.h"
#include "ops/kernels/conv/convdirect.h"
#include "test_util.h"

namespace facet {
namespace {

uint32_t seed_value() { return test::test_seed(20240611u); }

using test::GuardedFloats;

int64_t rnd(std::mt19937& rng, int64_t lo, int64_t hi) {
  return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
}

std::string describe(const ops::ConvDirectParams& p) {
  char b[320];
  std::snprintf(b, sizeof b,
                "N%lld C%lld M%lld in %lldx%lld out %lldx%lld k %lldx%lld s %lldx%lld d %lldx%lld "
                "pad t%lld l%lld act %d",
                (long long)p.batch, (long long)p.in_channels, (long long)p.out_channels,
                (long long)p.in_h, (long long)p.in_w, (long long)p.out_h, (long long)p.out_w,
                (long long)p.kernel_h, (long long)p.kernel_w, (long long)p.stride_h,
                (long long)p.stride_w, (long long)p.dilation_h, (long long)p.dilation_w,
                (long long)p.pad_top, (long long)p.pad_left, static_cast<int>(p.act.kind));
  return b;
}

// Runs one random case for `fn`; returns false (with a failure) on a mismatch.
bool run_case(ops::ConvDirectF32Fn fn, std::mt19937& rng, uint32_t seed, int act_kind,
              bool big) {
  ops::ConvDirectParams p;
  p.batch = rnd(rng, 1, 2);
  p.in_channels = rnd(rng, 1, 5);
  p.out_channels = rnd(rng, 1, 9);
  p.kernel_h = rnd(rng, 1, big ? 9 : 5);
  p.kernel_w = rnd(rng, 1, big ? 9 : 5);
  p.stride_h = rnd(rng, 1, 2);
  p.stride_w = rnd(rng, 1, 2);
  p.dilation_h = rnd(rng, 1, 4);
  p.dilation_w = rnd(rng, 1, 4);
  const int64_t pads[4] = {rnd(rng, 0, 4), rnd(rng, 0, 4), rnd(rng, 0, 4), rnd(rng, 0, 4)};
  p.pad_top = pads[0];
  p.pad_left = pads[1];
  p.in_h = rnd(rng, 1, big ? 40 : 17);
  p.in_w = rnd(rng, 1, big ? 70 : 17);
  p.out_h = (p.in_h + pads[0] + pads[2] - p.dilation_h * (p.kernel_h - 1) - 1) / p.stride_h + 1;
  p.out_w = (p.in_w + pads[1] + pads[3] - p.dilation_w * (p.kernel_w - 1) - 1) / p.stride_w + 1;
  if (p.in_h + pads[0] + pads[2] < p.dilation_h * (p.kernel_h - 1) + 1 ||
      p.in_w + pads[1] + pads[3] < p.dilation_w * (p.kernel_w - 1) + 1)
    return true;  // empty output
  std::vector<float> slope(static_cast<size_t>(p.out_channels));
  std::uniform_real_distribution<float> d(-1.2f, 1.2f);
  for (float& s : slope) s = d(rng) * 0.4f;
  p.act = ops::Activation{static_cast<ops::ActKind>(act_kind), 0.f, 0.f, slope.data()};
  if (p.act.kind == ops::ActKind::kClip) {
    p.act.alpha = -0.3f;
    p.act.beta = 0.6f;
  } else if (p.act.kind == ops::ActKind::kLeakyRelu) {
    p.act.alpha = 0.1f;
  }
  const int64_t taps = p.in_channels * p.kernel_h * p.kernel_w;
  std::vector<float> x(static_cast<size_t>(p.batch * p.in_channels * p.in_h * p.in_w));
  std::vector<float> w(static_cast<size_t>(p.out_channels * taps));
  std::vector<float> b(static_cast<size_t>(p.out_channels));
  for (float& v : x) v = d(rng);
  for (float& v : w) v = d(rng);
  for (float& v : b) v = d(rng);
  const bool with_bias = rnd(rng, 0, 3) != 0;
  const float* bias = with_bias ? b.data() : nullptr;
  const int64_t out_plane = p.out_h * p.out_w;
  const size_t out_n = static_cast<size_t>(p.batch * p.out_channels * out_plane);

  // Spec: conv_f32_ref, then the activation per element.
  ops::ConvParams cp;
  cp.batch = p.batch;
  cp.in_channels = p.in_channels;
  cp.out_channels = p.out_channels;
  cp.group = 1;
  const int64_t in3[3] = {1, p.in_h, p.in_w}, out3[3] = {1, p.out_h, p.out_w},
                k3[3] = {1, p.kernel_h, p.kernel_w}, s3[3] = {1, p.stride_h, p.stride_w},
                d3[3] = {1, p.dilation_h, p.dilation_w}, pb3[3] = {0, p.pad_top, p.pad_left};
  for (int i = 0; i < 3; ++i) {
    cp.in_size[i] = in3[i];
    cp.out_size[i] = out3[i];
    cp.kernel[i] = k3[i];
    cp.stride[i] = s3[i];
    cp.dilation[i] = d3[i];
    cp.pad_begin[i] = pb3[i];
  }
  std::vector<float> ref(out_n);
  ops::conv_f32_ref(cp, x.data(), w.data(), bias, ref.data(), 0, p.batch * p.out_channels);
  for (size_t i = 0; i < out_n; ++i) {
    const int64_t m = static_cast<int64_t>(i) / out_plane % p.out_channels;
    ref[i] = ops::activation_ref(p.act, ref[i], m);
  }

  std::vector<float> packed(static_cast<size_t>(ops::conv_direct_packed_floats(p)));
  ops::conv_direct_pack_weights(p, w.data(), packed.data());
  const size_t scratch_n = static_cast<size_t>(ops::conv_direct_scratch_floats(p));
  std::vector<float> s1(scratch_n, 1e30f), s2(scratch_n, -1e30f);  // stale ring garbage
  GuardedFloats out(out_n);
  std::memset(out.data(), 0xff, out_n * sizeof(float));  // NaN canary
  const int64_t rows = p.batch * p.out_h;
  const int64_t mid = rnd(rng, 0, rows);
  fn(p, x.data(), packed.data(), bias, out.data(), 0, mid, s1.data());
  fn(p, x.data(), packed.data(), bias, out.data(), mid, rows, s2.data());
  const float atol = 2e-6f * std::sqrt(static_cast<float>(taps)) + 1e-5f;
  const float rtol = p.act.kind == ops::ActKind::kSigmoid ? 2e-5f : 1e-4f;
  for (size_t i = 0; i < out_n; ++i) {
    const float r = ref[i], o = out.data()[i];
    if (!(std::fabs(o - r) <= atol + rtol * std::fabs(r))) {
      ADD_FAILURE() << describe(p) << (with_bias ? " bias" : " no bias") << " split " << mid
                    << " seed " << seed << ": index " << i << " got " << o << " ref " << r;
      return false;
    }
  }
  return true;
}

void sweep(ops::ConvDirectF32Fn fn) {
  const uint32_t seed = seed_value();
  std::mt19937 rng(seed);
  for (int act = 0; act <= static_cast<int>(ops::ActKind::kSigmoid); ++act)
    for (int i = 0; i < 60; ++i)
      if (!run_case(fn, rng, seed, act, i % 4 == 0)) return;
}

TEST(ConvDirect, RefMatchesConvRef) { sweep(ops::conv_direct_f32_ref); }

class ConvDirectIsa : public ::testing::TestWithParam<Isa> {
 protected:
  void SetUp() override {
    if (!cpu_supports(GetParam())) GTEST_SKIP() << isa_name(GetParam()) << " not supported here";
  }
};

TEST_P(ConvDirectIsa, MatchesConvRef) {
  const ops::ConvDirectF32Fn fn = ops::conv_direct_kernel(GetParam());
  ASSERT_NE(fn, ops::conv_direct_f32_ref) << "no " << isa_name(GetParam()) << " variant";
  sweep(fn);
}

// Large shapes of the real models (style transfer's 9x9 32->3, ESPNet's dilated 3x3, a first
// layer 3x3 s2), one case each, wider than any strip.
TEST_P(ConvDirectIsa, ModelShapes) {
  const ops::ConvDirectF32Fn fn = ops::conv_direct_kernel(GetParam());
  struct S {
    int64_t c, m, h, w, k, s, d, pad;
  };
  const S shapes[] = {{32, 3, 20, 70, 9, 1, 1, 4},   {19, 19, 24, 60, 3, 1, 8, 8},
                      {3, 32, 31, 67, 3, 2, 1, 1},   {20, 20, 9, 40, 3, 1, 16, 16},
                      {12, 7, 11, 37, 3, 1, 2, 2},   {131, 25, 7, 50, 3, 2, 1, 1},
                      {36, 20, 5, 150, 3, 1, 1, 1},  {3, 16, 7, 1030, 3, 2, 1, 1},
                      {6, 9, 12, 50, 5, 1, 1, 2},    {5, 6, 12, 45, 7, 2, 1, 3}};
  std::mt19937 rng(seed_value());
  std::uniform_real_distribution<float> d(-1.f, 1.f);
  for (const S& s : shapes) {
    ops::ConvDirectParams p{};
    p.batch = 1;
    p.in_channels = s.c;
    p.out_channels = s.m;
    p.in_h = s.h;
    p.in_w = s.w;
    p.kernel_h = p.kernel_w = s.k;
    p.stride_h = p.stride_w = s.s;
    p.dilation_h = p.dilation_w = s.d;
    p.pad_top = p.pad_left = s.pad;
    p.out_h = (s.h + 2 * s.pad - s.d * (s.k - 1) - 1) / s.s + 1;
    p.out_w = (s.w + 2 * s.pad - s.d * (s.k - 1) - 1) / s.s + 1;
    p.act = ops::Activation{ops::ActKind::kRelu, 0.f, 0.f, nullptr};
    std::vector<float> x(static_cast<size_t>(s.c * s.h * s.w)),
        w(static_cast<size_t>(s.m * s.c * s.k * s.k)), b(static_cast<size_t>(s.m));
    for (float& v : x) v = d(rng);
    for (float& v : w) v = d(rng);
    for (float& v : b) v = d(rng);
    std::vector<float> packed(static_cast<size_t>(ops::conv_direct_packed_floats(p)));
    ops::conv_direct_pack_weights(p, w.data(), packed.data());
    std::vector<float> scratch(static_cast<size_t>(ops::conv_direct_scratch_floats(p)));
    const size_t n = static_cast<size_t>(s.m * p.out_h * p.out_w);
    std::vector<float> ref(n), out(n);
    ops::conv_direct_f32_ref(p, x.data(), packed.data(), b.data(), ref.data(), 0, p.out_h,
                             scratch.data());
    fn(p, x.data(), packed.data(), b.data(), out.data(), 0, p.out_h, scratch.data());
    const float atol = 2e-6f * std::sqrt(static_cast<float>(s.c * s.k * s.k)) + 1e-5f;
    for (size_t i = 0; i < n; ++i)
      ASSERT_LE(std::fabs(out[i] - ref[i]), atol + 1e-4f * std::fabs(ref[i]))
          << describe(p) << " index " << i;
  }
}

std::string isa_label(const ::testing::TestParamInfo<Isa>& info) { return isa_name(info.param); }

INSTANTIATE_TEST_SUITE_P(Isa, ConvDirectIsa, ::testing::Values(Isa::kAvx2, Isa::kAvx512, Isa::kNeon), isa_label);

}  // namespace
}  // namespace facet
