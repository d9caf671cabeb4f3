// GEMM family: MobileNetV1's pointwise (1x1) convolutions and classifier, as Conv 1x1, as MatMul
// on the same M x K x N, and as OpenBLAS sgemm (the anchor) on the same shapes in the same run.
// sgemm/<variant>/ runs each SGEMM variant alone on the same shapes (sgemm_cold/: the weights
// rotate through ~64 MB of copies, as in a whole model); compare them with
// --benchmark_enable_random_interleaving=true on a shared machine.
//
// A 1x1 convolution of X [K, H*W] (NCHW, batch 1) by W [M, K] is C[M, N] = W[M, K] * X[K, N] with
// N = H*W. Reports FLOP/s (2*M*N*K per run). Threads: $FACET_BENCH_THREADS (default 1, and
// OpenBLAS gets the same count).
//
// Also the im2col GEMM (3x3 convolutions whose B is built from the image while packing):
// conv3x3/* through the Conv op (style transfer's residual convs), and sgemm_im2col/* on the
// kernel directly for ESPNet's dilated small-M convs (the Conv op sends those to the direct
// kernels, so the op would not measure the GEMM).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "bench/bench_util.h"
#include "ops/kernels/sgemm/sgemm.h"

#ifdef FACET_HAVE_OPENBLAS
#include <cblas.h>
#endif

namespace facet::bench {
namespace {

struct GemmShape {
  const char* layer;  // MobileNetV1 (or YuNet) layer (input size in the name)
  int64_t m, k, h, w;  // M = output channels, K = input channels, N = h * w
};

// MobileNetV1 width 1.0: pointwise layer i follows depthwise layer i.
const GemmShape kPointwise[] = {
    // 224x224 input
    {"224/pw1_32to64_112x112", 64, 32, 112, 112},        // after dw1 (s1)
    {"224/pw2_64to128_56x56", 128, 64, 56, 56},          // after dw2 (s2)
    {"224/pw3_128to128_56x56", 128, 128, 56, 56},        // after dw3
    {"224/pw4_128to256_28x28", 256, 128, 28, 28},        // after dw4 (s2)
    {"224/pw5_256to256_28x28", 256, 256, 28, 28},        // after dw5
    {"224/pw6_256to512_14x14", 512, 256, 14, 14},        // after dw6 (s2)
    {"224/pw7-11_512to512_14x14", 512, 512, 14, 14},     // five identical layers, 46% of MACs
    {"224/pw12_512to1024_7x7", 1024, 512, 7, 7},         // after dw12 (s2)
    {"224/pw13_1024to1024_7x7", 1024, 1024, 7, 7},       // last pointwise
    // Bands of the fused pointwise + depthwise op (ops/conv_pw_dw.cpp, 256 KB bands): the new
    // pointwise rows of a steady-state band (rows shared with the previous band are carried).
    {"224/band_pw1_32to64_8x112", 64, 32, 8, 112},       // dw2 s2: 4 output rows per band
    {"224/band_pw2_64to128_7x56", 128, 64, 7, 56},       // dw3 s1: 7 rows, N = 392 (tail 8)
    {"224/band_pw3_128to128_8x56", 128, 128, 8, 56},     // dw4 s2: 4 output rows
    // 120x120 input (3DDFA-style crops)
    {"120/pw1_32to64_60x60", 64, 32, 60, 60},            // after dw1
    {"120/pw3_128to128_30x30", 128, 128, 30, 30},        // pw2 is 64->128 at the same size
    {"120/pw5_256to256_15x15", 256, 256, 15, 15},        // odd N: tails of every tile
    {"120/pw7-11_512to512_8x8", 512, 512, 8, 8},         // five identical layers
    {"120/pw13_1024to1024_4x4", 1024, 1024, 4, 4},       // N = 16: weight-bound
    // YuNet 320x320: small K over large maps (the input streams from L3, K rows at once)
    {"yunet/pw_16to16_160x160", 16, 16, 160, 160},
    {"yunet/pw_32to32_80x80", 32, 32, 80, 80},
    {"yunet/pw_32to64_80x80", 64, 32, 80, 80},
    {"yunet/pw_64to64_40x40", 64, 64, 40, 40},
};

// 3x3 convolutions through im2col: M = Cout, K = Cin * 9, N = out_h * out_w (pad = dilation).
struct Im2colShape {
  const char* layer;
  int64_t m, c, h, w, stride, dilation;
};

const Im2colShape kIm2col[] = {
    {"style/res_128to128_128x128", 128, 128, 128, 128, 1, 1},  // fast style transfer at 512x512
    {"style/down_64to128_s2_256x256", 128, 64, 256, 256, 2, 1},
    {"espnet/l2_12to12_d2_128x256", 12, 12, 128, 256, 1, 2},  // ESP module branches (level 2)
    {"espnet/l2_12to16_d1_128x256", 16, 12, 128, 256, 1, 1},
    {"espnet/l3_25to28_d4_64x128", 28, 25, 64, 128, 1, 4},  // level 3
};

// The classifier: Gemm X[1, 1024] * W[1000, 1024]^T + b (a matrix-vector product).
constexpr int64_t kFcIn = 1024, kFcOut = 1000;

void set_flops(benchmark::State& state, double flops) {
  state.counters["FLOP/s"] = benchmark::Counter(flops, benchmark::Counter::kIsIterationInvariantRate);
}

void bm_conv1x1(benchmark::State& state, Isa isa, GemmShape s) {
  IsaScope scope(isa);
  Attributes a;
  a.set_ints("kernel_shape", {1, 1});
  OpHarness h("Conv", a,
              {random_tensor({1, s.k, s.h, s.w}, 1), random_tensor({s.m, s.k, 1, 1}, 2, -0.1f, 0.1f),
               random_tensor({s.m}, 3)},
              {false, true, true}, bench_threads());
  h.run();  // warm-up
  for (auto _ : state) h.run();
  set_flops(state, 2.0 * static_cast<double>(s.m * s.k * s.h * s.w));
}

void bm_matmul(benchmark::State& state, Isa isa, GemmShape s) {
  IsaScope scope(isa);
  const int64_t n = s.h * s.w;
  OpHarness h("MatMul", {},
              {random_tensor({s.m, s.k}, 2, -0.1f, 0.1f), random_tensor({s.k, n}, 1)},
              {true, false}, bench_threads());
  h.run();
  for (auto _ : state) h.run();
  set_flops(state, 2.0 * static_cast<double>(s.m * s.k * n));
}

void bm_fc(benchmark::State& state, Isa isa) {
  IsaScope scope(isa);
  Attributes a;
  a.set_int("transB", 1);
  OpHarness h("Gemm", a,
              {random_tensor({1, kFcIn}, 1), random_tensor({kFcOut, kFcIn}, 2, -0.1f, 0.1f),
               random_tensor({kFcOut}, 3)},
              {false, true, true}, bench_threads());
  h.run();
  for (auto _ : state) h.run();
  set_flops(state, 2.0 * static_cast<double>(kFcIn * kFcOut));
}

void bm_conv3x3(benchmark::State& state, Isa isa, Im2colShape s) {
  IsaScope scope(isa);
  Attributes a;
  a.set_ints("kernel_shape", {3, 3});
  a.set_ints("strides", {s.stride, s.stride});
  a.set_ints("dilations", {s.dilation, s.dilation});
  a.set_ints("pads", {s.dilation, s.dilation, s.dilation, s.dilation});
  OpHarness h("Conv", a,
              {random_tensor({1, s.c, s.h, s.w}, 1), random_tensor({s.m, s.c, 3, 3}, 2, -0.1f, 0.1f),
               random_tensor({s.m}, 3)},
              {false, true, true}, bench_threads());
  h.run();
  for (auto _ : state) h.run();
  set_flops(state, 2.0 * static_cast<double>(h.output(0).numel() * s.c * 9));
}

// The SGEMM kernel alone on an implicit im2col B (one thread, the whole problem).
void bm_sgemm_im2col(benchmark::State& state, Isa isa, Im2colShape s) {
  const ops::SgemmKernel kern = ops::sgemm_kernel(isa);
  const int64_t k = s.c * 9;
  const int64_t oh = (s.h - 1) / s.stride + 1, ow = (s.w - 1) / s.stride + 1;
  Tensor w = random_tensor({s.m, k}, 2, -0.1f, 0.1f), x = random_tensor({s.c, s.h, s.w}, 1);
  Tensor c = Tensor::empty(DType::kF32, {s.m, oh * ow});
  std::vector<float> packed(static_cast<size_t>(ops::sgemm_packed_a_floats(kern.mr, s.m, k)));
  ops::sgemm_pack_a_f32(kern.mr, false, s.m, k, 1.f, w.data<float>(), k, packed.data());
  std::vector<float> ws(static_cast<size_t>(ops::kSgemmWorkspaceFloats));
  ops::SgemmParams p;
  p.m = s.m;
  p.n = oh * ow;
  p.k = k;
  p.packed_a = packed.data();
  p.a_mr = kern.mr;
  p.b = ops::SgemmB{};
  p.b.kind = ops::SgemmBKind::kIm2col;
  p.b.data = x.data<float>();
  p.b.channels = s.c;
  p.b.in_h = s.h;
  p.b.in_w = s.w;
  p.b.out_h = oh;
  p.b.out_w = ow;
  p.b.kernel_h = p.b.kernel_w = 3;
  p.b.stride_h = p.b.stride_w = s.stride;
  p.b.dilation_h = p.b.dilation_w = s.dilation;
  p.b.pad_top = p.b.pad_left = s.dilation;
  p.c = c.data<float>();
  p.ldc = oh * ow;
  p.bias = nullptr;
  p.accumulate = 0;
  p.act = ops::Activation{ops::ActKind::kRelu, 0.f, 0.f, nullptr};
  kern.fn(p, 0, p.m, 0, p.n, ws.data());
  for (auto _ : state) kern.fn(p, 0, p.m, 0, p.n, ws.data());
  set_flops(state, 2.0 * static_cast<double>(s.m * k * p.n));
}

// One SGEMM variant alone on a pointwise shape (dense B read as the Conv op does, bias, no
// activation; one thread, the whole problem): the general and the convolution variants side
// by side.
// cold: the weights rotate through copies totalling ~64 MB (beyond L3), as in a whole model
// where each layer's weights arrive from memory.
void bm_sgemm_pw(benchmark::State& state, ops::SgemmKernel (*select)(Isa), Isa isa, GemmShape s,
                 bool cold) {
  const ops::SgemmKernel kern = select(isa);
  const int64_t n = s.h * s.w;
  Tensor w = random_tensor({s.m, s.k}, 2, -0.1f, 0.1f), x = random_tensor({s.k, n}, 1);
  Tensor bias = random_tensor({s.m}, 3), c = Tensor::empty(DType::kF32, {s.m, n});
  const int64_t a_floats = ops::sgemm_packed_a_floats(kern.mr, s.m, s.k);
  const int64_t copies = cold ? std::max<int64_t>(1, (int64_t{16} << 20) / a_floats) : 1;
  std::vector<float> packed(static_cast<size_t>(a_floats * copies));
  for (int64_t i = 0; i < copies; ++i)
    ops::sgemm_pack_a_f32(kern.mr, false, s.m, s.k, 1.f, w.data<float>(), s.k,
                          packed.data() + i * a_floats);
  std::vector<float> ws(static_cast<size_t>(ops::kSgemmWorkspaceFloats));
  ops::SgemmParams p;
  p.m = s.m;
  p.n = n;
  p.k = s.k;
  p.packed_a = packed.data();
  p.a_mr = kern.mr;
  p.b = ops::SgemmB{};
  p.b.kind = ops::SgemmBKind::kDense;
  p.b.data = x.data<float>();
  p.b.ld = n;
  p.c = c.data<float>();
  p.ldc = n;
  p.bias = bias.data<float>();
  p.accumulate = 0;
  p.act = ops::Activation{ops::ActKind::kNone, 0.f, 0.f, nullptr};
  kern.fn(p, 0, p.m, 0, p.n, ws.data());
  int64_t copy = 0;
  for (auto _ : state) {
    p.packed_a = packed.data() + copy * a_floats;
    copy = copy + 1 == copies ? 0 : copy + 1;
    kern.fn(p, 0, p.m, 0, p.n, ws.data());
  }
  set_flops(state, 2.0 * static_cast<double>(s.m * s.k * n));
}

#ifdef FACET_HAVE_OPENBLAS
void bm_openblas(benchmark::State& state, GemmShape s) {
  const int64_t n = s.h * s.w;
  Tensor w = random_tensor({s.m, s.k}, 2, -0.1f, 0.1f), x = random_tensor({s.k, n}, 1);
  Tensor c = Tensor::empty(DType::kF32, {s.m, n});
  auto call = [&] {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, static_cast<int>(s.m),
                static_cast<int>(n), static_cast<int>(s.k), 1.0f, w.data<float>(),
                static_cast<int>(s.k), x.data<float>(), static_cast<int>(n), 0.0f,
                c.data<float>(), static_cast<int>(n));
  };
  call();
  for (auto _ : state) call();
  set_flops(state, 2.0 * static_cast<double>(s.m * s.k * n));
}

void bm_openblas_fc(benchmark::State& state) {
  Tensor x = random_tensor({1, kFcIn}, 1), w = random_tensor({kFcOut, kFcIn}, 2, -0.1f, 0.1f);
  Tensor c = Tensor::empty(DType::kF32, {1, kFcOut});
  auto call = [&] {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, 1, static_cast<int>(kFcOut),
                static_cast<int>(kFcIn), 1.0f, x.data<float>(), static_cast<int>(kFcIn),
                w.data<float>(), static_cast<int>(kFcIn), 0.0f, c.data<float>(),
                static_cast<int>(kFcOut));
  };
  call();
  for (auto _ : state) call();
  set_flops(state, 2.0 * static_cast<double>(kFcIn * kFcOut));
}
#endif

void register_all() {
  for (const GemmShape& s : kPointwise) {
    // The anchor first, then facet's variants of the same shape, so they sit together.
#ifdef FACET_HAVE_OPENBLAS
    timed(benchmark::RegisterBenchmark((std::string("openblas_sgemm/") + s.layer).c_str(), bm_openblas, s))
        ->Args({s.m, s.k, s.h * s.w})
        ->ArgNames({"M", "K", "N"});
#endif
    for (Isa isa : runnable_isas()) {
      std::string tag = std::string("/") + isa_name(isa) + "/" + s.layer;
      timed(benchmark::RegisterBenchmark(("conv1x1" + tag).c_str(), bm_conv1x1, isa, s))
          ->Args({s.m, s.k, s.h * s.w})
          ->ArgNames({"M", "K", "N"});
      timed(benchmark::RegisterBenchmark(("matmul" + tag).c_str(), bm_matmul, isa, s))
          ->Args({s.m, s.k, s.h * s.w})
          ->ArgNames({"M", "K", "N"});
      if (isa == Isa::kRef) continue;
      const ops::SgemmKernel general = ops::sgemm_kernel(isa), conv = ops::sgemm_conv_kernel(isa);
      for (bool cold : {false, true}) {
        const std::string prefix = cold ? "sgemm_cold/" : "sgemm/";
        benchmark::RegisterBenchmark((prefix + general.name + "/" + s.layer).c_str(), bm_sgemm_pw,
                                     ops::sgemm_kernel, isa, s, cold)
            ->Args({s.m, s.k, s.h * s.w})
            ->ArgNames({"M", "K", "N"});
        if (conv.fn != general.fn)
          benchmark::RegisterBenchmark((prefix + conv.name + "/" + s.layer).c_str(), bm_sgemm_pw,
                                       ops::sgemm_conv_kernel, isa, s, cold)
              ->Args({s.m, s.k, s.h * s.w})
              ->ArgNames({"M", "K", "N"});
      }
    }
  }
#ifdef FACET_HAVE_OPENBLAS
  timed(benchmark::RegisterBenchmark("openblas_sgemm/fc_1024to1000", bm_openblas_fc))
      ->Args({1, kFcIn, kFcOut})
      ->ArgNames({"M", "K", "N"});
#endif
  for (const Im2colShape& s : kIm2col) {
    for (Isa isa : runnable_isas()) {
      if (isa == Isa::kRef) continue;  // the scalar GEMM takes seconds on these
      std::string tag = std::string("/") + isa_name(isa) + "/" + s.layer;
      if (s.m > 32)
        timed(benchmark::RegisterBenchmark(("conv3x3" + tag).c_str(), bm_conv3x3, isa, s))
            ->Args({s.m, s.c * 9})
            ->ArgNames({"M", "K"});
      benchmark::RegisterBenchmark(("sgemm_im2col" + tag).c_str(), bm_sgemm_im2col, isa, s)
          ->Args({s.m, s.c * 9})
          ->ArgNames({"M", "K"});
    }
  }
  for (Isa isa : runnable_isas())
    timed(benchmark::RegisterBenchmark((std::string("gemm_fc/") + isa_name(isa) + "/fc_1024to1000").c_str(),
                                 bm_fc, isa))
        ->Args({1, kFcIn, kFcOut})
        ->ArgNames({"M", "K", "N"});
}

}  // namespace
}  // namespace facet::bench

int main(int argc, char** argv) {
#ifdef FACET_HAVE_OPENBLAS
  openblas_set_num_threads(facet::bench::bench_threads());
#endif
  facet::bench::register_all();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
