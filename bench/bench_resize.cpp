// Resize family: bilinear (and nearest, for contrast) resize through the Resize op (opset 13,
// output size given by the constant `sizes` input). Reports bytes read + written per second.
// Threads: $FACET_BENCH_THREADS (default 1).
#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>

#include "bench/bench_util.h"

namespace facet::bench {
namespace {

struct ResizeShape {
  const char* what;
  int64_t c, h, w, oh, ow;
};

const ResizeShape kResize[] = {
    {"seg_logits_20ch_64x128_to_512x1024", 20, 64, 128, 512, 1024},  // ESPNet-style x8 upsampling
    {"feature_64ch_64x64_to_128x128", 64, 64, 64, 128, 128},          // decoder x2 upsampling
    {"image_3ch_480x640_to_240x320", 3, 480, 640, 240, 320},          // camera frame -> detector input
    {"image_3ch_512x512_to_120x120", 3, 512, 512, 120, 120},          // face crop -> 3DDFA input
};

void bm_resize(benchmark::State& state, Isa isa, ResizeShape s, const char* mode, const char* ctm) {
  IsaScope scope(isa);
  Attributes a;
  a.set_string("mode", mode);
  a.set_string("coordinate_transformation_mode", ctm);
  if (std::string(mode) == "nearest") a.set_string("nearest_mode", "round_prefer_floor");
  Tensor sizes = Tensor::from_i64({4}, {1, s.c, s.oh, s.ow});
  OpHarness h("Resize", a, {random_tensor({1, s.c, s.h, s.w}, 1), Tensor(), Tensor(), sizes},
              {false, true, true, true}, bench_threads());
  h.run();  // warm-up
  for (auto _ : state) h.run();
  const double bytes = 4.0 * static_cast<double>(s.c * (s.h * s.w + s.oh * s.ow));
  state.counters["bytes/s"] =
      benchmark::Counter(bytes, benchmark::Counter::kIsIterationInvariantRate);
}

void register_all() {
  for (Isa isa : runnable_isas()) {
    for (const ResizeShape& s : kResize) {
      std::string tag = std::string("/") + isa_name(isa) + "/" + s.what;
      timed(benchmark::RegisterBenchmark(("resize_bilinear_half_pixel" + tag).c_str(), bm_resize, isa, s,
                                   "linear", "half_pixel"))
          ->Args({s.c, s.h, s.w, s.oh, s.ow})
          ->ArgNames({"C", "H", "W", "OH", "OW"});
      timed(benchmark::RegisterBenchmark(("resize_bilinear_align_corners" + tag).c_str(), bm_resize, isa,
                                   s, "linear", "align_corners"))
          ->Args({s.c, s.h, s.w, s.oh, s.ow})
          ->ArgNames({"C", "H", "W", "OH", "OW"});
      timed(benchmark::RegisterBenchmark(("resize_nearest" + tag).c_str(), bm_resize, isa, s, "nearest",
                                   "asymmetric"))
          ->Args({s.c, s.h, s.w, s.oh, s.ow})
          ->ArgNames({"C", "H", "W", "OH", "OW"});
    }
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
