// The files a live cluster shares: the secret its nodes authenticate with
// and the addresses they reach one another at. `dcemu cluster up` writes
// them under the cluster directory; `dcemu node`, `ctl` and `status` read
// them; a Kubernetes deployment mounts them from a Secret and a ConfigMap.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "dc/status.h"

namespace dcemu::live {

struct Address {
  std::string host;
  uint16_t port = 0;
};

// "HOST:PORT", HOST an IPv4 address or a name; the port 1 to 65535
// (0 allowed with `anyPort`: the system picks one).
dc::Result<Address> parseAddress(const std::string& text, bool anyPort = false);

// DC names compare without case, as Windows compares them.
struct IgnoringCase {
  bool operator()(const std::string& a, const std::string& b) const;
};
using Peers = std::map<std::string, Address, IgnoringCase>;

// A peers file: one "NAME HOST:PORT" per line, '#' starts a comment. Names
// keep their spelling. Errors name the file and line.
dc::Result<Peers> readPeers(const std::string& path);
// `what` says in the file's first line what the addresses are.
dc::Status writePeers(const std::string& path, const Peers& peers, std::string_view what);

// The cluster secret: the file's bytes, without a final newline; at least
// 16 bytes. Refused when users outside its owner and group may read it.
dc::Result<std::string> readSecret(const std::string& path);
// 32 random bytes from the system's CSPRNG, written as hex, mode 0600.
dc::Status writeNewSecret(const std::string& path);

// Microseconds since the Unix epoch on the wall clock.
int64_t wallMicros();
// A cluster's simulated time: the file's start plus the wall-clock time
// since the cluster's epoch, times its scale. Every process of a cluster
// shares the epoch, so their clocks agree as NTP-synchronised DCs' do.
struct ClusterClock {
  int64_t epochUnixMicros = 0;
  double scale = 1;
  int64_t now(int64_t start) const {
    return start + static_cast<int64_t>(static_cast<double>(wallMicros() - epochUnixMicros) * scale);
  }
};
// The `epoch` and `time-scale` files `cluster up` writes into a cluster
// directory; errors name the file.
dc::Result<ClusterClock> readClusterClock(const std::string& directory);

}  // namespace dcemu::live
