// Plan files: a versioned, checksummed binary container for a Plan.
//
// Layout (little-endian):
//   header, 64 bytes: magic "TRTPLAN\0", u32 format version, u32 required ISA (0 generic,
//     1 avx2), u64 file size, u64 FNV-1a-64 checksum of everything after the header,
//     u32 section count, then zero padding;
//   section table: per section {u32 kind, u32 reserved, u64 offset, u64 size};
//   sections (64-byte aligned): kMeta (JSON: model name, profiles, per-node kernel choice and
//     precision, per-profile arena bytes, build info), kGraph (the optimized graph as an
//     ONNX ModelProto whose large constants are external data pointing into kWeights),
//     kWeights (raw tensor bytes, each 64-byte aligned, identical storage stored once).
// Loading mmaps the file: weights are zero-copy views into the mapping. It refuses, with a
// message saying what to do: wrong magic, a newer or older format version, a plan built for
// an ISA this CPU lacks, a truncated file, a checksum mismatch, and kernels or memory plans
// that no longer match what this build would choose.
// Thread safety: pure functions.
#pragma once

#include <memory>
#include <string>

#include "engine/runtime/plan.h"

namespace trt::runtime {

inline constexpr uint32_t kPlanFormatVersion = 1;

Status SavePlan(const Plan& plan, const std::string& path);
StatusOr<std::shared_ptr<Plan>> LoadPlan(const std::string& path);

// True if `path` ends in ".plan" or starts with the plan magic (commands accept .plan and
// .onnx transparently; a damaged .plan then gets the plan loader's explanation).
bool LooksLikePlanFile(const std::string& path);

}  // namespace trt::runtime
