// BatchQueue: the requests a DynamicBatcher holds before they run, one level per priority
// (level index 0 = priority 1, the highest), each in arrival order. It stores what the
// decision function reads (QueuedItem) next to what the instances run (Piece), applies the
// queue policies (caps, timeouts) and hands the decision's pieces over as a Batch.
//
// Counting: a request counts as queued until its last piece leaves the queue (pieces of a
// split request are queue entries of their own); max_queue_size caps count requests.
// Threading: NOT thread-safe; the DynamicBatcher calls every method with its mutex held.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "engine/base/status.h"
#include "server/batch_assembly.h"
#include "server/batch_policy.h"
#include "server/model_config.h"
#include "server/request_validation.h"

namespace trt::server {

class BatchQueue {
 public:
  // `model` names the model in errors. Levels without an entry in priority_queue_policy
  // get default_queue_policy.
  BatchQueue(std::string model, const DynamicBatchingConfig& config);

  // OK when a request for `level` fits; else UNAVAILABLE saying which cap is full and what
  // to do (the model-wide max_queue_size first, then the level's).
  Status CheckCapacity(int level) const;

  // Queues every piece of `request` at its level, arrived `now`. Its deadline is now + the
  // level's timeout_us, or the request's own timeout_us when the level allows overrides.
  void Push(const PreparedRequest& request, TimePoint now);

  // The levels as DecideBatch reads them; valid until the next change to the queue.
  std::span<const std::span<const QueuedItem>> Views();

  // Moves the pieces of a kSend decision into `batch` (in the decision's order) and removes
  // them from the queue.
  void Take(const BatchDecision& decision, Batch* batch);

  // Applies the queue timeouts at `now`: kDelay items become `expired`; with `can_answer`,
  // kReject items are removed and their requests failed with DEADLINE_EXCEEDED; requests
  // with no piece left in flight are appended to `finished` (to be completed by the caller,
  // outside the batcher's lock). Without `can_answer` kReject items are left for later.
  void Expire(TimePoint now, bool can_answer, std::vector<std::shared_ptr<RequestState>>* finished);

  int64_t queued_requests() const { return queued_requests_; }

 private:
  struct Level {
    QueuePolicy policy;
    std::vector<QueuedItem> items;  // arrival order; items[i] describes pieces[i]
    std::vector<Piece> pieces;
    int64_t queued_requests = 0;
  };

  void Dequeued(RequestState& state);
  void Compact();  // removes items marked taken (rows < 0), keeping the order

  std::string model_;
  uint32_t max_queue_size_;
  std::vector<Level> levels_;
  std::vector<std::span<const QueuedItem>> views_;
  int64_t queued_requests_ = 0;
};

}  // namespace trt::server
