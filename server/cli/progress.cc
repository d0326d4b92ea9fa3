#include "server/cli/progress.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>

namespace trt::cli {

Progress::Progress(std::string task) : task_(std::move(task)), tty_(isatty(STDERR_FILENO) == 1) {}

Progress::~Progress() {
  if (open_line_) std::fputc('\n', stderr);
}

void Progress::Update(std::string_view stage, double fraction) {
  fraction = std::clamp(fraction, 0.0, 1.0);
  if (tty_) {
    constexpr int kWidth = 24;
    const int filled = static_cast<int>(fraction * kWidth + 0.5);
    std::fprintf(stderr, "\r\033[K%s [%.*s%*s] %3d%% %.*s", task_.c_str(), filled,
                 "########################", kWidth - filled, "", static_cast<int>(fraction * 100),
                 static_cast<int>(stage.size()), stage.data());
    std::fflush(stderr);
    open_line_ = true;
  } else if (stage != last_stage_) {
    // Plain logs: new kinds of stage always, counters ("123 iterations") only every 25%.
    const bool counter = !stage.empty() && stage[0] >= '0' && stage[0] <= '9';
    if (!counter || fraction >= next_report_) {
      std::fprintf(stderr, "%s: %.*s (%d%%)\n", task_.c_str(), static_cast<int>(stage.size()),
                   stage.data(), static_cast<int>(fraction * 100));
      while (next_report_ <= fraction) next_report_ += 0.25;
    }
  }
  last_stage_ = std::string(stage);
}

void Progress::Done(std::string_view summary) {
  if (open_line_) std::fprintf(stderr, "\r\033[K");
  open_line_ = false;
  std::fprintf(stderr, "%s: %.*s\n", task_.c_str(), static_cast<int>(summary.size()),
               summary.data());
}

}  // namespace trt::cli
