#include "server/grpc/address.h"

#include <algorithm>

namespace trt::server {

Status SplitHostPort(const std::string& address, const std::string& flag, std::string* host,
                     int* port) {
  const size_t colon = address.rfind(':');
  const std::string usage = flag + " '" + address +
                            "' must be HOST:PORT, e.g. 127.0.0.1:8001 (0.0.0.0:PORT listens on "
                            "every interface; port 0 picks a free port)";
  if (colon == std::string::npos || colon == 0 || colon + 1 == address.size()) {
    return InvalidArgument(usage);
  }
  const std::string port_text = address.substr(colon + 1);
  const bool digits =
      std::all_of(port_text.begin(), port_text.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (port_text.size() > 5 || !digits || std::stoi(port_text) > 65535) {
    return InvalidArgument(usage);
  }
  *host = address.substr(0, colon);
  *port = std::stoi(port_text);
  return Status::Ok();
}

std::string BareHost(const std::string& host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    return host.substr(1, host.size() - 2);
  }
  return host;
}

}  // namespace trt::server
