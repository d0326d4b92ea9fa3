// Clock: the time source of the dynamic batcher, injectable so that the batching decision can
// be unit-tested with a FakeClock in microseconds of simulated time.
// Units: std::chrono::steady_clock time points and nanosecond durations.
// Threading: SteadyClock is stateless; FakeClock is safe to read and advance from any thread.
#pragma once

#include <atomic>
#include <chrono>

namespace trt::server {

using TimePoint = std::chrono::steady_clock::time_point;
using Duration = std::chrono::nanoseconds;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint Now() const = 0;
};

class SteadyClock final : public Clock {
 public:
  TimePoint Now() const override { return std::chrono::steady_clock::now(); }
  // The process-wide instance (never destroyed).
  static const SteadyClock* Get() {
    static const SteadyClock* clock = new SteadyClock();
    return clock;
  }
};

// Starts at an arbitrary fixed point and moves only when Advance() is called.
class FakeClock final : public Clock {
 public:
  TimePoint Now() const override { return TimePoint(Duration(ns_.load())); }
  void Advance(Duration d) { ns_.fetch_add(d.count()); }

 private:
  std::atomic<int64_t> ns_{1'000'000'000};
};

}  // namespace trt::server
