// FMA-throughput probe: how many f32 FLOP/s this machine can do, per core and on all cores.
//
// `facet bench --peak` prints it, and `facet bench MODEL` reports a model's GFLOP/s as a share of
// it. Each variant runs `iters` iterations of a loop of independent multiply-add chains (enough
// chains to hide the FMA latency, few enough to stay in registers) and returns the FLOPs it did
// (one FMA = 2 FLOPs). The result goes to *sink so the loop cannot be optimised away.
//
// Variants: _ref (plain C++, baseline flags: multiply + add), _avx2 (8-wide FMA, built with
// -mavx2 -mfma only), _neon (4-wide FMA, aarch64). measure_fma_peak() picks the one for
// active_isa(), which honours FACET_ISA.
#pragma once

#include <cstdint>

#include "engine/cpu.h"

namespace facet::ops {

int64_t fma_peak_loop_ref(int64_t iters, float* sink);
int64_t fma_peak_loop_avx2(int64_t iters, float* sink);
int64_t fma_peak_loop_avx512(int64_t iters, float* sink);
int64_t fma_peak_loop_neon(int64_t iters, float* sink);

struct FmaPeak {
  Isa isa;                  // variant measured
  int threads;              // threads used for the all-cores number
  double gflops_per_core;   // one thread's FLOPs per second of its own CPU time, GFLOP/s
  double gflops_all_cores;  // `threads` threads at once: FLOPs per wall second, GFLOP/s
};

// Measures the peak: each figure is the best of `repeats` runs of about `seconds` each (best, not
// median: interference only ever lowers the rate). The per-core figure divides by the thread's
// CPU time, so other processes sharing the core do not lower it (a core's capability); the
// all-cores figure is wall-clock and so shows whatever else the machine is running. threads <= 0
// means all hardware threads. Takes about 2 * repeats * seconds.
FmaPeak measure_fma_peak(int threads = 0, double seconds = 0.1, int repeats = 3);

}  // namespace facet::ops
