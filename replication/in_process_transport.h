// The transport the simulator uses: sources live in the same process, and
// the request and reply travel as encoded bytes after a per-partner one-way
// latency, through a Timer (never a sleep). A source may be marked
// unreachable (a partition, a DC that is down): the pull then fails with
// RPC_S_SERVER_UNAVAILABLE after the latency, as a timed-out call would.
#pragma once

#include <cstdint>
#include <map>

#include "dc/directory.h"
#include "replication/transport.h"

namespace dcemu::replication {

class InProcessTransport : public PullTransport {
 public:
  explicit InProcessTransport(Timer& timer) : timer_(timer) {}

  void addSource(const dc::Guid& dsa, const dc::Directory& dir) { sources_[dsa].dir = &dir; }
  void setLatency(const dc::Guid& dsa, int64_t oneWayMicros) { sources_[dsa].latency = oneWayMicros; }
  void setReachable(const dc::Guid& dsa, bool reachable) { sources_[dsa].reachable = reachable; }

  void getNcChanges(const dc::Guid& sourceDsa, std::string request, std::function<void(TransportReply)> done) override;

 private:
  struct Source {
    const dc::Directory* dir = nullptr;
    int64_t latency = 0;
    bool reachable = true;
  };
  Timer& timer_;
  std::map<dc::Guid, Source> sources_;
};

}  // namespace dcemu::replication
