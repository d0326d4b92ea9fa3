#include "client/perf/perf_options.h"

#include <charconv>
#include <cmath>

namespace trt::client {
namespace {

bool ParseNumber(std::string_view text, double* out) {
  if (text.empty()) return false;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && ptr == text.data() + text.size() && std::isfinite(*out);
}

bool ParseInt(std::string_view text, int64_t* out) {
  if (text.empty()) return false;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && ptr == text.data() + text.size();
}

std::vector<std::string_view> Split(std::string_view text, char sep) {
  std::vector<std::string_view> parts;
  size_t pos = 0;
  while (true) {
    const size_t end = text.find(sep, pos);
    parts.push_back(text.substr(pos, end == std::string_view::npos ? end : end - pos));
    if (end == std::string_view::npos) break;
    pos = end + 1;
  }
  return parts;
}

}  // namespace

std::vector<double> LoadRange::Values() const {
  std::vector<double> v;
  const double eps = step * 1e-9;
  for (int i = 0;; ++i) {
    const double x = start + i * step;
    if (x > end + eps) break;
    v.push_back(x);
  }
  return v;
}

StatusOr<LoadRange> ParseLoadRange(std::string_view text, bool integer, const std::string& flag) {
  const std::string example = integer ? "1:8:1" : "100:400:100";
  const auto parts = Split(text, ':');
  if (parts.size() > 3) {
    return InvalidArgumentError(flag + " '" + std::string(text) +
                                "' has too many fields; write START[:END[:STEP]], e.g. " + example);
  }
  double v[3] = {0, 0, 1};
  for (size_t i = 0; i < parts.size(); ++i) {
    if (!ParseNumber(parts[i], &v[i]) || v[i] <= 0 || (integer && v[i] != std::floor(v[i]))) {
      return InvalidArgumentError(flag + " '" + std::string(text) + "': '" + std::string(parts[i]) +
                                  "' is not a positive " + (integer ? "integer" : "number") +
                                  "; write START[:END[:STEP]], e.g. " + example);
    }
  }
  LoadRange r{v[0], parts.size() > 1 ? v[1] : v[0], v[2]};
  if (r.end < r.start) {
    return InvalidArgumentError(flag + " '" + std::string(text) + "': END is below START");
  }
  if (r.Values().size() > 1000) {
    return InvalidArgumentError(flag + " '" + std::string(text) +
                                "' gives more than 1000 load levels; use a larger STEP");
  }
  return r;
}

StatusOr<ShapeRange> ParseShapeRange(std::string_view text) {
  const std::string bad = "--shape-range '" + std::string(text) + "' ";
  const std::string form = "; write NAME:DIM=MIN:MAX, e.g. --shape-range input:0=1:8";
  const size_t eq = text.find('=');
  if (eq == std::string_view::npos) return InvalidArgumentError(bad + "has no '='" + form);
  const std::string_view left = text.substr(0, eq);
  const size_t colon = left.rfind(':');
  if (colon == std::string_view::npos || colon == 0) {
    return InvalidArgumentError(bad + "has no NAME:DIM before '='" + form);
  }
  ShapeRange r;
  r.input = std::string(left.substr(0, colon));
  int64_t dim = -1;
  if (!ParseInt(left.substr(colon + 1), &dim) || dim < 0 || dim > 64) {
    return InvalidArgumentError(bad + "has a bad DIM index (0 = first dim)" + form);
  }
  r.dim = static_cast<int>(dim);
  const auto bounds = Split(text.substr(eq + 1), ':');
  if (bounds.size() != 2 || !ParseInt(bounds[0], &r.min) || !ParseInt(bounds[1], &r.max) ||
      r.min < 1 || r.max < r.min) {
    return InvalidArgumentError(bad + "needs MIN:MAX with 1 <= MIN <= MAX" + form);
  }
  return r;
}

StatusOr<Distribution> ParseDistribution(std::string_view text) {
  if (text == "constant") return Distribution::kConstant;
  if (text == "poisson") return Distribution::kPoisson;
  return InvalidArgumentError("--request-distribution '" + std::string(text) +
                              "': use constant or poisson");
}

StatusOr<MeasurementMode> ParseMeasurementMode(std::string_view text) {
  if (text == "time_windows") return MeasurementMode::kTimeWindows;
  if (text == "count_windows") return MeasurementMode::kCountWindows;
  return InvalidArgumentError("--measurement-mode '" + std::string(text) +
                              "': use time_windows or count_windows");
}

Status ValidatePerfOptions(const PerfOptions& o) {
  if (o.model.empty()) return InvalidArgumentError("perf needs a model: -m MODEL");
  if (o.endpoints.empty()) return InvalidArgumentError("perf needs an endpoint: -u HOST:PORT");
  if (!(o.percentile > 0 && o.percentile < 100)) {
    return InvalidArgumentError("--percentile must be in (0, 100), e.g. 99");
  }
  if (o.measurement_interval_ms <= 0) {
    return InvalidArgumentError("--measurement-interval-ms must be positive");
  }
  if (o.measurement_request_count < 1) {
    return InvalidArgumentError("--measurement-request-count must be at least 1");
  }
  if (o.warmup_ms < 0) return InvalidArgumentError("--warmup-ms must be >= 0");
  if (o.stability_percentage <= 0) {
    return InvalidArgumentError("--stability-percentage must be positive, e.g. 10");
  }
  if (o.max_trials < 3) {
    return InvalidArgumentError(
        "--max-trials must be at least 3 (stability compares the last "
        "three windows)");
  }
  if (o.batch_size < 1) return InvalidArgumentError("-b (batch size) must be at least 1");
  if (o.max_outstanding < 1) return InvalidArgumentError("--max-outstanding must be >= 1");
  if (o.request_timeout_ms < 0) return InvalidArgumentError("--timeout-ms must be >= 0");
  return Status::OK;
}

}  // namespace trt::client
