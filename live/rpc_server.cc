#include "live/rpc_server.h"

#include <capnp/rpc-twoparty.h>
#include <fmt/format.h>

#include <chrono>
#include <list>

#include "live/asio_listen.h"
#include "live/kdc_wire.h"
#include "live/rpc.capnp.h"
#include "live/rpc_auth.h"
#include "live/rpc_connection.h"
#include "replication/source.h"
#include "replication/win32.h"

namespace dcemu::live {
namespace win32 = replication::win32;
using replication::answerGetNcChanges;
using replication::asData;
using replication::asView;
using replication::DcView;
using replication::TransportReply;

namespace {

constexpr size_t kMinSecretBytes = 16;
// A peer has this long to prove it holds the secret; a connection that has
// not by then is closed, so idle or garbage connections cannot pile up.
constexpr auto kHandshakeTimeout = std::chrono::seconds(10);
// Connections open at once. At the limit a new connection closes the oldest
// one that has not authenticated yet, so a flood of them cannot keep a real
// partner out; when every open one has authenticated, the new one is refused.
constexpr uint64_t kMaxConnections = 512;

struct Shared {
  const dc::Directory& dir;
  const DsaInfo& self;
  const DsaNames& names;
  std::string secret;
  ServerCounts counts;
  NodeHooks hooks;
  kj::TlsContext* tls = nullptr;
};

void setResult(wire::CallResult::Builder out, uint32_t win32, std::string_view error) {
  out.setWin32(win32);
  out.setError(std::string(error));
}

class ReplicationImpl final : public wire::Replication::Server {
 public:
  explicit ReplicationImpl(Shared& shared) : shared_(shared) {}

  kj::Promise<void> getNcChanges(GetNcChangesContext context) override {
    if (shared_.hooks.refusal) {
      if (auto [code, why] = shared_.hooks.refusal(); code != 0) {
        setResult(context.getResults().initResult(), code, why);
        return kj::READY_NOW;
      }
    }
    auto began = std::chrono::steady_clock::now();
    TransportReply answer = answerGetNcChanges(shared_.dir, shared_.self.dsa, asView(context.getParams().getRequest()));
    if (shared_.hooks.served)
      shared_.hooks.served("getNcChanges",
                           std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count());
    ++shared_.counts.requestsServed;
    auto results = context.getResults();
    setResult(results.initResult(), answer.win32, answer.error);
    results.setReply(asData(answer.bytes));
    return kj::READY_NOW;
  }

  kj::Promise<void> notify(NotifyContext context) override {
    auto params = context.getParams();
    KJ_REQUIRE(params.getSourceDsa().size() == 16, "notify: a DSA GUID is 16 bytes");
    KJ_REQUIRE(params.getNamingContext() < dc::kNamingContextCount, "notify: no such naming context");
    if (shared_.hooks.notified)
      shared_.hooks.notified(dc::Guid::fromBytes(asView(params.getSourceDsa())),
                             static_cast<dc::NamingContext>(params.getNamingContext()));
    return kj::READY_NOW;
  }

 private:
  Shared& shared_;
};

class AdminImpl final : public wire::Admin::Server {
 public:
  explicit AdminImpl(Shared& shared) : shared_(shared) {}

  kj::Promise<void> showRepl(ShowReplContext context) override {
    auto text = replication::showRepl(view(), shared_.names, context.getParams().getCsv());
    context.getResults().setText(text ? *text : text.status().toString());
    return kj::READY_NOW;
  }

  kj::Promise<void> showObjMeta(ShowObjMetaContext context) override {
    std::string dn = context.getParams().getDn();
    auto text = replication::showObjMeta(view(), shared_.names, dn);
    finish(context.getResults(), text);
    return kj::READY_NOW;
  }

  kj::Promise<void> command(CommandContext context) override {
    std::vector<std::string> args;
    for (capnp::Text::Reader arg : context.getParams().getArgs()) args.emplace_back(arg.cStr());
    auto results = context.getResults();
    if (!shared_.hooks.command) {
      setResult(results.initResult(), win32::kInvalidParameter, "this server runs no node");
      return kj::READY_NOW;
    }
    auto [code, text] = shared_.hooks.command(args);
    setResult(results.initResult(), code, code == 0 ? "" : text);
    if (code == 0) results.setText(text);
    return kj::READY_NOW;
  }

  kj::Promise<void> showUtdVec(ShowUtdVecContext context) override {
    std::string ncText = context.getParams().getNamingContext();
    auto ncDn = dc::Dn::parse(ncText);
    for (int i = 0; ncDn && i < dc::kNamingContextCount; ++i) {
      auto nc = static_cast<dc::NamingContext>(i);
      if (shared_.dir.namingContextDn(nc) == *ncDn) {
        finish(context.getResults(), replication::showUtdVec(view(), shared_.names, nc));
        return kj::READY_NOW;
      }
    }
    setResult(context.getResults().initResult(), win32::kInvalidParameter,
              fmt::format("{}: not a naming context this DC holds", ncText));
    return kj::READY_NOW;
  }

 private:
  DcView view() const { return {&shared_.dir, &shared_.self}; }

  template <typename Results>
  static void finish(Results results, const dc::Result<std::string>& text) {
    if (text) {
      setResult(results.initResult(), win32::kSuccess, "");
      results.setText(*text);
    } else {
      setResult(results.initResult(), win32::kInvalidParameter, text.status().toString());
    }
  }

  Shared& shared_;
};

// What an unauthenticated peer can reach: the handshake and nothing else.
class BootstrapImpl final : public wire::Bootstrap::Server {
 public:
  BootstrapImpl(Shared& shared, std::function<void()> onAuthenticated)
      : shared_(shared), onAuthenticated_(std::move(onAuthenticated)) {}

  kj::Promise<void> challenge(ChallengeContext context) override {
    serverNonce_ = randomNonce();
    context.getResults().setServerNonce(asData(serverNonce_));
    return kj::READY_NOW;
  }

  kj::Promise<void> authenticate(AuthenticateContext context) override {
    auto params = context.getParams();
    // A nonce answers one attempt only, so a recorded proof cannot be replayed.
    std::string serverNonce = std::exchange(serverNonce_, {});
    KJ_REQUIRE(!serverNonce.empty(), "authenticate: ask for a challenge first");
    std::string clientNonce(asView(params.getClientNonce()));
    KJ_REQUIRE(clientNonce.size() == kNonceBytes, "authenticate: clientNonce must be 32 bytes");
    if (!proofsMatch(clientProof(shared_.secret, serverNonce, clientNonce), asView(params.getClientProof()))) {
      ++shared_.counts.authenticationFailures;
      return KJ_EXCEPTION(FAILED, "authentication failed: the proof does not match this cluster's secret");
    }
    auto results = context.getResults();
    results.setServerProof(asData(serverProof(shared_.secret, serverNonce, clientNonce)));
    results.setReplication(kj::heap<ReplicationImpl>(shared_));
    results.setAdmin(kj::heap<AdminImpl>(shared_));
    results.setKdc(newKdcServer(shared_.hooks));
    onAuthenticated_();
    return kj::READY_NOW;
  }

 private:
  Shared& shared_;
  std::function<void()> onAuthenticated_;
  std::string serverNonce_;
};

// One accepted connection; it lives until its peer disconnects, or until
// the handshake timeout or an eviction ends it.
struct ServerConnection {
  ServerConnection(asio::ip::tcp::socket socket, Shared& shared, std::list<ServerConnection*>& unauthenticated)
      : connection(std::move(socket), capnp::rpc::twoparty::Side::SERVER, shared.tls),
        rpc(capnp::makeRpcServer(connection.network, kj::heap<BootstrapImpl>(shared, [this] { authenticated(); }))),
        counts(shared.counts),
        pending(unauthenticated),
        handshake(connection.socket->executor()) {
    ++counts.connectionsAccepted;
    ++counts.connectionsOpen;
    place = pending.insert(pending.end(), this);
    handshake.expires_after(kHandshakeTimeout);
    handshake.async_wait([this](const asio::error_code& ec) {
      if (!ec && place != pending.end()) connection.socket->disconnect();
    });
  }
  ~ServerConnection() {
    --counts.connectionsOpen;
    if (place != pending.end()) pending.erase(place);
  }

  void authenticated() {
    if (place == pending.end()) return;
    pending.erase(place);
    place = pending.end();
    handshake.cancel();
  }
  // Closes a connection that has not authenticated, for a newcomer.
  void evict() {
    authenticated();
    connection.socket->disconnect();
  }

  RpcConnection connection;
  capnp::RpcSystem<capnp::rpc::twoparty::VatId> rpc;
  ServerCounts& counts;
  std::list<ServerConnection*>& pending;
  std::list<ServerConnection*>::iterator place;  // in `pending` until it authenticates
  asio::steady_timer handshake;
};

class IgnoreConnectionEnds final : public kj::TaskSet::ErrorHandler {
 public:
  // A connection's end is routine; nothing it did reached the directory.
  void taskFailed(kj::Exception&&) override {}
};

}  // namespace

struct ReplicationServer::Impl {
  Impl(KjAsioLoop& loop, Shared state) : shared(std::move(state)), acceptor(loop.io()), tasks(errors) {}

  void acceptNext() {
    acceptor.async_accept([this](const asio::error_code& ec, asio::ip::tcp::socket socket) {
      if (ec == asio::error::operation_aborted) return;  // the server is closing: `this` may be gone
      if (!ec && shared.counts.connectionsOpen >= kMaxConnections) {
        if (unauthenticated.empty()) {
          ++shared.counts.connectionsRefused;
          socket.close();
          return acceptNext();
        }
        ServerConnection* oldest = unauthenticated.front();
        oldest->evict();
        ++shared.counts.connectionsEvicted;
      }
      if (!ec) {
        auto connection = kj::heap<ServerConnection>(std::move(socket), shared, unauthenticated);
        auto disconnected = connection->connection.network.onDisconnect();
        tasks.add(disconnected.attach(kj::mv(connection)));
      }
      acceptNext();
    });
  }

  Shared shared;
  std::list<ServerConnection*> unauthenticated;  // oldest first
  asio::ip::tcp::acceptor acceptor;
  IgnoreConnectionEnds errors;
  kj::TaskSet tasks;  // one per open connection, holding it
};

ReplicationServer::ReplicationServer(KjAsioLoop& loop, const dc::Directory& dir, const DsaInfo& self,
                                     const DsaNames& names, std::string secret)
    : impl_(std::make_unique<Impl>(loop, Shared{dir, self, names, std::move(secret), {}, {}, nullptr})) {}

ReplicationServer::~ReplicationServer() {
  asio::error_code ignored;
  impl_->acceptor.close(ignored);
}

dc::Result<uint16_t> ReplicationServer::listen(const std::string& address, uint16_t port) {
  if (impl_->shared.secret.size() < kMinSecretBytes)
    return dc::Status(
        dc::LdapResult::unavailable,
        fmt::format("listen on {}:{}: the cluster secret must be at least {} bytes", address, port, kMinSecretBytes));
  auto listening = listenOn(impl_->acceptor, address, port, "");
  if (listening) impl_->acceptNext();
  return listening;
}

const ServerCounts& ReplicationServer::counts() const {
  return impl_->shared.counts;
}

void ReplicationServer::requireTls(kj::TlsContext& tls) {
  impl_->shared.tls = &tls;
}

void ReplicationServer::setHooks(NodeHooks hooks) {
  impl_->shared.hooks = std::move(hooks);
}

}  // namespace dcemu::live
