// Every optimized kernel against its _ref twin over seeded random shapes (STYLE.md 5.1).
//
// For each ISA the host can run (AVX2+FMA on x86-64, NEON on aarch64) the kernel tables for that
// ISA are compared with the _ref tables; ISAs the host cannot run are skipped (GTEST_SKIP).
// Output buffers end against a PROT_NONE guard page, so an overread/overwrite past the end
// faults. Seed: FACET_TEST_SEED overrides the fixed default; it is printed on failure.
// Tolerance: |out - ref| <= 1e-5 + 1e-4 * |ref|, except the polynomial exp/sigmoid/tanh where
// it is 1e-6 + 2e-6 * |ref| (about 3 ulp relative plus absolute slack; measured max ~3e-7).
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <random>
#include <string>
#include <vector>

#include "engine/cpu.h"
#include "ops/kernels/dwconv/dwconv.h"
#include "ops/kernels/eltwise/eltwise.h"
#include "ops/kernels/norm/norm.h"
#include "ops/kernels/pool/pool.h"
#include "ops/kernels/resize/resize.h"
#include "ops/kernels/transpose/transpose.h"
#include "test_util.h"

namespace facet {
namespace {

uint32_t base_seed() { return test::test_seed(20240611u); }

using GuardBuf = test::GuardedFloats;

void fill(std::mt19937& rng, float* p, size_t n, float lo = -1.2f, float hi = 1.2f) {
  std::uniform_real_distribution<float> d(lo, hi);
  for (size_t i = 0; i < n; ++i) p[i] = d(rng);
}

int64_t rand_int(std::mt19937& rng, int64_t lo, int64_t hi) {  // inclusive
  return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
}

int64_t pick(std::mt19937& rng, std::initializer_list<int64_t> v) {
  return *(v.begin() + rand_int(rng, 0, static_cast<int64_t>(v.size()) - 1));
}

// Returns the index of the first mismatch or -1.
int64_t first_mismatch(const float* out, const float* ref, size_t n, float atol, float rtol,
                       std::string* msg) {
  for (size_t i = 0; i < n; ++i) {
    const float r = ref[i], o = out[i];
    if (std::isnan(r) && std::isnan(o)) continue;
    if (std::isinf(r) && o == r) continue;
    if (!(std::fabs(o - r) <= atol + rtol * std::fabs(r))) {
      *msg = "index " + std::to_string(i) + ": got " + std::to_string(o) + " ref " +
             std::to_string(r);
      return static_cast<int64_t>(i);
    }
  }
  return -1;
}

#define EXPECT_MATCH(out, ref, n, atol, rtol, what)                                   \
  do {                                                                                \
    std::string msg_;                                                                 \
    if (first_mismatch(out, ref, n, atol, rtol, &msg_) >= 0) {                        \
      ADD_FAILURE() << what << " seed " << seed << ": " << msg_;                      \
    }                                                                                 \
  } while (0)

class SimdTest : public ::testing::TestWithParam<Isa> {
 protected:
  void SetUp() override {
    if (!cpu_supports(GetParam())) GTEST_SKIP() << isa_name(GetParam()) << " not supported here";
  }
};

std::string isa_param_name(const ::testing::TestParamInfo<Isa>& info) {
  return isa_name(info.param);
}

// ---------------------------------------------------------------------------------- dwconv

using test::dw_desc;

void run_dw_case(Isa isa, ops::DwConvParams p, std::mt19937& rng, uint32_t seed, bool with_bias) {
  auto out_dim = [](int64_t in, int64_t k, int64_t s, int64_t d, int64_t pb, int64_t pe) {
    return (in + pb + pe - d * (k - 1) - 1) / s + 1;
  };
  p.out_h = out_dim(p.in_h, p.kernel_h, p.stride_h, p.dilation_h, p.pad_top, p.pad_bottom);
  p.out_w = out_dim(p.in_w, p.kernel_w, p.stride_w, p.dilation_w, p.pad_left, p.pad_right);
  if (p.out_h < 1 || p.out_w < 1) return;
  const size_t planes = static_cast<size_t>(p.batch * p.channels);
  GuardBuf in(planes * p.in_h * p.in_w), w(p.channels * p.kernel_h * p.kernel_w),
      b(p.channels), slope(p.channels), out(planes * p.out_h * p.out_w),
      ref(planes * p.out_h * p.out_w);
  fill(rng, in.data(), in.size());
  fill(rng, w.data(), w.size());
  fill(rng, b.data(), b.size());
  fill(rng, slope.data(), slope.size(), -0.5f, 0.5f);
  if (p.act.kind == ops::DwActKind::kPRelu) p.act.slope = slope.data();
  const float* bias = with_bias ? b.data() : nullptr;
  ops::dwconv2d_f32_general_ref(p, in.data(), w.data(), bias, ref.data(), 0,
                                static_cast<int64_t>(planes));
  const ops::DwConvKernels& t = ops::dwconv2d_kernels(isa);
  const bool sig = p.act.kind == ops::DwActKind::kSigmoid;
  const float atol = 1e-5f, rtol = 1e-4f;
  // Fast path (if applicable) and general, split into two ranges to exercise begin/end.
  const ops::DwConvF32Fn fns[2] = {ops::dwconv2d_f32_select(t, p), t.general};
  for (ops::DwConvF32Fn fn : fns) {
    std::memset(out.data(), 0xff, out.size() * sizeof(float));  // NaN canary
    const int64_t mid = static_cast<int64_t>(planes) / 2;
    fn(p, in.data(), w.data(), bias, out.data(), 0, mid);
    fn(p, in.data(), w.data(), bias, out.data(), mid, static_cast<int64_t>(planes));
    EXPECT_MATCH(out.data(), ref.data(), out.size(), atol, sig ? 2e-5f : rtol,
                 dw_desc(p) + (fn == t.general ? " general" : " fast"));
  }
}

ops::DwActivation random_act(std::mt19937& rng, int kind) {
  ops::DwActivation a{static_cast<ops::DwActKind>(kind), 0.0f, 0.0f, nullptr};
  if (a.kind == ops::DwActKind::kClip) {
    a.alpha = static_cast<float>(rand_int(rng, -5, 0)) * 0.1f;
    a.beta = static_cast<float>(rand_int(rng, 1, 8)) * 0.1f;
  } else if (a.kind == ops::DwActKind::kLeakyRelu) {
    a.alpha = 0.1f;
  }
  return a;
}

TEST_P(SimdTest, DwConv3x3Sweep) {
  const uint32_t seed = base_seed();
  std::mt19937 rng(seed);
  // Every width 1..33 (vector tails, overlapped last vector, rows narrower than a vector that
  // spill into the next row) and some wide ones (interior loop, mask table edges).
  std::vector<int64_t> widths;
  for (int64_t w = 1; w <= 33; ++w) widths.push_back(w);
  for (int64_t w : {40, 47, 64, 71, 112, 129, 150, 161}) widths.push_back(w);
  int n = 0;
  for (int64_t stride : {1, 2}) {
    for (int64_t w : widths) {
      for (int rep = 0; rep < 3; ++rep, ++n) {
        ops::DwConvParams p{};
        p.batch = rand_int(rng, 1, 2);
        p.channels = rand_int(rng, 1, 3);
        p.in_w = w;
        p.in_h = pick(rng, {1, 2, 3, 4, 5, 6, 7, 8, 9, 14, 15, 17});
        p.kernel_h = p.kernel_w = 3;
        p.stride_h = p.stride_w = stride;
        p.dilation_h = p.dilation_w = 1;
        p.pad_top = rand_int(rng, 0, 2);
        p.pad_left = rand_int(rng, 0, 2);
        p.pad_bottom = rand_int(rng, 0, 2);
        p.pad_right = rand_int(rng, 0, 2);
        if (rep == 0) p.pad_top = p.pad_left = p.pad_bottom = p.pad_right = 1;
        p.act = random_act(rng, n % 7);
        run_dw_case(GetParam(), p, rng, seed, rep != 2);
      }
    }
  }
}

TEST_P(SimdTest, DwConvChannelsAndActivations) {
  const uint32_t seed = base_seed() + 1;
  std::mt19937 rng(seed);
  for (int64_t c = 1; c <= 17; ++c) {
    for (int kind = 0; kind < 7; ++kind) {
      ops::DwConvParams p{};
      p.batch = 1;
      p.channels = c;
      p.in_h = pick(rng, {7, 15, 17, 33});
      p.in_w = pick(rng, {7, 15, 17, 33});
      p.kernel_h = p.kernel_w = 3;
      p.stride_h = p.stride_w = rand_int(rng, 1, 2);
      p.dilation_h = p.dilation_w = 1;
      p.pad_top = p.pad_left = 1;
      p.pad_bottom = p.pad_right = rand_int(rng, 0, 1);
      p.act = random_act(rng, kind);
      run_dw_case(GetParam(), p, rng, seed, true);
    }
  }
}

TEST_P(SimdTest, DwConvGeneral) {
  const uint32_t seed = base_seed() + 2;
  std::mt19937 rng(seed);
  for (int i = 0; i < 150; ++i) {
    ops::DwConvParams p{};
    p.batch = rand_int(rng, 1, 2);
    p.channels = rand_int(rng, 1, 5);
    p.in_h = rand_int(rng, 1, 20);
    p.in_w = rand_int(rng, 1, 40);
    p.kernel_h = pick(rng, {1, 3, 5, 7});
    p.kernel_w = pick(rng, {1, 3, 5, 7});
    p.stride_h = rand_int(rng, 1, 3);
    p.stride_w = rand_int(rng, 1, 3);
    p.dilation_h = rand_int(rng, 1, 2);
    p.dilation_w = rand_int(rng, 1, 2);
    p.pad_top = rand_int(rng, 0, 3);
    p.pad_left = rand_int(rng, 0, 3);
    p.pad_bottom = rand_int(rng, 0, 3);
    p.pad_right = rand_int(rng, 0, 3);
    p.act = random_act(rng, i % 7);
    run_dw_case(GetParam(), p, rng, seed, i % 3 != 0);
  }
}


// ---------------------------------------------------------------------------------- eltwise

TEST_P(SimdTest, EltwiseUnary) {
  const uint32_t seed = base_seed() + 3;
  std::mt19937 rng(seed);
  using ops::kernels::UnaryKind;
  const auto& ref = ops::kernels::eltwise_kernels_ref();
  const auto& opt = ops::kernels::eltwise_kernels(GetParam());
  for (int k = 0; k < static_cast<int>(UnaryKind::kCount); ++k) {
    const UnaryKind kind = static_cast<UnaryKind>(k);
    const bool poly = kind == UnaryKind::kExp || kind == UnaryKind::kSigmoid || kind == UnaryKind::kTanh;
    for (int64_t n : {1, 3, 7, 8, 9, 15, 16, 17, 31, 33, 100}) {
      for (int rep = 0; rep < 2; ++rep) {
        GuardBuf x(n), out(n), r(n);
        // Wide range for the polynomial functions (covers overflow/underflow), small otherwise.
        if (rep == 1 && poly) fill(rng, x.data(), n, -100.0f, 100.0f);
        else fill(rng, x.data(), n, kind == UnaryKind::kSqrt ? 0.0f : -6.0f, 6.0f);
        if (n > 2) x[1] = 0.0f;
        const float alpha = kind == UnaryKind::kClip ? -0.5f : 0.2f;
        const float beta = kind == UnaryKind::kClip ? 0.7f : 0.5f;
        const int64_t b0 = n / 3;
        ref.unary[k](x.data(), r.data(), 0, n, alpha, beta);
        opt.unary[k](x.data(), out.data(), 0, b0, alpha, beta);
        opt.unary[k](x.data(), out.data(), b0, n, alpha, beta);
        EXPECT_MATCH(out.data(), r.data(), n, poly ? 1e-6f : 1e-5f, poly ? 2e-6f : 1e-4f,
                     "unary kind " + std::to_string(k) + " n " + std::to_string(n));
      }
    }
  }
}

TEST_P(SimdTest, EltwiseNaNPropagation) {
  const uint32_t seed = base_seed();
  using ops::kernels::UnaryKind;
  const auto& ref = ops::kernels::eltwise_kernels_ref();
  const auto& opt = ops::kernels::eltwise_kernels(GetParam());
  const float nan = std::nanf("");
  for (UnaryKind kind : {UnaryKind::kRelu, UnaryKind::kClip, UnaryKind::kExp, UnaryKind::kSigmoid,
                         UnaryKind::kTanh, UnaryKind::kLeakyRelu}) {
    const int k = static_cast<int>(kind);
    GuardBuf x(11), out(11), r(11);
    for (int i = 0; i < 11; ++i) x[i] = i % 3 == 0 ? nan : static_cast<float>(i) - 5.0f;
    ref.unary[k](x.data(), r.data(), 0, 11, 0.0f, 1.0f);
    opt.unary[k](x.data(), out.data(), 0, 11, 0.0f, 1.0f);
    EXPECT_MATCH(out.data(), r.data(), 11, 1e-6f, 2e-6f, "nan kind " + std::to_string(k));
  }
}

TEST_P(SimdTest, EltwiseBinary) {
  const uint32_t seed = base_seed() + 4;
  std::mt19937 rng(seed);
  using ops::kernels::BinaryKind;
  const auto& ref = ops::kernels::eltwise_kernels_ref();
  const auto& opt = ops::kernels::eltwise_kernels(GetParam());
  for (int k = 0; k < static_cast<int>(BinaryKind::kCount); ++k) {
    for (int64_t n : {1, 2, 7, 8, 9, 16, 17, 33, 65}) {
      for (int mode = 0; mode < 4; ++mode) {  // strides (1,1) (0,1) (1,0) (0,0)
        const int64_t sa = mode == 0 || mode == 2 ? 1 : 0, sb = mode <= 1 ? 1 : 0;
        GuardBuf a(n), b(n), out(n), r(n);
        fill(rng, a.data(), n, k == static_cast<int>(BinaryKind::kPow) ? 0.1f : -2.0f, 2.0f);
        fill(rng, b.data(), n, 0.5f, 2.0f);
        ref.binary[k](a.data(), sa, b.data(), sb, r.data(), 0, n);
        opt.binary[k](a.data(), sa, b.data(), sb, out.data(), 0, n / 2);
        opt.binary[k](a.data(), sa, b.data(), sb, out.data(), n / 2, n);
        EXPECT_MATCH(out.data(), r.data(), n, 1e-5f, 1e-4f,
                     "binary kind " + std::to_string(k) + " n " + std::to_string(n) + " mode " +
                         std::to_string(mode));
      }
    }
  }
}

TEST_P(SimdTest, SoftmaxRows) {
  const uint32_t seed = base_seed() + 5;
  std::mt19937 rng(seed);
  const auto& ref = ops::kernels::eltwise_kernels_ref();
  const auto& opt = ops::kernels::eltwise_kernels(GetParam());
  for (int64_t n : {1, 2, 3, 7, 8, 9, 17, 100, 1000}) {
    const int64_t rows = 3;
    GuardBuf x(rows * n), out(rows * n), r(rows * n);
    fill(rng, x.data(), x.size(), -10.0f, 10.0f);
    if (n > 4) x[n + 4] = std::nanf("");  // row 1 becomes NaN
    ref.softmax_rows(x.data(), r.data(), n, 0, rows);
    opt.softmax_rows(x.data(), out.data(), n, 0, 1);
    opt.softmax_rows(x.data(), out.data(), n, 1, rows);
    EXPECT_MATCH(out.data(), r.data(), x.size(), 1e-6f, 1e-5f, "softmax n " + std::to_string(n));
  }
}

// ---------------------------------------------------------------------------------- pool

TEST_P(SimdTest, Pool2d) {
  const uint32_t seed = base_seed() + 6;
  std::mt19937 rng(seed);
  const auto& ref = ops::pool_kernels(Isa::kRef);
  const auto& opt = ops::pool_kernels(GetParam());
  for (int i = 0; i < 200; ++i) {
    ops::PoolParams p{};
    for (int a = 0; a < 3; ++a) {
      p.in_size[a] = p.out_size[a] = p.kernel[a] = p.stride[a] = p.dilation[a] = 1;
      p.pad_begin[a] = p.pad_end[a] = 0;
    }
    p.in_size[1] = pick(rng, {1, 2, 7, 15, 17, 33});
    p.in_size[2] = rand_int(rng, 1, 40);
    p.kernel[1] = rand_int(rng, 1, 3);
    p.kernel[2] = rand_int(rng, 1, 3);
    p.stride[1] = rand_int(rng, 1, 2);
    p.stride[2] = rand_int(rng, 1, 3);
    if (i % 10 == 0) p.dilation[2] = 2;
    for (int a = 1; a < 3; ++a) {
      p.pad_begin[a] = rand_int(rng, 0, p.kernel[a] - 1);
      p.pad_end[a] = rand_int(rng, 0, p.kernel[a] - 1);
      const int64_t span = p.in_size[a] + p.pad_begin[a] + p.pad_end[a] - p.dilation[a] * (p.kernel[a] - 1) - 1;
      if (span < 0) p.pad_end[a] += -span;
      const int64_t s2 = p.in_size[a] + p.pad_begin[a] + p.pad_end[a] - p.dilation[a] * (p.kernel[a] - 1) - 1;
      // ceil_mode on odd cases: one extra window that starts inside the input.
      p.out_size[a] = (i % 2 == 1 ? (s2 + p.stride[a] - 1) / p.stride[a] : s2 / p.stride[a]) + 1;
      if ((p.out_size[a] - 1) * p.stride[a] >= p.in_size[a] + p.pad_begin[a]) --p.out_size[a];
    }
    p.count_include_pad = i % 3 == 0;
    const int64_t planes = rand_int(rng, 1, 3);
    const size_t in_n = planes * p.in_size[1] * p.in_size[2];
    const size_t out_n = planes * p.out_size[1] * p.out_size[2];
    GuardBuf x(in_n), out(out_n), r(out_n);
    fill(rng, x.data(), in_n);
    if (i % 7 == 0) x[in_n / 2] = std::nanf("");
    const std::string desc = "pool in " + std::to_string(p.in_size[1]) + "x" + std::to_string(p.in_size[2]) +
                             " k " + std::to_string(p.kernel[1]) + "x" + std::to_string(p.kernel[2]) +
                             " s " + std::to_string(p.stride[1]) + "x" + std::to_string(p.stride[2]) +
                             " pads " + std::to_string(p.pad_begin[1]) + "," + std::to_string(p.pad_begin[2]) +
                             "," + std::to_string(p.pad_end[1]) + "," + std::to_string(p.pad_end[2]);
    ref.maxpool(p, x.data(), r.data(), 0, planes);
    opt.maxpool(p, x.data(), out.data(), 0, planes);
    EXPECT_MATCH(out.data(), r.data(), out_n, 0.0f, 0.0f, "max " + desc);
    ref.avgpool(p, x.data(), r.data(), 0, planes);
    opt.avgpool(p, x.data(), out.data(), 0, planes);
    EXPECT_MATCH(out.data(), r.data(), out_n, 1e-6f, 1e-5f, "avg " + desc);
  }
  for (int64_t size : {1, 7, 8, 9, 49, 196, 3136}) {
    GuardBuf x(size * 5), out(5), r(5);
    fill(rng, x.data(), x.size());
    ref.global_avgpool(x.data(), r.data(), size, 0, 5);
    opt.global_avgpool(x.data(), out.data(), size, 0, 5);
    EXPECT_MATCH(out.data(), r.data(), 5, 1e-6f, 1e-5f, "global avg " + std::to_string(size));
  }
}

// ---------------------------------------------------------------------------------- resize

TEST_P(SimdTest, Resize2d) {
  const uint32_t seed = base_seed() + 7;
  std::mt19937 rng(seed);
  const auto& ref = kernels::resize_kernels(Isa::kRef);
  const auto& opt = kernels::resize_kernels(GetParam());
  for (int i = 0; i < 120; ++i) {
    const int64_t planes = rand_int(rng, 1, 3);
    const int64_t in_h = pick(rng, {1, 2, 7, 15, 17}), in_w = rand_int(rng, 1, 33);
    int64_t out_h, out_w;
    switch (i % 4) {
      case 0: out_h = in_h; out_w = in_w; break;                 // scale 1
      case 1: out_h = in_h * 2 + 1; out_w = in_w * 3 - 1; break;  // up
      case 2: out_h = (in_h + 1) / 2; out_w = (in_w + 2) / 3; break;  // down
      default: out_h = 1; out_w = 1;                              // output size 1
    }
    // half_pixel bilinear tables with clamping; nearest = round of the centre.
    std::vector<int64_t> yo(2 * out_h), xo(2 * out_w), yn(out_h), xn(out_w);
    std::vector<float> yw(2 * out_h), xw(2 * out_w);
    auto table = [](int64_t in, int64_t out, int64_t stride, int64_t* off, float* w, int64_t* nn) {
      for (int64_t o = 0; o < out; ++o) {
        float s = (static_cast<float>(o) + 0.5f) * static_cast<float>(in) / static_cast<float>(out) - 0.5f;
        if (s < 0) s = 0;
        int64_t i0 = static_cast<int64_t>(s);
        if (i0 > in - 1) i0 = in - 1;
        const int64_t i1 = i0 + 1 < in ? i0 + 1 : in - 1;
        const float f = s - static_cast<float>(i0);
        off[2 * o] = i0 * stride;
        off[2 * o + 1] = i1 * stride;
        w[2 * o] = 1.0f - f;
        w[2 * o + 1] = f;
        nn[o] = (f < 0.5f ? i0 : i1) * stride;
      }
    };
    table(in_h, out_h, in_w, yo.data(), yw.data(), yn.data());
    table(in_w, out_w, 1, xo.data(), xw.data(), xn.data());
    GuardBuf x(planes * in_h * in_w), out(planes * out_h * out_w), r(planes * out_h * out_w);
    fill(rng, x.data(), x.size());
    const std::string desc = std::to_string(in_h) + "x" + std::to_string(in_w) + " -> " +
                             std::to_string(out_h) + "x" + std::to_string(out_w);
    GuardBuf rowbuf(2 * out_w);
    ref.bilinear_2d(x.data(), r.data(), in_h, in_w, out_h, out_w, yo.data(), yw.data(), xo.data(),
                    xw.data(), rowbuf.data(), 0, planes);
    opt.bilinear_2d(x.data(), out.data(), in_h, in_w, out_h, out_w, yo.data(), yw.data(),
                    xo.data(), xw.data(), rowbuf.data(), 0, planes);
    EXPECT_MATCH(out.data(), r.data(), out.size(), 1e-5f, 1e-4f, "bilinear " + desc);
    ref.nearest_2d(x.data(), r.data(), in_h, in_w, out_h, out_w, yn.data(), xn.data(), 0, planes);
    opt.nearest_2d(x.data(), out.data(), in_h, in_w, out_h, out_w, yn.data(), xn.data(), 0, planes);
    EXPECT_MATCH(out.data(), r.data(), out.size(), 0.0f, 0.0f, "nearest " + desc);
    GuardBuf o2(planes * 4 * in_h * in_w), r2(planes * 4 * in_h * in_w);
    ref.nearest_2x(x.data(), r2.data(), in_h, in_w, 0, planes);
    opt.nearest_2x(x.data(), o2.data(), in_h, in_w, 0, planes);
    EXPECT_MATCH(o2.data(), r2.data(), o2.size(), 0.0f, 0.0f, "nearest 2x " + desc);
  }
}

}  // namespace
}  // namespace facet

namespace facet {
namespace {
INSTANTIATE_TEST_SUITE_P(Isa, SimdTest, ::testing::Values(Isa::kAvx2, Isa::kNeon), isa_param_name);
}  // namespace
}  // namespace facet
