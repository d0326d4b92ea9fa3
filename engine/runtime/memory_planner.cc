// Greedy-by-size arena planner (see memory_planner.h).
#include "engine/runtime/memory_planner.h"

#include <algorithm>
#include <numeric>

namespace trt::runtime {
namespace {

int64_t AlignUp(int64_t v, int64_t a) { return (v + a - 1) / a * a; }

bool LiveTogether(const BufferRequest& a, const BufferRequest& b) {
  return a.first <= b.last && b.first <= a.last;
}

}  // namespace

MemoryPlan PlanMemory(const std::vector<BufferRequest>& requests, int64_t alignment) {
  MemoryPlan plan;
  plan.offsets.assign(requests.size(), 0);
  std::vector<size_t> order(requests.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return requests[a].bytes > requests[b].bytes; });
  std::vector<size_t> placed;
  std::vector<std::pair<int64_t, int64_t>> busy;  // [begin, end) of live-overlapping blocks
  for (size_t idx : order) {
    const BufferRequest& r = requests[idx];
    const int64_t size = AlignUp(std::max<int64_t>(r.bytes, 1), alignment);
    busy.clear();
    for (size_t p : placed) {
      if (LiveTogether(r, requests[p])) {
        busy.emplace_back(
            plan.offsets[p],
            plan.offsets[p] + AlignUp(std::max<int64_t>(requests[p].bytes, 1), alignment));
      }
    }
    std::sort(busy.begin(), busy.end());
    int64_t offset = 0;
    for (const auto& [begin, end] : busy) {
      if (offset + size <= begin) break;  // fits in the gap before this block
      offset = std::max(offset, end);
    }
    plan.offsets[idx] = offset;
    plan.arena_bytes = std::max(plan.arena_bytes, offset + size);
    placed.push_back(idx);
  }
  return plan;
}

bool IsValidMemoryPlan(const std::vector<BufferRequest>& requests, const MemoryPlan& plan) {
  if (plan.offsets.size() != requests.size()) return false;
  for (size_t i = 0; i < requests.size(); ++i) {
    if (plan.offsets[i] < 0 || plan.offsets[i] + requests[i].bytes > plan.arena_bytes) return false;
    for (size_t j = i + 1; j < requests.size(); ++j) {
      if (!LiveTogether(requests[i], requests[j])) continue;
      if (requests[i].bytes == 0 || requests[j].bytes == 0) continue;
      const bool disjoint = plan.offsets[i] + requests[i].bytes <= plan.offsets[j] ||
                            plan.offsets[j] + requests[j].bytes <= plan.offsets[i];
      if (!disjoint) return false;
    }
  }
  return true;
}

}  // namespace trt::runtime
