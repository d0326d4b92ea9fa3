// The dynamic batcher's decision function: given what is queued, the profiles and the time,
// either "send this batch now" or "wait until T". It is PURE (no clock, no locks, no
// threads): the batcher calls it under its mutex with Clock::Now(), and tests call it with
// hand-made queues and FakeClock times.
//
// Vocabulary
// - item: one queue entry (a request, or one piece of a request that was split at Enqueue).
//   `rows` is its size in the batch dimension.
// - shape key: items may share a batch only when their keys are equal. The batcher derives it
//   from the non-batch dims of every input (dims of pad_to_batch inputs that are dynamic are
//   left out, so those items are padded to the batch's longest instead).
// - profile mask: bit p set when profile p accepts the item's non-batch dims. A batch can run
//   on profile p only when p is in every member's mask and min_p <= total rows <= max_p.
//
// Scheduling order: priority level 1 (highest) first; within a level, items that have not
// timed out in arrival order, then items whose kDelay timeout expired (in arrival order),
// exactly as Triton's priority queue orders its per-level "delayed" queue. The head of the
// queue is the first item in that order.
//
// Batch formation rules (batching enabled, i.e. max_batch_size > 0):
//  1. No idle instance -> wait (for an instance, or until the next queue deadline).
//  2. The head is always in the batch. Going down the scheduling order, the batch collects
//     every item with the head's shape key whose mask still intersects the batch's mask;
//     others are skipped (they stay queued in order). Collection stops at the first compatible
//     item that would push the total past the cap, where
//        C   = the largest max batch of the profiles in the head's mask (the largest batch
//              anything can run for these shapes), and
//        cap = the largest preferred batch size <= C, or C when there is none.
//  3. Candidate batch sizes are the totals of the collected prefixes (FIFO: a batch is
//     always a prefix of the compatible items, never a pick-and-choose subset). A total is
//     VALID when some profile in the prefix's mask accepts it (min_p <= N <= max_p).
//  4. Send now, with the largest valid total collected, when any of these holds:
//     a. some valid prefix total is a preferred batch size ("a preferred size is reached").
//        Unlike Triton, the batch is NOT cut back to that preferred size: with preferred
//        sizes {1, 4, 128} (the opt sizes of latency/dynamic/offline profiles) and 16
//        compatible requests queued, Triton's rule would send 4 (or even 1) and leave the
//        rest queued behind it; here all 16 go together on the profile whose opt is closest.
//        A preferred size decides WHEN to send; the profiles decide HOW MUCH fits;
//     b. the batch cannot grow any further (the collected total reached the cap, or the
//        next compatible item does not fit under it);
//     c. waiting is over (draining, max_queue_delay is 0, the oldest member that has not
//        timed out has waited max_queue_delay, or every member already timed out with
//        kDelay).
//     Otherwise wait until the oldest member's arrival + max_queue_delay.
//  5. The profile: among profiles in the batch's mask whose [min, max] contains N, the one
//     whose opt batch is closest to N (ties -> lower index).
// Gaps between profiles (e.g. latency = [1, 1] and offline = [128, 128]): rule 3 never
// produces a total outside every profile, so a queue of 100 single-row items sends batches
// of 1 until 128 are queued at once. A decision always exists because every item is itself
// a valid batch: Enqueue splits requests into pieces whose sizes some profile accepts (see
// SplitRows), and refuses requests that cannot be split that way.
//
// Without batching (max_batch_size = 0) every item runs alone, on the lowest profile in its
// mask (the batcher gives such items a one-bit mask: the profile SelectProfile picked), in
// the same scheduling order; rules 1 and the deadline wake-ups still apply.
//
// Deadlines: the batcher expires items before it asks for a decision (kReject items are
// removed and answered, kDelay items get `expired`). A wait decision's wake time is the
// earlier of the batch's delay and the earliest deadline of any item that has not expired,
// so the batcher wakes up in time to expire it.
// Threading: pure functions; safe from any thread.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "server/clock.h"

namespace trt::server {

// The batch-dimension range of one optimization profile.
struct BatchRange {
  int64_t min = 1;
  int64_t opt = 1;
  int64_t max = 1;
  bool Accepts(int64_t n) const { return n >= min && n <= max; }
};

// What the decision function needs to know about the model; fixed at batcher creation.
struct PolicyConfig {
  std::vector<BatchRange> profiles;  // in plan order; at most 64
  // Ascending; sizes outside every profile never count as "reached" (they may still cap).
  std::vector<int64_t> preferred_batch_sizes;
  Duration max_queue_delay{0};
  bool batching = true;  // false: max_batch_size = 0, every item runs alone
};

// One queue entry as the policy sees it.
struct QueuedItem {
  int64_t rows = 1;           // batch rows (1 when batching is off)
  uint64_t shape_key = 0;     // equal keys may share a batch
  uint64_t profile_mask = 0;  // bit p: profile p accepts the non-batch dims
  TimePoint arrival{};
  TimePoint deadline = TimePoint::max();  // queue timeout; max() = none
  bool expired = false;                   // kDelay timeout passed: scheduled after the rest
};

struct QueueState {
  // Index 0 = priority level 1 (highest). Each level's items in arrival order.
  std::span<const std::span<const QueuedItem>> levels;
  int idle_instances = 0;
  bool draining = false;  // never wait for max_queue_delay
};

struct ItemRef {
  int level = 0;  // index into QueueState::levels
  int index = 0;  // index into that level
};

struct BatchDecision {
  enum class Kind {
    kIdle,  // nothing to do until something is enqueued or an instance frees up
    kWait,  // nothing to send now; decide again at wake_at (or earlier, on any change)
    kSend,  // run `items` (in this order, totalling batch_size rows) on `profile`
  };
  Kind kind = Kind::kIdle;
  TimePoint wake_at = TimePoint::max();
  int profile = -1;
  int64_t batch_size = 0;
  std::vector<ItemRef> items;  // reused across calls (cleared, capacity kept)
};

// Decides what to do at `now`. See the file comment for the rules.
void DecideBatch(const PolicyConfig& config, const QueueState& queue, TimePoint now,
                 BatchDecision* decision);

// Among profiles in `mask` that accept a batch of `n`, the one whose opt is closest to n
// (ties -> lower index); -1 when none accepts it.
int ChooseProfile(const std::vector<BatchRange>& profiles, uint64_t mask, int64_t n);

// Splits `rows` into the fewest pieces whose sizes some profile in `mask` accepts, larger
// pieces first (e.g. 300 with profiles [1,1], [1,32], [64,128] -> 128, 108, 64). Empty when
// no such split exists (e.g. 10 rows when the only profile is [64, 128]). A request whose
// rows some profile accepts directly comes back as one piece. Cost O(rows * profiles).
std::vector<int64_t> SplitRows(const std::vector<BatchRange>& profiles, uint64_t mask,
                               int64_t rows);

}  // namespace trt::server
