#include "server/batch_policy.h"

#include <algorithm>
#include <bit>
#include <deque>
#include <limits>

namespace trt::server {
namespace {

bool InMask(uint64_t mask, size_t p) { return p < 64 && (mask >> p) & 1; }

bool ValidTotal(const std::vector<BatchRange>& profiles, uint64_t mask, int64_t n) {
  for (size_t p = 0; p < profiles.size(); ++p) {
    if (InMask(mask, p) && profiles[p].Accepts(n)) return true;
  }
  return false;
}

int64_t LargestMax(const std::vector<BatchRange>& profiles, uint64_t mask) {
  int64_t c = 0;
  for (size_t p = 0; p < profiles.size(); ++p) {
    if (InMask(mask, p)) c = std::max(c, profiles[p].max);
  }
  return c;
}

bool IsPreferred(const std::vector<int64_t>& preferred, int64_t n) {
  return std::binary_search(preferred.begin(), preferred.end(), n);
}

// Calls fn(level, index, item) in scheduling order until fn returns false.
template <typename Fn>
void ForEachInOrder(const QueueState& queue, Fn&& fn) {
  for (size_t l = 0; l < queue.levels.size(); ++l) {
    const auto& level = queue.levels[l];
    for (int pass = 0; pass < 2; ++pass) {  // not expired, then expired
      for (size_t i = 0; i < level.size(); ++i) {
        if (level[i].expired != (pass == 1)) continue;
        if (!fn(static_cast<int>(l), static_cast<int>(i), level[i])) return;
      }
    }
  }
}

TimePoint EarliestDeadline(const QueueState& queue) {
  TimePoint earliest = TimePoint::max();
  for (const auto& level : queue.levels) {
    for (const QueuedItem& item : level) {
      if (!item.expired) earliest = std::min(earliest, item.deadline);
    }
  }
  return earliest;
}

void Wait(TimePoint until, BatchDecision* d) {
  d->kind = until == TimePoint::max() ? BatchDecision::Kind::kIdle : BatchDecision::Kind::kWait;
  d->wake_at = until;
}

// Max-batch-size-0 models: the head runs alone on its (single) profile.
void DecideUnbatched(const QueueState& queue, BatchDecision* d) {
  ForEachInOrder(queue, [&](int l, int i, const QueuedItem& item) {
    d->kind = BatchDecision::Kind::kSend;
    d->profile = item.profile_mask == 0 ? 0 : std::countr_zero(item.profile_mask);
    d->batch_size = item.rows;
    d->items.push_back({l, i});
    return false;
  });
}

}  // namespace

int ChooseProfile(const std::vector<BatchRange>& profiles, uint64_t mask, int64_t n) {
  int best = -1;
  int64_t best_distance = 0;
  for (size_t p = 0; p < profiles.size(); ++p) {
    if (!InMask(mask, p) || !profiles[p].Accepts(n)) continue;
    const int64_t distance = profiles[p].opt > n ? profiles[p].opt - n : n - profiles[p].opt;
    if (best < 0 || distance < best_distance) {
      best = static_cast<int>(p);
      best_distance = distance;
    }
  }
  return best;
}

std::vector<int64_t> SplitRows(const std::vector<BatchRange>& profiles, uint64_t mask,
                               int64_t rows) {
  if (rows <= 0) return {};
  if (ValidTotal(profiles, mask, rows)) return {rows};
  // fewest[n] = fewest pieces that sum to n (kNone when impossible) =
  //   1 + min over profiles p of min(fewest[n - max_p .. n - min_p]),
  // each window minimum kept in a monotonic deque, so the cost is O(rows * profiles).
  constexpr int kNone = std::numeric_limits<int>::max();
  std::vector<int> fewest(static_cast<size_t>(rows) + 1, kNone);
  fewest[0] = 0;
  std::vector<std::deque<int64_t>> windows(profiles.size());
  for (int64_t n = 1; n <= rows; ++n) {
    for (size_t p = 0; p < profiles.size(); ++p) {
      const int64_t lo_size = std::max<int64_t>(profiles[p].min, 1);
      if (!InMask(mask, p) || profiles[p].max < lo_size) continue;
      std::deque<int64_t>& window = windows[p];
      const int64_t newest = n - lo_size;  // enters the window now
      if (newest >= 0 && fewest[newest] != kNone) {
        while (!window.empty() && fewest[window.back()] >= fewest[newest]) window.pop_back();
        window.push_back(newest);
      }
      while (!window.empty() && window.front() < n - profiles[p].max) window.pop_front();
      if (!window.empty()) fewest[n] = std::min(fewest[n], fewest[window.front()] + 1);
    }
  }
  if (fewest[rows] == kNone) return {};
  const int64_t largest = LargestMax(profiles, mask);
  std::vector<int64_t> pieces;
  for (int64_t rest = rows; rest > 0;) {
    int64_t take = 0;
    for (int64_t s = std::min(rest, largest); s >= 1 && take == 0; --s) {
      if (ValidTotal(profiles, mask, s) && fewest[rest - s] == fewest[rest] - 1) take = s;
    }
    pieces.push_back(take);
    rest -= take;
  }
  return pieces;
}

void DecideBatch(const PolicyConfig& config, const QueueState& queue, TimePoint now,
                 BatchDecision* d) {
  d->kind = BatchDecision::Kind::kIdle;
  d->wake_at = TimePoint::max();
  d->profile = -1;
  d->batch_size = 0;
  d->items.clear();

  const TimePoint earliest_deadline = EarliestDeadline(queue);
  if (queue.idle_instances <= 0) return Wait(earliest_deadline, d);
  if (!config.batching) {
    DecideUnbatched(queue, d);
    if (d->items.empty()) Wait(earliest_deadline, d);
    return;
  }

  // Rule 2: collect the head and the compatible items behind it, up to the cap.
  const QueuedItem* head = nullptr;
  uint64_t mask = 0;
  int64_t cap = 0, total = 0;
  bool blocked = false;                       // the next compatible item does not fit under the cap
  TimePoint oldest = TimePoint::max();        // oldest member that has not timed out
  size_t best_valid = 0;      // prefix length (0 = none)
  bool best_preferred = false;  // some valid prefix total is a preferred size
  int64_t valid_total = 0;
  uint64_t valid_mask = 0;
  ForEachInOrder(queue, [&](int l, int i, const QueuedItem& item) {
    if (head == nullptr) {
      head = &item;
      mask = item.profile_mask;
      const int64_t c = LargestMax(config.profiles, mask);
      cap = c;
      for (int64_t p : config.preferred_batch_sizes) {
        if (p <= c) cap = p;
      }
    } else {
      if (item.shape_key != head->shape_key || (mask & item.profile_mask) == 0) return true;
      if (total + item.rows > cap || total + item.rows > LargestMax(config.profiles, mask)) {
        blocked = true;
        return false;
      }
    }
    mask &= item.profile_mask;
    total += item.rows;
    d->items.push_back({l, i});
    if (!item.expired) oldest = std::min(oldest, item.arrival);
    // Rule 3: remember the largest valid prefix, and whether a preferred size was reached.
    if (ValidTotal(config.profiles, mask, total)) {
      best_valid = d->items.size();
      valid_total = total;
      valid_mask = mask;
      if (IsPreferred(config.preferred_batch_sizes, total)) best_preferred = true;
    }
    return total < cap;
  });
  if (head == nullptr) return Wait(earliest_deadline, d);

  // Rule 4.
  size_t keep = 0;
  int64_t n = 0;
  uint64_t batch_mask = 0;
  const bool full = total >= cap || blocked;
  const bool due = queue.draining || config.max_queue_delay.count() <= 0 ||
                   oldest == TimePoint::max() || now - oldest >= config.max_queue_delay;
  // Once a preferred size is reached the batch goes now, with everything collected (the
  // largest valid total), not cut back to that preferred size: see rule 4a.
  if ((best_preferred > 0 || full || due) && best_valid > 0) {
    keep = best_valid, n = valid_total, batch_mask = valid_mask;
  } else if (best_valid == 0) {
    // Unreachable when Enqueue split the request (each item is a valid batch on its own);
    // run the head alone so that the engine reports the problem instead of a silent stall.
    keep = 1, n = head->rows, batch_mask = head->profile_mask;
  } else {
    d->items.clear();
    return Wait(std::min(oldest + config.max_queue_delay, earliest_deadline), d);
  }
  d->items.resize(keep);
  d->kind = BatchDecision::Kind::kSend;
  d->batch_size = n;
  d->profile = ChooseProfile(config.profiles, batch_mask, n);
  if (d->profile < 0) d->profile = batch_mask == 0 ? 0 : std::countr_zero(batch_mask);
}

}  // namespace trt::server
