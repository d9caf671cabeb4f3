// Depthwise convolution kernels (ops/kernels/dwconv) against dwconv2d_f32_general_ref, the spec:
// exhaustive small geometries (every width 1..33 x height 1..6 x all 81 pad combinations 0..2,
// strides 1 and 2), wide rows, pads far larger than the kernel (masks computed on the fly),
// odd channel counts and batch > 1 with uneven [begin, end) splits. Input and output buffers
// end against a PROT_NONE page, so any read or write past them faults.
// Seed: FACET_TEST_SEED overrides the fixed default; it is printed on failure.
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

#include "engine/cpu.h"
#include "ops/kernels/dwconv/dwconv.h"
#include "test_util.h"

namespace facet {
namespace {

uint32_t dw_seed() { return test::test_seed(7031u); }

using test::GuardedFloats;

void fill_uniform(std::mt19937& rng, float* p, size_t n, float lo, float hi) {
  std::uniform_real_distribution<float> d(lo, hi);
  for (size_t i = 0; i < n; ++i) p[i] = d(rng);
}

int64_t rnd(std::mt19937& rng, int64_t lo, int64_t hi) {
  return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
}


ops::DwActivation act_for(int kind) {
  ops::DwActivation a{static_cast<ops::DwActKind>(kind), 0.0f, 0.0f, nullptr};
  if (a.kind == ops::DwActKind::kClip) {
    a.alpha = -0.3f;
    a.beta = 0.7f;
  } else if (a.kind == ops::DwActKind::kLeakyRelu) {
    a.alpha = 0.15f;
  }
  return a;
}

// Fills out_h/out_w, runs the selected kernel and the general kernel of `isa` over several
// [begin, end) splits and compares with _ref. Returns false (after one failure) on mismatch.
bool check_case(Isa isa, ops::DwConvParams p, std::mt19937& rng, uint32_t seed, bool with_bias) {
  auto out_dim = [](int64_t in, int64_t k, int64_t s, int64_t d, int64_t pb, int64_t pe) {
    return (in + pb + pe - d * (k - 1) - 1) / s + 1;
  };
  p.out_h = out_dim(p.in_h, p.kernel_h, p.stride_h, p.dilation_h, p.pad_top, p.pad_bottom);
  p.out_w = out_dim(p.in_w, p.kernel_w, p.stride_w, p.dilation_w, p.pad_left, p.pad_right);
  if (p.out_h < 1 || p.out_w < 1) return true;
  const int64_t planes = p.batch * p.channels;
  const size_t out_n = static_cast<size_t>(planes * p.out_h * p.out_w);
  GuardedFloats in(static_cast<size_t>(planes * p.in_h * p.in_w)),
      w(static_cast<size_t>(p.channels * p.kernel_h * p.kernel_w)),
      b(static_cast<size_t>(p.channels)), slope(static_cast<size_t>(p.channels)), out(out_n),
      ref(out_n);
  fill_uniform(rng, in.data(), in.size(), -1.5f, 1.5f);
  fill_uniform(rng, w.data(), w.size(), -1.0f, 1.0f);
  fill_uniform(rng, b.data(), b.size(), -0.5f, 0.5f);
  fill_uniform(rng, slope.data(), slope.size(), -0.5f, 0.5f);
  if (p.act.kind == ops::DwActKind::kPRelu) p.act.slope = slope.data();
  const float* bias = with_bias ? b.data() : nullptr;
  ops::dwconv2d_f32_general_ref(p, in.data(), w.data(), bias, ref.data(), 0, planes);
  // The in-place path's hint (a plane to prefetch after the call's last one) must change
  // nothing: point it at the input.
  p.prefetch_after = in.data();
  const ops::DwConvKernels& t = ops::dwconv2d_kernels(isa);
  const ops::DwConvF32Fn fns[2] = {ops::dwconv2d_f32_select(t, p), t.general};
  const bool sig = p.act.kind == ops::DwActKind::kSigmoid;
  const float atol = 1e-5f, rtol = sig ? 2e-5f : 1e-4f;
  for (int f = 0; f < 2; ++f) {
    std::memset(out.data(), 0xff, out_n * sizeof(float));  // NaN canary
    // Split the planes into up to three uneven ranges (one may be empty).
    const int64_t s1 = planes / 3, s2 = planes - planes / 4;
    fns[f](p, in.data(), w.data(), bias, out.data(), 0, s1);
    fns[f](p, in.data(), w.data(), bias, out.data(), s1, s2);
    fns[f](p, in.data(), w.data(), bias, out.data(), s2, planes);
    for (size_t i = 0; i < out_n; ++i) {
      const float r = ref.data()[i], o = out.data()[i];
      if (!(std::fabs(o - r) <= atol + rtol * std::fabs(r))) {
        ADD_FAILURE() << test::dw_desc(p) << (f == 0 ? " selected" : " general") << " seed " << seed
                      << ": index " << i << " got " << o << " ref " << r;
        return false;
      }
    }
  }
  return true;
}

class DwConvKernelTest : public ::testing::TestWithParam<Isa> {
 protected:
  void SetUp() override {
    if (!cpu_supports(GetParam())) GTEST_SKIP() << isa_name(GetParam()) << " not supported here";
  }
};

ops::DwConvParams base3x3(int64_t stride) {
  ops::DwConvParams p{};
  p.batch = 1;
  p.channels = 1;
  p.kernel_h = p.kernel_w = 3;
  p.stride_h = p.stride_w = stride;
  p.dilation_h = p.dilation_w = 1;
  return p;
}

// Every small geometry: widths 1..33, heights 1..6, all 81 pad combinations, strides 1 and 2.
TEST_P(DwConvKernelTest, Exhaustive3x3Small) {
  const uint32_t seed = dw_seed();
  std::mt19937 rng(seed);
  int n = 0;
  for (int64_t stride : {1, 2}) {
    for (int64_t w = 1; w <= 33; ++w) {
      for (int64_t h = 1; h <= 6; ++h) {
        for (int pads = 0; pads < 81; ++pads, ++n) {
          ops::DwConvParams p = base3x3(stride);
          p.channels = 1 + n % 2;
          p.in_h = h;
          p.in_w = w;
          p.pad_top = pads % 3;
          p.pad_left = pads / 3 % 3;
          p.pad_bottom = pads / 9 % 3;
          p.pad_right = pads / 27 % 3;
          p.act = act_for(n % 7);
          if (!check_case(GetParam(), p, rng, seed, n % 5 != 0)) return;
        }
      }
    }
  }
}

// The MobileNet / YuNet shapes (pad 1) with odd channel counts, batch 2, every activation.
TEST_P(DwConvKernelTest, ModelShapes3x3) {
  const uint32_t seed = dw_seed() + 1;
  std::mt19937 rng(seed);
  const int64_t sizes[] = {7, 8, 10, 14, 15, 20, 28, 30, 40, 56, 60, 80};
  int n = 0;
  for (int64_t stride : {1, 2}) {
    for (int64_t s : sizes) {
      for (int kind = 0; kind < 7; ++kind, ++n) {
        ops::DwConvParams p = base3x3(stride);
        p.batch = 2;
        p.channels = 3 + 2 * (n % 3);
        p.in_h = p.in_w = s;
        p.pad_top = p.pad_left = p.pad_bottom = p.pad_right = 1;
        p.act = act_for(kind);
        if (!check_case(GetParam(), p, rng, seed, true)) return;
      }
    }
  }
}

// Wide rows and pads far beyond the kernel: many border vectors on each side (more than the
// precomputed mask table holds), rows entirely inside the padding, asymmetric pads.
TEST_P(DwConvKernelTest, LargePadsAndWideRows3x3) {
  const uint32_t seed = dw_seed() + 2;
  std::mt19937 rng(seed);
  for (int i = 0; i < 120; ++i) {
    ops::DwConvParams p = base3x3(1 + i % 2);
    p.batch = rnd(rng, 1, 2);
    p.channels = rnd(rng, 1, 3);
    p.in_h = rnd(rng, 1, 12);
    p.in_w = i % 3 == 0 ? rnd(rng, 1, 12) : rnd(rng, 100, 400);
    p.pad_top = rnd(rng, 0, 5);
    p.pad_bottom = rnd(rng, 0, 5);
    p.pad_left = i % 4 == 0 ? rnd(rng, 0, 2) : rnd(rng, 0, 150);
    p.pad_right = i % 5 == 0 ? rnd(rng, 0, 2) : rnd(rng, 0, 150);
    p.act = act_for(i % 7);
    if (!check_case(GetParam(), p, rng, seed, i % 3 != 0)) return;
  }
}

// General kernel: 5x5 / 7x7 / dilated / stride 3 / 1-wide kernels with varied pads and widths.
TEST_P(DwConvKernelTest, GeneralShapes) {
  const uint32_t seed = dw_seed() + 3;
  std::mt19937 rng(seed);
  for (int i = 0; i < 300; ++i) {
    ops::DwConvParams p{};
    p.batch = rnd(rng, 1, 2);
    p.channels = rnd(rng, 1, 4);
    p.in_h = rnd(rng, 1, 24);
    p.in_w = i % 4 == 0 ? rnd(rng, 40, 90) : rnd(rng, 1, 24);
    p.kernel_h = rnd(rng, 1, 7);
    p.kernel_w = rnd(rng, 1, 7);
    p.stride_h = rnd(rng, 1, 3);
    p.stride_w = rnd(rng, 1, 3);
    p.dilation_h = rnd(rng, 1, 3);
    p.dilation_w = rnd(rng, 1, 3);
    p.pad_top = rnd(rng, 0, 4);
    p.pad_left = rnd(rng, 0, 4);
    p.pad_bottom = rnd(rng, 0, 4);
    p.pad_right = rnd(rng, 0, 4);
    p.act = act_for(i % 7);
    if (!check_case(GetParam(), p, rng, seed, i % 3 != 0)) return;
  }
}

// Planes inside bigger buffers (in_plane_stride / out_plane_stride, as the fused
// pointwise+depthwise op uses them): every selected kernel and _ref against _ref on densely
// packed copies; the floats between planes are never written (NaN canaries stay) and the
// buffers end against guard pages.
TEST_P(DwConvKernelTest, StridedPlanesMatchDense) {
  const uint32_t seed = dw_seed() + 4;
  std::mt19937 rng(seed);
  for (int i = 0; i < 60; ++i) {
    ops::DwConvParams p{};
    p.batch = 1;
    p.channels = rnd(rng, 1, 6);
    p.in_h = rnd(rng, 1, 12);
    p.in_w = rnd(rng, 1, 40);
    const int kind = i % 3;  // 3x3 s1, 3x3 s2, general
    p.kernel_h = p.kernel_w = kind < 2 ? 3 : rnd(rng, 1, 5);
    p.stride_h = p.stride_w = kind == 1 ? 2 : (kind == 0 ? 1 : rnd(rng, 1, 3));
    p.dilation_h = p.dilation_w = kind < 2 ? 1 : rnd(rng, 1, 2);
    p.pad_top = rnd(rng, 0, 2);
    p.pad_left = rnd(rng, 0, 2);
    p.pad_bottom = rnd(rng, 0, 2);
    p.pad_right = rnd(rng, 0, 2);
    p.act = act_for(i % 7);
    if (i % 6 == 0) {  // 3x3 s1: a tiny "same" plane (the AVX-512 flat path, up to 32 floats)
      p.in_h = rnd(rng, 1, 5);
      p.in_w = rnd(rng, 1, 32 / p.in_h);
      p.pad_top = p.pad_left = p.pad_bottom = p.pad_right = 1;
    }
    const int64_t ek_h = (p.kernel_h - 1) * p.dilation_h + 1, ek_w = (p.kernel_w - 1) * p.dilation_w + 1;
    if (p.in_h + p.pad_top + p.pad_bottom < ek_h || p.in_w + p.pad_left + p.pad_right < ek_w)
      continue;
    p.out_h = (p.in_h + p.pad_top + p.pad_bottom - ek_h) / p.stride_h + 1;
    p.out_w = (p.in_w + p.pad_left + p.pad_right - ek_w) / p.stride_w + 1;
    const int64_t in_plane = p.in_h * p.in_w, out_plane = p.out_h * p.out_w;
    ops::DwConvParams sp = p;
    sp.in_plane_stride = in_plane + rnd(rng, 1, 40);
    sp.out_plane_stride = out_plane + rnd(rng, 1, 40);
    const int64_t c = p.channels;
    GuardedFloats dense_in(static_cast<size_t>(c * in_plane)), dense_ref(static_cast<size_t>(c * out_plane)),
        in(static_cast<size_t>((c - 1) * sp.in_plane_stride + in_plane)),
        out(static_cast<size_t>((c - 1) * sp.out_plane_stride + out_plane)),
        w(static_cast<size_t>(c * p.kernel_h * p.kernel_w)), b(static_cast<size_t>(c)),
        slope(static_cast<size_t>(c));
    fill_uniform(rng, in.data(), in.size(), -1.5f, 1.5f);
    fill_uniform(rng, w.data(), w.size(), -1.0f, 1.0f);
    fill_uniform(rng, b.data(), b.size(), -0.5f, 0.5f);
    fill_uniform(rng, slope.data(), slope.size(), -0.5f, 0.5f);
    if (p.act.kind == ops::DwActKind::kPRelu) p.act.slope = sp.act.slope = slope.data();
    for (int64_t ch = 0; ch < c; ++ch)
      std::memcpy(dense_in.data() + ch * in_plane, in.data() + ch * sp.in_plane_stride,
                  static_cast<size_t>(in_plane) * sizeof(float));
    ops::dwconv2d_f32_general_ref(p, dense_in.data(), w.data(), b.data(), dense_ref.data(), 0, c);
    const ops::DwConvKernels& t = ops::dwconv2d_kernels(GetParam());
    const ops::DwConvF32Fn fns[3] = {ops::dwconv2d_f32_select(t, sp), t.general,
                                     ops::dwconv2d_f32_general_ref};
    for (int f = 0; f < 3; ++f) {
      std::memset(out.data(), 0xff, out.size() * sizeof(float));
      fns[f](sp, in.data(), w.data(), b.data(), out.data(), 0, c / 2);
      fns[f](sp, in.data(), w.data(), b.data(), out.data(), c / 2, c);
      for (int64_t ch = 0; ch < c; ++ch) {
        for (int64_t k = 0; k < sp.out_plane_stride && ch * sp.out_plane_stride + k < static_cast<int64_t>(out.size()); ++k) {
          const float o = out.data()[ch * sp.out_plane_stride + k];
          if (k >= out_plane) {
            ASSERT_TRUE(std::isnan(o)) << test::dw_desc(p) << " fn " << f << ": wrote between planes";
            continue;
          }
          const float r = dense_ref.data()[ch * out_plane + k];
          ASSERT_LE(std::fabs(o - r), 1e-5f + 1e-4f * std::fabs(r))
              << test::dw_desc(p) << " fn " << f << " seed " << seed << " channel " << ch << " index " << k;
        }
      }
    }
  }
}

std::string dw_isa_name(const ::testing::TestParamInfo<Isa>& info) { return isa_name(info.param); }

INSTANTIATE_TEST_SUITE_P(Isa, DwConvKernelTest,
                         ::testing::Values(Isa::kAvx2, Isa::kAvx512, Isa::kNeon),
                         dw_isa_name);

}  // namespace
}  // namespace facet
