// A DC's replication service over Cap'n Proto RPC on TCP (rpc.capnp). Each
// connection's bootstrap capability only authenticates; after a peer proves
// it holds the cluster secret it gets the Replication capability (answering
// GetNCChanges from this DC's replica) and the Admin capability (repadmin's
// views). Messages above kMaxMessageBytes, or deeper than capnp's nesting
// limit, drop the connection before anything reads them.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "dc/directory.h"
#include "kdc/host_client.h"
#include "live/kj_asio.h"
#include "replication/repadmin.h"

namespace kj {
class TlsContext;
}

namespace dcemu::live {
using replication::DsaInfo;
using replication::DsaNames;

struct ServerCounts {
  uint64_t connectionsAccepted = 0;
  uint64_t connectionsOpen = 0;
  uint64_t authenticationFailures = 0;
  uint64_t connectionsRefused = 0;  // at the limit with every open one authenticated
  uint64_t connectionsEvicted = 0;  // unauthenticated ones closed for a newcomer at the limit
  uint64_t requestsServed = 0;
};

// The KDC of a running node and the directory operations a migration has
// hosts make (rpc.capnp's Kdc), each for a host in some site.
class KdcService {
 public:
  virtual ~KdcService() = default;
  // 0 when this DC answers a host in `site` now, else the Win32 code and
  // reason: a DC that is down, or a site a partition cuts off.
  virtual std::pair<uint32_t, std::string> refusalFor(const std::string& site) = 0;
  virtual kdc::KdcReply asExchange(const kdc::AsRequest& request) = 0;
  virtual kdc::KdcReply renew(const kdc::Ticket& tgt, int64_t clientTime) = 0;
  virtual bool holdsSecret(const std::string& account) = 0;
  // On a writable DC: reveals `account`'s secret to the RODC named when
  // its policy allows; whether it did.
  virtual dc::Result<bool> revealSecret(const std::string& rodc, const std::string& account) = 0;
  // On an RODC: pulls what the writable DC named just revealed to it.
  virtual dc::Status replicateSecret(const std::string& writable) = 0;
  virtual kdc::MembershipCheck checkMembership(const std::string& dmsaDn, const std::string& machine) = 0;
  virtual dc::Status addToMembership(const std::string& dmsaDn, const std::string& machine,
                                     const std::string& account) = 0;
};

// What a running node does with the calls that reach past its replica.
struct NodeHooks {
  std::function<void(const dc::Guid& sourceDsa, dc::NamingContext nc)> notified;
  // win32 0 and the text, or an error code and a one-line reason.
  std::function<std::pair<uint32_t, std::string>(const std::vector<std::string>& args)> command;
  // 0 while the node serves replication, else the Win32 code and reason a
  // request gets instead (a DC that is down, a broken endpoint).
  std::function<std::pair<uint32_t, std::string>()> refusal;
  // Its KDC; a server without one refuses the Kdc calls.
  KdcService* kdc = nullptr;
  // How long answering a call took (GetNCChanges and the Kdc calls), in
  // wall-clock seconds, by the call's name in rpc.capnp.
  std::function<void(std::string_view method, double seconds)> served;
};

class ReplicationServer {
 public:
  // `dir`, `self`, `names` and `loop` must outlive the server. A secret
  // shorter than 16 bytes is refused by listen().
  ReplicationServer(KjAsioLoop& loop, const dc::Directory& dir, const DsaInfo& self, const DsaNames& names,
                    std::string secret);
  ~ReplicationServer();

  // Every connection is TLS from now on, clients verified against the
  // context's CA; `tls` must outlive the server.
  void requireTls(kj::TlsContext& tls);
  // Listens on `address`:`port` (port 0 picks a free one); returns the port.
  dc::Result<uint16_t> listen(const std::string& address, uint16_t port);
  const ServerCounts& counts() const;
  void setHooks(NodeHooks hooks);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace dcemu::live
