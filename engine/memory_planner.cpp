#include "engine/memory_planner.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <numeric>
#include <utility>

#include "engine/status.h"
#include "engine/tensor.h"

namespace facet {

namespace {

size_t aligned(size_t bytes) { return (bytes + kAlignment - 1) / kAlignment * kAlignment; }

// Greedy placement in the given order: each request goes into the best-fitting gap among the
// already placed requests alive at the same time, or above them all.
MemoryPlan place_in_order(const std::vector<BufferRequest>& requests,
                          const std::vector<size_t>& order) {
  MemoryPlan plan;
  plan.offsets.assign(requests.size(), 0);
  std::vector<size_t> placed;
  struct Span {
    size_t begin, end;
  };
  std::vector<Span> busy;
  for (size_t idx : order) {
    const BufferRequest& r = requests[idx];
    size_t size = aligned(r.bytes);
    if (size == 0) continue;
    busy.clear();
    for (size_t p : placed) {
      const BufferRequest& q = requests[p];
      if (q.last < r.first || r.last < q.first) continue;
      busy.push_back({plan.offsets[p], plan.offsets[p] + aligned(q.bytes)});
    }
    std::sort(busy.begin(), busy.end(), [](const Span& a, const Span& b) {
      return a.begin < b.begin;
    });
    size_t best = std::numeric_limits<size_t>::max(), best_gap = best;
    size_t cursor = 0;
    for (const Span& s : busy) {
      if (s.begin > cursor) {
        size_t gap = s.begin - cursor;
        if (gap >= size && gap < best_gap) {
          best_gap = gap;
          best = cursor;
        }
      }
      cursor = std::max(cursor, s.end);
    }
    if (best == std::numeric_limits<size_t>::max()) best = cursor;
    // Overflow-checked end (sizes were bounded by the caller, but many of them could add up).
    FACET_CHECK(best <= std::numeric_limits<size_t>::max() / 2 - size,
                "memory plan overflows the address space (", best, " + ", size, " bytes)");
    plan.offsets[idx] = best;
    plan.total_bytes = std::max(plan.total_bytes, best + size);
    placed.push_back(idx);
  }
  return plan;
}

}  // namespace

MemoryPlan plan_memory(const std::vector<BufferRequest>& requests) {
  const size_t n = requests.size();
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  // Largest first (the usual heuristic) is not always best: a chain where big and small
  // tensors alternate packs tighter in execution order. Try both, plus largest lifetime x size
  // first, and keep the smallest arena (ties: the earlier heuristic).
  std::vector<size_t> by_size = order;
  std::stable_sort(by_size.begin(), by_size.end(), [&](size_t a, size_t b) {
    return requests[a].bytes > requests[b].bytes;
  });
  std::vector<size_t> by_start = order;
  std::stable_sort(by_start.begin(), by_start.end(), [&](size_t a, size_t b) {
    if (requests[a].first != requests[b].first) return requests[a].first < requests[b].first;
    return requests[a].bytes > requests[b].bytes;
  });
  std::vector<size_t> by_area = order;
  auto area = [&](size_t i) {
    const BufferRequest& r = requests[i];
    return static_cast<double>(r.bytes) * static_cast<double>(r.last - r.first + 1);
  };
  std::stable_sort(by_area.begin(), by_area.end(),
                   [&](size_t a, size_t b) { return area(a) > area(b); });
  MemoryPlan best = place_in_order(requests, by_size);
  for (const std::vector<size_t>* o : {&by_start, &by_area}) {
    MemoryPlan p = place_in_order(requests, *o);
    if (p.total_bytes < best.total_bytes) best = std::move(p);
  }
  // Then, until the arena reaches the lower bound (the most bytes alive at one step), a few
  // dozen largest-first orders with sizes perturbed by a fixed-seed factor in [0.5, 1.5): the
  // greedy placement is sensitive to which of two similar buffers goes first.
  size_t bound = 0;
  {
    int steps = 0;
    for (const BufferRequest& r : requests) steps = std::max(steps, r.last + 1);
    std::vector<size_t> live(static_cast<size_t>(steps) + 1, 0);
    for (const BufferRequest& r : requests)
      for (int s = std::max(r.first, 0); s <= r.last && s < steps; ++s)
        live[static_cast<size_t>(s)] += aligned(r.bytes);
    for (size_t b : live) bound = std::max(bound, b);
  }
  uint64_t state = 0x9e3779b97f4a7c15ull;
  std::vector<double> key(n);
  std::vector<size_t> perturbed = order;
  for (int attempt = 0; attempt < 48 && best.total_bytes > bound; ++attempt) {
    for (size_t i = 0; i < n; ++i) {
      state = state * 6364136223846793005ull + 1442695040888963407ull;
      const double u = static_cast<double>(state >> 11) / 9007199254740992.0;  // [0, 1)
      key[i] = static_cast<double>(requests[i].bytes) * (0.5 + u);
    }
    perturbed = order;
    std::stable_sort(perturbed.begin(), perturbed.end(),
                     [&](size_t a, size_t b) { return key[a] > key[b]; });
    MemoryPlan p = place_in_order(requests, perturbed);
    if (p.total_bytes < best.total_bytes) best = std::move(p);
  }
  return best;
}

}  // namespace facet
