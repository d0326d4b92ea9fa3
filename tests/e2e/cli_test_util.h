// Helpers for end-to-end tests that drive the real `trtserve` executable.
#pragma once
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <string>

#include "engine/base/npy.h"
#include "tests/testing/compare.h"

namespace trt::e2e {

namespace fs = std::filesystem;

inline const std::string kSrc = TRTSERVE_SOURCE_DIR;
inline const std::string kTrtserve = std::string(TRTSERVE_BINARY_DIR) + "/server/trtserve";

struct CommandResult {
  int exit_code;
  std::string output;  // stdout + stderr
};

inline CommandResult RunCommand(const std::string& args) {
  const std::string cmd = kTrtserve + " " + args + " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return {-1, "popen failed"};
  std::string out;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
  const int status = pclose(p);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

inline std::string TempDir(const std::string& name) {
  fs::path d = fs::temp_directory_path() / ("trtserve_e2e_" + std::to_string(getpid()) + name);
  fs::create_directories(d);
  return d.string();
}

inline Tensor MustRead(const std::string& path) {
  auto t = ReadNpy(path);
  EXPECT_TRUE(t.ok()) << t.status();
  return t.ok() ? std::move(t).value() : Tensor();
}

}  // namespace trt::e2e
