// ONNX backend conformance runner.
//
// Runs every case folder (model.onnx + test_data_set_*/{input,output}_*.pb) under each --data
// directory through the reference executor, each case in a forked child with a timeout so a
// crash or hang in one kernel is reported as that case's failure instead of killing the run.
// Prints one line per folder: "conformance: P passed, F failed, U unsupported of N (folder)".
// With --expected FILE, exits non-zero if any case listed there (as "<folder>/<case>") does
// not pass, so coverage can only go up.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "engine/base/logging.h"
#include "engine/graph/onnx_import.h"
#include "engine/runtime/builder.h"
#include "engine/runtime/execution_context.h"
#include "engine/runtime/executor.h"
#include "engine/runtime/model_loader.h"
#include "engine/runtime/plan_file.h"
#include "tests/testing/compare.h"

namespace fs = std::filesystem;

namespace {

enum class Outcome { kPass, kFail, kUnsupported };

struct Result {
  Outcome outcome;
  std::string reason;
};

struct Options {
  std::vector<std::string> data_dirs;
  std::string filter;
  std::string expected_file;
  std::string write_passing;
  bool verbose = false;
  bool plan = false;  // build a plan (passes + arena) and run it through an ExecutionContext
  int timeout_s = 120;
  int jobs = 1;
};

std::vector<fs::path> SortedEntries(const fs::path& dir, const std::string& prefix) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (e.path().filename().string().rfind(prefix, 0) == 0) out.push_back(e.path());
  }
  // input_10 after input_9: sort by the numeric suffix when present.
  std::sort(out.begin(), out.end(), [&](const fs::path& a, const fs::path& b) {
    auto num = [&](const fs::path& p) {
      std::string s = p.stem().string().substr(prefix.size());
      return s.empty() ? 0 : std::atoi(s.c_str());
    };
    return num(a) != num(b) ? num(a) < num(b) : a < b;
  });
  return out;
}

Result Fail(std::string why) { return {Outcome::kFail, std::move(why)}; }

Result FromStatus(const trt::Status& s) {
  return {s.code() == trt::StatusCode::kUnimplemented ? Outcome::kUnsupported : Outcome::kFail,
          s.ToString()};
}

struct DataSet {
  trt::runtime::NamedTensors inputs;
  std::vector<fs::path> outputs;
  std::string name;
};

// Loads every test_data_set_* of a case (inputs bound by name, or by position).
trt::StatusOr<std::vector<DataSet>> LoadDataSets(const fs::path& dir, const trt::graph::Graph& g) {
  std::vector<DataSet> sets;
  for (const auto& set : SortedEntries(dir, "test_data_set_")) {
    DataSet ds;
    ds.name = set.filename().string();
    const auto inputs = SortedEntries(set, "input_");
    for (size_t i = 0; i < inputs.size(); ++i) {
      std::string name;
      auto t = trt::graph::LoadTensorProtoFile(inputs[i].string(), &name);
      if (!t.ok()) return t.status();
      if (name.empty() && i < g.inputs().size()) name = g.inputs()[i]->name;
      ds.inputs.emplace_back(name, std::move(t).value());
    }
    ds.outputs = SortedEntries(set, "output_");
    sets.push_back(std::move(ds));
  }
  return sets;
}

Result Compare(const DataSet& ds, const trt::runtime::NamedTensors& outs) {
  if (ds.outputs.size() != outs.size()) {
    return Fail("produced " + std::to_string(outs.size()) + " outputs, expected " +
                std::to_string(ds.outputs.size()));
  }
  for (size_t i = 0; i < ds.outputs.size(); ++i) {
    auto e = trt::graph::LoadTensorProtoFile(ds.outputs[i].string());
    if (!e.ok()) return FromStatus(e.status());
    std::string diff = trt::testing::CompareTensors(outs[i].second, *e);
    if (!diff.empty()) {
      return Fail(ds.name + " output " + std::to_string(i) + " ('" + outs[i].first + "'): " + diff);
    }
  }
  return {Outcome::kPass, ""};
}

// Plan mode: one profile per data set (min = opt = max = its input shapes), built with all
// graph passes, saved to a plan file and loaded back, then run through execution contexts.
Result RunCaseAsPlan(const fs::path& dir) {
  auto model = trt::runtime::LoadModel((dir / "model.onnx").string());
  if (!model.ok()) return FromStatus(model.status());
  auto sets = LoadDataSets(dir, *(*model)->graph);
  if (!sets.ok()) return FromStatus(sets.status());
  if (sets->empty()) return Fail("no test_data_set_* folders");
  trt::runtime::BuildConfig cfg;
  for (size_t i = 0; i < sets->size(); ++i) {
    trt::runtime::OptimizationProfile p;
    p.name = "set" + std::to_string(i);
    for (const auto& [name, t] : (*sets)[i].inputs)
      p.inputs.push_back({name, t.shape(), t.shape(), t.shape()});
    cfg.profiles.push_back(std::move(p));
  }
  auto built = trt::runtime::BuildPlan(*model, cfg);
  if (!built.ok()) return FromStatus(built.status());
  const std::string path =
      (fs::temp_directory_path() / ("trtserve_conf_" + std::to_string(getpid()) + ".plan"))
          .string();
  trt::Status saved = trt::runtime::SavePlan(**built, path);
  if (!saved.ok()) return FromStatus(saved);
  auto plan = trt::runtime::LoadPlan(path);
  fs::remove(path);
  if (!plan.ok()) return FromStatus(plan.status());
  for (size_t i = 0; i < sets->size(); ++i) {
    auto ctx = trt::runtime::ExecutionContext::Create(*plan, static_cast<int>(i));
    if (!ctx.ok()) return FromStatus(ctx.status());
    for (int rep = 0; rep < 2; ++rep) {  // twice: the arena is reused across runs
      auto outs = (*ctx)->Run((*sets)[i].inputs);
      if (!outs.ok()) return FromStatus(outs.status());
      Result r = Compare((*sets)[i], *outs);
      if (r.outcome != Outcome::kPass) return r;
    }
  }
  return {Outcome::kPass, ""};
}

// Runs one case in-process.
Result RunCase(const fs::path& dir, bool as_plan) {
  if (as_plan) return RunCaseAsPlan(dir);
  auto model = trt::runtime::LoadModel((dir / "model.onnx").string());
  if (!model.ok()) return FromStatus(model.status());
  std::shared_ptr<trt::graph::Model> shared = std::move(model).value();
  auto exec = trt::runtime::Executor::Create(shared);
  if (!exec.ok()) return FromStatus(exec.status());
  auto sets = LoadDataSets(dir, *shared->graph);
  if (!sets.ok()) return FromStatus(sets.status());
  if (sets->empty()) return Fail("no test_data_set_* folders");
  for (const DataSet& ds : *sets) {
    auto outs = (*exec)->Run(ds.inputs);
    if (!outs.ok()) return FromStatus(outs.status());
    Result r = Compare(ds, *outs);
    if (r.outcome != Outcome::kPass) return r;
  }
  return {Outcome::kPass, ""};
}

// Runs a case in a forked child; the child reports "<code>\n<reason>" through a pipe.
struct Child {
  pid_t pid;
  int fd;
  std::string name;
  fs::path dir;
  std::chrono::steady_clock::time_point start;
  std::string buf;
};

Child Spawn(const fs::path& dir, const std::string& name, bool as_plan) {
  int fds[2];
  if (pipe(fds) != 0) {
    perror("pipe");
    std::exit(2);
  }
  pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    Result r = RunCase(dir, as_plan);
    std::string msg = std::to_string(static_cast<int>(r.outcome)) + "\n" + r.reason;
    size_t off = 0;
    while (off < msg.size()) {
      ssize_t w = write(fds[1], msg.data() + off, msg.size() - off);
      if (w <= 0) break;
      off += static_cast<size_t>(w);
    }
    close(fds[1]);
    _exit(0);
  }
  close(fds[1]);
  return Child{pid, fds[0], name, dir, std::chrono::steady_clock::now(), ""};
}

Result Reap(Child& c, bool timed_out) {
  if (timed_out) {
    kill(c.pid, SIGKILL);
  }
  int status = 0;
  waitpid(c.pid, &status, 0);
  close(c.fd);
  if (timed_out) return Fail("timed out");
  if (WIFSIGNALED(status)) {
    return Fail(std::string("CRASHED with signal ") + strsignal(WTERMSIG(status)));
  }
  auto nl = c.buf.find('\n');
  if (nl == std::string::npos) return Fail("child exited without a result");
  return {static_cast<Outcome>(std::atoi(c.buf.substr(0, nl).c_str())), c.buf.substr(nl + 1)};
}

bool ParseArgs(int argc, char** argv, Options* o) {
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::cerr << a << " needs a value\n";
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--data")
      o->data_dirs.push_back(next());
    else if (a == "--filter")
      o->filter = next();
    else if (a == "--expected")
      o->expected_file = next();
    else if (a == "--write-passing")
      o->write_passing = next();
    else if (a == "--timeout-s")
      o->timeout_s = std::atoi(next().c_str());
    else if (a == "--jobs" || a == "-j")
      o->jobs = std::max(1, std::atoi(next().c_str()));
    else if (a == "--verbose" || a == "-v")
      o->verbose = true;
    else if (a == "--plan")
      o->plan = true;
    else if (a == "--help" || a == "-h")
      return false;
    else {
      std::cerr << "unknown argument '" << a << "'\n";
      return false;
    }
  }
  return !o->data_dirs.empty();
}

void PrintHelp() {
  std::cout
      << "Usage: trtserve_conformance --data DIR [--data DIR...] [options]\n"
         "Runs ONNX backend test cases (DIR/<case>/model.onnx + test_data_set_*) through the\n"
         "reference executor and compares with the expected outputs (rtol 1e-3, atol 1e-7 for\n"
         "floats; exact for integers and bools).\n\n"
         "Options:\n"
         "  --filter REGEX        only cases whose name matches (std::regex, search)\n"
         "  --expected FILE       fail (exit 1) if a listed case (\"<folder>/<case>\") does not "
         "pass\n"
         "  --write-passing FILE  write the passing cases in the --expected format\n"
         "  --timeout-s N         per-case time limit in seconds (default 120)\n"
         "  -j, --jobs N          cases run in parallel (default 1)\n"
         "  -v, --verbose         print every case with its outcome and reason\n"
         "  --plan                build a plan per case (all graph passes, one profile per data\n"
         "                        set, saved and reloaded) and run it through execution contexts\n"
         "  --plan                build a plan per case (all graph passes, one profile per data\n"
         "                        set, saved and reloaded) and run it through execution contexts\n"
         "Example:\n"
         "  trtserve_conformance --data /usr/share/libonnx-testdata/data/node --filter "
         "'^test_conv' -v\n";
}

}  // namespace

int main(int argc, char** argv) {
  Options opt;
  if (!ParseArgs(argc, argv, &opt)) {
    PrintHelp();
    return argc > 1 && std::string(argv[1]) != "--help" && std::string(argv[1]) != "-h" ? 2 : 0;
  }
  trt::SetLogLevel("error");
  std::set<std::string> expected;
  if (!opt.expected_file.empty()) {
    std::ifstream in(opt.expected_file);
    if (!in) {
      std::cerr << "cannot read expected-pass list '" << opt.expected_file << "'\n";
      return 2;
    }
    for (std::string line; std::getline(in, line);) {
      if (!line.empty() && line[0] != '#') expected.insert(line);
    }
  }
  std::regex filter(opt.filter.empty() ? ".*" : opt.filter);
  std::set<std::string> passing;
  std::vector<std::string> regressions;
  std::set<std::string> seen;
  for (const auto& data : opt.data_dirs) {
    const std::string folder = fs::path(data).filename().string();
    std::vector<fs::path> cases;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(data, ec)) {
      if (fs::exists(e.path() / "model.onnx") &&
          std::regex_search(e.path().filename().string(), filter)) {
        cases.push_back(e.path());
      }
    }
    if (ec) {
      std::cerr << "cannot read '" << data << "': " << ec.message() << "\n";
      return 2;
    }
    std::sort(cases.begin(), cases.end());
    int counts[3] = {0, 0, 0};
    std::map<std::string, Result> results;
    std::vector<Child> running;
    size_t next = 0;
    while (next < cases.size() || !running.empty()) {
      while (next < cases.size() && static_cast<int>(running.size()) < opt.jobs) {
        running.push_back(Spawn(cases[next], cases[next].filename().string(), opt.plan));
        ++next;
      }
      std::vector<pollfd> pfds;
      for (auto& c : running) pfds.push_back({c.fd, POLLIN, 0});
      poll(pfds.data(), pfds.size(), 100);
      for (size_t i = 0; i < running.size();) {
        Child& c = running[i];
        bool done = false;
        if (pfds[i].revents & (POLLIN | POLLHUP)) {
          char tmp[4096];
          ssize_t r = read(c.fd, tmp, sizeof tmp);
          if (r > 0)
            c.buf.append(tmp, static_cast<size_t>(r));
          else
            done = true;
        }
        const bool timed_out =
            std::chrono::steady_clock::now() - c.start > std::chrono::seconds(opt.timeout_s);
        if (done || timed_out) {
          results[c.name] = Reap(c, timed_out && !done);
          running.erase(running.begin() + static_cast<long>(i));
          pfds.erase(pfds.begin() + static_cast<long>(i));
        } else {
          ++i;
        }
      }
    }
    for (const auto& [name, r] : results) {
      counts[static_cast<int>(r.outcome)]++;
      const std::string key = folder + "/" + name;
      seen.insert(key);
      if (r.outcome == Outcome::kPass)
        passing.insert(key);
      else if (expected.count(key))
        regressions.push_back(key + ": " + r.reason);
      if (opt.verbose) {
        const char* tag = r.outcome == Outcome::kPass   ? "PASS"
                          : r.outcome == Outcome::kFail ? "FAIL"
                                                        : "UNSUPPORTED";
        std::cout << tag << " " << key << (r.reason.empty() ? "" : ": " + r.reason) << "\n";
      }
    }
    std::cout << (opt.plan ? "conformance (plan): " : "conformance: ") << counts[0] << " passed, "
              << counts[1] << " failed, " << counts[2] << " unsupported of " << results.size()
              << " (" << folder << ")\n";
  }
  for (const auto& key : expected) {
    if (!seen.count(key) && opt.filter.empty()) {
      const std::string folder = key.substr(0, key.find('/'));
      for (const auto& d : opt.data_dirs) {
        if (fs::path(d).filename() == folder) regressions.push_back(key + ": case not found");
      }
    }
  }
  if (!opt.write_passing.empty()) {
    std::ofstream out(opt.write_passing);
    out << "# Conformance cases that must keep passing (generated by trtserve_conformance\n"
           "# --write-passing; regenerate when coverage goes up).\n";
    for (const auto& k : passing) out << k << "\n";
  }
  if (!regressions.empty()) {
    std::cout << "\n" << regressions.size() << " case(s) from the expected-pass list failed:\n";
    for (const auto& r : regressions) std::cout << "  " << r << "\n";
    return 1;
  }
  return 0;
}
