// RequestSource: the ModelInfer requests a perf run sends, already serialized.
//
// Input data (--input-data):
//   random | zeros  generated per distinct shape (random values from --seed; see Fill)
//   DIR             DIR/NAME.npy for every model input (one request, sent repeatedly)
//   FILE.json       perf_analyzer's layout: {"data": [{"NAME": [values...] |
//                   {"content": [values...], "shape": [dims...]}, ...}, ...]}; requests
//                   cycle through the entries in order
// Shapes come from ModelMetadata, with the batch dim set to -b, --shape for variable dims, and
// --shape-range drawing a dim per request (generated data only). Range entries with the same
// DIM and MIN:MAX draw one shared value per request (inputs sharing a dynamic dim such as
// seq); a range on dim 0 of a batching model sets the batch of every input.
//
// Each distinct combination of shapes is serialized once into a grpc::ByteBuffer and cached;
// every request with those shapes shares its slices (copying a ByteBuffer only takes
// references), so the hot path never re-serializes tensors.
// Threading: Next() is thread-safe (a mutex guards the draw generator and the cache).
#pragma once

#include <grpcpp/support/byte_buffer.h>

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include "client/infer_io.h"
#include "client/perf/perf_options.h"
#include "client/status.h"

namespace trt::client {

class RequestSource {
 public:
  // Validates the data against the model (names, dtypes, shapes, ranges) and builds the first
  // request, so a bad setup fails before any load is sent.
  static StatusOr<std::unique_ptr<RequestSource>> Create(const ModelInfo& model,
                                                         const PerfOptions& options);

  struct Request {
    grpc::ByteBuffer bytes;  // shares the cached serialized slices
    int32_t batch = 1;       // inferences in this request
  };
  // The next request to send.
  StatusOr<Request> Next();

  // How many distinct serialized requests exist so far.
  size_t variants() const;
  // One line for reports: "random data, shapes input [4, 1, 8, 8]" and the like.
  const std::string& description() const { return description_; }

 private:
  struct Variant {
    grpc::ByteBuffer bytes;
    int32_t batch = 1;
  };
  // For generated data: which range group sets each (input, dim).
  struct RangedDim {
    size_t input;
    int dim;
    size_t group;
  };

  RequestSource(const ModelInfo& model, const PerfOptions& options);
  Status InitGenerated();
  Status InitFromDirectory();
  Status InitFromJson();
  // Serializes a request carrying `inputs` (in model input order).
  Variant Serialize(const std::vector<HostTensor>& inputs) const;
  StatusOr<std::shared_ptr<const Variant>> GeneratedVariant(
      const std::vector<std::vector<int64_t>>& shapes);

  const ModelInfo model_;
  const PerfOptions options_;
  std::string description_;

  // File data: fixed variants, sent in turn.
  std::vector<std::shared_ptr<const Variant>> fixed_;
  std::atomic<uint64_t> next_fixed_{0};

  // Generated data.
  Fill fill_ = Fill::kRandom;
  std::vector<std::vector<int64_t>> base_shapes_;  // per input, ranged dims at their MIN
  std::vector<ShapeRange> groups_;                 // distinct (dim, min, max) draws
  std::vector<RangedDim> ranged_;
  mutable std::mutex mu_;
  std::mt19937_64 rng_;                                                   // guarded by mu_
  std::map<std::vector<int64_t>, std::shared_ptr<const Variant>> cache_;  // guarded by mu_
};

}  // namespace trt::client
