// Options of `trtserve-client perf` and the parsers for its structured flags.
//
// Names follow perf_analyzer where one exists (--concurrency-range, --request-rate-range,
// --request-distribution, --input-data, --shape, -b, --percentile, --stability-percentage,
// --max-trials, -f), so a perf_analyzer command line mostly carries over.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "client/status.h"

namespace trt::client {

enum class LoadMode { kConcurrency, kRequestRate };
enum class Distribution { kConstant, kPoisson };
// How a measurement window ends (perf_analyzer's --measurement-mode):
//   kTimeWindows  after --measurement-interval-ms;
//   kCountWindows at the completion that brings the window to --measurement-request-count
//                 requests (failed ones included). Windows are back to back and end on a
//                 completion, so a window spans whole completion intervals: the right mode
//                 for slow models, where a time window would catch a fraction of a batch.
enum class MeasurementMode { kTimeWindows, kCountWindows };

// "START[:END[:STEP]]": END defaults to START, STEP to 1. Values() lists START, START+STEP,
// ... up to END inclusive (a small epsilon absorbs float steps).
struct LoadRange {
  double start = 1, end = 1, step = 1;
  std::vector<double> Values() const;
};
// `integer` requires whole numbers (concurrency). `flag` names the option in errors.
StatusOr<LoadRange> ParseLoadRange(std::string_view text, bool integer, const std::string& flag);

// "--shape-range NAME:DIM=MIN:MAX": dim index DIM (into the full shape, batch dim included) of
// input NAME is drawn uniformly from [MIN, MAX] for every request.
struct ShapeRange {
  std::string input;
  int dim = 0;
  int64_t min = 0, max = 0;
};
StatusOr<ShapeRange> ParseShapeRange(std::string_view text);

StatusOr<Distribution> ParseDistribution(std::string_view text);
StatusOr<MeasurementMode> ParseMeasurementMode(std::string_view text);

struct PerfOptions {
  std::string model;
  std::string version;  // "" = server's default version
  std::vector<std::string> endpoints = {"127.0.0.1:8001"};
  LoadMode mode = LoadMode::kConcurrency;
  LoadRange range;                                      // concurrency or requests/s
  Distribution distribution = Distribution::kConstant;  // open loop only

  std::string input_data = "random";                   // random | zeros | DIR | FILE.json
  std::map<std::string, std::vector<int64_t>> shapes;  // --shape
  std::vector<ShapeRange> shape_ranges;                // --shape-range
  int64_t batch_size = 1;                              // -b

  int64_t warmup_ms = 1000;
  MeasurementMode measurement_mode = MeasurementMode::kTimeWindows;
  int64_t measurement_interval_ms = 5000;  // time windows
  int64_t measurement_request_count = 50;  // count windows
  double stability_percentage = 10;
  int max_trials = 10;
  double percentile = 99;  // latency percentile used for stability and the SVG
  int64_t request_timeout_ms = 30000;
  int64_t max_outstanding = 1024;     // open loop: cap on requests in flight
  int64_t behind_schedule_us = 1000;  // open loop: a send later than this is "behind"
  uint64_t seed = 1;

  std::string csv_path, json_path, svg_path;
};

// Cross-field checks with actionable messages (percentile in (0, 100), positive intervals,
// trials >= 3, ...).
Status ValidatePerfOptions(const PerfOptions& options);

}  // namespace trt::client
