#include "server/batch_queue.h"

#include <algorithm>
#include <chrono>

namespace trt::server {

BatchQueue::BatchQueue(std::string model, const DynamicBatchingConfig& config)
    : model_(std::move(model)), max_queue_size_(config.max_queue_size) {
  levels_.resize(std::max<uint32_t>(1, config.priority_levels));
  for (size_t l = 0; l < levels_.size(); ++l) {
    auto it = config.priority_queue_policy.find(static_cast<uint32_t>(l + 1));
    levels_[l].policy =
        it != config.priority_queue_policy.end() ? it->second : config.default_queue_policy;
  }
  views_.resize(levels_.size());
}

Status BatchQueue::CheckCapacity(int level) const {
  if (max_queue_size_ > 0 && queued_requests_ >= max_queue_size_) {
    return Unavailable("model '" + model_ + "': queue is full (" +
                       std::to_string(queued_requests_) + " requests queued, max_queue_size " +
                       std::to_string(max_queue_size_) +
                       "); retry later or raise dynamic_batching.max_queue_size");
  }
  const Level& l = levels_[level];
  if (l.policy.max_queue_size > 0 && l.queued_requests >= l.policy.max_queue_size) {
    const std::string n = std::to_string(level + 1);
    return Unavailable("model '" + model_ + "': the queue of priority level " + n + " is full (" +
                       std::to_string(l.queued_requests) + " requests queued, max_queue_size " +
                       std::to_string(l.policy.max_queue_size) +
                       "); retry later or raise max_queue_size in "
                       "dynamic_batching.priority_queue_policy." +
                       n + " (or default_queue_policy)");
  }
  return Status::Ok();
}

void BatchQueue::Push(const PreparedRequest& request, TimePoint now) {
  RequestState& state = *request.state;
  Level& level = levels_[state.level];
  const InferRequest& req = *state.request;
  const uint64_t timeout_us = level.policy.allow_timeout_override && req.timeout_us > 0
                                  ? req.timeout_us
                                  : level.policy.timeout_us;
  const TimePoint deadline =
      timeout_us > 0 ? now + std::chrono::microseconds(timeout_us) : TimePoint::max();
  int64_t offset = 0;
  for (int64_t rows : request.piece_rows) {
    level.items.push_back(
        QueuedItem{rows, request.shape_key, request.profile_mask, now, deadline, false});
    level.pieces.push_back(Piece{request.state, offset, rows});
    offset += rows;
  }
  state.pieces_queued = static_cast<int>(request.piece_rows.size());
  level.queued_requests += 1;
  queued_requests_ += 1;
}

std::span<const std::span<const QueuedItem>> BatchQueue::Views() {
  for (size_t l = 0; l < levels_.size(); ++l) views_[l] = levels_[l].items;
  return views_;
}

void BatchQueue::Take(const BatchDecision& decision, Batch* batch) {
  batch->profile = decision.profile;
  batch->rows = decision.batch_size;
  batch->pieces.clear();
  for (const ItemRef& ref : decision.items) {
    Level& level = levels_[ref.level];
    batch->pieces.push_back(std::move(level.pieces[ref.index]));
    level.items[ref.index].rows = -1;  // taken
    Dequeued(*batch->pieces.back().state);
  }
  Compact();
}

void BatchQueue::Expire(TimePoint now, bool can_answer,
                        std::vector<std::shared_ptr<RequestState>>* finished) {
  bool removed = false;
  for (Level& level : levels_) {
    for (size_t i = 0; i < level.items.size(); ++i) {
      QueuedItem& item = level.items[i];
      if (item.expired || item.deadline > now) continue;
      if (level.policy.timeout_action == QueuePolicy::TimeoutAction::kDelay) {
        item.expired = true;
        continue;
      }
      if (!can_answer) continue;
      std::shared_ptr<RequestState> state = std::move(level.pieces[i].state);
      item.rows = -1;
      removed = true;
      Dequeued(*state);
      using std::chrono::duration_cast;
      using std::chrono::microseconds;
      const int64_t timeout_us = duration_cast<microseconds>(item.deadline - item.arrival).count();
      const int64_t waited_us = duration_cast<microseconds>(now - item.arrival).count();
      std::lock_guard<std::mutex> state_lock(state->mu);
      if (state->status.ok()) {
        state->status =
            Status(StatusCode::kDeadlineExceeded,
                   "model '" + model_ + "': request timed out after " + std::to_string(waited_us) +
                       " us in the queue (timeout " + std::to_string(timeout_us) +
                       " us); retry, raise the timeout, or add instances to serve "
                       "the load");
      }
      if (--state->pieces_left == 0) finished->push_back(std::move(state));
    }
  }
  if (removed) Compact();
}

void BatchQueue::Dequeued(RequestState& state) {
  if (--state.pieces_queued > 0) return;
  levels_[state.level].queued_requests -= 1;
  queued_requests_ -= 1;
}

void BatchQueue::Compact() {
  for (Level& level : levels_) {
    size_t keep = 0;
    for (size_t i = 0; i < level.items.size(); ++i) {
      if (level.items[i].rows < 0) continue;
      if (keep != i) {
        level.items[keep] = level.items[i];
        level.pieces[keep] = std::move(level.pieces[i]);
      }
      ++keep;
    }
    level.items.resize(keep);
    level.pieces.resize(keep);
  }
}

}  // namespace trt::server
