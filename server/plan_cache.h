// PlanCache: the compiled plans of ONNX models, cached next to the model so that a restart
// does not rebuild them.
//
// Location: <model file's folder>/.trtserve-cache/<key>.plan, with
//   key = <FNV-1a-64 of the model file bytes>-<FNV-1a-64 of "BuildKey|ISA">-<ISA name>
// (16 hex digits each, e.g. "3f2a...-9c01...-avx2"). The ISA is runtime::ActiveIsa() (what
// the builder records in plans, and what TRTSERVE_ISA may cap), so a generic and an AVX2
// process sharing a repository keep separate plans.
//
// Lookup (LoadOrBuildCachedPlan): a cached plan that loads (runtime::LoadPlan checks magic,
// format version, ISA, checksum and kernel choices) and whose profiles match the requested
// ones is used as is. A file that fails either check is reported with a warning and rebuilt:
// a bad cache never fails a model load. A built plan is written atomically (a temp file in
// the cache folder, then rename), so concurrent readers never see half a file; when the
// folder is not writable (read-only repository) the warning says so and the in-memory plan
// is served. After a write, plans beyond the kMaxCachedPlans most recent in that folder are
// deleted (old model or config versions), as are temp files left by a crashed writer.
//
// Counters (PlanCacheCounters) are process-wide and monotonic: tests use them to check that a
// second start builds nothing.
// Threading: functions are thread-safe; two processes building the same key at once both
// build and the last rename wins (both files are complete and identical in meaning).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/base/status.h"
#include "engine/graph/graph.h"
#include "engine/runtime/plan.h"
#include "engine/runtime/profile.h"

namespace trt::server {

inline constexpr char kPlanCacheDirName[] = ".trtserve-cache";
// Plans kept per cache folder (the most recently written ones).
inline constexpr int kMaxCachedPlans = 4;

// FNV-1a-64 of a file's bytes (read in chunks). NOT_FOUND / INTERNAL with the path on I/O
// errors.
StatusOr<uint64_t> HashFileContents(const std::filesystem::path& file);
uint64_t HashBytes(std::string_view bytes);

// The cache key for a model file hash, a ModelConfig::BuildKey() and an ISA name.
std::string PlanCacheKey(uint64_t model_hash, std::string_view build_key, std::string_view isa);

// True when `have` (a plan's profiles) serves exactly `want` (a config's profiles): the same
// names in the same order, and for every input range `want` lists, the same min/opt/max.
// `have` may list inputs `want` omits (the builder completes fully static inputs). On a
// mismatch `why` (if not null) says which profile/input differs and how.
bool ProfilesMatch(const std::vector<runtime::OptimizationProfile>& want,
                   const std::vector<runtime::OptimizationProfile>& have, std::string* why);

struct CachedPlanRequest {
  std::filesystem::path model_file;  // the model.onnx the plan is built from
  // HashFileContents of the exact bytes `model` was loaded from. The caller hashes (and makes
  // sure the file did not change while it loaded it), so a plan is never cached under the
  // hash of other bytes than it was built from.
  uint64_t model_hash = 0;
  // The loaded model (runtime::LoadModel); consumed by the build (BuildPlan optimizes it in
  // place), so it must not be used by the caller afterwards. Not touched on a cache hit.
  std::shared_ptr<graph::Model> model;
  std::vector<runtime::OptimizationProfile> profiles;  // from the completed config
  std::string build_key;                               // ModelConfig::BuildKey()
  std::string label;  // "model 'digits' version 1", prefixes log lines
  // Forwarded to runtime::BuildConfig::progress; may be empty.
  std::function<void(std::string_view stage, double fraction)> progress;
};

struct CachedPlan {
  std::shared_ptr<runtime::Plan> plan;
  bool cache_hit = false;            // loaded from the cache (nothing was built)
  bool cache_written = false;        // built and stored
  std::filesystem::path cache_file;  // where the plan is (or would have been) cached
};

// Loads the cached plan for `request`, or builds it and stores it (see the file comment).
// Errors are those of the build (the model cannot be compiled); cache problems only warn.
StatusOr<CachedPlan> LoadOrBuildCachedPlan(CachedPlanRequest request);

struct PlanCacheCounters {
  int64_t hits = 0;      // plans loaded from a cache file
  int64_t builds = 0;    // plans built (cache miss, unusable or mismatched cache file)
  int64_t rejected = 0;  // cache files that existed but could not be used
  int64_t writes = 0;    // plans written to the cache
};
PlanCacheCounters ReadPlanCacheCounters();

}  // namespace trt::server
