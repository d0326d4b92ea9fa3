// Leveled logging through spdlog. One process-wide logger ("trtserve") writing to stderr.
// Levels: trace, debug, info, warn, error, off. SetLogLevel is thread-safe.
#pragma once

#include <spdlog/spdlog.h>

#include <string_view>

namespace trt {

spdlog::logger& Logger();
// Returns false if `level` is not a known level name.
bool SetLogLevel(std::string_view level);

}  // namespace trt

#define TRT_LOG_TRACE(...) ::trt::Logger().trace(__VA_ARGS__)
#define TRT_LOG_DEBUG(...) ::trt::Logger().debug(__VA_ARGS__)
#define TRT_LOG_INFO(...) ::trt::Logger().info(__VA_ARGS__)
#define TRT_LOG_WARN(...) ::trt::Logger().warn(__VA_ARGS__)
#define TRT_LOG_ERROR(...) ::trt::Logger().error(__VA_ARGS__)
