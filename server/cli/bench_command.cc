// `trtserve bench MODEL.plan|MODEL.onnx --shapes=...`: trtexec-style latency/throughput
// measurement of one execution context on random (or given) inputs.
#include <algorithm>
#include <chrono>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>

#include "engine/base/npy.h"
#include "engine/runtime/execution_context.h"
#include "engine/runtime/plan_file.h"
#include "server/cli/commands.h"
#include "server/cli/engine_loader.h"
#include "server/cli/progress.h"

namespace trt::cli {
namespace {

using Clock = std::chrono::steady_clock;

struct BenchOptions {
  std::string model;
  std::string profile;
  std::string shapes;
  std::vector<std::string> inputs;
  int iterations = 10;
  int warmup_ms = 200;
  double duration_s = 3.0;
  int threads = 1;
  std::string json;
  bool dump_profile = false;
  ProfileFlags profiles;
};

// Per-op breakdown of the timed runs (trtexec --dumpProfile): totals by op type and kernel,
// then the slowest nodes. Also returned as JSON for --json.
nlohmann::json PrintOpProfile(const runtime::ExecutionContext& ctx, size_t runs) {
  const auto& steps = ctx.program().steps;
  const auto& ns = ctx.op_time_ns();
  int64_t total = 0;
  for (int64_t t : ns) total += t;
  const double per_run = runs > 0 ? 1e-6 / static_cast<double>(runs) : 0.0;  // ns -> ms/run
  auto pct = [&](int64_t t) { return total > 0 ? 100.0 * t / static_cast<double>(total) : 0.0; };
  auto kernel_of = [](const runtime::GraphProgram::Step& st) {
    std::string k(st.kernel->Name());
    return k.empty() ? st.kernel_name : k;
  };
  struct Group {
    int64_t ns = 0;
    int count = 0;
  };
  std::map<std::pair<std::string, std::string>, Group> by_type;
  for (size_t i = 0; i < steps.size(); ++i) {
    Group& gr = by_type[{steps[i].node->op_type, kernel_of(steps[i])}];
    gr.ns += ns[i];
    ++gr.count;
  }
  std::vector<std::pair<std::pair<std::string, std::string>, Group>> types(by_type.begin(),
                                                                           by_type.end());
  std::sort(types.begin(), types.end(),
            [](const auto& a, const auto& b) { return a.second.ns > b.second.ns; });
  nlohmann::json j;
  j["runs"] = runs;
  j["total_ms_per_run"] = static_cast<double>(total) * per_run;
  std::printf("\nOp profile (%zu runs; time per run, summed over nodes):\n", runs);
  std::printf("  %-24s %-28s %5s %11s %7s\n", "op type", "kernel", "nodes", "ms", "%");
  for (const auto& [key, gr] : types) {
    std::printf("  %-24s %-28s %5d %11.3f %6.1f%%\n", key.first.c_str(), key.second.c_str(),
                gr.count, static_cast<double>(gr.ns) * per_run, pct(gr.ns));
    j["by_op_type"].push_back({{"op_type", key.first},
                               {"kernel", key.second},
                               {"nodes", gr.count},
                               {"ms", static_cast<double>(gr.ns) * per_run},
                               {"percent", pct(gr.ns)}});
  }
  std::printf("  %-24s %-28s %5zu %11.3f\n", "total", "", steps.size(),
              static_cast<double>(total) * per_run);
  std::vector<size_t> order(steps.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return ns[a] > ns[b]; });
  const size_t top = std::min<size_t>(order.size(), 15);
  std::printf("Slowest %zu nodes:\n", top);
  for (size_t r = 0; r < order.size(); ++r) {
    const auto& st = steps[order[r]];
    nlohmann::json n = {{"node", st.node->name},
                        {"op_type", st.node->op_type},
                        {"kernel", kernel_of(st)},
                        {"ms", static_cast<double>(ns[order[r]]) * per_run},
                        {"percent", pct(ns[order[r]])}};
    j["nodes"].push_back(n);
    if (r < top) {
      std::printf("  %-40s %-16s %-28s %9.3f ms %5.1f%%\n", st.node->name.c_str(),
                  st.node->op_type.c_str(), kernel_of(st).c_str(),
                  static_cast<double>(ns[order[r]]) * per_run, pct(ns[order[r]]));
    }
  }
  return j;
}

// Random data: floats uniform in [-1, 1]; integer inputs whose name contains "mask" are 1,
// other integers uniform in [0, 100) (valid token ids / indices for typical models).
Tensor RandomInput(const graph::Value& v, const Shape& shape, std::mt19937& rng) {
  Tensor t(v.dtype, shape);
  const bool mask = v.name.find("mask") != std::string::npos;
  std::uniform_real_distribution<float> uf(-1.f, 1.f);
  std::uniform_int_distribution<int> ui(0, 99);
  for (int64_t i = 0; i < t.NumElements(); ++i) {
    VisitDType(v.dtype, [&](auto tag) {
      using T = typename decltype(tag)::type;
      if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double>) {
        t.data<T>()[i] = static_cast<T>(uf(rng));
      } else if constexpr (std::is_same_v<T, Float16> || std::is_same_v<T, BFloat16>) {
        t.data<T>()[i] = T(uf(rng));
      } else if constexpr (std::is_same_v<T, bool>) {
        t.data<T>()[i] = true;
      } else {
        t.data<T>()[i] = static_cast<T>(mask ? 1 : ui(rng));
      }
    });
  }
  return t;
}

double Percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  const double idx = p / 100.0 * static_cast<double>(v.size() - 1);
  const size_t lo = static_cast<size_t>(idx);
  const size_t hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (v[hi] - v[lo]) * (idx - static_cast<double>(lo));
}

int RunBench(const BenchOptions& o) {
  std::map<std::string, Shape> shapes;
  if (!o.shapes.empty()) {
    std::string list = o.shapes;
    size_t pos = 0;
    while (pos <= list.size()) {
      size_t next = list.find(',', pos);
      std::string item =
          list.substr(pos, next == std::string::npos ? std::string::npos : next - pos);
      const size_t colon = item.rfind(':');
      if (colon == std::string::npos) {
        return ReportError("bad --shapes entry '" + item + "': expected input:AxBxC");
      }
      auto s = runtime::ParseXShape(item.substr(colon + 1));
      if (!s.ok()) return ReportError(s.status().message());
      shapes[item.substr(0, colon)] = *s;
      if (next == std::string::npos) break;
      pos = next + 1;
    }
  }
  auto profiles = o.profiles.Parse();
  if (!profiles.ok()) return ReportError(profiles.status().ToString());
  if (profiles->empty() && !shapes.empty() && !runtime::LooksLikePlanFile(o.model)) {
    runtime::OptimizationProfile p;  // an ONNX model benchmarks at exactly --shapes
    p.name = "bench";
    for (const auto& [name, s] : shapes) p.inputs.push_back({name, s, s, s});
    profiles->push_back(p);
  }
  auto plan = LoadOrBuildPlan(o.model, *profiles, o.profiles.opt_level);
  if (!plan.ok()) return ReportError(plan.status().ToString());
  const graph::Graph& g = *(*plan)->model().graph;
  // Bindings: given .npy files, else random data at --shapes (or the profile's opt shape).
  runtime::NamedTensors inputs;
  std::mt19937 rng(1234);
  std::vector<std::pair<std::string, Shape>> bound_shapes;
  int profile_index = 0;
  if (!o.profile.empty()) {
    auto idx = (*plan)->FindProfile(o.profile);
    if (!idx.ok()) return ReportError(idx.status().ToString());
    profile_index = *idx;
  }
  for (const graph::Value* v : g.inputs()) {
    Tensor t;
    for (const auto& spec : o.inputs) {
      if (spec.rfind(v->name + "=", 0) == 0) {
        auto r = ReadNpy(spec.substr(v->name.size() + 1));
        if (!r.ok()) return ReportError("input '" + v->name + "': " + r.status().message());
        t = *r;
      }
    }
    if (!t.defined()) {
      Shape s;
      if (auto it = shapes.find(v->name); it != shapes.end()) {
        s = it->second;
      } else {
        const auto* r = (*plan)->profiles()[profile_index].Find(v->name);
        if (!r)
          return ReportError("no shape for input '" + v->name + "': pass --shapes=" + v->name +
                             ":AxB");
        s = r->opt;
      }
      t = RandomInput(*v, s, rng);
    }
    bound_shapes.emplace_back(v->name, t.shape());
    inputs.emplace_back(v->name, std::move(t));
  }
  if (o.profile.empty()) {
    auto idx = runtime::SelectProfile((*plan)->profiles(), bound_shapes);
    if (!idx.ok()) return ReportError(idx.status().ToString());
    profile_index = *idx;
  }
  auto ctx = runtime::ExecutionContext::Create(*plan, profile_index, o.threads);
  if (!ctx.ok()) return ReportError(ctx.status().ToString());
  runtime::NamedTensors outputs;
  Progress progress("bench");
  const auto warm_end = Clock::now() + std::chrono::milliseconds(o.warmup_ms);
  int warmups = 0;
  do {
    progress.Update("warming up", 0.0);
    Status s = (*ctx)->Run(inputs, &outputs);
    if (!s.ok()) return ReportError(s.ToString());
    ++warmups;
  } while (Clock::now() < warm_end);
  std::vector<double> ms;
  if (o.dump_profile) (*ctx)->EnableOpProfiling(true);
  const auto start = Clock::now();
  const auto min_end = start + std::chrono::duration<double>(o.duration_s);
  while (static_cast<int>(ms.size()) < o.iterations || Clock::now() < min_end) {
    const auto t0 = Clock::now();
    Status s = (*ctx)->Run(inputs, &outputs);
    const auto t1 = Clock::now();
    if (!s.ok()) return ReportError(s.ToString());
    ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
    const double f = std::min(std::chrono::duration<double>(t1 - start).count() / o.duration_s,
                              static_cast<double>(ms.size()) / o.iterations);
    progress.Update(std::to_string(ms.size()) + " iterations", std::min(f, 1.0));
  }
  progress.Done(std::to_string(ms.size()) + " iterations");
  const int64_t batch =
      inputs.empty() || inputs[0].second.rank() == 0 ? 1 : inputs[0].second.shape()[0];
  double sum = 0;
  for (double x : ms) sum += x;
  const double mean = sum / static_cast<double>(ms.size());
  const double mn = *std::min_element(ms.begin(), ms.end());
  const double mx = *std::max_element(ms.begin(), ms.end());
  const double median = Percentile(ms, 50), p90 = Percentile(ms, 90), p99 = Percentile(ms, 99);
  const double items_per_s = static_cast<double>(batch) * 1000.0 / mean;
  std::printf("Model: %s  profile: %s  threads: %d\n", o.model.c_str(),
              (*ctx)->profile().name.c_str(), o.threads);
  for (const auto& [name, s] : bound_shapes)
    std::printf("Input %s: %s\n", name.c_str(), s.ToXString().c_str());
  std::printf(
      "Latency: min = %.3f ms, max = %.3f ms, mean = %.3f ms, median = %.3f ms, "
      "percentile(90%%) = %.3f ms, percentile(99%%) = %.3f ms\n",
      mn, mx, mean, median, p90, p99);
  std::printf("Throughput: %.2f items/s (batch %lld, %zu iterations, %d warm-up runs)\n",
              items_per_s, static_cast<long long>(batch), ms.size(), warmups);
  nlohmann::json op_profile;
  if (o.dump_profile) op_profile = PrintOpProfile(**ctx, ms.size());
  if (!o.json.empty()) {
    nlohmann::json j;
    if (o.dump_profile) j["op_profile"] = op_profile;
    j["tool"] = "trtserve";
    j["model"] = o.model;
    for (const auto& [name, s] : bound_shapes) j["shapes"][name] = s.ToVector();
    j["threads"] = o.threads;
    j["iterations"] = ms.size();
    j["latency_ms"] = {{"min", mn},  {"mean", mean}, {"median", median},
                       {"p90", p90}, {"p99", p99},   {"max", mx}};
    j["throughput_items_per_s"] = items_per_s;
    j["batch"] = batch;
    j["profile"] = (*ctx)->profile().name;
    std::ofstream out(o.json);
    if (!out) return ReportError("cannot write --json file '" + o.json + "'");
    out << j.dump(2) << "\n";
  }
  return 0;
}

}  // namespace

void RegisterBench(CLI::App& app, std::function<int()>* run) {
  auto opts = std::make_shared<BenchOptions>();
  CLI::App* sub = app.add_subcommand(
      "bench", "Measure latency and throughput of a plan or model (like trtexec)");
  sub->add_option("model", opts->model, "Path to a .plan or .onnx file")->required();
  sub->add_option("--shapes", opts->shapes, "Input shapes input:8x3x224x224[,name:AxB]");
  sub->add_option("--profile", opts->profile,
                  "Plan profile to run (default: best fit for --shapes)");
  sub->add_option("--input,-i", opts->inputs, "NAME=FILE.npy instead of random data");
  sub->add_option("--iterations", opts->iterations, "Minimum timed iterations")
      ->capture_default_str();
  sub->add_option("--warmup-ms", opts->warmup_ms, "Warm-up time")->capture_default_str();
  sub->add_option("--duration-s", opts->duration_s, "Minimum timed duration")
      ->capture_default_str();
  sub->add_option("--threads", opts->threads, "Intra-op threads")
      ->capture_default_str()
      ->check(CLI::Range(1, 256));
  sub->add_option("--json", opts->json, "Also write the results as JSON");
  sub->add_flag("--dump-profile", opts->dump_profile,
                "Print where the time goes: per op type/kernel and the slowest nodes (like "
                "trtexec --dumpProfile; adds two clock reads per op)");
  sub->add_option("--opt-level", opts->profiles.opt_level, "Graph optimization for .onnx: 0, 1, 2")
      ->capture_default_str()
      ->check(CLI::Range(0, 2));
  sub->footer(
      "Example: trtserve bench resnet50.onnx --shapes=input:8x3x224x224 --threads 2 --json r.json");
  *run = [opts] { return RunBench(*opts); };
}

}  // namespace trt::cli
