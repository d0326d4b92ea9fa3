// DynamicBatcher: the scheduler of one served model version.
//
// It owns the model's queues (one per priority level), a batcher thread, and the model's
// instances (instance_count of them; each owns one runtime::ExecutionContext per profile and a
// worker thread). Requests are validated on Enqueue (names, dtypes, ranks, byte sizes, and
// that some profile can run them, possibly after splitting), queued, grouped into batches by
// the pure decision function in batch_policy.h, and executed by a free instance on the
// context of the profile that fits best. Each request gets exactly one on_complete call.
//
// Batch formation (see batch_policy.h for the exact rules): requests batch together when
// their non-batch shapes are equal (or differ only in pad_to_batch dims); batch sizes aim at
// preferred_batch_sizes; a batch is always accepted by some profile; a request larger than
// the largest profile's max batch is split into pieces that are executed separately and
// reassembled in order before the response is sent.
//
// Where it lives: request_validation.h (Enqueue's checks and splitting), batch_queue.h
// (queues, caps, timeouts), batch_policy.h (the decisions), batch_assembly.h and
// model_instance.h (running a batch), response_delivery.h (preserve_ordering).
//
// Threading: Enqueue and Drain are thread-safe. on_complete runs on the batcher or an instance
// thread. Drain (also run by the destructor) stops accepting, executes everything already
// queued, answers every request, and joins the threads.
#pragma once

#include <memory>

#include "engine/base/status.h"
#include "engine/runtime/plan.h"
#include "server/clock.h"
#include "server/infer_request.h"
#include "server/model_config.h"
#include "server/model_stats.h"

namespace trt::server {

class DynamicBatcher {
 public:
  // `config` is complete (CompleteConfigFromModel ran) and its profiles equal the plan's, in
  // the same order. Creates the instances and their contexts (arena memory is allocated
  // here), runs the warmup from the config, and starts the threads.
  static StatusOr<std::unique_ptr<DynamicBatcher>> Create(std::shared_ptr<const ModelConfig> config,
                                                          std::shared_ptr<const runtime::Plan> plan,
                                                          int64_t version,
                                                          std::shared_ptr<ModelStats> stats,
                                                          const Clock* clock = SteadyClock::Get());
  virtual ~DynamicBatcher() = default;

  // Validates and queues. On OK the batcher owns the request and will call on_complete
  // exactly once. On error on_complete is NOT called and the status says why, naming the
  // model and tensor with expected and actual values: INVALID_ARGUMENT (bad shapes, dtypes,
  // byte sizes, missing/extra inputs, unknown outputs, priority out of range, shapes outside
  // every profile), UNAVAILABLE (queue full, or draining).
  virtual Status Enqueue(std::unique_ptr<InferRequest> request) = 0;

  // Stops accepting, finishes everything queued, joins threads. Idempotent; blocks.
  // Called on one of the batcher's own threads (a response callback that drops the last
  // reference to the model), it cannot wait for itself: it returns at once, and the threads
  // finish the queue and exit on their own (they co-own the batcher's state).
  virtual void Drain() = 0;

  // Requests currently queued (not yet in an executing batch; a split request counts until
  // its last piece starts executing).
  virtual int64_t queue_depth() const = 0;
};

}  // namespace trt::server
