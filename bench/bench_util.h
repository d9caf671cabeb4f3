// Shared by the bench programs: one built-in op set up once and run many times, the ISA variants
// this machine can run, seeded random tensors.
//
// Benchmarks reach the kernels through the op interface (registry -> Op::prepare -> infer ->
// run), so they follow the kernels as their signatures change, and they time exactly what a
// Session runs for that node: weight packing happens once in prepare(), outputs and scratch are
// allocated once, and run() is the timed call.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "engine/attributes.h"
#include "engine/cpu.h"
#include "engine/op.h"
#include "engine/tensor.h"
#include "engine/thread_pool.h"

namespace facet::bench {

// A built-in op with fixed inputs. Constant inputs are handed to prepare() and are plan-time
// constants for infer() (like initializers); the others are run-time inputs. An undefined
// Tensor is an absent optional input.
class OpHarness {
 public:
  OpHarness(const std::string& op_type, const Attributes& attrs, std::vector<Tensor> inputs,
            std::vector<bool> constant, int threads, int opset = 13);
  void run() const;  // one Op::run, no allocation
  const Tensor& output(int i) const { return outputs_.at(static_cast<size_t>(i)); }
  // Bytes of all inputs and outputs (for GB/s of memory-bound ops).
  double io_bytes() const;

 private:
  std::unique_ptr<Op> op_;
  std::vector<Tensor> inputs_, outputs_;
  std::vector<const Tensor*> in_ptrs_;
  std::vector<Tensor*> out_ptrs_;
  std::shared_ptr<void> scratch_;
  size_t scratch_bytes_ = 0;
  std::unique_ptr<ThreadPool> pool_;
};

// Sets the ISA override for its lifetime (ops choose their kernel variant from active_isa()).
class IsaScope {
 public:
  explicit IsaScope(Isa isa) { set_isa_override(isa); }
  ~IsaScope() { clear_isa_override(); }
  IsaScope(const IsaScope&) = delete;
  IsaScope& operator=(const IsaScope&) = delete;
};

// The variants this machine runs: ref always, then avx2 or neon when the CPU has them. The
// FACET_ISA cap applies (FACET_ISA=ref benchmarks only ref).
std::vector<Isa> runnable_isas();

// Threads for every benchmark: $FACET_BENCH_THREADS, default 1 (no pool).
int bench_threads();

// Time base of a registered benchmark: CPU time of the benchmark thread with one thread (steady
// on a shared machine), wall time with a pool (the other threads' work is not in that CPU time).
inline benchmark::internal::Benchmark* timed(benchmark::internal::Benchmark* b) {
  return bench_threads() > 1 ? b->UseRealTime() : b;
}

// Uniform [lo, hi) values from a seed.
Tensor random_tensor(const Shape& shape, uint32_t seed, float lo = -1.f, float hi = 1.f);

}  // namespace facet::bench
