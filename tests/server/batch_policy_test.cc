// The pure batching decision, driven with FakeClock times (simulated microseconds).
#include "server/batch_policy.h"

#include <gtest/gtest.h>

#include <random>
#include <span>
#include <vector>

namespace trt::server {
namespace {

using std::chrono::microseconds;
using Kind = BatchDecision::Kind;

constexpr uint64_t kAll = ~uint64_t{0};

// latency [1, 1], dynamic [1, 32] opt 4, offline [64, 128] opt 128.
std::vector<BatchRange> ThreeProfiles() { return {{1, 1, 1}, {1, 4, 32}, {64, 128, 128}}; }

PolicyConfig Config(std::vector<int64_t> preferred, int64_t delay_us,
                    std::vector<BatchRange> profiles = ThreeProfiles()) {
  PolicyConfig c;
  c.profiles = std::move(profiles);
  c.preferred_batch_sizes = std::move(preferred);
  c.max_queue_delay = microseconds(delay_us);
  return c;
}

QueuedItem Item(TimePoint arrival, int64_t rows = 1, uint64_t key = 0, uint64_t mask = kAll) {
  QueuedItem q;
  q.rows = rows;
  q.shape_key = key;
  q.profile_mask = mask;
  q.arrival = arrival;
  return q;
}

// A queue with `n` priority levels that hands DecideBatch its views.
struct Queue {
  explicit Queue(int n = 1) : levels(n) {}
  std::vector<std::vector<QueuedItem>> levels;

  BatchDecision Decide(const PolicyConfig& c, TimePoint now, int idle = 1, bool draining = false) {
    std::vector<std::span<const QueuedItem>> views(levels.begin(), levels.end());
    BatchDecision d;
    DecideBatch(c, QueueState{views, idle, draining}, now, &d);
    return d;
  }
  // Removes the decision's items (what the batcher does after a send).
  void Take(const BatchDecision& d) {
    std::vector<std::vector<bool>> taken(levels.size());
    for (size_t l = 0; l < levels.size(); ++l) taken[l].assign(levels[l].size(), false);
    for (const ItemRef& r : d.items) taken[r.level][r.index] = true;
    for (size_t l = 0; l < levels.size(); ++l) {
      std::vector<QueuedItem> kept;
      for (size_t i = 0; i < levels[l].size(); ++i) {
        if (!taken[l][i]) kept.push_back(levels[l][i]);
      }
      levels[l] = std::move(kept);
    }
  }
};

// Checks that `d` sends a batch of `batch_size` (on `profile`, unless -1).
void ExpectSend(const BatchDecision& d, int64_t batch_size, int profile = -1) {
  ASSERT_EQ(d.kind, Kind::kSend);
  EXPECT_EQ(d.batch_size, batch_size);
  if (profile >= 0) {
    EXPECT_EQ(d.profile, profile);
  }
}

std::vector<int> Indices(const BatchDecision& d) {
  std::vector<int> v;
  for (const ItemRef& r : d.items) v.push_back(r.index);
  return v;
}

TEST(BatchPolicyTest, PreferredSizeReachedIsSentAtOnce) {
  FakeClock clock;
  const TimePoint t0 = clock.Now();
  Queue q;
  for (int i = 0; i < 4; ++i) q.levels[0].push_back(Item(t0));
  BatchDecision d = q.Decide(Config({4}, 1000), t0);
  ExpectSend(d, 4, 1);  // dynamic: [1, 32] contains 4, opt 4
  EXPECT_EQ(Indices(d), (std::vector<int>{0, 1, 2, 3}));
}

// Rule 4a: reaching a preferred size decides WHEN to send, not how much: everything
// collected goes (Triton would cut the batch back to the preferred size, here 1 or 4).
TEST(BatchPolicyTest, PreferredSizeReachedSendsEverythingCollected) {
  FakeClock clock;
  const TimePoint t0 = clock.Now();
  Queue q;
  for (int i = 0; i < 16; ++i) q.levels[0].push_back(Item(t0));
  // {1, 4, 128}: the opt sizes of latency [1,1], dynamic [1,32] opt 4, offline [64,128].
  BatchDecision d = q.Decide(Config({1, 4, 128}, 500), t0);
  ExpectSend(d, 16, /*profile=*/1);
  EXPECT_EQ(d.items.size(), 16u);
  // 40 queued: everything up to the dynamic profile's max (32) goes; the rest waits its turn.
  Queue big;
  for (int i = 0; i < 40; ++i) big.levels[0].push_back(Item(t0));
  ExpectSend(big.Decide(Config({1, 4, 128}, 500), t0), 32, /*profile=*/1);
  // A lone request with preferred size 1 still leaves at once.
  Queue lone;
  lone.levels[0].push_back(Item(t0));
  ExpectSend(lone.Decide(Config({1, 4, 128}, 500), t0), 1, /*profile=*/0);
}

TEST(BatchPolicyTest, BelowPreferredWaitsExactlyUntilOldestPlusDelayThenSends) {
  FakeClock clock;
  const TimePoint t0 = clock.Now();
  Queue q;
  q.levels[0].push_back(Item(t0));
  clock.Advance(microseconds(100));
  q.levels[0].push_back(Item(clock.Now()));
  clock.Advance(microseconds(100));
  q.levels[0].push_back(Item(clock.Now()));
  const PolicyConfig c = Config({4}, 1000);

  BatchDecision d = q.Decide(c, clock.Now());
  ASSERT_EQ(d.kind, Kind::kWait);
  EXPECT_EQ(d.wake_at, t0 + microseconds(1000));
  EXPECT_TRUE(d.items.empty());

  clock.Advance(microseconds(799));  // t0 + 999 us: one microsecond short
  EXPECT_EQ(q.Decide(c, clock.Now()).kind, Kind::kWait);

  clock.Advance(microseconds(1));  // t0 + 1000 us
  d = q.Decide(c, clock.Now());
  ExpectSend(d, 3, 1);
}

TEST(BatchPolicyTest, ZeroDelayOrDrainingSendsWhatIsQueued) {
  FakeClock clock;
  Queue q;
  for (int i = 0; i < 3; ++i) q.levels[0].push_back(Item(clock.Now()));
  BatchDecision d = q.Decide(Config({16}, 0), clock.Now());
  ExpectSend(d, 3);
  d = q.Decide(Config({16}, 1000000), clock.Now(), 1, /*draining=*/true);
  ExpectSend(d, 3);
}

TEST(BatchPolicyTest, ShapeMismatchKeepsRequestsApart) {
  FakeClock clock;
  const TimePoint t0 = clock.Now();
  Queue q;
  for (uint64_t key : {7, 9, 7, 9, 9}) q.levels[0].push_back(Item(t0, 1, key));
  const PolicyConfig c = Config({8}, 1000);
  clock.Advance(microseconds(1000));
  BatchDecision d = q.Decide(c, clock.Now());
  ASSERT_EQ(d.kind, Kind::kSend);
  EXPECT_EQ(Indices(d), (std::vector<int>{0, 2}));  // the head's key only, skipping the others
  EXPECT_EQ(d.batch_size, 2);
  q.Take(d);
  d = q.Decide(c, clock.Now());
  ASSERT_EQ(d.kind, Kind::kSend);
  EXPECT_EQ(Indices(d), (std::vector<int>{0, 1, 2}));
  for (const ItemRef& r : d.items) EXPECT_EQ(q.levels[0][r.index].shape_key, 9u);
}

TEST(BatchPolicyTest, ProfilesWhoseNonBatchDimsDoNotFitAreNotUsed) {
  FakeClock clock;
  Queue q;
  // The head fits latency and dynamic; the second only offline and dynamic.
  q.levels[0].push_back(Item(clock.Now(), 1, 0, 0b011));
  q.levels[0].push_back(Item(clock.Now(), 1, 0, 0b110));
  q.levels[0].push_back(Item(clock.Now(), 1, 0, 0b100));  // disjoint from the head: skipped
  BatchDecision d = q.Decide(Config({16}, 0), clock.Now());
  ASSERT_EQ(d.kind, Kind::kSend);
  EXPECT_EQ(Indices(d), (std::vector<int>{0, 1}));
  EXPECT_EQ(d.profile, 1);  // the only profile both accept
}

TEST(BatchPolicyTest, ProfileChoiceByOptCloseness) {
  const auto p = ThreeProfiles();
  EXPECT_EQ(ChooseProfile(p, kAll, 1), 0);  // latency (opt 1) beats dynamic (opt 4)
  EXPECT_EQ(ChooseProfile(p, kAll, 2), 1);  // only dynamic accepts 2
  EXPECT_EQ(ChooseProfile(p, kAll, 32), 1);
  EXPECT_EQ(ChooseProfile(p, kAll, 64), 2);
  EXPECT_EQ(ChooseProfile(p, kAll, 40), -1);   // the gap between 32 and 64
  EXPECT_EQ(ChooseProfile(p, 0b101, 20), -1);  // dynamic not allowed by the mask
  // Ties go to the lower index.
  const std::vector<BatchRange> tie = {{1, 2, 8}, {1, 6, 8}};
  EXPECT_EQ(ChooseProfile(tie, kAll, 4), 0);
  EXPECT_EQ(ChooseProfile(tie, kAll, 5), 1);
}

TEST(BatchPolicyTest, GapProfilesNeverProduceAnUnacceptedSize) {
  FakeClock clock;
  const std::vector<BatchRange> gap = {{1, 1, 1}, {128, 128, 128}};
  const PolicyConfig c = Config({128}, 100, gap);
  Queue q;
  for (int i = 0; i < 100; ++i) q.levels[0].push_back(Item(clock.Now()));
  EXPECT_EQ(q.Decide(c, clock.Now()).kind, Kind::kWait);
  clock.Advance(microseconds(100));
  BatchDecision d = q.Decide(c, clock.Now());
  ExpectSend(d, 1);  // 100 fits no profile; 1 does
  EXPECT_EQ(d.profile, 0);
  for (int i = 0; i < 40; ++i) q.levels[0].push_back(Item(clock.Now()));  // 139 queued
  d = q.Decide(c, clock.Now());
  ExpectSend(d, 128, 1);
}

TEST(BatchPolicyTest, RandomQueuesOnlyEverProduceAcceptedBatches) {
  std::mt19937 rng(20240601);
  std::printf("seed 20240601\n");
  const std::vector<std::vector<BatchRange>> profile_sets = {
      ThreeProfiles(), {{1, 1, 1}, {128, 128, 128}}, {{2, 4, 8}, {16, 16, 24}}};
  for (int round = 0; round < 300; ++round) {
    const auto& profiles = profile_sets[round % profile_sets.size()];
    FakeClock clock;
    Queue q(2);
    const int n = 1 + static_cast<int>(rng() % 60);
    for (int i = 0; i < n; ++i) {
      const uint64_t mask = 1 + rng() % ((uint64_t{1} << profiles.size()) - 1);
      // Item sizes are pieces some profile in the mask accepts (what Enqueue guarantees).
      std::vector<int64_t> ok;
      for (int64_t r = 1; r <= 128; ++r) {
        if (ChooseProfile(profiles, mask, r) >= 0) ok.push_back(r);
      }
      if (ok.empty()) continue;
      QueuedItem item = Item(clock.Now(), ok[rng() % ok.size()], rng() % 3, mask);
      item.expired = rng() % 5 == 0;
      q.levels[rng() % 2].push_back(item);
      clock.Advance(microseconds(rng() % 50));
    }
    const PolicyConfig c = Config({4, 16, 128}, rng() % 400, profiles);
    for (int step = 0; step < 200; ++step) {
      BatchDecision d = q.Decide(c, clock.Now(), 1, step > 100);
      if (d.kind == Kind::kIdle) break;
      if (d.kind == Kind::kWait) {
        ASSERT_GT(d.wake_at, clock.Now());
        clock.Advance(d.wake_at - clock.Now());
        continue;
      }
      ASSERT_GE(d.profile, 0);
      ASSERT_TRUE(profiles[d.profile].Accepts(d.batch_size)) << "round " << round;
      int64_t rows = 0;
      const QueuedItem& head = q.levels[d.items[0].level][d.items[0].index];
      for (const ItemRef& r : d.items) {
        const QueuedItem& it = q.levels[r.level][r.index];
        rows += it.rows;
        EXPECT_EQ(it.shape_key, head.shape_key);
        EXPECT_TRUE((it.profile_mask >> d.profile) & 1);
      }
      ASSERT_EQ(rows, d.batch_size);
      q.Take(d);
    }
    EXPECT_TRUE(q.levels[0].empty() && q.levels[1].empty()) << "round " << round;
  }
}

TEST(BatchPolicyTest, HigherPriorityLevelGoesFirstAndBatchesFillAcrossLevels) {
  FakeClock clock;
  Queue q(2);
  q.levels[1].push_back(Item(clock.Now()));  // level 2, oldest
  clock.Advance(microseconds(10));
  q.levels[0].push_back(Item(clock.Now()));  // level 1, newer
  BatchDecision d = q.Decide(Config({1}, 1000), clock.Now());
  ASSERT_EQ(d.kind, Kind::kSend);
  ASSERT_EQ(d.items.size(), 1u);
  EXPECT_EQ(d.items[0].level, 0);

  q.levels[0].push_back(Item(clock.Now()));
  d = q.Decide(Config({3}, 1000), clock.Now());
  ASSERT_EQ(d.kind, Kind::kSend);
  ASSERT_EQ(d.items.size(), 3u);
  EXPECT_EQ(d.items[0].level, 0);
  EXPECT_EQ(d.items[1].level, 0);
  EXPECT_EQ(d.items[2].level, 1);
}

TEST(BatchPolicyTest, ExpiredDelayPolicyRequestsGoLast) {
  FakeClock clock;
  Queue q;
  QueuedItem old = Item(clock.Now());
  old.expired = true;
  q.levels[0].push_back(old);
  q.levels[0].push_back(Item(clock.Now(), 1, 5));  // fresh, other shape
  q.levels[0].push_back(Item(clock.Now()));        // fresh, old's shape
  BatchDecision d = q.Decide(Config({1}, 1000), clock.Now());
  ASSERT_EQ(d.kind, Kind::kSend);
  EXPECT_EQ(Indices(d), (std::vector<int>{1}));
  // Fresh items of the head's shape come before expired ones in a batch, too.
  q.levels[0][1].shape_key = 0;
  d = q.Decide(Config({3}, 1000), clock.Now());
  ASSERT_EQ(d.kind, Kind::kSend);
  EXPECT_EQ(Indices(d), (std::vector<int>{1, 2, 0}));
  // Only expired items left: they have waited long enough and are sent without delay.
  Queue only;
  only.levels[0].push_back(old);
  d = only.Decide(Config({8}, 1000000), clock.Now());
  ExpectSend(d, 1);
}

TEST(BatchPolicyTest, NoIdleInstanceWaitsForAnInstanceOrTheNextDeadline) {
  FakeClock clock;
  Queue q;
  for (int i = 0; i < 8; ++i) q.levels[0].push_back(Item(clock.Now()));
  BatchDecision d = q.Decide(Config({4}, 0), clock.Now(), /*idle=*/0);
  EXPECT_EQ(d.kind, Kind::kIdle);
  EXPECT_TRUE(d.items.empty());
  q.levels[0][3].deadline = clock.Now() + microseconds(500);
  d = q.Decide(Config({4}, 0), clock.Now(), 0);
  EXPECT_EQ(d.kind, Kind::kWait);
  EXPECT_EQ(d.wake_at, clock.Now() + microseconds(500));
}

TEST(BatchPolicyTest, WaitWakesForAnEarlierDeadline) {
  FakeClock clock;
  Queue q;
  q.levels[0].push_back(Item(clock.Now()));
  q.levels[0][0].deadline = clock.Now() + microseconds(300);
  BatchDecision d = q.Decide(Config({4}, 1000), clock.Now());
  ASSERT_EQ(d.kind, Kind::kWait);
  EXPECT_EQ(d.wake_at, clock.Now() + microseconds(300));
}

TEST(BatchPolicyTest, EmptyQueueIsIdle) {
  FakeClock clock;
  Queue q(3);
  EXPECT_EQ(q.Decide(Config({4}, 1000), clock.Now()).kind, Kind::kIdle);
}

TEST(BatchPolicyTest, LargestPreferredSizeCapsTheBatch) {
  FakeClock clock;
  Queue q;
  for (int i = 0; i < 10; ++i) q.levels[0].push_back(Item(clock.Now()));
  BatchDecision d = q.Decide(Config({2, 4}, 1000), clock.Now());
  ExpectSend(d, 4);  // the largest preferred size reached, as in Triton
  // Without preferred sizes the cap is the largest profile max; 10 waits for the delay.
  d = q.Decide(Config({}, 1000), clock.Now());
  EXPECT_EQ(d.kind, Kind::kWait);
  clock.Advance(microseconds(1000));
  d = q.Decide(Config({}, 1000), clock.Now());
  ExpectSend(d, 10, 1);
}

TEST(BatchPolicyTest, BatchThatCannotGrowIsSentWithoutWaiting) {
  FakeClock clock;
  Queue q;
  q.levels[0].push_back(Item(clock.Now(), 10));
  q.levels[0].push_back(Item(clock.Now(), 10));  // 20 > the cap of 16
  BatchDecision d = q.Decide(Config({16}, 1000000), clock.Now());
  ExpectSend(d, 10);
  // A head larger than the cap goes alone, at once.
  Queue big;
  big.levels[0].push_back(Item(clock.Now(), 20));
  d = big.Decide(Config({16}, 1000000), clock.Now());
  ExpectSend(d, 20);
}

TEST(BatchPolicyTest, UnbatchedModelsRunEachItemAloneOnItsProfile) {
  FakeClock clock;
  PolicyConfig c = Config({}, 1000);
  c.batching = false;
  Queue q;
  q.levels[0].push_back(Item(clock.Now(), 1, 0, 0b100));
  q.levels[0].push_back(Item(clock.Now(), 1, 0, 0b010));
  BatchDecision d = q.Decide(c, clock.Now());
  ASSERT_EQ(d.kind, Kind::kSend);
  EXPECT_EQ(Indices(d), (std::vector<int>{0}));
  EXPECT_EQ(d.profile, 2);
  EXPECT_EQ(q.Decide(c, clock.Now(), 0).kind, Kind::kIdle);
}

TEST(SplitRowsTest, FewestPiecesLargestFirst) {
  const auto p = ThreeProfiles();
  EXPECT_EQ(SplitRows(p, kAll, 300), (std::vector<int64_t>{128, 108, 64}));
  EXPECT_EQ(SplitRows(p, kAll, 20), (std::vector<int64_t>{20}));
  EXPECT_EQ(SplitRows(p, kAll, 40), (std::vector<int64_t>{32, 8}));  // 40 is in the gap
  EXPECT_EQ(SplitRows(p, 0b100, 10), (std::vector<int64_t>{}));      // offline only: impossible
  const std::vector<BatchRange> gap = {{1, 1, 1}, {128, 128, 128}};
  const std::vector<int64_t> pieces = SplitRows(gap, kAll, 200);
  ASSERT_EQ(pieces.size(), 73u);  // 128 + 72 x 1
  EXPECT_EQ(pieces[0], 128);
  for (size_t i = 1; i < pieces.size(); ++i) EXPECT_EQ(pieces[i], 1);
  EXPECT_TRUE(SplitRows(p, kAll, 0).empty());
}

TEST(SplitRowsTest, MatchesABruteForceSplitAndStaysLinear) {
  std::mt19937 rng(7);
  for (int round = 0; round < 200; ++round) {
    std::vector<BatchRange> ps;
    for (int k = 0; k < 1 + static_cast<int>(rng() % 3); ++k) {
      const int64_t lo = 1 + rng() % 20, hi = lo + rng() % 30;
      ps.push_back({lo, lo, hi});
    }
    const int64_t rows = 1 + rng() % 200;
    // Brute force: fewest pieces by plain dynamic programming over every piece size.
    std::vector<int> best(rows + 1, 1 << 20);
    best[0] = 0;
    for (int64_t n = 1; n <= rows; ++n) {
      for (int64_t s = 1; s <= n; ++s) {
        if (ChooseProfile(ps, kAll, s) >= 0) best[n] = std::min(best[n], best[n - s] + 1);
      }
    }
    const std::vector<int64_t> pieces = SplitRows(ps, kAll, rows);
    if (best[rows] >= (1 << 20)) {
      EXPECT_TRUE(pieces.empty()) << "round " << round;
      continue;
    }
    ASSERT_EQ(static_cast<int>(pieces.size()), best[rows]) << "round " << round;
    int64_t sum = 0;
    for (int64_t piece : pieces) {
      EXPECT_GE(ChooseProfile(ps, kAll, piece), 0);
      sum += piece;
    }
    EXPECT_EQ(sum, rows);
  }
  // A huge batch with a gap splits quickly (linear in rows).
  const std::vector<BatchRange> gap = {{1, 1, 1}, {128, 128, 128}};
  const std::vector<int64_t> pieces = SplitRows(gap, kAll, 100000);
  EXPECT_EQ(pieces.size(), 781u + 32u);  // 781 x 128 + 32 x 1
}

}  // namespace
}  // namespace trt::server
