// Helpers for tests that run the `trtserve-client` executable (and, for the real-server
// tests, `trtserve`): run a command line and capture its output and exit code, free ports,
// temporary directories.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <string>

namespace trt::client::testing {

inline const std::string kClientExe = std::string(TRTSERVE_BINARY_DIR) + "/client/trtserve-client";

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout + stderr
};

inline CommandResult RunShell(const std::string& command) {
  FILE* p = popen((command + " 2>&1").c_str(), "r");
  if (!p) return {-1, "popen failed"};
  std::string out;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
  const int status = pclose(p);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

inline CommandResult RunClient(const std::string& args) {
  return RunShell(kClientExe + " " + args);
}

// A TCP port on 127.0.0.1 that was free a moment ago (bind to port 0, read it, close).
inline int FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  int port = -1;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  close(fd);
  return port;
}

inline std::string MakeTempDir(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("trtserve_client_" + std::to_string(getpid()) + "_" + name);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir.string();
}

}  // namespace trt::client::testing
