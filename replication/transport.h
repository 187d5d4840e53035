// How a destination reaches a source for one GetNCChanges exchange. The
// simulator's in-process transport and the Cap'n Proto RPC transport both
// carry the encoded request and reply as bytes, so their sizes are real.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "dc/ids.h"

namespace dcemu::replication {

struct TransportReply {
  uint32_t win32 = 0;  // 0, or why no reply came (e.g. RPC server unavailable)
  std::string bytes;   // the encoded GetNcChangesReply when win32 is 0
  std::string error;
};

class PullTransport {
 public:
  virtual ~PullTransport() = default;
  // Sends `request` to `sourceDsa`; calls `done` later, exactly once.
  virtual void getNcChanges(const dc::Guid& sourceDsa, std::string request,
                            std::function<void(TransportReply)> done) = 0;
};

// Delayed calls: the simulator's event queue, a KJ timer in a live node.
class Timer {
 public:
  virtual ~Timer() = default;
  virtual void after(int64_t micros, std::function<void()> fn) = 0;
};

}  // namespace dcemu::replication
