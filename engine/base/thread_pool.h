// Intra-op thread pool with a blocking ParallelFor.
//
// Contract:
// - A pool of N threads runs work on N-1 worker threads plus the calling thread.
// - ParallelFor(n, fn) calls fn(begin, end) over disjoint chunks covering [0, n) and returns
//   when all chunks are done. No heap allocation per call. fn must not throw.
// - One ParallelFor at a time per pool: calls from several threads are serialized by an
//   internal mutex (each model instance owns its own pool, so this does not contend).
// - Nested ParallelFor from inside fn runs inline on the calling worker (no deadlock).
// - Waiting spins briefly before blocking, as ONNX Runtime's and OpenMP's pools do: a worker
//   that finished a job polls for the next one for up to kWorkerSpin before sleeping on a
//   condition variable, and the caller polls for the workers' completion for up to
//   kCallerSpin. Back-to-back kernels of one inference then hand work over in well under a
//   microsecond instead of a futex wake-up (tens of microseconds on a VM, paid twice per
//   ParallelFor); an idle pool costs nothing once the spin has expired.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace trt {

class ThreadPool {
 public:
  // num_threads >= 1; 1 means everything runs on the caller.
  explicit ThreadPool(int num_threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int num_threads() const { return num_threads_; }

  static constexpr std::chrono::microseconds kWorkerSpin{200};
  static constexpr std::chrono::microseconds kCallerSpin{2000};

  // Splits [0, n) into chunks of at least `grain` items (grain >= 1).
  void ParallelFor(int64_t n, int64_t grain,
                   const std::function<void(int64_t begin, int64_t end)>& fn);

 private:
  void WorkerLoop(int index);
  void RunChunks();

  const int num_threads_;
  std::vector<std::thread> workers_;
  std::mutex call_mu_;  // serializes ParallelFor callers

  std::mutex mu_;  // guards sleeping/waking (the counters below are atomics)
  std::condition_variable work_cv_;
  std::condition_variable done_cv_;
  std::atomic<uint64_t> generation_{0};  // bumped (under mu_) once per job
  std::atomic<int> pending_workers_{0};  // workers that have not finished the current job
  std::atomic<bool> stop_{false};        // set under mu_

  // The current job (valid while a ParallelFor is running).
  const std::function<void(int64_t, int64_t)>* fn_ = nullptr;
  int64_t n_ = 0;
  int64_t chunk_ = 1;
  std::atomic<int64_t> next_{0};
};

}  // namespace trt
