// A node's /metrics (Prometheus' text exposition format) and /healthz over
// HTTP, served by kj-http on the node's own event loop: a scrape reads the
// counters between two events, never while one runs.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "dc/status.h"
#include "live/kj_asio.h"

namespace dcemu::live {

struct HttpPages {
  std::function<std::string()> metrics;
  // True when healthy; the text says why not, or what it checked.
  std::function<bool(std::string& text)> health;
};

class HttpEndpoint {
 public:
  HttpEndpoint(KjAsioLoop& loop, HttpPages pages);
  ~HttpEndpoint();

  // Listens on `address`:`port` (port 0 picks a free one); returns the port.
  dc::Result<uint16_t> listen(const std::string& address, uint16_t port);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace dcemu::live
