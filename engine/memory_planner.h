// Liveness-based placement of buffers in one arena.
//
// Each request lives from step `first` to step `last` (inclusive). Two requests whose lifetimes
// intersect never overlap in memory; others may share bytes. Requests are placed one at a time,
// each into the best-fitting gap among the already placed requests that are alive at the same
// time (XNNPACK's memory planner and ggml-alloc work the same way), in three orders: largest
// first, by first use, and by bytes x lifetime; then, while the arena is above the lower bound
// (the most bytes alive at one step), up to 48 largest-first orders with sizes perturbed by a
// fixed-seed factor (deterministic). The smallest arena wins. Offsets are multiples of
// kAlignment.
#pragma once

#include <cstddef>
#include <vector>

namespace facet {

struct BufferRequest {
  size_t bytes = 0;
  int first = 0;
  int last = 0;
};

struct MemoryPlan {
  std::vector<size_t> offsets;  // one per request
  size_t total_bytes = 0;       // arena size needed
};

MemoryPlan plan_memory(const std::vector<BufferRequest>& requests);

}  // namespace facet
