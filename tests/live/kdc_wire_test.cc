// The KDC's messages on the wire (live/kdc_wire.h) and the Kdc capability
// a node serves the hosts: what crosses is what was sent, and what a peer
// gets wrong is refused with its reason, never a crash.
#include "live/kdc_wire.h"

#include <capnp/message.h>
#include <capnp/serialize.h>
#include <kj/exception.h>

#include <asio.hpp>
#include <catch2/catch.hpp>
#include <random>

#include "live/rpc_server.h"
#include "live/rpc_transport.h"
#include "replication/win32.h"
#include "tests/replication/replication_world.h"

namespace dcemu::live::testing {
namespace {

using Catch::Matchers::Contains;

dc::Sid sid(const char* text) {
  return *dc::Sid::parse(text);
}

// A dMSA's TGT as a Windows Server 2025 KDC answers a migrated logon
// (MS-KILE 2.2.13 key package, PA-data 170 superseded-by).
kdc::KdcReply dmsaReply() {
  kdc::Ticket ticket;
  ticket.client = "dmsa_web$";
  ticket.clientGuid = *dc::Guid::parse("6f1c2d3e-4a5b-4c6d-8e7f-001122334455");
  ticket.issuedBy = "EAST-DC1";
  ticket.authTime = 1'767'600'000'000'000;
  ticket.startTime = ticket.authTime;
  ticket.endTime = ticket.authTime + 36'000'000'000;
  ticket.renewTill = ticket.authTime + 604'800'000'000;
  ticket.pac = {sid("S-1-5-21-1-2-3-1105"), {sid("S-1-5-21-1-2-3-1105"), sid("S-1-5-21-1-2-3-515")}};
  ticket.keyPackage =
      kdc::KeyPackage{std::string("\x01\x02\0\x03", 4), "old", {23, 18}, 1'767'700'000'000'000, 1'767'650'000'000'000};
  ticket.serviceKey = std::string(32, '\x7f');
  kdc::KdcReply reply;
  reply.supersededBy = "dmsa_web$";
  reply.supersededByDn = "CN=dmsa_web,CN=Managed Service Accounts,DC=corp,DC=example,DC=com";
  reply.ticket = ticket;
  return reply;
}

kj::Array<capnp::word> encoded(const kdc::KdcReply& reply) {
  capnp::MallocMessageBuilder message;
  toWire(reply, message.initRoot<wire::KdcReply>());
  return capnp::messageToFlatArray(message);
}

dc::Result<kdc::KdcReply> decoded(kj::ArrayPtr<const capnp::word> words) {
  capnp::FlatArrayMessageReader reader(words);
  return fromWire(reader.getRoot<wire::KdcReply>());
}

TEST_CASE("A KDC reply crosses the wire whole: ticket, PAC, key package and the superseded-by answer", "[live][kdc]") {
  kdc::KdcReply sent = dmsaReply();
  auto words = encoded(sent);
  auto got = decoded(words);
  REQUIRE(got);
  CHECK(got->ok());
  CHECK(got->supersededBy == sent.supersededBy);
  CHECK(got->supersededByDn == sent.supersededByDn);
  REQUIRE(got->ticket);
  const kdc::Ticket& t = *got->ticket;
  CHECK(t.client == "dmsa_web$");
  CHECK(t.clientGuid == sent.ticket->clientGuid);
  CHECK(t.issuedBy == "EAST-DC1");
  CHECK(t.endTime == sent.ticket->endTime);
  CHECK(t.renewTill == sent.ticket->renewTill);
  CHECK(t.pac.userSid == sent.ticket->pac.userSid);
  CHECK(t.pac.sids == sent.ticket->pac.sids);
  REQUIRE(t.keyPackage);
  CHECK(t.keyPackage->currentKeys == sent.ticket->keyPackage->currentKeys);
  CHECK(t.keyPackage->previousKeyTypes == std::vector<int>{23, 18});
  CHECK(t.keyPackage->fetchTime == sent.ticket->keyPackage->fetchTime);
  CHECK(t.serviceKey == sent.ticket->serviceKey);

  // An error carries no ticket and no superseded-by answer.
  kdc::KdcReply refused{kdc::KrbError::ClientRevoked, "svc_web is disabled on WEST-DC1", {}, {}, {}};
  auto back = decoded(encoded(refused));
  REQUIRE(back);
  CHECK(back->error == kdc::KrbError::ClientRevoked);
  CHECK(back->message == refused.message);
  CHECK_FALSE(back->ticket);
  CHECK_FALSE(back->supersededBy);
}

TEST_CASE("A KDC reply with a bad SID, a short GUID or an unknown KRB-ERROR code is refused with the reason",
          "[live][kdc]") {
  auto refusal = [](const std::function<void(wire::KdcReply::Builder)>& spoil) {
    capnp::MallocMessageBuilder message;
    auto root = message.initRoot<wire::KdcReply>();
    toWire(dmsaReply(), root);
    spoil(root);
    auto words = capnp::messageToFlatArray(message);
    auto reply = decoded(words);
    REQUIRE_FALSE(reply);
    return reply.status().message();
  };
  CHECK_THAT(refusal([](auto r) { r.getTicket().getPac().setUserSid("S-1-five"); }),
             Contains("the PAC's user SID: \"S-1-five\" is not a SID"));
  CHECK_THAT(refusal([](auto r) { r.getTicket().getPac().getSids().set(1, "nobody"); }), Contains("a PAC SID"));
  CHECK_THAT(refusal([](auto r) { r.getTicket().setClientGuid(kj::heapArray<kj::byte>(5)); }),
             Contains("the ticket's client GUID is 5 bytes, not 16"));
  CHECK_THAT(refusal([](auto r) { r.setError(99); }), Contains("KRB-ERROR 99 is no code a KDC answers"));
}

TEST_CASE("Mutated KDC replies are read or refused, never crash the reader", "[live][kdc][fuzz]") {
  auto words = encoded(dmsaReply());
  auto bytes = words.asBytes();
  std::mt19937_64 rng(17);
  int read = 0, refused = 0, thrown = 0;
  for (int round = 0; round < 5000; ++round) {
    kj::Array<capnp::word> copy = kj::heapArray<capnp::word>(words.size());
    memcpy(copy.begin(), bytes.begin(), bytes.size());
    auto mutable_ = copy.asBytes();
    for (int flips = 1 + static_cast<int>(rng() % 4); flips > 0; --flips)
      mutable_[rng() % mutable_.size()] = static_cast<kj::byte>(rng());
    KJ_IF_MAYBE (exception, kj::runCatchingExceptions([&] {
                   if (decoded(copy))
                     ++read;
                   else
                     ++refused;
                 })) {
      ++thrown;  // capnp's own bounds checks: the server turns these into an RPC error
      (void)exception;
    }
  }
  CHECK(read + refused + thrown == 5000);
  CHECK(refused > 0);
}

// A KDC that answers every site but "Nowhere", for the capability's checks.
class FakeKdc final : public KdcService {
 public:
  std::pair<uint32_t, std::string> refusalFor(const std::string& site) override {
    if (site == "Nowhere") return {replication::win32::kRpcServerUnavailable, "cannot be reached from site Nowhere"};
    return {0, ""};
  }
  kdc::KdcReply asExchange(const kdc::AsRequest& request) override {
    asked = request;
    return dmsaReply();
  }
  kdc::KdcReply renew(const kdc::Ticket&, int64_t) override { return {}; }
  bool holdsSecret(const std::string&) override { return true; }
  dc::Result<bool> revealSecret(const std::string&, const std::string&) override { return false; }
  dc::Status replicateSecret(const std::string&) override { return dc::Status::ok(); }
  kdc::MembershipCheck checkMembership(const std::string&, const std::string&) override { return {}; }
  dc::Status addToMembership(const std::string&, const std::string&, const std::string&) override {
    return dc::Status(dc::LdapResult::insufficientAccessRights, "no write access");
  }
  std::optional<kdc::AsRequest> asked;
};

TEST_CASE("The Kdc capability answers a reachable host's site, refuses others, and a server without a KDC refuses all",
          "[live][kdc]") {
  replication::testing::ReplicationWorld world{1};
  replication::DsaInfo self{world.dsa(0), {world.dc(0).invocationId()}, "East", "EAST-DC1", "east.corp.example.com"};
  replication::DsaNames names;
  names.add(self);
  asio::io_context io;
  KjAsioLoop loop{io};
  const std::string secret = "correct horse battery staple";
  ReplicationServer server{loop, world.dc(0), self, names, secret};
  uint16_t port = replication::testing::require(server.listen("127.0.0.1", 0));
  auto run = [&](auto promise) {
    using T = decltype(promise.wait(loop.waitScope()));
    std::optional<T> value;
    auto task = promise.then([&](T v) { value = std::move(v); }).eagerlyEvaluate(nullptr);
    loop.runUntil([&] { return value.has_value(); });
    return std::move(*value);
  };
  RpcSession::Opened opened = run(RpcSession::open(loop, "127.0.0.1", port, secret));
  REQUIRE(opened.win32 == 0);
  auto kdcCap = opened.session->kdc();
  auto asFrom = [&](const std::string& site) {
    auto call = kdcCap.asExchangeRequest();
    call.setSite(site);
    toWire(kdc::AsRequest{"svc_web", 42, "east-web-001$"}, call.initRequest());
    return run(call.send().then([](auto&& r) {
      return std::make_pair(r.getResult().getWin32(), std::string(r.getResult().getError().cStr()));
    }));
  };
  CHECK(asFrom("East").first == replication::win32::kEndpointNotRegistered);  // no KDC hooked up

  FakeKdc fake;
  NodeHooks hooks;
  hooks.kdc = &fake;
  server.setHooks(hooks);
  CHECK(asFrom("East").first == 0);
  REQUIRE(fake.asked);
  CHECK(fake.asked->account == "svc_web");
  CHECK(fake.asked->machine == "east-web-001$");
  CHECK(fake.asked->clientTime == 42);
  auto refused = asFrom("Nowhere");
  CHECK(refused.first == replication::win32::kRpcServerUnavailable);
  CHECK_THAT(refused.second, Contains("cannot be reached from site Nowhere"));
  auto write = kdcCap.addToMembershipRequest();
  write.setSite("East");
  auto written = run(write.send().then([](auto&& r) { return std::string(r.getError().cStr()); }));
  CHECK(written == "no write access");
}

}  // namespace
}  // namespace dcemu::live::testing
