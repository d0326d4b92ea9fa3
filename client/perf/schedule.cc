#include "client/perf/schedule.h"

#include <cmath>

namespace trt::client {

SendSchedule::SendSchedule(double rate, Distribution distribution, uint64_t seed)
    : rate_(rate), distribution_(distribution), rng_(seed), gap_(rate) {}

int64_t SendSchedule::Next() {
  if (distribution_ == Distribution::kConstant) {
    return std::llround(static_cast<double>(index_++) * 1e9 / rate_);
  }
  // The first send goes at once; each later one after an exponential gap.
  if (index_++ > 0) poisson_offset_s_ += gap_(rng_);
  return std::llround(poisson_offset_s_ * 1e9);
}

}  // namespace trt::client
