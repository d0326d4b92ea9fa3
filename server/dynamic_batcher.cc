// DynamicBatcher implementation.
//
// Threads: a timer thread (expires queue timeouts, sends batches whose max_queue_delay ran
// out) and one worker thread per instance. Decisions are made by whichever thread changes
// the state (Enqueue, a worker that finished, the timer), under mu_: a worker that finishes
// usually picks its own next batch, so the only hop per request is RPC thread -> worker.
// The state lives in a shared Core that the threads co-own, so a response callback that
// drops the last reference to the batcher (and so runs Drain on a worker thread) is safe.
#include "server/dynamic_batcher.h"

#include <algorithm>
#include <bit>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>

#include "engine/base/logging.h"
#include "server/batch_assembly.h"
#include "server/batch_policy.h"
#include "server/model_instance.h"
#include "server/request_validation.h"

namespace trt::server {
namespace {

uint64_t Ns(TimePoint from, TimePoint to) {
  return to > from ? static_cast<uint64_t>((to - from).count()) : 0;
}

struct Level {
  QueuePolicy policy;
  std::vector<QueuedItem> items;  // arrival order; items[i] describes pieces[i]
  std::vector<Piece> pieces;
  int64_t queued_requests = 0;
};

struct Worker {
  int index = 0;
  std::unique_ptr<ModelInstance> instance;
  std::condition_variable cv;
  bool busy = false;       // a batch is assigned or running (guarded by Core::mu_)
  bool has_batch = false;  // `next` holds a batch to run (guarded by Core::mu_)
  Batch next;              // guarded by Core::mu_
  Batch running;           // the worker thread's own
};

class Core : public std::enable_shared_from_this<Core> {
 public:
  Core(std::shared_ptr<const ModelConfig> config, std::shared_ptr<const ModelLayout> layout,
       std::shared_ptr<const runtime::Plan> plan, int64_t version,
       std::shared_ptr<ModelStats> stats, const Clock* clock, PolicyConfig policy,
       std::vector<std::unique_ptr<ModelInstance>> instances);

  void Start();
  Status Enqueue(std::unique_ptr<InferRequest> request);
  void Drain();
  int64_t queue_depth() const {
    std::lock_guard<std::mutex> lock(mu_);
    return queued_requests_;
  }

 private:
  // Methods named *Locked require mu_ to be held by the caller.
  // Expires timed-out items, then sends batches to idle instances until the policy says
  // wait. `self` (a worker that just finished) is preferred for the next batch. Requests
  // that expired with kReject are removed and appended to `finished` for the caller to
  // complete after unlocking; when `finished` is null (Enqueue, whose thread must not run
  // callbacks) only kDelay items are marked and the timer thread handles kReject ones.
  // With `wake` set, workers given a batch are not notified but marked in *wake (bit =
  // worker index) for the caller to notify after unlocking, so that they do not wake up
  // only to block on mu_.
  void ScheduleLocked(TimePoint now, Worker* self,
                      std::vector<std::shared_ptr<RequestState>>* finished,
                      uint64_t* wake = nullptr);
  void NotifyWorkers(uint64_t wake);
  void TakeBatchLocked(Batch* batch);
  void DequeuedLocked(RequestState& state);
  void ExpireLocked(TimePoint now, std::vector<std::shared_ptr<RequestState>>* finished);
  void CompactLocked();
  bool QuiescentLocked() const;
  void StopLocked();
  Status RejectLocked(Status status, bool queue_full);

  void WorkerLoop(Worker* w);
  void TimerLoop();
  // Called without mu_.
  void FinishPiece(const Piece& piece, const Status& status, TimePoint start,
                   const BatchTiming& timing);
  void Complete(RequestState& state);
  void Deliver(RequestState& state, InferResponse&& response);
  bool OnOwnThread() const;

  const std::shared_ptr<const ModelConfig> config_;
  const std::shared_ptr<const ModelLayout> layout_;
  const std::shared_ptr<const runtime::Plan> plan_;
  const int64_t version_;
  const std::shared_ptr<ModelStats> stats_;
  const Clock* const clock_;
  const PolicyConfig policy_;
  const RequestValidator validator_;
  std::vector<std::unique_ptr<Worker>> workers_;

  mutable std::mutex mu_;
  std::vector<Level> levels_;                       // index 0 = priority level 1
  std::vector<std::span<const QueuedItem>> views_;  // scratch for DecideBatch
  BatchDecision decision_;                          // scratch, capacity reused
  int64_t queued_requests_ = 0;
  uint64_t next_seq_ = 0;
  bool draining_ = false;
  bool stop_ = false;
  TimePoint next_wake_ = TimePoint::max();
  TimePoint timer_waiting_until_ = TimePoint::min();  // min = the timer thread is awake
  std::condition_variable timer_cv_;
  std::condition_variable stopped_cv_;

  // Threads: ids are fixed after Start; join/detach happen once, under join_mu_.
  std::mutex join_mu_;
  std::vector<std::thread> threads_;
  std::vector<std::thread::id> thread_ids_;
  bool threads_released_ = false;

  // preserve_ordering: responses wait in `ready_` (index = seq - deliver_seq_) until every
  // earlier one went out; one thread at a time delivers (outside the lock).
  struct Ready {
    std::function<void(InferResponse&&)> callback;
    InferResponse response;
  };
  std::mutex order_mu_;
  std::deque<std::optional<Ready>> ready_;
  uint64_t deliver_seq_ = 0;
  bool delivering_ = false;
};

Core::Core(std::shared_ptr<const ModelConfig> config, std::shared_ptr<const ModelLayout> layout,
           std::shared_ptr<const runtime::Plan> plan, int64_t version,
           std::shared_ptr<ModelStats> stats, const Clock* clock, PolicyConfig policy,
           std::vector<std::unique_ptr<ModelInstance>> instances)
    : config_(std::move(config)),
      layout_(std::move(layout)),
      plan_(std::move(plan)),
      version_(version),
      stats_(std::move(stats)),
      clock_(clock),
      policy_(std::move(policy)),
      validator_(layout_, plan_, config_->dynamic_batching) {
  const DynamicBatchingConfig& db = config_->dynamic_batching;
  levels_.resize(std::max<uint32_t>(1, db.priority_levels));
  for (size_t l = 0; l < levels_.size(); ++l) {
    auto it = db.priority_queue_policy.find(static_cast<uint32_t>(l + 1));
    levels_[l].policy = it != db.priority_queue_policy.end() ? it->second : db.default_queue_policy;
  }
  views_.resize(levels_.size());
  for (auto& inst : instances) {
    workers_.push_back(std::make_unique<Worker>());
    workers_.back()->index = static_cast<int>(workers_.size()) - 1;
    workers_.back()->instance = std::move(inst);
  }
}

void Core::Start() {
  std::shared_ptr<Core> self = shared_from_this();
  for (auto& w : workers_) {
    threads_.emplace_back([self, worker = w.get()] { self->WorkerLoop(worker); });
  }
  threads_.emplace_back([self] { self->TimerLoop(); });
  for (const auto& t : threads_) thread_ids_.push_back(t.get_id());
}

Status Core::RejectLocked(Status status, bool queue_full) {
  stats_->RecordRejected(FailureReason(status, queue_full));
  return status;
}

Status Core::Enqueue(std::unique_ptr<InferRequest> request) {
  StatusOr<PreparedRequest> prepared = validator_.Prepare(std::move(request));
  if (!prepared.ok()) {
    stats_->RecordRejected(FailureReason(prepared.status()));
    return prepared.status();
  }
  RequestState& state = *prepared->state;
  const std::string& name = layout_->model_name;
  std::unique_lock<std::mutex> lock(mu_);
  if (draining_) {
    return RejectLocked(Unavailable("model '" + name +
                                    "' is shutting down; retry on another "
                                    "server or after the model is loaded again"),
                        false);
  }
  Level& level = levels_[state.level];
  const uint32_t cap = config_->dynamic_batching.max_queue_size;
  if (cap > 0 && queued_requests_ >= cap) {
    return RejectLocked(
        Unavailable("model '" + name + "': queue is full (" + std::to_string(queued_requests_) +
                    " requests queued, max_queue_size " + std::to_string(cap) +
                    "); retry later or raise dynamic_batching.max_queue_size"),
        true);
  }
  if (level.policy.max_queue_size > 0 && level.queued_requests >= level.policy.max_queue_size) {
    return RejectLocked(
        Unavailable("model '" + name + "': the queue of priority level " +
                    std::to_string(state.level + 1) + " is full (" +
                    std::to_string(level.queued_requests) + " requests queued, max_queue_size " +
                    std::to_string(level.policy.max_queue_size) +
                    "); retry later or raise that level's max_queue_size in "
                    "dynamic_batching's queue policy"),
        true);
  }
  const TimePoint now = clock_->Now();
  InferRequest& req = *state.request;
  req.arrival = now;
  state.seq = next_seq_++;
  const uint64_t timeout_us = level.policy.allow_timeout_override && req.timeout_us > 0
                                  ? req.timeout_us
                                  : level.policy.timeout_us;
  const TimePoint deadline =
      timeout_us > 0 ? now + std::chrono::microseconds(timeout_us) : TimePoint::max();
  int64_t offset = 0;
  for (int64_t rows : prepared->piece_rows) {
    level.items.push_back(
        QueuedItem{rows, prepared->shape_key, prepared->profile_mask, now, deadline, false});
    level.pieces.push_back(Piece{prepared->state, offset, rows});
    offset += rows;
  }
  state.pieces_queued = static_cast<int>(prepared->piece_rows.size());
  level.queued_requests += 1;
  queued_requests_ += 1;
  stats_->SetQueueDepth(queued_requests_);
  uint64_t wake = 0;
  ScheduleLocked(now, nullptr, nullptr, &wake);
  lock.unlock();
  NotifyWorkers(wake);
  return Status::Ok();
}

void Core::ScheduleLocked(TimePoint now, Worker* self,
                          std::vector<std::shared_ptr<RequestState>>* finished, uint64_t* wake) {
  ExpireLocked(now, finished);
  for (;;) {
    int idle = 0;
    for (const auto& w : workers_) idle += w->busy ? 0 : 1;
    for (size_t l = 0; l < levels_.size(); ++l) views_[l] = levels_[l].items;
    DecideBatch(policy_, QueueState{views_, idle, draining_}, now, &decision_);
    if (decision_.kind != BatchDecision::Kind::kSend) {
      next_wake_ = decision_.wake_at;
      if (next_wake_ < timer_waiting_until_) timer_cv_.notify_one();
      return;
    }
    Worker* w = self != nullptr && !self->busy ? self : nullptr;
    for (size_t i = 0; w == nullptr && i < workers_.size(); ++i) {
      if (!workers_[i]->busy) w = workers_[i].get();
    }
    TakeBatchLocked(&w->next);
    w->busy = true;
    w->has_batch = true;
    if (w == self) continue;
    if (wake != nullptr && w->index < 64) {
      *wake |= uint64_t{1} << w->index;
    } else {
      w->cv.notify_one();
    }
  }
}

void Core::NotifyWorkers(uint64_t wake) {
  for (; wake != 0; wake &= wake - 1) workers_[std::countr_zero(wake)]->cv.notify_one();
}

void Core::TakeBatchLocked(Batch* batch) {
  batch->profile = decision_.profile;
  batch->rows = decision_.batch_size;
  batch->pieces.clear();
  for (const ItemRef& ref : decision_.items) {
    Level& level = levels_[ref.level];
    batch->pieces.push_back(std::move(level.pieces[ref.index]));
    level.items[ref.index].rows = -1;  // taken; compacted below
    DequeuedLocked(*batch->pieces.back().state);
  }
  CompactLocked();
}

void Core::DequeuedLocked(RequestState& state) {
  if (--state.pieces_queued > 0) return;
  levels_[state.level].queued_requests -= 1;
  queued_requests_ -= 1;
}

void Core::ExpireLocked(TimePoint now, std::vector<std::shared_ptr<RequestState>>* finished) {
  bool removed = false;
  for (Level& level : levels_) {
    for (size_t i = 0; i < level.items.size(); ++i) {
      QueuedItem& item = level.items[i];
      if (item.expired || item.deadline > now) continue;
      if (level.policy.timeout_action == QueuePolicy::TimeoutAction::kDelay) {
        item.expired = true;
        continue;
      }
      if (finished == nullptr) continue;  // left for the timer thread
      std::shared_ptr<RequestState> state = std::move(level.pieces[i].state);
      item.rows = -1;
      removed = true;
      DequeuedLocked(*state);
      const auto timeout_us =
          std::chrono::duration_cast<std::chrono::microseconds>(item.deadline - item.arrival);
      const auto waited_us =
          std::chrono::duration_cast<std::chrono::microseconds>(now - item.arrival);
      std::lock_guard<std::mutex> state_lock(state->mu);
      if (state->status.ok()) {
        state->status =
            Status(StatusCode::kDeadlineExceeded,
                   "model '" + layout_->model_name + "': request timed out after " +
                       std::to_string(waited_us.count()) + " us in the queue (timeout " +
                       std::to_string(timeout_us.count()) +
                       " us); retry, raise the timeout, or add instances to serve the load");
      }
      if (--state->pieces_left == 0) finished->push_back(std::move(state));
    }
  }
  if (!removed) return;
  CompactLocked();
}

// Removes the items marked taken (rows < 0), keeping arrival order.
void Core::CompactLocked() {
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
  stats_->SetQueueDepth(queued_requests_);
}

bool Core::QuiescentLocked() const {
  if (queued_requests_ > 0) return false;
  for (const auto& w : workers_) {
    if (w->busy) return false;
  }
  return true;
}

void Core::StopLocked() {
  stop_ = true;
  for (auto& w : workers_) w->cv.notify_all();
  timer_cv_.notify_all();
  stopped_cv_.notify_all();
}

void Core::WorkerLoop(Worker* w) {
  std::vector<std::shared_ptr<RequestState>> finished;
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    w->cv.wait(lock, [&] { return w->has_batch || stop_; });
    if (!w->has_batch) return;
    std::swap(w->running, w->next);
    w->has_batch = false;
    lock.unlock();

    const Batch& batch = w->running;
    const TimePoint start = clock_->Now();
    BatchTiming timing;
    Status status = w->instance->Execute(batch, *clock_, &timing);
    if (status.ok()) {
      stats_->RecordExecution(batch.profile, batch.rows, timing.counts.total_elements,
                              timing.counts.padding_elements, timing.input_ns, timing.infer_ns,
                              timing.output_ns);
    } else {
      TRT_LOG_WARN("{}", status.message());
    }
    for (const Piece& piece : batch.pieces) FinishPiece(piece, status, start, timing);
    w->running.pieces.clear();

    lock.lock();
    w->busy = false;
    ScheduleLocked(clock_->Now(), w, &finished);
    while (!finished.empty()) {  // requests that timed out in the queue meanwhile
      lock.unlock();
      for (auto& state : finished) Complete(*state);
      finished.clear();
      lock.lock();
    }
    if (draining_ && QuiescentLocked()) StopLocked();
  }
}

void Core::TimerLoop() {
  std::unique_lock<std::mutex> lock(mu_);
  std::vector<std::shared_ptr<RequestState>> finished;
  while (!stop_) {
    ScheduleLocked(clock_->Now(), nullptr, &finished);
    if (!finished.empty()) {
      lock.unlock();
      for (auto& state : finished) Complete(*state);
      finished.clear();
      lock.lock();
      if (draining_ && QuiescentLocked()) StopLocked();
      continue;
    }
    const TimePoint wake = next_wake_;
    timer_waiting_until_ = wake;
    if (wake == TimePoint::max()) {
      timer_cv_.wait(lock);
    } else {
      const Duration left = wake - clock_->Now();
      if (left > Duration::zero()) timer_cv_.wait_for(lock, left);
    }
    timer_waiting_until_ = TimePoint::min();
  }
}

void Core::FinishPiece(const Piece& piece, const Status& status, TimePoint start,
                       const BatchTiming& timing) {
  RequestState& state = *piece.state;
  bool done;
  {
    std::lock_guard<std::mutex> lock(state.mu);
    if (!state.started) {
      state.started = true;
      state.first_start = start;
    }
    state.input_ns += timing.input_ns;
    state.infer_ns += timing.infer_ns;
    state.output_ns += timing.output_ns;
    if (!status.ok() && state.status.ok()) state.status = status;
    done = --state.pieces_left == 0;
  }
  if (done) Complete(state);
}

void Core::Complete(RequestState& state) {
  // Every piece is done: no other thread touches `state` any more.
  const TimePoint now = clock_->Now();
  const TimePoint arrival = state.request->arrival;
  const uint64_t request_ns = Ns(arrival, now);
  const uint64_t queue_ns = state.started ? Ns(arrival, state.first_start) : request_ns;
  InferResponse response;
  response.status = state.status;
  response.model_name = layout_->model_name;
  response.model_version = version_;
  response.id = state.request->id;
  if (state.status.ok()) {
    response.outputs = std::move(state.response);
    stats_->RecordSuccess(state.rows, request_ns, queue_ns, state.input_ns, state.infer_ns,
                          state.output_ns);
  } else {
    stats_->RecordFailure(FailureReason(state.status), request_ns, queue_ns);
  }
  Deliver(state, std::move(response));
}

void Core::Deliver(RequestState& state, InferResponse&& response) {
  if (!config_->dynamic_batching.preserve_ordering) {
    state.request->on_complete(std::move(response));
    return;
  }
  std::unique_lock<std::mutex> lock(order_mu_);
  const size_t slot = static_cast<size_t>(state.seq - deliver_seq_);
  if (ready_.size() <= slot) ready_.resize(slot + 1);
  ready_[slot].emplace(Ready{std::move(state.request->on_complete), std::move(response)});
  if (delivering_) return;  // the delivering thread will send it in turn
  delivering_ = true;
  while (!ready_.empty() && ready_.front().has_value()) {
    Ready next = std::move(*ready_.front());
    ready_.pop_front();
    ++deliver_seq_;
    lock.unlock();
    next.callback(std::move(next.response));
    lock.lock();
  }
  delivering_ = false;
}

bool Core::OnOwnThread() const {
  const std::thread::id me = std::this_thread::get_id();
  return std::find(thread_ids_.begin(), thread_ids_.end(), me) != thread_ids_.end();
}

void Core::Drain() {
  const bool own_thread = OnOwnThread();
  {
    std::unique_lock<std::mutex> lock(mu_);
    if (!draining_) {
      draining_ = true;
      if (QuiescentLocked()) {
        StopLocked();
      } else {
        ScheduleLocked(clock_->Now(), nullptr, nullptr);  // no more waiting for the delay
        timer_cv_.notify_all();
      }
    }
    // On a batcher thread (a response callback dropped the last reference), waiting would
    // deadlock: the threads finish the queue and exit on their own, keeping the Core alive.
    if (!own_thread) stopped_cv_.wait(lock, [&] { return stop_; });
  }
  std::lock_guard<std::mutex> join_lock(join_mu_);
  if (threads_released_) return;
  threads_released_ = true;
  for (auto& t : threads_) {
    if (own_thread) {
      t.detach();
    } else {
      t.join();
    }
  }
}

class DynamicBatcherImpl final : public DynamicBatcher {
 public:
  explicit DynamicBatcherImpl(std::shared_ptr<Core> core) : core_(std::move(core)) {}
  ~DynamicBatcherImpl() override { core_->Drain(); }
  Status Enqueue(std::unique_ptr<InferRequest> request) override {
    return core_->Enqueue(std::move(request));
  }
  void Drain() override { core_->Drain(); }
  int64_t queue_depth() const override { return core_->queue_depth(); }

 private:
  std::shared_ptr<Core> core_;
};

StatusOr<PolicyConfig> MakePolicy(const ModelConfig& config, const ModelLayout& layout) {
  PolicyConfig policy;
  policy.profiles = layout.batch_ranges;
  policy.batching = layout.batched;
  policy.max_queue_delay = std::chrono::microseconds(config.dynamic_batching.max_queue_delay_us);
  policy.preferred_batch_sizes = config.dynamic_batching.preferred_batch_sizes;
  if (policy.preferred_batch_sizes.empty()) {  // the documented default: the profiles' opts
    for (const BatchRange& r : layout.batch_ranges) {
      if (r.min <= r.max) policy.preferred_batch_sizes.push_back(r.opt);
    }
  }
  auto& preferred = policy.preferred_batch_sizes;
  std::sort(preferred.begin(), preferred.end());
  preferred.erase(std::unique(preferred.begin(), preferred.end()), preferred.end());
  for (int64_t p : preferred) {
    if (p < 1) {
      return InvalidArgument("model '" + config.name + "': preferred batch size " +
                             std::to_string(p) + " must be at least 1");
    }
  }
  return policy;
}

}  // namespace

StatusOr<std::unique_ptr<DynamicBatcher>> DynamicBatcher::Create(
    std::shared_ptr<const ModelConfig> config, std::shared_ptr<const runtime::Plan> plan,
    int64_t version, std::shared_ptr<ModelStats> stats, const Clock* clock) {
  if (config == nullptr || plan == nullptr) {
    return InvalidArgument("DynamicBatcher::Create needs a config and a plan");
  }
  const std::string where = "model '" + config->name + "'";
  if (!config->profiles.empty()) {
    bool same = config->profiles.size() == plan->profiles().size();
    for (size_t p = 0; same && p < config->profiles.size(); ++p) {
      same = config->profiles[p].name == plan->profiles()[p].name;
    }
    if (!same) {
      std::string plan_names;
      for (const auto& p : plan->profiles())
        plan_names += (plan_names.empty() ? "" : ", ") + p.name;
      return InvalidArgument(where + ": the config's profiles differ from the plan's (" +
                             plan_names + "); rebuild the plan or list the same profiles");
    }
  }
  TRT_ASSIGN_OR_RETURN(std::shared_ptr<const ModelLayout> layout, BuildModelLayout(*config, *plan));
  TRT_ASSIGN_OR_RETURN(PolicyConfig policy, MakePolicy(*config, *layout));
  if (stats == nullptr) {
    stats = std::make_shared<ModelStats>(config->name, version, layout->profile_names);
  }
  if (clock == nullptr) clock = SteadyClock::Get();
  std::vector<std::unique_ptr<ModelInstance>> instances;
  const int count = std::max(1, config->instance_count);
  for (int i = 0; i < count; ++i) {
    TRT_ASSIGN_OR_RETURN(auto instance,
                         ModelInstance::Create(plan, layout, i, std::max(1, config->threads)));
    TRT_RETURN_IF_ERROR(instance->Warmup(config->warmup.iterations, config->warmup.data));
    instances.push_back(std::move(instance));
  }
  auto core = std::make_shared<Core>(config, layout, plan, version, std::move(stats), clock,
                                     std::move(policy), std::move(instances));
  core->Start();
  return std::unique_ptr<DynamicBatcher>(new DynamicBatcherImpl(std::move(core)));
}

}  // namespace trt::server
