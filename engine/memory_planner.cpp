#include "engine/memory_planner.h"

#include <algorithm>
#include <limits>
#include <numeric>

#include "engine/status.h"
#include "engine/tensor.h"

namespace facet {

MemoryPlan plan_memory(const std::vector<BufferRequest>& requests) {
  const size_t n = requests.size();
  MemoryPlan plan;
  plan.offsets.assign(n, 0);
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return requests[a].bytes > requests[b].bytes;
  });
  auto aligned = [](size_t b) { return (b + kAlignment - 1) / kAlignment * kAlignment; };
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

}  // namespace facet
