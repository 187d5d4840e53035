#include "live/rpc_transport.h"

#include <capnp/rpc-twoparty.h>
#include <fmt/format.h>

#include <variant>

#include "live/rpc_auth.h"
#include "live/rpc_connection.h"
#include "replication/win32.h"

namespace dcemu::live {
using replication::asData;
using replication::asView;
namespace win32 = replication::win32;

namespace {

using Socket = asio::ip::tcp::socket;

// Resolves and connects with Asio; the KJ promise carries the socket or
// Asio's reason.
kj::Promise<std::variant<Socket, std::string>> connectSocket(asio::io_context& io, const std::string& host,
                                                             uint16_t port) {
  using Outcome = std::variant<Socket, std::string>;
  auto paf = kj::newPromiseAndFulfiller<Outcome>();
  auto resolver = std::make_shared<asio::ip::tcp::resolver>(io);
  auto socket = std::make_shared<Socket>(io);
  auto fulfiller = std::make_shared<kj::Own<kj::PromiseFulfiller<Outcome>>>(kj::mv(paf.fulfiller));
  resolver->async_resolve(
      host, std::to_string(port),
      [resolver, socket, fulfiller](const asio::error_code& ec, asio::ip::tcp::resolver::results_type results) {
        if (ec) {
          (*fulfiller)->fulfill(Outcome(ec.message()));
          return;
        }
        asio::async_connect(*socket, results, [socket, fulfiller](const asio::error_code& failure, const auto&) {
          if (failure) {
            (*fulfiller)->fulfill(Outcome(failure.message()));
          } else {
            (*fulfiller)->fulfill(Outcome(std::move(*socket)));
          }
        });
      });
  return kj::mv(paf.promise);
}

}  // namespace

// The connection and RPC system a session's capabilities live on.
struct RpcSession::Link {
  Link(Socket socket, kj::TlsContext* tls, const std::string& peer)
      : connection(std::move(socket), capnp::rpc::twoparty::Side::CLIENT, tls, peer),
        rpc(capnp::makeRpcClient(connection.network)) {}

  wire::Bootstrap::Client bootstrap() {
    capnp::MallocMessageBuilder message(8);
    auto server = message.initRoot<capnp::rpc::twoparty::VatId>();
    server.setSide(capnp::rpc::twoparty::Side::SERVER);
    return rpc.bootstrap(server).castAs<wire::Bootstrap>();
  }

  RpcConnection connection;
  capnp::RpcSystem<capnp::rpc::twoparty::VatId> rpc;
};

RpcSession::RpcSession(kj::Own<Link> link, wire::Replication::Client replication, wire::Admin::Client admin,
                       wire::Kdc::Client kdc)
    : link_(kj::mv(link)), replication_(kj::mv(replication)), admin_(kj::mv(admin)), kdc_(kj::mv(kdc)) {}

RpcSession::~RpcSession() = default;

kj::Promise<RpcSession::Opened> RpcSession::open(KjAsioLoop& loop, std::string host, uint16_t port, std::string secret,
                                                 kj::TlsContext* tls, std::string peer) {
  std::string where = fmt::format("{}:{}", host, port);
  auto failed = [where](uint32_t win32, std::string_view reason) {
    return Opened{kj::Own<RpcSession>(), win32, fmt::format("{}: {}", where, reason)};
  };
  return connectSocket(loop.io(), host, port)
      .then([failed, secret = std::move(secret), tls,
             peer = std::move(peer)](std::variant<Socket, std::string>&& outcome) -> kj::Promise<Opened> {
        if (auto* error = std::get_if<std::string>(&outcome)) return failed(win32::kRpcServerUnavailable, *error);
        auto link = kj::heap<Link>(std::move(std::get<Socket>(outcome)), tls, peer);
        auto bootstrap = link->bootstrap();
        std::string clientNonce = randomNonce();
        return bootstrap.challengeRequest()
            .send()
            .then([failed, bootstrap, secret, clientNonce, link = kj::mv(link)](auto challenge) mutable {
              std::string serverNonce(asView(challenge.getServerNonce()));
              auto request = bootstrap.authenticateRequest();
              request.setClientNonce(asData(clientNonce));
              request.setClientProof(asData(clientProof(secret, serverNonce, clientNonce)));
              return request.send().then(
                  [failed, secret, serverNonce, clientNonce, link = kj::mv(link)](auto&& reply) mutable -> Opened {
                    if (!proofsMatch(serverProof(secret, serverNonce, clientNonce), asView(reply.getServerProof())))
                      return failed(win32::kAccessDenied, "the server's proof does not match the cluster secret");
                    return Opened{
                        kj::heap<RpcSession>(kj::mv(link), reply.getReplication(), reply.getAdmin(), reply.getKdc()),
                        0,
                        {}};
                  });
            })
            .catch_([failed](kj::Exception&& e) -> Opened {
              // The server refuses a wrong proof with FAILED; anything else is a lost connection.
              bool refused = e.getType() == kj::Exception::Type::FAILED;
              return failed(refused ? win32::kAccessDenied : win32::kRpcServerUnavailable, e.getDescription().cStr());
            });
      });
}

struct RpcPullTransport::Impl : kj::TaskSet::ErrorHandler {
  struct Source {
    std::string host;
    uint16_t port = 0;
    int64_t latency = 0;
    std::string name;             // its tlsName
    kj::Own<RpcSession> session;  // null until opened, and after it is lost
  };
  using Capability = std::variant<wire::Replication::Client, TransportReply>;

  Impl(KjAsioLoop& kj, Timer& delays, std::string clusterSecret, kj::TlsContext* context)
      : loop(kj), timer(delays), secret(std::move(clusterSecret)), tls(context), tasks(*this) {}

  // Every chain below ends in a value, so nothing reaches here.
  void taskFailed(kj::Exception&&) override {}

  // The source's Replication capability, opening a session when none is open.
  kj::Promise<Capability> replicationOf(const dc::Guid& dsa) {
    Source& source = sources.at(dsa);
    if (source.session) return Capability(source.session->replication());
    return RpcSession::open(loop, source.host, source.port, secret, tls, source.name)
        .then([this, dsa](RpcSession::Opened&& opened) -> Capability {
          if (!opened.session) return TransportReply{opened.win32, {}, opened.error};
          Source& reached = sources.at(dsa);
          if (!reached.session) reached.session = kj::mv(opened.session);  // else a concurrent call won
          return reached.session->replication();
        });
  }

  kj::Promise<TransportReply> call(const dc::Guid& dsa, std::string request) {
    return replicationOf(dsa).then(
        [this, dsa, request = std::move(request)](Capability&& capability) mutable -> kj::Promise<TransportReply> {
          if (auto* refused = std::get_if<TransportReply>(&capability)) return std::move(*refused);
          auto call = std::get<wire::Replication::Client>(capability).getNcChangesRequest();
          call.setRequest(asData(request));
          return call.send()
              .then([](auto&& response) {
                auto result = response.getResult();
                return TransportReply{result.getWin32(), std::string(asView(response.getReply())), result.getError()};
              })
              .catch_([this, dsa](kj::Exception&& e) {
                sources.at(dsa).session = nullptr;  // the next call reconnects
                return TransportReply{win32::kRpcServerUnavailable, {}, e.getDescription().cStr()};
              });
        });
  }

  kj::Promise<void> notify(const dc::Guid& dsa, const dc::Guid& self, dc::NamingContext nc) {
    return replicationOf(dsa).then([this, dsa, self, nc](Capability&& capability) -> kj::Promise<void> {
      if (std::holds_alternative<TransportReply>(capability)) return kj::READY_NOW;
      auto call = std::get<wire::Replication::Client>(capability).notifyRequest();
      call.setSourceDsa(asData(std::string_view(reinterpret_cast<const char*>(self.bytes.data()), self.bytes.size())));
      call.setNamingContext(static_cast<uint8_t>(nc));
      return call.send().ignoreResult().catch_([this, dsa](kj::Exception&&) { sources.at(dsa).session = nullptr; });
    });
  }

  KjAsioLoop& loop;
  Timer& timer;
  std::string secret;
  kj::TlsContext* tls;
  std::map<dc::Guid, Source> sources;
  kj::TaskSet tasks;  // calls in flight; destroyed first, cancelling them
};

RpcPullTransport::RpcPullTransport(KjAsioLoop& loop, Timer& timer, std::string secret, kj::TlsContext* tls)
    : impl_(std::make_unique<Impl>(loop, timer, std::move(secret), tls)) {}

RpcPullTransport::~RpcPullTransport() = default;

void RpcPullTransport::addSource(const dc::Guid& dsa, std::string host, uint16_t port, std::string name) {
  auto& source = impl_->sources[dsa];
  source.host = std::move(host);
  source.name = std::move(name);
  source.port = port;
  source.session = nullptr;
}

void RpcPullTransport::setLatency(const dc::Guid& dsa, int64_t oneWayMicros) {
  impl_->sources[dsa].latency = oneWayMicros;
}

void RpcPullTransport::getNcChanges(const dc::Guid& sourceDsa, std::string request,
                                    std::function<void(TransportReply)> done) {
  Impl& impl = *impl_;
  auto source = impl.sources.find(sourceDsa);
  if (source == impl.sources.end() || source->second.host.empty()) {
    impl.timer.after(0, [sourceDsa, done = std::move(done)] {
      done(TransportReply{
          win32::kDnsLookupFailure, {}, fmt::format("no address known for DSA {}", sourceDsa.toString())});
    });
    return;
  }
  int64_t latency = source->second.latency;
  // The request travels for `latency`, and so does the reply.
  impl.timer.after(
      latency, [&impl, sourceDsa, latency, request = std::move(request), done = std::move(done)]() mutable {
        impl.tasks.add(impl.call(sourceDsa, std::move(request))
                           .then([&impl, latency, done = std::move(done)](TransportReply&& reply) mutable {
                             impl.timer.after(latency, [reply = std::move(reply), done = std::move(done)]() mutable {
                               done(std::move(reply));
                             });
                           }));
      });
}

void RpcPullTransport::notify(const dc::Guid& destinationDsa, const dc::Guid& selfDsa, dc::NamingContext nc) {
  if (impl_->sources.count(destinationDsa) == 0) return;
  impl_->tasks.add(impl_->notify(destinationDsa, selfDsa, nc));
}

}  // namespace dcemu::live
