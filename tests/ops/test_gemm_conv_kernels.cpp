// Optimized GEMM / convolution kernels against their scalar references, for every ISA the host
// can run (others are skipped), over seeded random shapes that cover the register-tile edges
// and tails; plus the Conv / ConvTranspose / Gemm / MatMul ops on the fast path against the
// direct reference loops, and the load-time graph fusion (BN folding, activation fusion).
//
// Seeds: FACET_TEST_SEED overrides the base seed (printed on failure).
// Tolerance: |out - ref| <= (1e-5 + 1e-4 |ref|) * sqrt(K) for reductions of length K.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "engine/cpu.h"
#include "engine/graph.h"
#include "engine/session.h"
#include "engine/thread_pool.h"
#include "ops/fusion.h"
#include "ops/gemm.h"
#include "ops/kernels/conv/conv.h"
#include "ops/kernels/sgemm/sgemm.h"
#include "ops/registry.h"
#include "test_util.h"

namespace facet {
namespace {

using ops::Activation;
using ops::ActKind;

uint32_t base_seed() { return test::test_seed(20240611u); }

std::vector<float> random_vec(int64_t n, std::mt19937& rng, float lo = -1.2f, float hi = 1.2f) {
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<float> v(static_cast<size_t>(n));
  for (float& x : v) x = dist(rng);
  return v;
}

using IsaGuard = test::IsaOverride;

std::vector<Isa> optimized_isas() { return {Isa::kAvx2, Isa::kAvx512, Isa::kNeon}; }

// Every SGEMM variant of the optimized ISAs: the general one (sgemm_kernel) and, where it
// differs, the convolution one (sgemm_conv_kernel: avx2 16-row panels with the 16 x 6 tile).
struct KernelCase {
  Isa isa;
  ops::SgemmKernel (*select)(Isa);
};
std::vector<KernelCase> optimized_kernels() {
  std::vector<KernelCase> out;
  for (Isa isa : optimized_isas()) {
    out.push_back({isa, ops::sgemm_kernel});
    if (ops::sgemm_conv_kernel(isa).fn != ops::sgemm_kernel(isa).fn)
      out.push_back({isa, ops::sgemm_conv_kernel});
  }
  return out;
}

const ActKind kAllActs[] = {ActKind::kNone,      ActKind::kRelu,  ActKind::kClip,
                            ActKind::kLeakyRelu, ActKind::kPRelu, ActKind::kHardSwish,
                            ActKind::kSigmoid};

Activation make_act(ActKind kind, const std::vector<float>& slope) {
  Activation a;
  a.kind = kind;
  a.alpha = kind == ActKind::kClip ? -0.3f : 0.1f;
  a.beta = kind == ActKind::kClip ? 0.8f : 0.f;
  a.slope = slope.data();
  return a;
}

// Compares two buffers; returns the number of mismatches (reporting the first few).
int compare(const std::vector<float>& out, const std::vector<float>& ref, int64_t k,
            const std::string& what) {
  const float scale = std::sqrt(static_cast<float>(k < 1 ? 1 : k));
  int bad = 0;
  for (size_t i = 0; i < ref.size(); ++i) {
    const float tol = (1e-5f + 1e-4f * std::fabs(ref[i])) * scale;
    if (!(std::fabs(out[i] - ref[i]) <= tol) && !(std::isnan(out[i]) && std::isnan(ref[i]))) {
      if (bad < 3)
        ADD_FAILURE() << what << " index " << i << ": got " << out[i] << ", ref " << ref[i];
      ++bad;
    }
  }
  return bad;
}

// ---------------------------------------------------------------------------------------------
// SGEMM micro-kernel drivers vs sgemm_f32_ref.

struct GemmCase {
  int64_t m, n, k;
  ops::SgemmBKind kind;
  bool bias, accumulate;
  ActKind act;
  int64_t m_begin_panels;  // m_begin = panels * mr (clamped)
  int64_t n_begin, n_trim;  // n range [n_begin, n - n_trim)
};

void check_sgemm(const ops::SgemmKernel& kern, const GemmCase& c, uint32_t seed) {
  std::mt19937 rng(seed);
  const auto a = random_vec(c.m * c.k, rng);
  const auto b = random_vec(c.k * c.n, rng);
  const auto bias = random_vec(c.m, rng);
  const auto slope = random_vec(c.m, rng, -0.5f, 0.5f);
  const auto c0 = random_vec(c.m * c.n, rng);
  const ops::SgemmKernel ref = ops::sgemm_kernel(Isa::kRef);
  std::vector<float> pa(static_cast<size_t>(ops::sgemm_packed_a_floats(kern.mr, c.m, c.k)));
  std::vector<float> pr(static_cast<size_t>(ops::sgemm_packed_a_floats(ref.mr, c.m, c.k)));
  ops::sgemm_pack_a_f32(kern.mr, false, c.m, c.k, 1.f, a.data(), c.k, pa.data());
  ops::sgemm_pack_a_f32(ref.mr, false, c.m, c.k, 1.f, a.data(), c.k, pr.data());
  ops::SgemmParams p;
  p.m = c.m;
  p.n = c.n;
  p.k = c.k;
  p.b = ops::SgemmB{};
  p.b.kind = c.kind;
  p.b.data = b.data();
  p.b.ld = c.kind == ops::SgemmBKind::kDense ? c.n : c.k;
  std::vector<float> packed_b;
  if (c.kind == ops::SgemmBKind::kPacked) {
    // B (K x N dense) prepacked with the variant's panel width, as Gemm / MatMul do.
    ops::SgemmB dense = ops::SgemmB{};
    dense.kind = ops::SgemmBKind::kDense;
    dense.data = b.data();
    dense.ld = c.n;
    packed_b.resize(static_cast<size_t>(ops::sgemm_packed_b_floats(kern.nr, c.k, c.n)));
    ops::sgemm_pack_b_f32(dense, 0, c.k, 0, c.n, kern.nr, packed_b.data());
    p.b.data = packed_b.data();
    p.b.ld = c.k * kern.nr;
    p.b.panel_nr = kern.nr;
  }
  p.ldc = c.n;
  p.bias = c.bias ? bias.data() : nullptr;
  p.accumulate = c.accumulate ? 1 : 0;
  p.act = make_act(c.act, slope);
  const int64_t m_begin = std::min(c.m, c.m_begin_panels * kern.mr);
  const int64_t n_begin = std::min(c.n, c.n_begin);
  const int64_t n_end = std::max(n_begin, c.n - c.n_trim);
  // Exactly the bound sgemm_workspace_floats promises, before a PROT_NONE page.
  test::GuardedFloats ws(static_cast<size_t>(
      std::max<int64_t>(1, ops::sgemm_workspace_floats(c.k, n_end - n_begin))));
  std::vector<float> out = c0, expect = c0;
  p.packed_a = pa.data();
  p.a_mr = kern.mr;
  p.c = out.data();
  kern.fn(p, m_begin, c.m, n_begin, n_end, ws.data());
  p.packed_a = pr.data();
  p.a_mr = ref.mr;
  p.c = expect.data();
  ops::sgemm_f32_ref(p, m_begin, c.m, n_begin, n_end, nullptr);
  compare(out, expect, c.k,
          std::string(kern.name) + " m=" + std::to_string(c.m) + " n=" + std::to_string(c.n) +
              " k=" + std::to_string(c.k) + " act=" + std::to_string(static_cast<int>(c.act)) +
              " kind=" + std::to_string(static_cast<int>(c.kind)) + " seed=" + std::to_string(seed));
}

TEST(SgemmKernels, RandomShapesMatchRef) {
  for (const KernelCase& kcase : optimized_kernels()) {
    const Isa isa = kcase.isa;
    if (!cpu_supports(isa)) continue;
    const ops::SgemmKernel kern = kcase.select(isa);
    std::mt19937 rng(base_seed());
    std::uniform_int_distribution<int64_t> dim(1, 33);
    for (int iter = 0; iter < 400; ++iter) {
      GemmCase c;
      c.m = dim(rng);
      c.n = dim(rng);
      c.k = dim(rng);
      c.kind = iter % 3 == 2 ? ops::SgemmBKind::kDenseT : ops::SgemmBKind::kDense;
      c.bias = iter % 2 == 0;
      c.accumulate = iter % 5 == 1;
      c.act = kAllActs[iter % 7];
      c.m_begin_panels = iter % 4 == 3 ? 1 : 0;
      c.n_begin = iter % 6 == 5 ? 3 : 0;
      c.n_trim = iter % 7 == 6 ? 2 : 0;
      check_sgemm(kern, c, base_seed() + static_cast<uint32_t>(iter));
      if (HasFailure()) return;
    }
  }
  if (!cpu_supports(Isa::kAvx2) && !cpu_supports(Isa::kNeon)) GTEST_SKIP() << "no SIMD ISA";
}

TEST(SgemmKernels, LargeAndMobileNetShapesMatchRef) {
  // 1x1 layers of MobileNetV1 (M = Cout, K = Cin, N = H*W), scaled down in N where large, plus
  // K > kSgemmMaxKc (several K blocks) and N > sgemm_nc (several N blocks).
  const int64_t shapes[][3] = {{64, 200, 32},  {128, 196, 64},  {256, 49, 128}, {512, 49, 512},
                               {37, 401, 700}, {13, 385, 321}, {1000, 1, 1024}, {7, 17, 1},
                               {64, 2100, 32}, {24, 300, 1030}, {30, 16, 1024}};
  for (const KernelCase& kcase : optimized_kernels()) {
    const Isa isa = kcase.isa;
    if (!cpu_supports(isa)) continue;
    const ops::SgemmKernel kern = kcase.select(isa);
    int i = 0;
    for (const auto& s : shapes) {
      for (ActKind act : {ActKind::kNone, ActKind::kClip, ActKind::kPRelu}) {
        GemmCase c{s[0], s[1], s[2], ops::SgemmBKind::kDense, true, i % 2 == 1, act, 0, 0, 0};
        check_sgemm(kern, c, base_seed() + 1000u + static_cast<uint32_t>(i++));
        if (HasFailure()) return;
      }
    }
  }
  if (!cpu_supports(Isa::kAvx2) && !cpu_supports(Isa::kNeon)) GTEST_SKIP() << "no SIMD ISA";
}

TEST(SgemmKernels, RowsInLanesTilesMatchRef) {
  // Column counts below 128 that are not a multiple of 16 (the avx512 variant's transposed
  // 32-row tiles: every tile width 1..14, several 14-column panels), row counts with a 32-row
  // group and a remainder for the 8 x 32 tiles, K with one or several K blocks, mid-range row
  // and column starts, every B kind the drivers pack, bias / accumulate / every activation.
  const ops::SgemmBKind kinds[] = {ops::SgemmBKind::kDense, ops::SgemmBKind::kDenseT,
                                   ops::SgemmBKind::kPacked};
  const int64_t ks[] = {3, 64, 200, 300, 530};
  for (const KernelCase& kcase : optimized_kernels()) {
    const Isa isa = kcase.isa;
    if (!cpu_supports(isa)) continue;
    const ops::SgemmKernel kern = kcase.select(isa);
    int iter = 0;
    for (int64_t n = 1; n < 128; ++n) {
      if (n % 16 == 0) continue;
      GemmCase c;
      c.m = iter % 3 == 0 ? 32 : iter % 3 == 1 ? 72 : 100;
      c.n = n;
      c.k = ks[iter % 5];
      c.kind = kinds[iter % 3];
      c.bias = iter % 2 == 0;
      c.accumulate = iter % 4 == 1;
      c.act = kAllActs[iter % 7];
      c.m_begin_panels = iter % 5 == 4 ? 1 : 0;
      c.n_begin = iter % 6 == 5 ? 3 : 0;
      c.n_trim = 0;
      check_sgemm(kern, c, base_seed() + 9000u + static_cast<uint32_t>(iter));
      if (HasFailure()) return;
      ++iter;
    }
  }
  if (!cpu_supports(Isa::kAvx2) && !cpu_supports(Isa::kNeon)) GTEST_SKIP() << "no SIMD ISA";
}

TEST(SgemmKernels, SmallNMatchRef) {
  // Small N (7x7 and smaller maps, the 16 x 6 tile of the conv variant) with K >= 32 and
  // several K blocks, row tails of the 16-row panels, every activation, bias / accumulate,
  // column ranges that start mid-panel.
  for (const KernelCase& kcase : optimized_kernels()) {
    const Isa isa = kcase.isa;
    if (!cpu_supports(isa)) continue;
    const ops::SgemmKernel kern = kcase.select(isa);
    std::mt19937 rng(base_seed() + 55);
    auto pick = [&rng](int64_t lo, int64_t hi) {
      return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
    };
    for (int iter = 0; iter < 300; ++iter) {
      GemmCase c;
      c.m = pick(1, 70);
      c.n = iter % 5 == 0 ? 49 : pick(1, 100);
      c.k = iter % 8 == 7 ? pick(257, 1100) : pick(32, 300);
      c.kind = iter % 3 == 2 ? ops::SgemmBKind::kDenseT : ops::SgemmBKind::kDense;
      c.bias = iter % 2 == 0;
      c.accumulate = iter % 5 == 1;
      c.act = kAllActs[iter % 7];
      c.m_begin_panels = iter % 4 == 3 ? 1 : 0;
      c.n_begin = iter % 6 == 5 ? pick(1, 7) : 0;
      c.n_trim = iter % 7 == 6 ? pick(1, 5) : 0;
      check_sgemm(kern, c, base_seed() + 6000u + static_cast<uint32_t>(iter));
      if (HasFailure()) return;
    }
  }
  if (!cpu_supports(Isa::kAvx2) && !cpu_supports(Isa::kNeon)) GTEST_SKIP() << "no SIMD ISA";
}

TEST(SgemmKernels, ColumnTailsAndKBlockBoundariesMatchRef) {
  // Every column tail width 1..nr+1 after 0..3 full nr-wide panels (avx2 / avx512: tails of 1-2
  // columns of a dense B take the expanded dot-product tile), K around the kSgemmMaxKc block boundaries (K = 1..7,
  // 511..513, 1023..1025: partial 24-float periods and several K blocks), N = 49 with M = 1024
  // rows, a large N with several N blocks, mid-panel column starts and every activation.
  const int64_t ks[] = {1, 2, 3, 5, 7, 32, 511, 512, 513, 1023, 1024, 1025};
  for (const KernelCase& kcase : optimized_kernels()) {
    const Isa isa = kcase.isa;
    if (!cpu_supports(isa)) continue;
    const ops::SgemmKernel kern = kcase.select(isa);
    uint32_t seed = base_seed() + 7000u;
    int iter = 0;
    for (int64_t tail = 1; tail <= kern.nr + 1; ++tail) {
      for (int64_t full = 0; full <= 3; ++full) {
        const int64_t k = ks[iter % 12];
        GemmCase c{13 + iter % 11, full * kern.nr + tail, k, ops::SgemmBKind::kDense, iter % 2 == 0,
                   iter % 3 == 1, kAllActs[iter % 7], iter % 5 == 4 ? 1 : 0, 0, 0};
        check_sgemm(kern, c, seed++);
        if (iter % 4 == 3) {  // a column range starting mid-panel, ending in a tail
          c.n_begin = 5;
          c.n_trim = 1;
          check_sgemm(kern, c, seed++);
        }
        if (HasFailure()) return;
        ++iter;
      }
    }
    for (int64_t k : {512, 1024, 1025}) {
      GemmCase c{1024, 49, k, ops::SgemmBKind::kDense, true, k == 1025, ActKind::kClip, 0, 0, 0};
      check_sgemm(kern, c, seed++);
      c.m = 1000;  // row tail in the last panel
      c.act = ActKind::kPRelu;
      check_sgemm(kern, c, seed++);
      if (HasFailure()) return;
    }
    // Dot-column tails under 32-row groups (avx512 runs them four panels at a time): tails
    // 2..4 and 18..20 after 6 full panels, M a multiple of 32 or not, row ranges starting at
    // panel 0 or 1 (a thread's share), K over one or two K blocks.
    for (int64_t tail : {2, 3, 4, 18, 19, 20}) {
      for (int64_t m : {32, 75, 104}) {
        const int64_t k = tail % 2 == 0 ? 300 : 513;
        GemmCase c{m, 6 * 32 + tail, k, ops::SgemmBKind::kDense, tail != 3, m == 75,
                   kAllActs[(tail + m) % 7], m == 104 ? 1 : 0, 0, 0};
        check_sgemm(kern, c, seed++);
        if (HasFailure()) return;
      }
    }
    for (int64_t n : {3137, 785, 197}) {  // large N: several N blocks, tails 1, 1, 5
      GemmCase c{20, n, 513, ops::SgemmBKind::kDense, true, n == 785, ActKind::kRelu, 0, 0, 0};
      check_sgemm(kern, c, seed++);
      if (HasFailure()) return;
    }
    // Small K, large N: N blocks capped at kSgemmMaxNc columns (workspace below the maximum).
    for (int64_t k : {27, 64, 100}) {
      GemmCase c{13, 3137, k, ops::SgemmBKind::kDense, k == 64, k == 27, ActKind::kClip, 0, 3, 2};
      check_sgemm(kern, c, seed++);
      if (HasFailure()) return;
    }
  }
  if (!cpu_supports(Isa::kAvx2) && !cpu_supports(Isa::kNeon)) GTEST_SKIP() << "no SIMD ISA";
}

TEST(SgemmKernels, PackedBAndOneRowMatchRef) {
  // Prepacked B (read in place, or repacked when n_begin is not a panel boundary) and the
  // one-row (matrix-vector) path, incl. the classifier shape and K > kSgemmMaxKc.
  for (const KernelCase& kcase : optimized_kernels()) {
    const Isa isa = kcase.isa;
    if (!cpu_supports(isa)) continue;
    const ops::SgemmKernel kern = kcase.select(isa);
    std::mt19937 rng(base_seed() + 77);
    auto pick = [&rng](int64_t lo, int64_t hi) {
      return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
    };
    for (int iter = 0; iter < 240; ++iter) {
      GemmCase c;
      c.m = iter % 3 == 0 ? 1 : pick(1, 20);
      c.n = pick(1, 90);
      c.k = iter % 10 == 9 ? pick(500, 1100) : pick(1, 70);
      c.kind = iter % 2 == 0 ? ops::SgemmBKind::kPacked : ops::SgemmBKind::kDense;
      c.bias = iter % 4 != 1;
      c.accumulate = iter % 5 == 2;
      c.act = kAllActs[iter % 7];
      c.m_begin_panels = iter % 9 == 4 ? 1 : 0;
      c.n_begin = iter % 6 == 3 ? kern.nr : (iter % 6 == 5 ? 5 : 0);
      c.n_trim = iter % 7 == 6 ? 3 : 0;
      check_sgemm(kern, c, base_seed() + 3000u + static_cast<uint32_t>(iter));
      if (HasFailure()) return;
    }
    for (ActKind act : {ActKind::kNone, ActKind::kSigmoid}) {
      GemmCase fc{1, 1000, 1024, ops::SgemmBKind::kPacked, true, false, act, 0, 0, 0};
      check_sgemm(kern, fc, base_seed() + 3900u);
      GemmCase dense{1, 1000, 1024, ops::SgemmBKind::kDense, true, true, act, 0, 0, 0};
      check_sgemm(kern, dense, base_seed() + 3901u);
      if (HasFailure()) return;
    }
    // K beyond the workspace: the one-row path cannot gather A's row first and reads it in
    // place (packed B: 3 panels, one of them alone; dense B: a partial 64-column strip).
    const int64_t big_k = ops::kSgemmWorkspaceFloats + 3;
    GemmCase big_packed{1, 70, big_k, ops::SgemmBKind::kPacked, true, false, ActKind::kRelu, 0, 0, 0};
    check_sgemm(kern, big_packed, base_seed() + 3902u);
    GemmCase big_dense{1, 70, big_k, ops::SgemmBKind::kDense, false, true, ActKind::kNone, 0, 0, 0};
    check_sgemm(kern, big_dense, base_seed() + 3903u);
    if (HasFailure()) return;
  }
  if (!cpu_supports(Isa::kAvx2) && !cpu_supports(Isa::kNeon)) GTEST_SKIP() << "no SIMD ISA";
}

// Implicit im2col B (the run-based packing) vs sgemm_f32_ref, which reads every element
// through the definition: pads, strides, dilations, several K and N blocks.
void check_im2col(const ops::SgemmKernel& kern, int64_t m, const ops::SgemmB& geo,
                  ActKind act_kind, bool accumulate, int64_t n_begin, uint32_t seed) {
  std::mt19937 rng(seed);
  const int64_t k = geo.channels * geo.kernel_h * geo.kernel_w;
  const int64_t n = geo.out_h * geo.out_w;
  const auto a = random_vec(m * k, rng);
  const auto image = random_vec(geo.channels * geo.in_h * geo.in_w, rng);
  const auto bias = random_vec(m, rng);
  const auto slope = random_vec(m, rng, -0.5f, 0.5f);
  const auto c0 = random_vec(m * n, rng);
  const ops::SgemmKernel ref = ops::sgemm_kernel(Isa::kRef);
  std::vector<float> pa(static_cast<size_t>(ops::sgemm_packed_a_floats(kern.mr, m, k)));
  std::vector<float> pr(static_cast<size_t>(ops::sgemm_packed_a_floats(ref.mr, m, k)));
  ops::sgemm_pack_a_f32(kern.mr, false, m, k, 1.f, a.data(), k, pa.data());
  ops::sgemm_pack_a_f32(ref.mr, false, m, k, 1.f, a.data(), k, pr.data());
  ops::SgemmParams p;
  p.m = m;
  p.n = n;
  p.k = k;
  p.b = geo;
  p.b.kind = ops::SgemmBKind::kIm2col;
  p.b.data = image.data();
  p.ldc = n;
  p.bias = bias.data();
  p.accumulate = accumulate ? 1 : 0;
  p.act = make_act(act_kind, slope);
  std::vector<float> out = c0, expect = c0;
  const int64_t nb = std::min(n, n_begin);
  test::GuardedFloats ws(
      static_cast<size_t>(std::max<int64_t>(1, ops::sgemm_workspace_floats(k, n - nb))));
  p.packed_a = pa.data();
  p.a_mr = kern.mr;
  p.c = out.data();
  kern.fn(p, 0, m, nb, n, ws.data());
  p.packed_a = pr.data();
  p.a_mr = ref.mr;
  p.c = expect.data();
  ops::sgemm_f32_ref(p, 0, m, nb, n, nullptr);
  char what[200];
  std::snprintf(what, sizeof(what),
                "%s im2col m%lld c%lld %lldx%lld k%lldx%lld s%lld,%lld d%lld,%lld p%lld,%lld out %lldx%lld seed %u",
                kern.name, (long long)m, (long long)geo.channels, (long long)geo.in_h,
                (long long)geo.in_w, (long long)geo.kernel_h, (long long)geo.kernel_w,
                (long long)geo.stride_h, (long long)geo.stride_w, (long long)geo.dilation_h,
                (long long)geo.dilation_w, (long long)geo.pad_top, (long long)geo.pad_left,
                (long long)geo.out_h, (long long)geo.out_w, seed);
  compare(out, expect, k, what);
}

TEST(SgemmKernels, Im2colMatchesRef) {
  for (const KernelCase& kcase : optimized_kernels()) {
    const Isa isa = kcase.isa;
    if (!cpu_supports(isa)) continue;
    const ops::SgemmKernel kern = kcase.select(isa);
    std::mt19937 rng(base_seed() + 99);
    auto pick = [&rng](int64_t lo, int64_t hi) {
      return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
    };
    for (int iter = 0; iter < 200; ++iter) {
      ops::SgemmB g = ops::SgemmB{};
      g.channels = pick(1, 5);
      g.in_h = pick(1, 20);
      g.in_w = pick(1, 20);
      g.kernel_h = pick(1, 4);
      g.kernel_w = pick(1, 4);
      g.stride_h = pick(1, 3);
      g.stride_w = pick(1, 3);
      g.dilation_h = pick(1, 3);
      g.dilation_w = pick(1, 3);
      g.pad_top = pick(0, 3);
      g.pad_left = pick(0, 3);
      const int64_t pad_bottom = pick(0, 3), pad_right = pick(0, 3);
      const int64_t span_h = g.in_h + g.pad_top + pad_bottom - g.dilation_h * (g.kernel_h - 1) - 1;
      const int64_t span_w = g.in_w + g.pad_left + pad_right - g.dilation_w * (g.kernel_w - 1) - 1;
      if (span_h < 0 || span_w < 0) continue;
      g.out_h = span_h / g.stride_h + 1;
      g.out_w = span_w / g.stride_w + 1;
      check_im2col(kern, pick(1, 20), g, kAllActs[iter % 7], iter % 5 == 3,
                   iter % 4 == 1 ? pick(1, 30) : 0, base_seed() + 4000u + static_cast<uint32_t>(iter));
      if (HasFailure()) return;
    }
    // Several K blocks (K = 64 * 9) and several N blocks (K = 45, N = 1600), dilated.
    ops::SgemmB big = ops::SgemmB{};
    big.channels = 64;
    big.in_h = big.in_w = 12;
    big.kernel_h = big.kernel_w = 3;
    big.stride_h = big.stride_w = 1;
    big.dilation_h = big.dilation_w = 1;
    big.pad_top = big.pad_left = 1;
    big.out_h = big.out_w = 12;
    check_im2col(kern, 13, big, ActKind::kRelu, false, 0, base_seed() + 4900u);
    ops::SgemmB wide = big;
    wide.channels = 5;
    wide.in_h = wide.in_w = 40;
    wide.dilation_h = wide.dilation_w = 2;
    wide.pad_top = wide.pad_left = 2;
    wide.out_h = wide.out_w = 40;
    check_im2col(kern, 19, wide, ActKind::kPRelu, true, 0, base_seed() + 4901u);
    wide.stride_h = wide.stride_w = 2;
    wide.out_h = wide.out_w = 20;
    check_im2col(kern, 7, wide, ActKind::kNone, false, 3, base_seed() + 4902u);
  }
  if (!cpu_supports(Isa::kAvx2) && !cpu_supports(Isa::kNeon)) GTEST_SKIP() << "no SIMD ISA";
}

TEST(SgemmKernels, ActivationsOnExtremeValues) {
  for (const KernelCase& kcase : optimized_kernels()) {
    const Isa isa = kcase.isa;
    if (!cpu_supports(isa)) continue;
    const ops::SgemmKernel kern = kcase.select(isa);
    // K = 1, A = 1: C = B exactly before the activation; B spans large magnitudes.
    const int64_t n = 40;
    std::vector<float> a(1, 1.f), b(static_cast<size_t>(n));
    for (int64_t j = 0; j < n; ++j) b[static_cast<size_t>(j)] = (j - 20) * 5.f;
    std::vector<float> pa(static_cast<size_t>(ops::sgemm_packed_a_floats(kern.mr, 1, 1)));
    ops::sgemm_pack_a_f32(kern.mr, false, 1, 1, 1.f, a.data(), 1, pa.data());
    std::vector<float> slope(1, 0.25f);
    std::vector<float> ws(static_cast<size_t>(ops::kSgemmWorkspaceFloats));
    for (ActKind act : kAllActs) {
      ops::SgemmParams p;
      p.m = 1;
      p.n = n;
      p.k = 1;
      p.packed_a = pa.data();
      p.a_mr = kern.mr;
      p.b = ops::SgemmB{};
      p.b.kind = ops::SgemmBKind::kDense;
      p.b.data = b.data();
      p.b.ld = n;
      std::vector<float> out(static_cast<size_t>(n));
      p.c = out.data();
      p.ldc = n;
      p.bias = nullptr;
      p.accumulate = 0;
      p.act = make_act(act, slope);
      kern.fn(p, 0, 1, 0, n, ws.data());
      std::vector<float> expect(static_cast<size_t>(n));
      for (int64_t j = 0; j < n; ++j)
        expect[static_cast<size_t>(j)] = ops::activation_ref(p.act, b[static_cast<size_t>(j)], 0);
      compare(out, expect, 1, std::string(kern.name) + " act " + std::to_string(static_cast<int>(act)));
    }
  }
  if (!cpu_supports(Isa::kAvx2) && !cpu_supports(Isa::kNeon)) GTEST_SKIP() << "no SIMD ISA";
}

// ---------------------------------------------------------------------------------------------
// Conv op (fast paths: pointwise GEMM, im2col GEMM, grouped, depthwise) vs conv_f32_ref.

struct ConvCase {
  int64_t n, c, m, h, w, kh, kw, sh, sw, dh, dw, pt, pl, pb, pr, group;
  ActKind act;
};

std::unique_ptr<Op> make_node_op(const std::string& type, const Attributes& attrs, int inputs) {
  NodeDef def;
  def.name = "n";
  def.op_type = type;
  def.opset = 13;
  def.attrs = attrs;
  def.input_present.assign(static_cast<size_t>(inputs), true);
  return ops::builtin_registry().create(def);
}

void check_conv(const ConvCase& cc, bool const_weights, uint32_t seed) {
  std::mt19937 rng(seed);
  const int64_t cg = cc.c / cc.group;
  const Tensor x = Tensor::from_f32({cc.n, cc.c, cc.h, cc.w}, random_vec(cc.n * cc.c * cc.h * cc.w, rng));
  const Tensor w = Tensor::from_f32({cc.m, cg, cc.kh, cc.kw}, random_vec(cc.m * cg * cc.kh * cc.kw, rng));
  const Tensor b = Tensor::from_f32({cc.m}, random_vec(cc.m, rng));
  const std::vector<float> slope = random_vec(cc.m, rng, -0.5f, 0.5f);
  Attributes attrs;
  attrs.set_ints("strides", {cc.sh, cc.sw});
  attrs.set_ints("dilations", {cc.dh, cc.dw});
  attrs.set_ints("pads", {cc.pt, cc.pl, cc.pb, cc.pr});
  attrs.set_int("group", cc.group);
  auto op = make_node_op("Conv", attrs, 3);
  if (const_weights) op->prepare({nullptr, &w, &b});
  const Activation act = make_act(cc.act, slope);
  if (cc.act != ActKind::kNone) {
    auto* f = dynamic_cast<ops::ActivationFusable*>(op.get());
    ASSERT_NE(f, nullptr);
    f->set_activation(cc.act, act.alpha, act.beta, slope);
  }
  ThreadPool pool(2);
  std::vector<Tensor> out = eval_op(*op, {&x, &w, &b}, 1, &pool);
  ops::ConvParams p;
  p.batch = cc.n;
  p.in_channels = cc.c;
  p.out_channels = cc.m;
  p.group = cc.group;
  const int64_t oh = (cc.h + cc.pt + cc.pb - cc.dh * (cc.kh - 1) - 1) / cc.sh + 1;
  const int64_t ow = (cc.w + cc.pl + cc.pr - cc.dw * (cc.kw - 1) - 1) / cc.sw + 1;
  const int64_t in_size[3] = {1, cc.h, cc.w}, out_size[3] = {1, oh, ow},
                kernel[3] = {1, cc.kh, cc.kw}, stride[3] = {1, cc.sh, cc.sw},
                dil[3] = {1, cc.dh, cc.dw}, pad[3] = {0, cc.pt, cc.pl};
  for (int i = 0; i < 3; ++i) {
    p.in_size[i] = in_size[i];
    p.out_size[i] = out_size[i];
    p.kernel[i] = kernel[i];
    p.stride[i] = stride[i];
    p.dilation[i] = dil[i];
    p.pad_begin[i] = pad[i];
  }
  std::vector<float> expect(static_cast<size_t>(cc.n * cc.m * oh * ow));
  ops::conv_f32_ref(p, x.data<float>(), w.data<float>(), b.data<float>(), expect.data(), 0,
                    cc.n * cc.m);
  for (int64_t i = 0; i < cc.n * cc.m; ++i)
    ops::activation_apply_f32(act, nullptr, i % cc.m, expect.data() + i * oh * ow, 1, oh * ow,
                              oh * ow);
  ASSERT_EQ(out[0].numel(), static_cast<int64_t>(expect.size()));
  std::vector<float> got(out[0].data<float>(), out[0].data<float>() + out[0].numel());
  char what[256];
  std::snprintf(what, sizeof(what),
                "conv n%lld c%lld m%lld %lldx%lld k%lldx%lld s%lld,%lld d%lld,%lld p%lld,%lld,%lld,%lld g%lld act%d const%d seed %u",
                (long long)cc.n, (long long)cc.c, (long long)cc.m, (long long)cc.h, (long long)cc.w,
                (long long)cc.kh, (long long)cc.kw, (long long)cc.sh, (long long)cc.sw,
                (long long)cc.dh, (long long)cc.dw, (long long)cc.pt, (long long)cc.pl,
                (long long)cc.pb, (long long)cc.pr, (long long)cc.group, static_cast<int>(cc.act),
                const_weights ? 1 : 0, seed);
  compare(got, expect, cg * cc.kh * cc.kw, what);
}

TEST(ConvFastPath, RandomShapesMatchRef) {
  bool ran = false;
  for (Isa isa : optimized_isas()) {
    if (!cpu_supports(isa)) continue;
    ran = true;
    IsaGuard guard(isa);
    std::mt19937 rng(base_seed() + 7);
    auto pick = [&rng](int64_t lo, int64_t hi) {
      return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
    };
    for (int iter = 0; iter < 160; ++iter) {
      ConvCase cc;
      cc.n = pick(1, 2);
      const int kind = iter % 5;  // 0 pointwise, 1 3x3, 2 general, 3 grouped, 4 depthwise
      cc.group = kind == 3 ? pick(2, 3) : 1;
      cc.c = cc.group * pick(1, 9);
      cc.m = cc.group * pick(1, 13);
      if (kind == 4) {
        cc.c = pick(2, 17);
        cc.m = cc.c;
        cc.group = cc.c;
      }
      cc.h = pick(1, 17);
      cc.w = pick(1, 17);
      cc.kh = kind == 0 ? 1 : (kind == 1 || kind == 4 ? 3 : pick(1, 5));
      cc.kw = kind == 0 ? 1 : (kind == 1 || kind == 4 ? 3 : pick(1, 5));
      cc.sh = kind == 0 ? 1 : pick(1, 2);
      cc.sw = kind == 0 ? 1 : pick(1, 2);
      cc.dh = kind == 2 ? pick(1, 2) : 1;
      cc.dw = kind == 2 ? pick(1, 2) : 1;
      cc.pt = kind == 0 ? 0 : pick(0, 2);
      cc.pl = kind == 0 ? 0 : pick(0, 2);
      cc.pb = kind == 0 ? 0 : pick(0, 2);
      cc.pr = kind == 0 ? 0 : pick(0, 2);
      // Make the window fit.
      while (cc.h + cc.pt + cc.pb < cc.dh * (cc.kh - 1) + 1) ++cc.h;
      while (cc.w + cc.pl + cc.pr < cc.dw * (cc.kw - 1) + 1) ++cc.w;
      cc.act = kAllActs[iter % 7];
      check_conv(cc, iter % 3 != 0, base_seed() + 5000u + static_cast<uint32_t>(iter));
      if (HasFailure()) return;
    }
    // MobileNet-like layers: first 3x3 s2 conv with 3 channels, a pointwise layer, a 1-row
    // image and a wide image (several N blocks).
    const ConvCase fixed[] = {
        {1, 3, 32, 33, 31, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1, ActKind::kClip},
        {1, 64, 128, 14, 14, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, ActKind::kRelu},
        {1, 16, 24, 1, 57, 1, 3, 1, 1, 1, 1, 0, 1, 0, 1, 1, ActKind::kPRelu},
        {2, 5, 7, 40, 23, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2, 1, ActKind::kHardSwish},
        {1, 32, 32, 15, 15, 3, 3, 2, 2, 1, 1, 0, 0, 1, 1, 32, ActKind::kClip},
        // K >= 256 pointwise layers, which 2 threads split by rows: an even split of the row
        // panels and an uneven one (17 panels of 8), each with a column tail.
        {1, 256, 48, 14, 14, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, ActKind::kRelu},
        {1, 300, 136, 7, 9, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, ActKind::kNone},
    };
    uint32_t s = 0;
    for (const ConvCase& cc : fixed) {
      check_conv(cc, true, base_seed() + 9000u + s++);
      if (HasFailure()) return;
    }
  }
  if (!ran) GTEST_SKIP() << "no SIMD ISA";
}

// ---------------------------------------------------------------------------------------------
// Gemm / MatMul ops on the fast path vs a naive formula.

TEST(GemmFastPath, GemmAndMatMulMatchNaive) {
  bool ran = false;
  for (Isa isa : optimized_isas()) {
    if (!cpu_supports(isa)) continue;
    ran = true;
    IsaGuard guard(isa);
    std::mt19937 rng(base_seed() + 11);
    for (int iter = 0; iter < 60; ++iter) {
      const int64_t m = 1 + iter % 9, n = 1 + (iter * 7) % 37, k = 1 + (iter * 5) % 41;
      const bool ta = iter % 2 == 1, tb = iter % 3 == 1;
      const Tensor a = Tensor::from_f32(ta ? Shape{k, m} : Shape{m, k}, random_vec(m * k, rng));
      const Tensor b = Tensor::from_f32(tb ? Shape{n, k} : Shape{k, n}, random_vec(n * k, rng));
      const Tensor c = Tensor::from_f32({n}, random_vec(n, rng));
      Attributes attrs;
      attrs.set_int("transA", ta ? 1 : 0);
      attrs.set_int("transB", tb ? 1 : 0);
      attrs.set_float("alpha", 0.75f);
      attrs.set_float("beta", 1.5f);
      auto op = make_node_op("Gemm", attrs, 3);
      ThreadPool pool(2);
      std::vector<Tensor> out = eval_op(*op, {&a, &b, &c}, 1, &pool);
      std::vector<float> expect(static_cast<size_t>(m * n));
      const float* ad = a.data<float>();
      const float* bd = b.data<float>();
      for (int64_t i = 0; i < m; ++i)
        for (int64_t j = 0; j < n; ++j) {
          double acc = 0;
          for (int64_t kk = 0; kk < k; ++kk)
            acc += double(ta ? ad[kk * m + i] : ad[i * k + kk]) *
                   double(tb ? bd[j * k + kk] : bd[kk * n + j]);
          expect[static_cast<size_t>(i * n + j)] =
              static_cast<float>(0.75 * acc + 1.5 * c.data<float>()[j]);
        }
      std::vector<float> got(out[0].data<float>(), out[0].data<float>() + out[0].numel());
      compare(got, expect, k, "gemm iter " + std::to_string(iter));

      auto mm = make_node_op("MatMul", Attributes(), 2);
      const Tensor a3 = Tensor::from_f32({2, m, k}, random_vec(2 * m * k, rng));
      const Tensor b2 = Tensor::from_f32({k, n}, random_vec(k * n, rng));
      std::vector<Tensor> o2 = eval_op(*mm, {&a3, &b2}, 1, &pool);
      std::vector<float> e2(static_cast<size_t>(2 * m * n));
      for (int64_t t = 0; t < 2; ++t)
        for (int64_t i = 0; i < m; ++i)
          for (int64_t j = 0; j < n; ++j) {
            double acc = 0;
            for (int64_t kk = 0; kk < k; ++kk)
              acc += double(a3.data<float>()[(t * m + i) * k + kk]) * double(b2.data<float>()[kk * n + j]);
            e2[static_cast<size_t>((t * m + i) * n + j)] = static_cast<float>(acc);
          }
      std::vector<float> g2(o2[0].data<float>(), o2[0].data<float>() + o2[0].numel());
      compare(g2, e2, k, "matmul iter " + std::to_string(iter));
      if (HasFailure()) return;
    }
  }
  if (!ran) GTEST_SKIP() << "no SIMD ISA";
}

TEST(GemmFastPath, ConstantBPackedInPrepare) {
  // Gemm / MatMul with B given to prepare() (weights packed once, kPacked), incl. M = 1.
  bool ran = false;
  for (Isa isa : optimized_isas()) {
    if (!cpu_supports(isa)) continue;
    ran = true;
    IsaGuard guard(isa);
    std::mt19937 rng(base_seed() + 13);
    ThreadPool pool(2);
    for (int iter = 0; iter < 40; ++iter) {
      const int64_t m = iter % 3 == 0 ? 1 : 1 + iter % 11, n = 1 + (iter * 13) % 71,
                    k = 1 + (iter * 29) % 97;
      const bool tb = iter % 2 == 1;
      const Tensor a = Tensor::from_f32({m, k}, random_vec(m * k, rng));
      const Tensor b = Tensor::from_f32(tb ? Shape{n, k} : Shape{k, n}, random_vec(n * k, rng));
      const Tensor c = Tensor::from_f32({n}, random_vec(n, rng));
      Attributes attrs;
      attrs.set_int("transB", tb ? 1 : 0);
      attrs.set_float("alpha", 0.5f);
      auto op = make_node_op("Gemm", attrs, 3);
      op->prepare({nullptr, &b, &c});
      std::vector<Tensor> out = eval_op(*op, {&a, &b, &c}, 1, &pool);
      std::vector<float> expect(static_cast<size_t>(m * n)), e2(static_cast<size_t>(m * n));
      for (int64_t i = 0; i < m; ++i)
        for (int64_t j = 0; j < n; ++j) {
          double acc = 0;
          for (int64_t kk = 0; kk < k; ++kk)
            acc += double(a.data<float>()[i * k + kk]) *
                   double(tb ? b.data<float>()[j * k + kk] : b.data<float>()[kk * n + j]);
          expect[static_cast<size_t>(i * n + j)] =
              static_cast<float>(0.5 * acc + c.data<float>()[j]);
          e2[static_cast<size_t>(i * n + j)] = static_cast<float>(acc);
        }
      std::vector<float> got(out[0].data<float>(), out[0].data<float>() + out[0].numel());
      compare(got, expect, k, "gemm const B iter " + std::to_string(iter));
      if (!tb) {
        auto mm = make_node_op("MatMul", Attributes(), 2);
        mm->prepare({nullptr, &b});
        std::vector<Tensor> o2 = eval_op(*mm, {&a, &b}, 1, &pool);
        std::vector<float> g2(o2[0].data<float>(), o2[0].data<float>() + o2[0].numel());
        compare(g2, e2, k, "matmul const B iter " + std::to_string(iter));
      }
      if (HasFailure()) return;
    }
  }
  if (!ran) GTEST_SKIP() << "no SIMD ISA";
}

// ---------------------------------------------------------------------------------------------
// Graph fusion: Conv -> BatchNormalization -> Relu and Conv -> PRelu, before and after.

using test::build_graph;
using test::NodeSpec;

TEST(Fusion, BatchNormAndActivationsFoldIntoConv) {
  std::mt19937 rng(base_seed() + 21);
  const int64_t c = 5, m = 6;
  const Tensor x = Tensor::from_f32({1, c, 9, 8}, random_vec(c * 72, rng));
  std::vector<std::pair<std::string, Tensor>> inits = {
      {"w", Tensor::from_f32({m, c, 3, 3}, random_vec(m * c * 9, rng))},
      {"b", Tensor::from_f32({m}, random_vec(m, rng))},
      {"gamma", Tensor::from_f32({m}, random_vec(m, rng))},
      {"beta", Tensor::from_f32({m}, random_vec(m, rng))},
      {"mean", Tensor::from_f32({m}, random_vec(m, rng))},
      {"var", Tensor::from_f32({m}, random_vec(m, rng, 0.1f, 2.f))},
      {"slope", Tensor::from_f32({m, 1, 1}, random_vec(m, rng, -0.5f, 0.5f))},
      {"w2", Tensor::from_f32({m, m, 1, 1}, random_vec(m * m, rng))},
  };
  Attributes conv_attrs;
  conv_attrs.set_ints("pads", {1, 1, 1, 1});
  Attributes bn_attrs;
  bn_attrs.set_float("epsilon", 1e-3f);
  Attributes clip_attrs;
  const std::vector<NodeSpec> nodes = {
      {"Conv", conv_attrs, {"x", "w", "b"}, {"c1"}},
      {"BatchNormalization", bn_attrs, {"c1", "gamma", "beta", "mean", "var"}, {"bn1"}},
      {"Relu", Attributes(), {"bn1"}, {"r1"}},
      {"Conv", Attributes(), {"r1", "w2"}, {"c2"}},
      {"PRelu", Attributes(), {"c2", "slope"}, {"p2"}},
      {"Conv", Attributes(), {"p2", "w2"}, {"c3"}},  // c3 is a graph output: Sigmoid stays apart
      {"Sigmoid", Attributes(), {"c3"}, {"s3"}},
  };
  int removed_plain = 0, removed_fused = 0;
  auto plain = build_graph(nodes, inits, "x", {"s3", "c3"}, false, &removed_plain);
  auto fused = build_graph(nodes, inits, "x", {"s3", "c3"}, true, &removed_fused);
  EXPECT_EQ(removed_fused, 3);  // BN, Relu, PRelu
  EXPECT_EQ(fused->nodes.size(), 4u);
  Session s1(plain), s2(fused);
  std::vector<Tensor> o1 = s1.run({x});
  std::vector<Tensor> o2 = s2.run({x});
  ASSERT_EQ(o1.size(), 2u);
  ASSERT_EQ(o2.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    std::vector<float> a(o1[i].data<float>(), o1[i].data<float>() + o1[i].numel());
    std::vector<float> b(o2[i].data<float>(), o2[i].data<float>() + o2[i].numel());
    compare(b, a, 45, "fused output " + std::to_string(i));
  }
}

TEST(Fusion, BatchNormWithOtherConsumerIsKept) {
  std::mt19937 rng(base_seed() + 22);
  const int64_t c = 3;
  const Tensor x = Tensor::from_f32({1, c, 4, 4}, random_vec(c * 16, rng));
  std::vector<std::pair<std::string, Tensor>> inits = {
      {"w", Tensor::from_f32({c, c, 1, 1}, random_vec(c * c, rng))},
      {"gamma", Tensor::from_f32({c}, random_vec(c, rng))},
      {"beta", Tensor::from_f32({c}, random_vec(c, rng))},
      {"mean", Tensor::from_f32({c}, random_vec(c, rng))},
      {"var", Tensor::from_f32({c}, random_vec(c, rng, 0.1f, 2.f))},
  };
  const std::vector<NodeSpec> nodes = {
      {"Conv", Attributes(), {"x", "w"}, {"c1"}},
      {"BatchNormalization", Attributes(), {"c1", "gamma", "beta", "mean", "var"}, {"bn1"}},
      {"Add", Attributes(), {"bn1", "c1"}, {"y"}},
  };
  int removed = 0;
  auto g = build_graph(nodes, inits, "x", {"y"}, true, &removed);
  EXPECT_EQ(removed, 0);
}

}  // namespace
}  // namespace facet
