// ConvTranspose op (2-D fast path: packed SGEMM + col2im, chunks of output channels split over
// threads; the bias-free store for kernels that tile the output) against conv_transpose_f32_ref
// over seeded random shapes: strides, pads, output_padding, dilations, groups, batch, weights
// constant (packed in prepare) or not, a 2-thread pool. Every SIMD ISA the host runs; the rest
// skip. FACET_TEST_SEED overrides the seed (printed on failure).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "engine/cpu.h"
#include "engine/op.h"
#include "engine/tensor.h"
#include "engine/thread_pool.h"
#include "ops/kernels/conv/conv.h"
#include "ops/registry.h"
#include "test_util.h"

namespace facet {
namespace {

uint32_t seed_value() { return test::test_seed(20261201u); }

using IsaScope = test::IsaOverride;

struct Case {
  int64_t n, c, m, h, w, kh, kw, sh, sw, dh, dw, pt, pl, pb, pr, oph, opw, group;
};

std::vector<float> random_vec(int64_t n, std::mt19937& rng) {
  std::uniform_real_distribution<float> d(-1.f, 1.f);
  std::vector<float> v(static_cast<size_t>(n));
  for (float& x : v) x = d(rng);
  return v;
}

void check(const Case& cc, bool const_weights, uint32_t seed) {
  std::mt19937 rng(seed);
  const int64_t m_g = cc.m / cc.group;
  const Tensor x = Tensor::from_f32({cc.n, cc.c, cc.h, cc.w}, random_vec(cc.n * cc.c * cc.h * cc.w, rng));
  const Tensor w =
      Tensor::from_f32({cc.c, m_g, cc.kh, cc.kw}, random_vec(cc.c * m_g * cc.kh * cc.kw, rng));
  const Tensor b = Tensor::from_f32({cc.m}, random_vec(cc.m, rng));
  Attributes a;
  a.set_ints("strides", {cc.sh, cc.sw});
  a.set_ints("dilations", {cc.dh, cc.dw});
  a.set_ints("pads", {cc.pt, cc.pl, cc.pb, cc.pr});
  a.set_ints("output_padding", {cc.oph, cc.opw});
  a.set_int("group", cc.group);
  NodeDef def;
  def.name = "n";
  def.op_type = "ConvTranspose";
  def.opset = 13;
  def.attrs = a;
  def.input_present.assign(3, true);
  auto op = ops::builtin_registry().create(def);
  if (const_weights) op->prepare({nullptr, &w, &b});
  ThreadPool pool(2);
  std::vector<Tensor> out = eval_op(*op, {&x, &w, &b}, 1, &pool);

  ops::ConvParams p{};
  p.batch = cc.n;
  p.in_channels = cc.c;
  p.out_channels = cc.m;
  p.group = cc.group;
  const int64_t oh = cc.sh * (cc.h - 1) + cc.oph + (cc.kh - 1) * cc.dh + 1 - cc.pt - cc.pb;
  const int64_t ow = cc.sw * (cc.w - 1) + cc.opw + (cc.kw - 1) * cc.dw + 1 - cc.pl - cc.pr;
  const int64_t in[3] = {1, cc.h, cc.w}, o[3] = {1, oh, ow}, k[3] = {1, cc.kh, cc.kw},
                s[3] = {1, cc.sh, cc.sw}, d[3] = {1, cc.dh, cc.dw}, pb[3] = {0, cc.pt, cc.pl};
  for (int i = 0; i < 3; ++i) {
    p.in_size[i] = in[i];
    p.out_size[i] = o[i];
    p.kernel[i] = k[i];
    p.stride[i] = s[i];
    p.dilation[i] = d[i];
    p.pad_begin[i] = pb[i];
  }
  std::vector<float> ref(static_cast<size_t>(cc.n * cc.m * oh * ow));
  ops::conv_transpose_f32_ref(p, x.data<float>(), w.data<float>(), b.data<float>(), ref.data(),
                              0, cc.n * cc.m);
  char what[256];
  std::snprintf(what, sizeof(what),
                "n%lld c%lld m%lld %lldx%lld k%lldx%lld s%lld,%lld d%lld,%lld p%lld,%lld,%lld,%lld "
                "op%lld,%lld g%lld const%d seed %u",
                (long long)cc.n, (long long)cc.c, (long long)cc.m, (long long)cc.h,
                (long long)cc.w, (long long)cc.kh, (long long)cc.kw, (long long)cc.sh,
                (long long)cc.sw, (long long)cc.dh, (long long)cc.dw, (long long)cc.pt,
                (long long)cc.pl, (long long)cc.pb, (long long)cc.pr, (long long)cc.oph,
                (long long)cc.opw, (long long)cc.group, const_weights ? 1 : 0, seed);
  ASSERT_EQ(out[0].numel(), static_cast<int64_t>(ref.size())) << what;
  const float* got = out[0].data<float>();
  const float atol = 2e-6f * std::sqrt(static_cast<float>(cc.c / cc.group * cc.kh * cc.kw)) + 1e-5f;
  for (size_t i = 0; i < ref.size(); ++i)
    ASSERT_LE(std::fabs(got[i] - ref[i]), atol + 1e-4f * std::fabs(ref[i]))
        << what << " index " << i;
}

class ConvTransposeIsa : public ::testing::TestWithParam<Isa> {
 protected:
  void SetUp() override {
    if (!cpu_supports(GetParam())) GTEST_SKIP() << isa_name(GetParam()) << " not supported here";
  }
};

TEST_P(ConvTransposeIsa, RandomShapesMatchRef) {
  IsaScope scope(GetParam());
  std::mt19937 rng(seed_value());
  auto pick = [&rng](int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
  };
  for (int iter = 0; iter < 120; ++iter) {
    Case cc{};
    cc.n = pick(1, 2);
    cc.group = iter % 4 == 3 ? pick(2, 3) : 1;
    cc.c = cc.group * pick(1, 9);
    cc.m = cc.group * pick(1, 13);
    cc.h = pick(1, 13);
    cc.w = pick(1, 19);
    const bool tiling = iter % 5 == 0;  // kernel == stride, no pads: the store-only col2im
    cc.kh = tiling ? pick(1, 3) : pick(1, 4);
    cc.kw = tiling ? pick(1, 3) : pick(1, 4);
    cc.sh = tiling ? cc.kh : pick(1, 3);
    cc.sw = tiling ? cc.kw : pick(1, 3);
    cc.dh = tiling ? 1 : pick(1, 2);
    cc.dw = tiling ? 1 : pick(1, 2);
    cc.pt = tiling ? 0 : pick(0, 2);
    cc.pl = tiling ? 0 : pick(0, 2);
    cc.pb = tiling ? 0 : pick(0, 2);
    cc.pr = tiling ? 0 : pick(0, 2);
    cc.oph = tiling ? 0 : pick(0, std::max<int64_t>(cc.sh, cc.dh) - 1);
    cc.opw = tiling ? 0 : pick(0, std::max<int64_t>(cc.sw, cc.dw) - 1);
    // Keep the output non-empty.
    while (cc.sh * (cc.h - 1) + cc.oph + (cc.kh - 1) * cc.dh + 1 - cc.pt - cc.pb < 1) ++cc.h;
    while (cc.sw * (cc.w - 1) + cc.opw + (cc.kw - 1) * cc.dw + 1 - cc.pl - cc.pr < 1) ++cc.w;
    check(cc, iter % 3 != 0, seed_value() + static_cast<uint32_t>(iter));
    if (HasFailure()) return;
  }
  // Model shapes (smaller planes): ESPNet's 2x2 s2 upsamplers (20 -> 20, one weight chunk per
  // thread) and style transfer's 3x3 s2 pad 1 output_padding 1 decoders.
  const Case fixed[] = {
      {1, 20, 20, 16, 40, 2, 2, 2, 2, 1, 1, 0, 0, 0, 0, 0, 0, 1},
      {1, 64, 32, 9, 11, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1},
      {1, 128, 64, 5, 7, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1},
  };
  uint32_t k = 0;
  for (const Case& cc : fixed) {
    check(cc, true, seed_value() + 1000u + k++);
    if (HasFailure()) return;
  }
}

std::string isa_label(const ::testing::TestParamInfo<Isa>& info) { return isa_name(info.param); }

INSTANTIATE_TEST_SUITE_P(Isa, ConvTransposeIsa, ::testing::Values(Isa::kAvx2, Isa::kAvx512, Isa::kNeon),
                         isa_label);

}  // namespace
}  // namespace facet
