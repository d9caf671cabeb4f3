// Convolution family (besides 1x1): MobileNetV1's depthwise 3x3 layers (stride 1 and 2, pad 1)
// and its first dense 3x3 stride-2 layer, through the Conv op. Reports FLOP/s (2 * MACs per run)
// and, for the memory-bound depthwise layers, the bytes of input + weights + output per second.
// Threads: $FACET_BENCH_THREADS (default 1).
#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>

#include "bench/bench_util.h"

namespace facet::bench {
namespace {

struct ConvShape {
  const char* layer;
  int64_t cin, cout, h, w, stride, group;  // 3x3 kernel, pad 1
};

// MobileNetV1 width 1.0 (the input size is in the name).
const ConvShape kDepthwise[] = {
    {"224/dw1_32_112x112_s1", 32, 32, 112, 112, 1, 32},      // first block
    {"224/dw2_64_112x112_s2", 64, 64, 112, 112, 2, 64},      // -> 56x56
    {"224/dw3_128_56x56_s1", 128, 128, 56, 56, 1, 128},      //
    {"224/dw4_128_56x56_s2", 128, 128, 56, 56, 2, 128},      // -> 28x28
    {"224/dw5_256_28x28_s1", 256, 256, 28, 28, 1, 256},      //
    {"224/dw6_256_28x28_s2", 256, 256, 28, 28, 2, 256},      // -> 14x14
    {"224/dw7-11_512_14x14_s1", 512, 512, 14, 14, 1, 512},   // five identical layers
    {"224/dw12_512_14x14_s2", 512, 512, 14, 14, 2, 512},     // -> 7x7
    {"224/dw13_1024_7x7_s1", 1024, 1024, 7, 7, 1, 1024},     // last block: width 7, all tail
    {"120/dw1_32_60x60_s1", 32, 32, 60, 60, 1, 32},          // 120x120 input
    {"120/dw4_128_30x30_s2", 128, 128, 30, 30, 2, 128},      // -> 15x15 (odd)
    {"120/dw7-11_512_8x8_s1", 512, 512, 8, 8, 1, 512},       // tiny planes
    // 3DDFA's MobileNetV1 width 0.5 at 120x120 (the small planes of the face crop models).
    {"3ddfa/dw3_1_64_30x30_s1", 64, 64, 30, 30, 1, 64},      //
    {"3ddfa/dw4_1_128_15x15_s1", 128, 128, 15, 15, 1, 128},  // odd width
    {"3ddfa/dw5_256_8x8_s1", 256, 256, 8, 8, 1, 256},        // five identical layers
    {"3ddfa/dw6_512_4x4_s1", 512, 512, 4, 4, 1, 512},        // half-vector rows
};

// The first layer: dense 3x3 stride 2, 3 -> 32 channels.
const ConvShape kFirst[] = {
    {"224/conv1_3to32_224x224_s2", 3, 32, 224, 224, 2, 1},  // MobileNetV1 224
    {"120/conv1_3to32_120x120_s2", 3, 32, 120, 120, 2, 1},  // MobileNetV1 120 / 3DDFA mb05 (16 ch)
    {"320/conv1_3to16_320x320_s2", 3, 16, 320, 320, 2, 1},  // YuNet-sized input
};

int64_t out_size(int64_t in, int64_t stride) { return (in + 2 - 3) / stride + 1; }

void bm_conv3x3(benchmark::State& state, Isa isa, ConvShape s) {
  IsaScope scope(isa);
  Attributes a;
  a.set_ints("kernel_shape", {3, 3});
  a.set_ints("pads", {1, 1, 1, 1});
  a.set_ints("strides", {s.stride, s.stride});
  a.set_int("group", s.group);
  OpHarness h("Conv", a,
              {random_tensor({1, s.cin, s.h, s.w}, 1),
               random_tensor({s.cout, s.cin / s.group, 3, 3}, 2, -0.3f, 0.3f),
               random_tensor({s.cout}, 3)},
              {false, true, true}, bench_threads());
  h.run();  // warm-up
  for (auto _ : state) h.run();
  const int64_t ho = out_size(s.h, s.stride), wo = out_size(s.w, s.stride);
  const double macs = static_cast<double>(s.cout * ho * wo * (s.cin / s.group) * 9);
  state.counters["FLOP/s"] =
      benchmark::Counter(2.0 * macs, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["bytes/s"] =
      benchmark::Counter(h.io_bytes(), benchmark::Counter::kIsIterationInvariantRate);
}

// Direct-conv shapes (group 1, few output or input channels): style transfer's 9x9 first and
// last convs (at 256x256 to keep runs short), ESPNet's dilated 3x3 convs and its classifier.
struct DirectShape {
  const char* layer;
  int64_t cin, cout, h, w, k, stride, dilation;  // pad = dilation * (k - 1) / 2
};
const DirectShape kDirect[] = {
    {"style/last_32to3_9x9_256x256", 32, 3, 256, 256, 9, 1, 1},
    {"style/first_3to32_9x9_256x256", 3, 32, 256, 256, 9, 1, 1},
    {"espnet/d2_20to20_3x3_128x256", 20, 20, 128, 256, 3, 1, 2},
    {"espnet/d8_20to20_3x3_128x256", 20, 20, 128, 256, 3, 1, 8},
    {"espnet/d16_25to25_3x3_64x128", 25, 25, 64, 128, 3, 1, 16},
    {"espnet/classes_19to20_3x3_256x512", 19, 20, 256, 512, 3, 1, 1},
};

void bm_conv_direct(benchmark::State& state, Isa isa, DirectShape s) {
  IsaScope scope(isa);
  const int64_t pad = s.dilation * (s.k - 1) / 2;
  Attributes a;
  a.set_ints("kernel_shape", {s.k, s.k});
  a.set_ints("pads", {pad, pad, pad, pad});
  a.set_ints("strides", {s.stride, s.stride});
  a.set_ints("dilations", {s.dilation, s.dilation});
  OpHarness h("Conv", a,
              {random_tensor({1, s.cin, s.h, s.w}, 1),
               random_tensor({s.cout, s.cin, s.k, s.k}, 2, -0.3f, 0.3f),
               random_tensor({s.cout}, 3)},
              {false, true, true}, bench_threads());
  h.run();  // warm-up
  for (auto _ : state) h.run();
  const int64_t ho = (s.h + 2 * pad - s.dilation * (s.k - 1) - 1) / s.stride + 1;
  const int64_t wo = (s.w + 2 * pad - s.dilation * (s.k - 1) - 1) / s.stride + 1;
  const double macs = static_cast<double>(s.cout * ho * wo * s.cin * s.k * s.k);
  state.counters["FLOP/s"] =
      benchmark::Counter(2.0 * macs, benchmark::Counter::kIsIterationInvariantRate);
}

void register_all() {
  for (Isa isa : runnable_isas()) {
    for (const ConvShape& s : kDepthwise)
      timed(benchmark::RegisterBenchmark((std::string("dwconv3x3/") + isa_name(isa) + "/" + s.layer).c_str(),
                                   bm_conv3x3, isa, s))
          ->Args({s.cin, s.h, s.w, s.stride})
          ->ArgNames({"C", "H", "W", "S"});
    for (const ConvShape& s : kFirst)
      timed(benchmark::RegisterBenchmark((std::string("conv3x3/") + isa_name(isa) + "/" + s.layer).c_str(),
                                   bm_conv3x3, isa, s))
          ->Args({s.cin, s.cout, s.h, s.w, s.stride})
          ->ArgNames({"C", "M", "H", "W", "S"});
    for (const DirectShape& s : kDirect)
      timed(benchmark::RegisterBenchmark((std::string("convdirect/") + isa_name(isa) + "/" + s.layer).c_str(),
                                   bm_conv_direct, isa, s));
  }
}

}  // namespace
}  // namespace facet::bench

int main(int argc, char** argv) {
  facet::bench::register_all();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
