// Plan file writer and (mmap-based) loader. Format in plan_file.h.
#include "engine/runtime/plan_file.h"

#include <fcntl.h>
#include <onnx/onnx_pb.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "engine/graph/onnx_export.h"
#include "engine/graph/onnx_import.h"
#include "engine/kernels/gemm/gemm.h"
#include "engine/runtime/builder.h"
#include "engine/runtime/model_loader.h"

namespace trt::runtime {
namespace {

constexpr char kMagic[8] = {'T', 'R', 'T', 'P', 'L', 'A', 'N', '\0'};
constexpr size_t kHeaderBytes = 64;
constexpr size_t kAlign = 64;
enum SectionKind : uint32_t { kMeta = 1, kGraph = 2, kWeights = 3, kPacked = 4 };

struct Header {
  char magic[8];
  uint32_t version;
  uint32_t isa;
  uint64_t file_size;
  uint64_t checksum;
  uint32_t num_sections;
  uint8_t pad[kHeaderBytes - 36];
};
static_assert(sizeof(Header) == kHeaderBytes);

struct SectionEntry {
  uint32_t kind;
  uint32_t reserved;
  uint64_t offset;
  uint64_t size;
};
static_assert(sizeof(SectionEntry) == 24);

uint64_t Fnv1a64(const unsigned char* p, size_t n) {
  uint64_t h = 1469598103934665603ull;
  for (size_t i = 0; i < n; ++i) {
    h ^= p[i];
    h *= 1099511628211ull;
  }
  return h;
}

size_t AlignUp(size_t v) { return (v + kAlign - 1) / kAlign * kAlign; }

nlohmann::json ShapeJson(const Shape& s) { return nlohmann::json(s.ToVector()); }

nlohmann::json MetaJson(const Plan& plan) {
  nlohmann::json j;
  j["format"] = kPlanFormatVersion;
  j["trtserve_version"] = "0.1.0";
  j["model"] = plan.model().name;
  j["isa"] = std::string(IsaName(plan.isa()));
  for (size_t i = 0; i < plan.profiles().size(); ++i) {
    const auto& p = plan.profiles()[i];
    nlohmann::json pj;
    pj["name"] = p.name;
    pj["arena_bytes"] = plan.memory(static_cast<int>(i)).plan.arena_bytes;
    pj["inputs"] = nlohmann::json::array();
    pj["buffers"] = nlohmann::json::array();
    for (const auto& b : DescribeProfileMemory(plan.program(), plan.memory(static_cast<int>(i)))) {
      pj["buffers"].push_back({b.value, b.offset, b.bytes});
    }
    for (const auto& r : p.inputs) {
      pj["inputs"].push_back({{"name", r.input},
                              {"min", ShapeJson(r.min)},
                              {"opt", ShapeJson(r.opt)},
                              {"max", ShapeJson(r.max)}});
    }
    j["profiles"].push_back(pj);
  }
  for (const auto& c : plan.choices()) {
    j["nodes"].push_back({{"node", c.node},
                          {"op", c.op},
                          {"kernel", c.kernel},
                          {"precision", c.precision},
                          {"fused", c.fused}});
  }
  return j;
}

// Calls fn(step) for every step of `p` and of its subprograms, depth first.
template <typename Fn>
void ForEachStep(const GraphProgram& p, Fn&& fn) {
  for (const auto& step : p.steps) {
    fn(step);
    for (const graph::Graph* sg : graph::Subgraphs(*step.node)) {
      if (auto it = p.subprograms.find(sg); it != p.subprograms.end()) ForEachStep(*it->second, fn);
    }
  }
}

// Appends every kernel's packed weights to `blob` and lists them in meta["packed"].
void StorePackedWeights(const Plan& plan, std::string* blob, nlohmann::json* meta) {
  (*meta)["packed"] = nlohmann::json::array();
  (*meta)["packed_layout"] = kernels::gemm::kPackedWeightsLayout;
  ForEachStep(plan.program(), [&](const GraphProgram::Step& step) {
    const std::string key = GraphProgram::PrepackedKey(*step.node);
    const auto blobs = step.kernel->PackedWeights();
    if (key.empty() || blobs.empty()) return;
    nlohmann::json entry = {{"key", key}, {"blobs", nlohmann::json::array()}};
    for (const auto& b : blobs) {
      blob->resize(AlignUp(blob->size()), '\0');
      entry["blobs"].push_back({blob->size(), b.size()});
      blob->append(reinterpret_cast<const char*>(b.data()), b.size());
    }
    (*meta)["packed"].push_back(std::move(entry));
  });
}

Status Refuse(const std::string& path, const std::string& why) {
  return FailedPrecondition("plan '" + path + "' " + why);
}

}  // namespace

Status SavePlan(const Plan& plan, const std::string& path) {
  // Weights blob, deduplicated by storage address.
  std::string weights;
  std::map<std::pair<const void*, size_t>, int64_t> stored;
  graph::WeightSink sink;
  sink.location = "weights";
  sink.store = [&](const Tensor& t) -> int64_t {
    auto key = std::make_pair(t.raw_data(), t.nbytes());
    if (auto it = stored.find(key); it != stored.end()) return it->second;
    weights.resize(AlignUp(weights.size()), '\0');
    const int64_t off = static_cast<int64_t>(weights.size());
    weights.append(static_cast<const char*>(t.raw_data()), t.nbytes());
    stored[key] = off;
    return off;
  };
  onnx::ModelProto proto;
  TRT_RETURN_IF_ERROR(graph::ExportOnnxModel(plan.model(), &proto, &sink));
  std::string graph_bytes;
  if (!proto.SerializeToString(&graph_bytes)) {
    return Internal("serializing the optimized graph of '" + plan.model().name + "' failed");
  }
  nlohmann::json meta_json = MetaJson(plan);
  std::string packed;
  StorePackedWeights(plan, &packed, &meta_json);
  const std::string meta = meta_json.dump(1);
  const std::string* sections[4] = {&meta, &graph_bytes, &weights, &packed};
  const uint32_t kinds[4] = {kMeta, kGraph, kWeights, kPacked};
  std::vector<SectionEntry> table(4);
  size_t offset = AlignUp(kHeaderBytes + sizeof(SectionEntry) * table.size());
  for (int i = 0; i < 4; ++i) {
    table[i] = {kinds[i], 0, offset, sections[i]->size()};
    offset = AlignUp(offset + sections[i]->size());
  }
  std::string file(offset, '\0');
  std::memcpy(file.data() + kHeaderBytes, table.data(), sizeof(SectionEntry) * table.size());
  for (int i = 0; i < 4; ++i) {
    std::memcpy(file.data() + table[i].offset, sections[i]->data(), sections[i]->size());
  }
  Header h{};
  std::memcpy(h.magic, kMagic, sizeof kMagic);
  h.version = kPlanFormatVersion;
  h.isa = static_cast<uint32_t>(plan.isa());
  h.file_size = file.size();
  h.num_sections = static_cast<uint32_t>(table.size());
  h.checksum = Fnv1a64(reinterpret_cast<const unsigned char*>(file.data()) + kHeaderBytes,
                       file.size() - kHeaderBytes);
  std::memcpy(file.data(), &h, sizeof h);
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return NotFound("cannot create plan file '" + path + "' (does the folder exist?)");
    out.write(file.data(), static_cast<std::streamsize>(file.size()));
    if (!out) return Internal("writing plan file '" + path + "' failed (disk full?)");
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) return Internal("cannot move '" + tmp + "' to '" + path + "': " + ec.message());
  return Status::Ok();
}

bool LooksLikePlanFile(const std::string& path) {
  if (std::filesystem::path(path).extension() == ".plan") return true;
  std::ifstream in(path, std::ios::binary);
  char m[8] = {};
  in.read(m, sizeof m);
  return in && std::memcmp(m, kMagic, sizeof kMagic) == 0;
}

StatusOr<std::shared_ptr<Plan>> LoadPlan(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return NotFound("cannot open plan file '" + path + "'");
  struct stat st {};
  if (::fstat(fd, &st) != 0 || st.st_size < static_cast<off_t>(kHeaderBytes)) {
    ::close(fd);
    return Refuse(path, "is too small to be a plan (truncated?); rebuild it with trtserve build");
  }
  const size_t size = static_cast<size_t>(st.st_size);
  void* addr = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  ::close(fd);
  if (addr == MAP_FAILED) return Internal("cannot map plan file '" + path + "'");
  std::shared_ptr<void> mapping(addr, [size](void* p) { ::munmap(p, size); });
  const auto* base = static_cast<const unsigned char*>(addr);
  Header h;
  std::memcpy(&h, base, sizeof h);
  if (std::memcmp(h.magic, kMagic, sizeof kMagic) != 0) {
    return Refuse(path,
                  "is not a trtserve plan (bad magic); build one with `trtserve build "
                  "MODEL.onnx -o MODEL.plan`");
  }
  if (h.version != kPlanFormatVersion) {
    return Refuse(path, "has format version " + std::to_string(h.version) +
                            " but this trtserve reads version " +
                            std::to_string(kPlanFormatVersion) +
                            "; rebuild it from the ONNX model");
  }
  if (h.isa > static_cast<uint32_t>(Isa::kAvx512)) {
    return Refuse(path, "requires an unknown ISA (code " + std::to_string(h.isa) +
                            "); it was built by a newer trtserve");
  }
  if (static_cast<int>(h.isa) > static_cast<int>(ActiveIsa())) {
    return Refuse(path, "was built for " + std::string(IsaName(static_cast<Isa>(h.isa))) +
                            " but this machine runs " + std::string(IsaName(ActiveIsa())) +
                            "; rebuild the plan on this machine");
  }
  if (h.file_size != size) {
    return Refuse(path, "is " + std::to_string(size) + " bytes but its header says " +
                            std::to_string(h.file_size) + " (truncated or corrupted); rebuild it");
  }
  if (Fnv1a64(base + kHeaderBytes, size - kHeaderBytes) != h.checksum) {
    return Refuse(path, "fails its checksum (corrupted); rebuild it with trtserve build");
  }
  if (h.num_sections > 16 || kHeaderBytes + h.num_sections * sizeof(SectionEntry) > size) {
    return Refuse(path, "has a corrupted section table");
  }
  std::map<uint32_t, std::pair<const unsigned char*, size_t>> sections;
  for (uint32_t i = 0; i < h.num_sections; ++i) {
    SectionEntry e;
    std::memcpy(&e, base + kHeaderBytes + i * sizeof(SectionEntry), sizeof e);
    if (e.offset > size || e.size > size - e.offset)
      return Refuse(path, "has a section out of bounds");
    sections[e.kind] = {base + e.offset, e.size};
  }
  for (uint32_t k : {kMeta, kGraph, kWeights}) {
    if (!sections.count(k)) return Refuse(path, "lacks section " + std::to_string(k));
  }
  nlohmann::json meta;
  try {
    const auto& [p, n] = sections[kMeta];
    meta = nlohmann::json::parse(reinterpret_cast<const char*>(p),
                                 reinterpret_cast<const char*>(p) + n);
  } catch (const std::exception& e) {
    return Refuse(path, std::string("has unreadable metadata: ") + e.what());
  }
  onnx::ModelProto proto;
  if (!proto.ParseFromArray(sections[kGraph].first, static_cast<int>(sections[kGraph].second))) {
    return Refuse(path, "has an unreadable graph section");
  }
  const auto [wbase, wsize] = sections[kWeights];
  graph::ExternalDataSource weights;
  weights.resolve = [wbase = wbase, wsize = wsize, mapping](
                        const std::string& location, int64_t offset, int64_t length, DType dtype,
                        const Shape& shape) -> StatusOr<Tensor> {
    const int64_t need = shape.NumElements() * static_cast<int64_t>(DTypeSize(dtype));
    if (location != "weights" || offset < 0 || offset % kAlign != 0 || length != need ||
        static_cast<uint64_t>(offset + need) > wsize) {
      return DataLoss("weights reference out of bounds (offset " + std::to_string(offset) +
                      ", length " + std::to_string(length) + ")");
    }
    return Tensor::Wrap(dtype, shape, const_cast<unsigned char*>(wbase + offset), mapping);
  };
  const std::string name = meta.value("model", std::string("model"));
  auto imported = graph::ImportOnnxModel(proto, name, weights);
  if (!imported.ok()) return imported.status().WithContext("plan '" + path + "'");
  auto model = std::make_shared<graph::Model>(std::move(imported).value());
  TRT_RETURN_IF_ERROR(PrepareModel(*model).WithContext("plan '" + path + "'"));
  std::vector<OptimizationProfile> profiles;
  try {
    for (const auto& pj : meta.at("profiles")) {
      OptimizationProfile p;
      p.name = pj.at("name").get<std::string>();
      for (const auto& ij : pj.value("inputs", nlohmann::json::array())) {
        p.inputs.push_back({ij.at("name").get<std::string>(),
                            Shape(ij.at("min").get<std::vector<int64_t>>()),
                            Shape(ij.at("opt").get<std::vector<int64_t>>()),
                            Shape(ij.at("max").get<std::vector<int64_t>>())});
      }
      profiles.push_back(std::move(p));
    }
  } catch (const std::exception& e) {
    return Refuse(path, std::string("has malformed profile metadata: ") + e.what());
  }
  // Packed weights (absent in plans written before they were stored, or in another layout
  // than this build's: kernels pack again from the weights).
  GraphProgram::PrepackedMap prepacked;
  const bool layout_matches = meta.value("packed_layout", 1) == kernels::gemm::kPackedWeightsLayout;
  if (auto it = sections.find(kPacked); it != sections.end() && layout_matches) {
    const auto [pbase, psize] = it->second;
    try {
      for (const auto& entry : meta.value("packed", nlohmann::json::array())) {
        kernels::PrepackedWeights w;
        w.owner = mapping;
        for (const auto& b : entry.at("blobs")) {
          const uint64_t off = b.at(0).get<uint64_t>(), n = b.at(1).get<uint64_t>();
          if (off % kAlign != 0 || off > psize || n > psize - off) {
            return Refuse(path, "has a packed-weights entry out of bounds; rebuild it");
          }
          w.blobs.emplace_back(reinterpret_cast<const std::byte*>(pbase + off), n);
        }
        prepacked[entry.at("key").get<std::string>()] = std::move(w);
      }
    } catch (const std::exception& e) {
      return Refuse(path, std::string("has malformed packed-weights metadata: ") + e.what());
    }
  }
  auto plan = AssemblePlan(model, std::move(profiles), static_cast<Isa>(h.isa), &prepacked);
  if (!plan.ok()) return plan.status().WithContext("plan '" + path + "'");
  Plan::PackedLoadStats packed_stats;
  ForEachStep((*plan)->program(), [&](const GraphProgram::Step& step) {
    for (const auto& b : step.kernel->PackedWeights()) {
      const auto* p = reinterpret_cast<const unsigned char*>(b.data());
      const bool mapped = p >= base && p < base + size;
      ++(mapped ? packed_stats.adopted : packed_stats.repacked);
    }
  });
  (*plan)->set_packed_load_stats(packed_stats);
  // The kernels and memory plans must be the ones the plan was built with.
  const auto& nodes = meta.value("nodes", nlohmann::json::array());
  const auto& choices = (*plan)->choices();
  if (nodes.size() != choices.size()) {
    return Refuse(path,
                  "was built with a different engine version (node count differs); rebuild it");
  }
  for (size_t i = 0; i < choices.size(); ++i) {
    const std::string kernel = nodes[i].value("kernel", "");
    if (kernel != choices[i].kernel) {
      return Refuse(path, "selected kernel '" + kernel + "' for node '" + choices[i].node +
                              "', which this build replaces by '" + choices[i].kernel +
                              "'; rebuild the plan");
    }
  }
  // Use the stored memory plans (validated against this program's value lifetimes).
  for (size_t i = 0; i < (*plan)->profiles().size(); ++i) {
    std::vector<PlannedBuffer> buffers;
    int64_t arena = 0;
    try {
      const auto& pj = meta["profiles"][i];
      arena = pj.at("arena_bytes").get<int64_t>();
      for (const auto& b : pj.at("buffers")) {
        buffers.push_back(
            {b.at(0).get<std::string>(), b.at(1).get<int64_t>(), b.at(2).get<int64_t>()});
      }
    } catch (const std::exception& e) {
      return Refuse(path, std::string("has a malformed memory plan: ") + e.what());
    }
    auto mem = RestoreProfileMemory((*plan)->program(), (*plan)->model(), arena, buffers);
    if (!mem.ok()) {
      return Refuse(path, "profile '" + (*plan)->profiles()[i].name +
                              "': " + mem.status().message() + "; rebuild the plan");
    }
    (*plan)->SetMemory(static_cast<int>(i), std::move(mem).value());
  }
  return plan;
}

}  // namespace trt::runtime
