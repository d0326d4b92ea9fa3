#include "server/plan_cache.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <fstream>
#include <system_error>

#include "engine/base/cpu_features.h"
#include "engine/base/logging.h"
#include "engine/runtime/builder.h"
#include "engine/runtime/plan_file.h"
#include "server/model_repository_internal.h"

namespace trt::server {
namespace fs = std::filesystem;
namespace {

constexpr uint64_t kFnvOffset = 1469598103934665603ull;
constexpr uint64_t kFnvPrime = 1099511628211ull;
// A temp file older than this was left by a writer that died; younger ones may be in use.
constexpr auto kStaleTempAge = std::chrono::hours(1);

struct Counters {
  std::atomic<int64_t> hits{0}, builds{0}, rejected{0}, writes{0};
};
Counters& GlobalCounters() {
  static Counters* counters = new Counters();
  return *counters;
}

uint64_t FnvUpdate(uint64_t h, const char* p, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    h ^= static_cast<unsigned char>(p[i]);
    h *= kFnvPrime;
  }
  return h;
}

std::string Hex16(uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof(buf), "%016" PRIx64, v);
  return buf;
}

std::string ProfileRangeText(const runtime::InputShapeRange& r) {
  return r.min.ToString() + ".." + r.opt.ToString() + ".." + r.max.ToString();
}

std::string TempName(const fs::path& target) {
  static std::atomic<uint64_t> sequence{0};
  return target.string() + ".tmp." + std::to_string(::getpid()) + "." +
         std::to_string(sequence.fetch_add(1));
}

// Keeps the kMaxCachedPlans newest plans (always `keep`) and drops stale temp files.
void PruneCacheDir(const fs::path& dir, const fs::path& keep) {
  std::vector<std::pair<fs::file_time_type, fs::path>> plans;
  const auto now = fs::file_time_type::clock::now();
  ForEachDirEntry(dir, [&](const fs::directory_entry& entry) {
    std::error_code ec;
    const fs::path& p = entry.path();
    const auto mtime = fs::last_write_time(p, ec);
    if (ec || !entry.is_regular_file(ec)) return;
    if (p.filename().string().find(".tmp.") != std::string::npos) {
      if (now - mtime > kStaleTempAge) fs::remove(p, ec);
    } else if (p.extension() == ".plan" && p != keep) {
      plans.emplace_back(mtime, p);
    }
  });
  if (static_cast<int>(plans.size()) < kMaxCachedPlans) return;
  std::sort(plans.begin(), plans.end(), [](const auto& a, const auto& b) { return a > b; });
  for (size_t i = kMaxCachedPlans - 1; i < plans.size(); ++i) {
    std::error_code ec2;
    if (fs::remove(plans[i].second, ec2)) {
      TRT_LOG_DEBUG("plan cache: removed old plan {}", plans[i].second.string());
    }
  }
}

// Writes `plan` to `target` through a temp file + rename. Returns the reason on failure.
Status WriteAtomically(const runtime::Plan& plan, const fs::path& target) {
  std::error_code ec;
  fs::create_directories(target.parent_path(), ec);
  if (ec) {
    return Unavailable("cannot create " + target.parent_path().string() + ": " + ec.message());
  }
  const std::string temp = TempName(target);
  Status saved = runtime::SavePlan(plan, temp);
  if (saved.ok()) {
    fs::rename(temp, target, ec);
    if (!ec) return Status::Ok();
    saved = Unavailable("cannot rename " + temp + " to " + target.string() + ": " + ec.message());
  }
  fs::remove(temp, ec);
  return saved;
}

// The cached plan at `file` if it is usable for `request`; the reason otherwise.
StatusOr<std::shared_ptr<runtime::Plan>> TryCachedPlan(const fs::path& file,
                                                       const CachedPlanRequest& request) {
  TRT_ASSIGN_OR_RETURN(auto plan, runtime::LoadPlan(file.string()));
  std::string why;
  if (!ProfilesMatch(request.profiles, plan->profiles(), &why)) {
    return FailedPrecondition("its profiles differ from the config: " + why);
  }
  return plan;
}

}  // namespace

uint64_t HashBytes(std::string_view bytes) {
  return FnvUpdate(kFnvOffset, bytes.data(), bytes.size());
}

StatusOr<uint64_t> HashFileContents(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return NotFound("cannot open " + file.string() + " to hash it");
  std::vector<char> buf(1 << 20);
  uint64_t h = kFnvOffset;
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    h = FnvUpdate(h, buf.data(), static_cast<size_t>(in.gcount()));
  }
  if (in.bad()) return Internal("read error while hashing " + file.string());
  return h;
}

std::string PlanCacheKey(uint64_t model_hash, std::string_view build_key, std::string_view isa) {
  std::string build(build_key);
  build += '|';
  build += isa;
  return Hex16(model_hash) + "-" + Hex16(HashBytes(build)) + "-" + std::string(isa);
}

bool ProfilesMatch(const std::vector<runtime::OptimizationProfile>& want,
                   const std::vector<runtime::OptimizationProfile>& have, std::string* why) {
  auto names = [](const std::vector<runtime::OptimizationProfile>& ps) {
    std::string out;
    for (const auto& p : ps) out += (out.empty() ? "" : ", ") + p.name;
    return "[" + out + "]";
  };
  auto fail = [&](std::string text) {
    if (why) *why = std::move(text);
    return false;
  };
  if (want.size() != have.size()) {
    return fail("expected profiles " + names(want) + ", found " + names(have));
  }
  for (size_t i = 0; i < want.size(); ++i) {
    if (want[i].name != have[i].name) {
      return fail("profile " + std::to_string(i) + " is '" + have[i].name + "', expected '" +
                  want[i].name + "' (profiles " + names(have) + " vs " + names(want) + ")");
    }
    for (const auto& r : want[i].inputs) {
      const runtime::InputShapeRange* h = have[i].Find(r.input);
      if (!h) {
        return fail("profile '" + want[i].name + "' has no range for input '" + r.input + "'");
      }
      if (!(h->min == r.min && h->opt == r.opt && h->max == r.max)) {
        return fail("profile '" + want[i].name + "' input '" + r.input + "' is " +
                    ProfileRangeText(*h) + ", expected " + ProfileRangeText(r));
      }
    }
  }
  return true;
}

StatusOr<CachedPlan> LoadOrBuildCachedPlan(CachedPlanRequest request) {
  Counters& counters = GlobalCounters();
  const std::string key = PlanCacheKey(request.model_hash, request.build_key, IsaName(ActiveIsa()));
  CachedPlan out;
  out.cache_file = request.model_file.parent_path() / kPlanCacheDirName / (key + ".plan");

  std::error_code ec;
  if (fs::exists(out.cache_file, ec)) {
    auto cached = TryCachedPlan(out.cache_file, request);
    if (cached.ok()) {
      counters.hits.fetch_add(1);
      out.plan = std::move(cached).value();
      out.cache_hit = true;
      return out;
    }
    counters.rejected.fetch_add(1);
    TRT_LOG_WARN("{}: the cached plan cannot be used ({}); rebuilding it", request.label,
                 cached.status().message());
  }

  runtime::BuildConfig build;
  build.profiles = request.profiles;
  build.progress = request.progress;
  counters.builds.fetch_add(1);
  TRT_LOG_INFO("{}: building the plan from {} (no usable cached plan yet)", request.label,
               request.model_file.string());
  TRT_ASSIGN_OR_RETURN(out.plan, runtime::BuildPlan(std::move(request.model), build));
  std::string why;
  if (!ProfilesMatch(request.profiles, out.plan->profiles(), &why)) {
    return Internal(request.label +
                    ": the built plan does not serve the config's profiles: " + why);
  }

  Status written = WriteAtomically(*out.plan, out.cache_file);
  if (written.ok()) {
    counters.writes.fetch_add(1);
    out.cache_written = true;
    PruneCacheDir(out.cache_file.parent_path(), out.cache_file);
  } else {
    TRT_LOG_WARN(
        "{}: could not cache the plan ({}); serving the plan built in memory, so the next "
        "start builds it again. Make {} writable to keep the plan.",
        request.label, written.message(), out.cache_file.parent_path().string());
  }
  return out;
}

PlanCacheCounters ReadPlanCacheCounters() {
  const Counters& c = GlobalCounters();
  return PlanCacheCounters{c.hits.load(), c.builds.load(), c.rejected.load(), c.writes.load()};
}

}  // namespace trt::server
