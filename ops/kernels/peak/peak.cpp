// FMA-throughput probe: variant dispatch, timing, and the all-cores run.
#include "ops/kernels/peak/peak.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include <time.h>

#include "engine/thread_pool.h"

namespace facet::ops {

namespace {

using LoopFn = int64_t (*)(int64_t, float*);

LoopFn loop_for(Isa isa) {
#if defined(__x86_64__) || defined(_M_X64)
  if (isa == Isa::kAvx512) return fma_peak_loop_avx512;
  if (isa == Isa::kAvx2) return fma_peak_loop_avx2;
#endif
#if defined(__aarch64__)
  if (isa == Isa::kNeon) return fma_peak_loop_neon;
#endif
  (void)isa;
  return fma_peak_loop_ref;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Iterations that take about `seconds` on one thread.
int64_t calibrate(LoopFn fn, double seconds) {
  float sink = 0.f;
  int64_t iters = 1 << 14;
  for (;;) {
    auto t0 = std::chrono::steady_clock::now();
    fn(iters, &sink);
    double dt = seconds_since(t0);
    if (dt >= seconds * 0.25 || iters > (int64_t(1) << 40)) {
      return std::max<int64_t>(1, static_cast<int64_t>(static_cast<double>(iters) * seconds /
                                                       std::max(dt, 1e-9)));
    }
    iters *= 4;
  }
}

// CPU time of the calling thread in seconds (wall time where there is no per-thread clock).
double thread_cpu_seconds() {
#if defined(CLOCK_THREAD_CPUTIME_ID)
  timespec ts;
  if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) == 0)
    return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
#endif
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

struct RunResult {
  double wall_gflops;     // all threads' FLOPs over the wall time from common start to last finish
  double per_cpu_gflops;  // thread 0's FLOPs over its own CPU time
};

// Runs the loop on `threads` threads started together.
RunResult run_threads(LoopFn fn, int threads, int64_t iters) {
  std::vector<float> sinks(static_cast<size_t>(threads), 0.f);
  std::vector<int64_t> flops(static_cast<size_t>(threads), 0);
  std::atomic<int> ready{0};
  std::atomic<bool> go{false};
  std::vector<std::thread> workers;
  for (int t = 1; t < threads; ++t) {
    workers.emplace_back([&, t] {
      ready.fetch_add(1);
      while (!go.load(std::memory_order_acquire)) std::this_thread::yield();
      flops[static_cast<size_t>(t)] = fn(iters, &sinks[static_cast<size_t>(t)]);
    });
  }
  while (ready.load() < threads - 1) std::this_thread::yield();
  auto t0 = std::chrono::steady_clock::now();
  go.store(true, std::memory_order_release);
  double c0 = thread_cpu_seconds();
  flops[0] = fn(iters, &sinks[0]);
  double cpu = thread_cpu_seconds() - c0;
  for (auto& w : workers) w.join();
  double dt = seconds_since(t0);
  double total = 0;
  for (int64_t f : flops) total += static_cast<double>(f);
  return {total / std::max(dt, 1e-9) / 1e9, static_cast<double>(flops[0]) / std::max(cpu, 1e-9) / 1e9};
}

}  // namespace

FmaPeak measure_fma_peak(int threads, double seconds, int repeats) {
  FmaPeak r{};
  r.isa = active_isa();
  r.threads = threads > 0 ? threads : hardware_threads();
  LoopFn fn = loop_for(r.isa);
  int64_t iters = calibrate(fn, seconds);
  for (int k = 0; k < std::max(1, repeats); ++k) {
    r.gflops_per_core = std::max(r.gflops_per_core, run_threads(fn, 1, iters).per_cpu_gflops);
    if (r.threads > 1)
      r.gflops_all_cores = std::max(r.gflops_all_cores, run_threads(fn, r.threads, iters).wall_gflops);
  }
  if (r.threads == 1) r.gflops_all_cores = r.gflops_per_core;
  return r;
}

}  // namespace facet::ops
