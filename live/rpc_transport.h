// The destination side of replication over Cap'n Proto RPC: an
// authenticated session with one DC, and the PullTransport that pulls
// through such sessions, with per-partner latency injected by a Timer.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "dc/ids.h"
#include "dc/store.h"
#include "live/kj_asio.h"
#include "live/rpc.capnp.h"
#include "replication/transport.h"

namespace kj {
class TlsContext;
}

namespace dcemu::live {
using replication::PullTransport;
using replication::TransportReply;

class RpcSession {
 public:
  struct Opened;
  // Connects to `host`:`port`, answers the server's challenge with
  // `secret` and checks the server's proof in return. Resolves to the
  // session, or to why there is none: 1722 when the DC cannot be reached,
  // 8453 when either side's proof fails. With `tls`, the connection is TLS
  // and the server must prove it is `peer` (its tlsName) first.
  static kj::Promise<Opened> open(KjAsioLoop& loop, std::string host, uint16_t port, std::string secret,
                                  kj::TlsContext* tls = nullptr, std::string peer = {});
  struct Link;  // the connection and RPC system the capabilities live on
  RpcSession(kj::Own<Link> link, wire::Replication::Client replication, wire::Admin::Client admin,
             wire::Kdc::Client kdc);
  ~RpcSession();

  wire::Replication::Client replication() { return replication_; }
  wire::Admin::Client admin() { return admin_; }
  wire::Kdc::Client kdc() { return kdc_; }

 private:
  kj::Own<Link> link_;
  wire::Replication::Client replication_;
  wire::Admin::Client admin_;
  wire::Kdc::Client kdc_;
};

struct RpcSession::Opened {
  kj::Own<RpcSession> session;  // null on failure
  uint32_t win32 = 0;
  std::string error;
};

class RpcPullTransport final : public PullTransport {
 public:
  // `loop`, `timer` and `tls` (TLS for every connection, when given) must
  // outlive the transport.
  RpcPullTransport(KjAsioLoop& loop, Timer& timer, std::string secret, kj::TlsContext* tls = nullptr);
  ~RpcPullTransport() override;

  // `name`: the source's tlsName, which its certificate must carry under TLS.
  void addSource(const dc::Guid& dsa, std::string host, uint16_t port, std::string name = {});
  void setLatency(const dc::Guid& dsa, int64_t oneWayMicros);

  // Opens (or reuses) a session with the source and calls getNcChanges;
  // a lost session is reopened by the next call.
  void getNcChanges(const dc::Guid& sourceDsa, std::string request, std::function<void(TransportReply)> done) override;
  // Change notification: tells the DC `destinationDsa` that `nc` changed on
  // `selfDsa`. Nothing comes back; a lost notification is made up for by
  // the partner's next scheduled pull, as on Windows.
  void notify(const dc::Guid& destinationDsa, const dc::Guid& selfDsa, dc::NamingContext nc);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace dcemu::live
