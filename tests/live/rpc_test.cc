// Replication between DCs over Cap'n Proto RPC on loopback TCP, with KJ's
// loop on Asio's io_context: the handshake, the pull, and what the server
// refuses (a wrong secret, calls before authenticating, truncated and
// oversized messages) without changing anything or stopping.
#include <capnp/rpc-twoparty.h>
#include <fmt/format.h>

#include <asio.hpp>
#include <catch2/catch.hpp>

#include "live/rpc_auth.h"
#include "live/rpc_connection.h"
#include "live/rpc_server.h"
#include "live/rpc_transport.h"
#include "replication/win32.h"
#include "tests/replication/replication_world.h"

namespace dcemu::replication::testing {
using live::AsioTimer;
using live::clientProof;
using live::KjAsioLoop;
using live::ReplicationServer;
using live::RpcConnection;
using live::RpcPullTransport;
using live::rpcReaderOptions;
using live::RpcSession;
namespace wire = live::wire;
namespace {

using Catch::Matchers::Contains;

const std::string kSecret = "correct horse battery staple";

// DC0 serves over RPC on a loopback port; DC1 is the destination.
struct RpcWorld {
  ReplicationWorld world{2};
  DsaInfo self{world.dsa(0), {world.dc(0).invocationId()}, "HQ", "DC1", "dc1.corp.example.com"};
  DsaNames names;
  asio::io_context io;
  KjAsioLoop loop{io};
  AsioTimer timer{io};
  ReplicationServer server{loop, world.dc(0), self, names, kSecret};
  uint16_t port = 0;

  RpcWorld() {
    names.add(self);
    port = require(server.listen("127.0.0.1", 0));
  }

  // Runs the io_context until `done`; a hang fails the test instead of the suite.
  void runUntil(const std::function<bool()>& done) {
    bool expired = false;
    asio::steady_timer guard(io, std::chrono::seconds(30));
    guard.async_wait([&](const asio::error_code& ec) { expired = !ec; });
    loop.runUntil([&] { return done() || expired; });
    REQUIRE_FALSE(expired);
  }

  PullResult pullOverRpc(RpcPullTransport& transport, dc::NamingContext nc, PullOptions options = {}) {
    std::optional<PullResult> result;
    pullNamingContext(world.dc(1), world.dsa(1), world.dsa(0), nc, transport, options,
                      [&](PullResult r) { result = std::move(r); });
    runUntil([&] { return result.has_value(); });
    return *result;
  }

  // An authenticated session with DC0's server.
  RpcSession::Opened openSession() {
    std::optional<RpcSession::Opened> opened;
    auto opening = RpcSession::open(loop, "127.0.0.1", port, kSecret)
                       .then([&](RpcSession::Opened&& o) { opened = std::move(o); })
                       .eagerlyEvaluate(nullptr);
    runUntil([&] { return opened.has_value(); });
    INFO(opened->error);
    REQUIRE(opened->win32 == 0);
    return std::move(*opened);
  }

  // A raw client socket, for sending what no well-behaved peer sends.
  asio::ip::tcp::socket rawConnection() {
    uint64_t accepted = server.counts().connectionsAccepted;
    asio::ip::tcp::socket socket(io);
    socket.connect({asio::ip::make_address("127.0.0.1"), port});
    runUntil([&] { return server.counts().connectionsAccepted == accepted + 1; });
    return socket;
  }

  void addUsers(int count) {
    for (int i = 0; i < count; ++i)
      require(world.dc(0).add(world.dn(fmt::format("CN=rpc{},CN=Users", i)),
                              {{"objectClass", {"user"}}, {"sAMAccountName", {fmt::format("rpc{}", i)}}}));
  }
};

// The segment table of a one-segment capnp message claiming `words` words.
std::string segmentTableClaiming(uint32_t words) {
  std::string header(8, '\0');
  uint32_t segmentCountMinusOne = 0;
  std::memcpy(header.data(), &segmentCountMinusOne, 4);
  std::memcpy(header.data() + 4, &words, 4);
  return header;
}

}  // namespace

TEST_CASE("Two DCs on loopback TCP replicate through the RPC transport and end identical", "[replication][rpc]") {
  RpcWorld w;
  w.addUsers(40);
  require(w.world.dc(0).modify(w.world.dn("CN=rpc3,CN=Users"), {{dc::Change::Op::Replace, "description", {"x"}}}));
  RpcPullTransport transport(w.loop, w.timer, kSecret);
  transport.addSource(w.world.dsa(0), "127.0.0.1", w.port);
  transport.setLatency(w.world.dsa(0), 2000);

  PullOptions chunks;
  chunks.maxObjects = 8;
  PullResult domain = w.pullOverRpc(transport, dc::NamingContext::Domain, chunks);
  INFO(domain.error);
  REQUIRE(domain.win32 == 0);
  CHECK(domain.counts.objectsCreated == 40);
  CHECK(domain.chunks == 5);
  for (auto nc : {dc::NamingContext::Configuration, dc::NamingContext::Schema})
    REQUIRE(w.pullOverRpc(transport, nc).win32 == 0);
  CHECK(w.world.firstDifference(0, 1).empty());
  // One connection served every chunk of every naming context.
  CHECK(w.server.counts().connectionsAccepted == 1);
  CHECK(w.server.counts().requestsServed == 7);
  CHECK(w.server.counts().authenticationFailures == 0);
}

TEST_CASE("A destination with the wrong secret is denied replication access and receives nothing",
          "[replication][rpc]") {
  RpcWorld w;
  w.addUsers(3);
  RpcPullTransport transport(w.loop, w.timer, "not the cluster's secret");
  transport.addSource(w.world.dsa(0), "127.0.0.1", w.port);
  PullResult r = w.pullOverRpc(transport, dc::NamingContext::Domain);
  CHECK(r.win32 == win32::kAccessDenied);
  CHECK_THAT(r.error, Contains("authentication failed"));
  CHECK(w.server.counts().authenticationFailures == 1);
  CHECK(w.server.counts().requestsServed == 0);
  CHECK_FALSE(w.world.dc(1).read(w.world.dn("CN=rpc0,CN=Users")).isOk());
}

TEST_CASE("A source that is not listening is reported as RPC server unavailable", "[replication][rpc]") {
  RpcWorld w;
  RpcPullTransport transport(w.loop, w.timer, kSecret);
  asio::ip::tcp::acceptor closed(w.io, {asio::ip::make_address("127.0.0.1"), 0});
  uint16_t unused = closed.local_endpoint().port();
  closed.close();
  transport.addSource(w.world.dsa(0), "127.0.0.1", unused);
  PullResult r = w.pullOverRpc(transport, dc::NamingContext::Domain);
  CHECK(r.win32 == win32::kRpcServerUnavailable);
  CHECK_THAT(r.error, Contains(fmt::format("127.0.0.1:{}", unused)));
}

TEST_CASE("The bootstrap capability answers the handshake only, and each challenge is good for one attempt",
          "[replication][rpc]") {
  RpcWorld w;
  RpcConnection connection(w.rawConnection(), capnp::rpc::twoparty::Side::CLIENT);
  auto rpc = capnp::makeRpcClient(connection.network);
  capnp::MallocMessageBuilder vat;
  vat.initRoot<capnp::rpc::twoparty::VatId>().setSide(capnp::rpc::twoparty::Side::SERVER);
  auto bootstrap = rpc.bootstrap(vat.getRoot<capnp::rpc::twoparty::VatId>()).castAs<wire::Bootstrap>();

  auto failureOf = [&](auto promise) {
    std::optional<std::string> failure;
    auto task =
        promise.then([&](auto&&) { failure = ""; }, [&](kj::Exception&& e) { failure = e.getDescription().cStr(); })
            .eagerlyEvaluate(nullptr);
    w.runUntil([&] { return failure.has_value(); });
    return *failure;
  };

  // Calling replication on the bootstrap capability reaches no such method.
  auto pretend = bootstrap.castAs<wire::Replication>().getNcChangesRequest();
  pretend.setRequest(capnp::Data::Reader(reinterpret_cast<const kj::byte*>("x"), 1));
  CHECK_THAT(failureOf(pretend.send()), Contains("not implemented"));

  auto authenticate = [&](const std::string& serverNonce, const std::string& clientNonce) {
    auto request = bootstrap.authenticateRequest();
    request.setClientNonce(asData(clientNonce));
    request.setClientProof(asData(clientProof(kSecret, serverNonce, clientNonce)));
    return request.send();
  };
  std::string clientNonce(32, 'c');
  CHECK_THAT(failureOf(authenticate("", clientNonce)), Contains("ask for a challenge first"));

  std::optional<std::string> serverNonce;
  auto challenge = bootstrap.challengeRequest()
                       .send()
                       .then([&](auto&& reply) { serverNonce = std::string(asView(reply.getServerNonce())); })
                       .eagerlyEvaluate(nullptr);
  w.runUntil([&] { return serverNonce.has_value(); });
  CHECK(failureOf(authenticate(*serverNonce, clientNonce)).empty());
  // The same proof again is a replay: the nonce was spent.
  CHECK_THAT(failureOf(authenticate(*serverNonce, clientNonce)), Contains("ask for a challenge first"));
  CHECK(w.server.counts().requestsServed == 0);
}

TEST_CASE("A truncated message drops its connection, changes nothing, and the server keeps serving",
          "[replication][rpc]") {
  RpcWorld w;
  uint64_t usnBefore = w.world.dc(0).highestCommittedUsn();
  {
    auto socket = w.rawConnection();
    std::string message = segmentTableClaiming(1000) + std::string(64, '\x01');
    asio::write(socket, asio::buffer(message));
    socket.shutdown(asio::ip::tcp::socket::shutdown_send);
    w.runUntil([&] { return w.server.counts().connectionsOpen == 0; });
  }
  CHECK(w.world.dc(0).highestCommittedUsn() == usnBefore);
  w.addUsers(2);
  RpcPullTransport transport(w.loop, w.timer, kSecret);
  transport.addSource(w.world.dsa(0), "127.0.0.1", w.port);
  PullResult r = w.pullOverRpc(transport, dc::NamingContext::Domain);
  REQUIRE(r.win32 == 0);
  CHECK(r.counts.objectsCreated == 2);
}

TEST_CASE("A malformed request gets a clear error, and an oversized message is refused on both sides",
          "[replication][rpc]") {
  RpcWorld w;
  RpcSession::Opened opened = w.openSession();
  auto replication = opened.session->replication();
  auto answerTo = [&](std::string request) {
    std::optional<std::pair<uint32_t, std::string>> answer;
    std::optional<std::string> failure;
    auto call = replication.getNcChangesRequest();
    call.setRequest(asData(request));
    auto sent =
        call.send()
            .then([&](auto&& reply) { answer.emplace(reply.getResult().getWin32(), reply.getResult().getError()); },
                  [&](kj::Exception&& e) { failure = e.getDescription().cStr(); })
            .eagerlyEvaluate(nullptr);
    w.runUntil([&] { return answer || failure; });
    return std::make_pair(answer, failure);
  };

  auto [malformed, noFailure] = answerTo("definitely not a capnp message");
  REQUIRE(malformed);
  CHECK(malformed->first == win32::kInvalidParameter);
  CHECK_THAT(malformed->second, Contains("GetNCChanges request"));

  // The client will not send what the server would refuse to read...
  auto [noAnswer, refused] = answerTo(std::string(kMaxMessageBytes + (1 << 20), 'x'));
  REQUIRE(refused);
  CHECK_THAT(*refused, Contains("larger than our single-message size limit"));
  // ...and the session still works.
  CHECK(answerTo("still not a message").first);
  CHECK(w.server.counts().requestsServed == 2);

  // A peer that sends one anyway loses its connection before the server reads it.
  auto socket = w.rawConnection();
  uint32_t overLimit = rpcReaderOptions().traversalLimitInWords + 1;
  asio::write(socket, asio::buffer(segmentTableClaiming(overLimit)));
  REQUIRE(w.server.counts().connectionsOpen == 2);
  w.runUntil([&] { return w.server.counts().connectionsOpen == 1; });  // the session's own remains
  CHECK(w.server.counts().requestsServed == 2);
}

TEST_CASE("The admin capability shows repadmin's views of the serving DC", "[replication][rpc]") {
  RpcWorld w;
  RpcSession::Opened opened = w.openSession();
  auto admin = opened.session->admin();

  std::optional<std::string> utd, missing;
  auto showUtd = admin.showUtdVecRequest();
  showUtd.setNamingContext("DC=corp,DC=example,DC=com");
  auto a = showUtd.send().then([&](auto&& reply) { utd = reply.getText(); }).eagerlyEvaluate(nullptr);
  auto showMeta = admin.showObjMetaRequest();
  showMeta.setDn("OU=Nowhere,DC=corp,DC=example,DC=com");
  auto b = showMeta.send().then([&](auto&& reply) { missing = reply.getResult().getError(); }).eagerlyEvaluate(nullptr);
  w.runUntil([&] { return utd && missing; });
  CHECK_THAT(*utd, Contains(fmt::format("HQ\\DC1 @ USN {:>9} @ Time", w.world.dc(0).highestCommittedUsn())));
  CHECK_THAT(*missing, Contains("OU=Nowhere"));
}

TEST_CASE("Malformed notifications and admin commands get errors, and the server keeps serving", "[replication][rpc]") {
  RpcWorld w;
  int notified = 0;
  std::vector<std::string> commanded;
  w.server.setHooks({[&](const dc::Guid&, dc::NamingContext) { ++notified; },
                     [&](const std::vector<std::string>& args) {
                       commanded = args;
                       return std::pair<uint32_t, std::string>{0, "ok"};
                     },
                     {}});
  RpcSession::Opened opened = w.openSession();
  auto replication = opened.session->replication();
  auto admin = opened.session->admin();
  auto notify = [&](std::string dsa, uint8_t nc) {
    std::optional<std::string> outcome;
    auto call = replication.notifyRequest();
    call.setSourceDsa(asData(dsa));
    call.setNamingContext(nc);
    auto sent =
        call.send()
            .then([&](auto&&) { outcome = ""; }, [&](kj::Exception&& e) { outcome = e.getDescription().cStr(); })
            .eagerlyEvaluate(nullptr);
    w.runUntil([&] { return outcome.has_value(); });
    return *outcome;
  };
  CHECK_THAT(notify("short", 2), Contains("a DSA GUID is 16 bytes"));
  CHECK_THAT(notify(std::string(16, 'g'), 200), Contains("no such naming context"));
  CHECK(notified == 0);
  CHECK(notify(std::string(w.world.dsa(1).asBytes()), 2).empty());
  CHECK(notified == 1);

  // Words of any size and bytes reach the node's command as they were sent.
  std::optional<std::string> text;
  auto command = admin.commandRequest();
  auto args = command.initArgs(3);
  args.set(0, "add");
  args.set(1, std::string(100000, 'x'));
  args.set(2, std::string("\x01\xff=\n", 4));
  auto sent = command.send().then([&](auto&& reply) { text = reply.getText(); }).eagerlyEvaluate(nullptr);
  w.runUntil([&] { return text.has_value(); });
  CHECK(*text == "ok");
  REQUIRE(commanded.size() == 3);
  CHECK(commanded[1].size() == 100000);
  // The server still serves replication.
  RpcPullTransport transport(w.loop, w.timer, kSecret);
  transport.addSource(w.world.dsa(0), "127.0.0.1", w.port);
  uint64_t served = w.server.counts().requestsServed;
  CHECK(w.pullOverRpc(transport, dc::NamingContext::Schema).win32 == 0);
  CHECK(w.server.counts().requestsServed == served + 1);
}

}  // namespace dcemu::replication::testing
