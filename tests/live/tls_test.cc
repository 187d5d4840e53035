// RPC over TLS (live/rpc_tls.h): certificates of the cluster's own CA on
// both sides, the server's name checked by the client, and anyone without
// such a certificate refused before the first RPC message.
#include <fmt/format.h>
#include <kj/compat/tls.h>
#include <unistd.h>

#include <asio.hpp>
#include <catch2/catch.hpp>
#include <filesystem>

#include "live/rpc_server.h"
#include "live/rpc_tls.h"
#include "live/rpc_transport.h"
#include "replication/win32.h"
#include "tests/live/cluster_support.h"
#include "tests/replication/replication_world.h"

namespace dcemu::live::testing {
namespace {

namespace fs = std::filesystem;
using Catch::Matchers::Contains;
const std::string kSecret = "correct horse battery staple";

std::unique_ptr<RpcTls> loadTls(const fs::path& directory, const std::string& party) {
  auto tls = RpcTls::load(directory.string(), party);
  INFO(tls.status().message());
  REQUIRE(tls);
  return std::move(*tls);
}

TEST_CASE(
    "Over TLS only holders of the cluster CA's certificates connect, and a client checks the DC's name: no "
    "certificate, no connection",
    "[live][tls]") {
  const fs::path root = fs::temp_directory_path() / fmt::format("dcemu-tls-{}", getpid());
  fs::remove_all(root);
  REQUIRE(issueClusterCertificates((root / "cluster").string(), {"DC1", "DC2", "admin"}).isOk());
  REQUIRE(issueClusterCertificates((root / "other").string(), {"DC2"}).isOk());
  // Keys are for their owner alone; certificates may be read.
  CHECK((fs::status(root / "cluster/dc1.key").permissions() & fs::perms::group_read) == fs::perms::none);
  CHECK((fs::status(root / "cluster/dc1.crt").permissions() & fs::perms::others_read) != fs::perms::none);

  replication::testing::ReplicationWorld world{2};
  replication::DsaInfo self{world.dsa(0), {world.dc(0).invocationId()}, "HQ", "DC1", "dc1.corp.example.com"};
  replication::DsaNames names;
  names.add(self);
  asio::io_context io;
  KjAsioLoop loop{io};
  AsioTimer timer{io};
  auto serverTls = loadTls(root / "cluster", "DC1");
  ReplicationServer server{loop, world.dc(0), self, names, kSecret};
  server.requireTls(serverTls->context());
  uint16_t port = replication::testing::require(server.listen("127.0.0.1", 0));
  auto open = [&](kj::TlsContext* tls, const std::string& peer) {
    std::optional<RpcSession::Opened> opened;
    auto task = RpcSession::open(loop, "127.0.0.1", port, kSecret, tls, peer)
                    .then([&](RpcSession::Opened&& o) { opened = std::move(o); })
                    .eagerlyEvaluate(nullptr);
    loop.runUntil([&] { return opened.has_value(); });
    return std::move(*opened);
  };

  auto member = loadTls(root / "cluster", "DC2");
  RpcSession::Opened good = open(&member->context(), "dc1");
  INFO(good.error);
  CHECK(good.win32 == 0);
  // The server's certificate names dc1, not dc9.
  CHECK(open(&member->context(), "dc9").win32 != 0);
  // A certificate of another CA, TLS without a certificate, and no TLS at
  // all are refused.
  auto stranger = loadTls(root / "other", "DC2");
  CHECK(open(&stranger->context(), "dc1").win32 != 0);
  kj::TlsCertificate ca(readFile(root / "cluster/ca.crt").c_str());
  kj::TlsContext::Options anonymous;
  anonymous.useSystemTrustStore = false;
  anonymous.trustedCertificates = kj::arrayPtr(&ca, 1);
  kj::TlsContext withoutCertificate(kj::mv(anonymous));
  CHECK(open(&withoutCertificate, "dc1").win32 != 0);
  CHECK(open(nullptr, "").win32 != 0);

  // Replication runs through the member's TLS session.
  RpcPullTransport transport(loop, timer, kSecret, &member->context());
  transport.addSource(world.dsa(0), "127.0.0.1", port, "dc1");
  replication::testing::require(world.dc(0).add(world.dn("CN=tls-user,CN=Users"), {{"objectClass", {"user"}}}));
  std::optional<replication::PullResult> pulled;
  replication::pullNamingContext(world.dc(1), world.dsa(1), world.dsa(0), dc::NamingContext::Domain, transport, {},
                                 [&](replication::PullResult r) { pulled = std::move(r); });
  loop.runUntil([&] { return pulled.has_value(); });
  CHECK(pulled->win32 == 0);
  CHECK(world.dc(1).read(world.dn("CN=tls-user,CN=Users")));
  CHECK(server.counts().requestsServed >= 1);
  fs::remove_all(root);
}

TEST_CASE("A cluster made with --tls replicates, answers ctl and status, and its port presents the DC's certificate",
          "[live][tls]") {
  const std::string directory = (fs::temp_directory_path() / fmt::format("dcemu-live-tls-{}", getpid())).string();
  fs::remove_all(directory);
  Ran up = shell(dcemu(fmt::format("cluster up {} --data {} --time-scale 600 --tls", kTopology, directory)));
  INFO(up.out);
  REQUIRE(up.exitCode == 0);
  auto ctl = [&](const std::string& dc, const std::string& args) {
    return shell(dcemu(fmt::format("ctl --cluster {} --dc {} {}", directory, dc, args)));
  };
  CHECK(ctl("HQ-DC1", "add CN=tess,CN=Users objectClass=user").exitCode == 0);
  bool arrived = false;
  for (int attempt = 0; attempt < 100 && !arrived; ++attempt) {
    arrived = ctl("HQ-DC2", "get CN=tess,CN=Users").exitCode == 0;
    if (!arrived) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  CHECK(arrived);
  CHECK(shell(dcemu("cluster status --data " + directory)).exitCode == 0);
  // The replication port speaks TLS with HQ-DC1's certificate, which
  // openssl verifies against the cluster's CA. (That a client without a
  // certificate is refused is checked in-process above: whether openssl
  // prints the server's alert before it exits depends on timing.)
  std::string peers = readFile(directory + "/peers");
  std::string port = peers.substr(peers.find("HQ-DC1 127.0.0.1:") + 17, 5);
  port = port.substr(0, port.find('\n'));
  Ran probe =
      shell(fmt::format("timeout 10 openssl s_client -connect 127.0.0.1:{} -CAfile {}/tls/ca.crt "
                        "-verify_hostname hq-dc1 < /dev/null",
                        port, directory));
  CHECK_THAT(probe.out, Contains("Verify return code: 0 (ok)"));
  CHECK_THAT(probe.out, Contains("subject=CN = hq-dc1"));
  // The directory keeps its choice: `up --tls` on a cluster made without
  // TLS is refused (checked on a directory of its own below).
  shell(dcemu("cluster down --data " + directory));
  const std::string plain = directory + "-plain";
  fs::remove_all(plain);
  REQUIRE(shell(dcemu(fmt::format("cluster up {} --data {} --time-scale 600", kTopology, plain))).exitCode == 0);
  shell(dcemu("cluster down --data " + plain));
  Ran refused = shell(dcemu(fmt::format("cluster up {} --data {} --tls", kTopology, plain)));
  CHECK(refused.exitCode == 2);
  CHECK_THAT(refused.out, Contains("was made without TLS"));
  fs::remove_all(directory);
  fs::remove_all(plain);
}

}  // namespace
}  // namespace dcemu::live::testing
