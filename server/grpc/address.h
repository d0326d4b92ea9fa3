// Listening addresses of the server's endpoints (gRPC and /metrics), given as "HOST:PORT".
// Threading: pure functions.
#pragma once

#include <string>

#include "engine/base/status.h"

namespace trt::server {

// Splits "HOST:PORT" ("[::1]:8001" for IPv6; the brackets stay in *host). INVALID_ARGUMENT
// naming `flag` (the command-line flag the address came from) when the host or port is
// missing or the port is not a number in 0..65535. Port 0 means "pick a free port".
Status SplitHostPort(const std::string& address, const std::string& flag, std::string* host,
                     int* port);

// "[::1]" -> "::1"; other hosts unchanged (for socket APIs that take a bare host).
std::string BareHost(const std::string& host);

}  // namespace trt::server
