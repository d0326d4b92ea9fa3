// Terminal progress for long commands (plan builds, benchmarks).
//
// On a terminal, Update() redraws one status line in place ("\r"); when stderr is not a
// terminal (CI logs, pipes) it prints each new stage once, as a plain line.
// Thread safety: not thread-safe; one reporter per command.
#pragma once

#include <string>
#include <string_view>

namespace trt::cli {

class Progress {
 public:
  explicit Progress(std::string task);
  ~Progress();
  // `fraction` in [0, 1]; the stage text is shown next to a bar on terminals.
  void Update(std::string_view stage, double fraction);
  void Done(std::string_view summary);

 private:
  std::string task_;
  std::string last_stage_;
  bool tty_;
  bool open_line_ = false;
  double next_report_ = 0.25;  // plain mode: next fraction at which a counter is printed
};

}  // namespace trt::cli
