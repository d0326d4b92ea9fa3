// Open-loop send schedule: when each request of a --request-rate level is due.
//
// Sends are planned against the level's start time, independent of when earlier requests
// complete (open loop). The load generator measures each request's latency from its
// scheduled time, not from when it was actually sent, so a client or server that falls
// behind cannot hide the wait (no coordinated omission).
#pragma once

#include <cstdint>
#include <random>

#include "client/perf/perf_options.h"

namespace trt::client {

class SendSchedule {
 public:
  // `rate` in requests per second (> 0). Poisson gaps are exponential with mean 1/rate,
  // drawn from a generator seeded with `seed` (same seed, same schedule).
  SendSchedule(double rate, Distribution distribution, uint64_t seed);

  // Offset from the level's start, in ns, of the next send. Constant schedules compute the
  // k-th offset as round(k / rate) so rounding never accumulates.
  int64_t Next();

 private:
  double rate_;
  Distribution distribution_;
  std::mt19937_64 rng_;
  std::exponential_distribution<double> gap_;
  int64_t index_ = 0;
  double poisson_offset_s_ = 0;
};

}  // namespace trt::client
