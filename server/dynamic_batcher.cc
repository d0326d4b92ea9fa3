// DynamicBatcher implementation.
//
// Threads: a timer thread (expires queue timeouts, sends batches whose max_queue_delay ran
// out) and one worker thread per instance. Decisions are made by whichever thread changes
// the state (Enqueue, a worker that finished, the timer), under mu_: a worker that finishes
// usually picks its own next batch, so the only hop per request is RPC thread -> worker.
// Inline execution removes that hop for cheap batches: when Enqueue (of a request that
// allows it) hands a batch to an idle instance and that profile's batches recently took at
// most the config's inline_execution_max_us, the calling thread runs the batch on the instance
// itself, while the instance stays marked busy, instead of waking the worker (a wake-up of an idle
// thread costs ~30 us on a VM, a quarter of a tiny model's run). The state lives in a shared Core
// that the threads co-own, so a response callback that drops the last reference to the batcher (and
// so runs Drain on a worker thread) is safe.
#include "server/dynamic_batcher.h"

#include <algorithm>
#include <atomic>
#include <bit>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "engine/base/logging.h"
#include "server/batch_assembly.h"
#include "server/batch_policy.h"
#include "server/batch_queue.h"
#include "server/model_instance.h"
#include "server/request_validation.h"
#include "server/response_delivery.h"

namespace trt::server {
namespace {

// The Core whose batch this thread is executing inline, if any: Drain() from a response
// callback on this thread must not wait for that batch (as on the batcher's own threads).
thread_local const void* t_inline_core = nullptr;

uint64_t Ns(TimePoint from, TimePoint to) {
  return to > from ? static_cast<uint64_t>((to - from).count()) : 0;
}

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
    return queue_.queued_requests();
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
  bool QuiescentLocked() const;
  void StopLocked();
  Status RejectLocked(Status status, bool queue_full);

  void WorkerLoop(Worker* w);
  void TimerLoop();
  // Executes `batch` on w's instance, records statistics and finishes its pieces (answering
  // requests whose last piece this was). Called without mu_, by the thread that owns w's
  // current turn (its worker, or an inline caller).
  void RunBatch(Worker* w, const Batch& batch);
  // Enqueue's inline path: runs the batch just assigned to idle worker `w` on this thread,
  // then lets the policy hand out what is queued (to worker threads). Called with `lock`
  // (on mu_) held; returns with it released.
  // `wake`: other workers given a batch by the same decision, notified once mu_ is released.
  void RunInline(Worker* w, std::unique_lock<std::mutex>& lock, uint64_t wake);
  bool InlineCandidate(const Worker& w) const;
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
  BatchQueue queue_;                                  // guarded by mu_
  BatchDecision decision_;                            // guarded by mu_ (scratch, capacity reused)
  uint64_t next_seq_ = 0;                             // guarded by mu_
  bool draining_ = false;                             // guarded by mu_
  bool stop_ = false;                                 // guarded by mu_
  TimePoint next_wake_ = TimePoint::max();            // guarded by mu_
  TimePoint timer_waiting_until_ = TimePoint::min();  // guarded by mu_; min = timer awake
  std::condition_variable timer_cv_;
  std::condition_variable stopped_cv_;

  // Threads: ids are fixed after Start; join/detach happen once, under join_mu_.
  std::mutex join_mu_;
  std::vector<std::thread> threads_;
  std::vector<std::thread::id> thread_ids_;
  bool threads_released_ = false;

  ResponseSequencer sequencer_;  // preserve_ordering only
  // Per profile: EWMA (1/8) of the execution time of its batches in ns; 0 = none ran yet.
  std::unique_ptr<std::atomic<uint64_t>[]> recent_batch_ns_;
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
      validator_(layout_, plan_, config_->dynamic_batching),
      queue_(layout_->model_name, config_->dynamic_batching),
      sequencer_(layout_->model_name),
      recent_batch_ns_(new std::atomic<uint64_t>[layout_->profile_names.size()]) {
  for (size_t p = 0; p < layout_->profile_names.size(); ++p) recent_batch_ns_[p] = 0;
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
  Status capacity = queue_.CheckCapacity(state.level);
  if (!capacity.ok()) return RejectLocked(std::move(capacity), true);
  const TimePoint now = clock_->Now();
  state.request->arrival = now;
  state.seq = next_seq_++;
  queue_.Push(*prepared, now);
  stats_->SetQueueDepth(queue_.queued_requests());
  const bool allow_inline = state.request->allow_inline_execution;
  uint64_t wake = 0;
  ScheduleLocked(now, nullptr, nullptr, &wake);
  if (allow_inline && wake != 0) {
    Worker* w = workers_[std::countr_zero(wake)].get();
    if (InlineCandidate(*w)) {
      wake &= wake - 1;  // w's batch is ours; the others still go to their threads
      RunInline(w, lock, wake);
      return Status::Ok();
    }
  }
  lock.unlock();
  NotifyWorkers(wake);
  return Status::Ok();
}

bool Core::InlineCandidate(const Worker& w) const {
  if (!w.has_batch || w.next.profile < 0 || t_inline_core != nullptr) return false;
  const uint64_t recent = recent_batch_ns_[w.next.profile].load(std::memory_order_relaxed);
  return recent != 0 && recent <= config_->inline_execution_max_us * 1000;
}

void Core::RunInline(Worker* w, std::unique_lock<std::mutex>& lock, uint64_t wake) {
  // Keeps the Core alive if a response callback drops the last handle (see Drain).
  std::shared_ptr<Core> self = shared_from_this();
  Batch batch;
  std::swap(batch, w->next);
  w->has_batch = false;  // w->busy stays set: the instance is ours until we give it back
  lock.unlock();
  NotifyWorkers(wake);
  t_inline_core = this;
  RunBatch(w, batch);
  t_inline_core = nullptr;
  batch.pieces.clear();  // releases the requests outside the lock
  std::vector<std::shared_ptr<RequestState>> finished;
  wake = 0;
  lock.lock();
  // While w was busy nothing was assigned to it: hand its batch buffer (capacity) back.
  std::swap(batch, w->next);
  w->busy = false;
  ScheduleLocked(clock_->Now(), nullptr, &finished, &wake);
  if (draining_ && QuiescentLocked()) StopLocked();
  lock.unlock();
  NotifyWorkers(wake);
  for (auto& state : finished) Complete(*state);
}

void Core::ScheduleLocked(TimePoint now, Worker* self,
                          std::vector<std::shared_ptr<RequestState>>* finished, uint64_t* wake) {
  const int64_t depth = queue_.queued_requests();
  queue_.Expire(now, finished != nullptr, finished);
  for (;;) {
    int idle = 0;
    for (const auto& w : workers_) idle += w->busy ? 0 : 1;
    DecideBatch(policy_, QueueState{queue_.Views(), idle, draining_}, now, &decision_);
    if (decision_.kind != BatchDecision::Kind::kSend) break;
    Worker* w = self != nullptr && !self->busy ? self : nullptr;
    for (size_t i = 0; w == nullptr && i < workers_.size(); ++i) {
      if (!workers_[i]->busy) w = workers_[i].get();
    }
    queue_.Take(decision_, &w->next);
    w->busy = true;
    w->has_batch = true;
    if (w == self) continue;
    if (wake != nullptr && w->index < 64) {
      *wake |= uint64_t{1} << w->index;
    } else {
      w->cv.notify_one();
    }
  }
  if (queue_.queued_requests() != depth) stats_->SetQueueDepth(queue_.queued_requests());
  next_wake_ = decision_.wake_at;
  if (next_wake_ < timer_waiting_until_) timer_cv_.notify_one();
}

void Core::NotifyWorkers(uint64_t wake) {
  for (; wake != 0; wake &= wake - 1) workers_[std::countr_zero(wake)]->cv.notify_one();
}

bool Core::QuiescentLocked() const {
  if (queue_.queued_requests() > 0) return false;
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

    RunBatch(w, w->running);
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

void Core::RunBatch(Worker* w, const Batch& batch) {
  const TimePoint start = clock_->Now();
  BatchTiming timing;
  Status status = w->instance->Execute(batch, *clock_, &timing);
  if (status.ok()) {
    stats_->RecordExecution(batch.profile, batch.rows, timing.counts.total_elements,
                            timing.counts.padding_elements, timing.input_ns, timing.infer_ns,
                            timing.output_ns);
    const uint64_t took = timing.input_ns + timing.infer_ns + timing.output_ns;
    std::atomic<uint64_t>& recent = recent_batch_ns_[batch.profile];
    const uint64_t old = recent.load(std::memory_order_relaxed);
    recent.store(old == 0 ? std::max<uint64_t>(took, 1) : old - old / 8 + took / 8,
                 std::memory_order_relaxed);
  } else if (status.code() == StatusCode::kInvalidArgument ||
             status.code() == StatusCode::kOutOfRange) {
    TRT_LOG_DEBUG("{}", status.message());  // caused by request data; the client is told
  } else {
    TRT_LOG_WARN("{}", status.message());
  }
  for (const Piece& piece : batch.pieces) FinishPiece(piece, status, start, timing);
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
  if (config_->dynamic_batching.preserve_ordering) {
    sequencer_.Deliver(state.seq, std::move(state.request->on_complete), std::move(response));
  } else {
    InvokeCallback(layout_->model_name, state.request->on_complete, std::move(response));
  }
}

bool Core::OnOwnThread() const {
  const std::thread::id me = std::this_thread::get_id();
  return std::find(thread_ids_.begin(), thread_ids_.end(), me) != thread_ids_.end();
}

void Core::Drain() {
  const bool own_thread = OnOwnThread() || t_inline_core == this;
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
