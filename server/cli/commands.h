// Subcommands of the `trtserve` executable. Each Register* adds a CLI11 subcommand and
// returns a callback-owning options struct; main.cc dispatches. Commands print results on
// stdout, errors on stderr ("error: ..." plus what to do next), and exit non-zero on error.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace trt::cli {

// Adds the subcommand to `app` and sets *run to the function that executes it (returns
// the process exit code).
void RegisterInspect(CLI::App& app, std::function<int()>* run);
void RegisterRun(CLI::App& app, std::function<int()>* run);
void RegisterBuild(CLI::App& app, std::function<int()>* run);
void RegisterBench(CLI::App& app, std::function<int()>* run);
void RegisterServe(CLI::App& app, std::function<int()>* run);

// Prints "error: <msg>" to stderr and returns 1.
int ReportError(const std::string& msg);

}  // namespace trt::cli
