// One DC composed: the node opens and closes its store and the directory
// over it, hands the directory to its replication scheduler, keeps its write
// observer across a restart, and gives its directory the DC's kind.
#include "node/node.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <memory>
#include <vector>

#include "dc/provision.h"

namespace dcemu::node {
namespace {

constexpr int64_t kStart = 1767571200LL * 1000000;  // 2026-01-05T00:00:00Z

// A harness that runs nothing: these tests drive the node by hand.
class IdleHarness final : public Harness {
 public:
  int64_t now() const override { return kStart; }
  void at(int64_t, std::function<void()>) override {}
  void after(int64_t, std::function<void()>) override {}
  dc::Guid dsaOf(int) const override { return {}; }
  std::shared_ptr<replication::PullTransport> transportTo(int, int, bool) override { return nullptr; }
  void deliverNotification(int, int, dc::NamingContext) override {}
  void pullEnded(int, const PullEnded&) override {}
  void pullRefused(int, int, dc::NamingContext, const replication::PullResult&) override {}
};

DcSettings settings(bool readOnly) {
  DcSettings s;
  s.name = readOnly ? "RODC1" : "DC1";
  s.directory = {"corp.example.com", readOnly};
  return s;
}

struct Fixture {
  IdleHarness harness;
  dc::ManualClock clock{kStart};
  std::unique_ptr<dc::StoreEnv> env = dc::StoreEnv::inMemory(8 << 20);
};

// A node over the store at /dc, into which a writable node provisioned the
// forest first.
std::unique_ptr<Node> provisionedNode(Fixture& f, bool readOnly, uint64_t seed) {
  {
    Node origin(settings(false), f.harness, {}, f.clock, dc::Xoshiro256(7));
    REQUIRE(origin.open(*f.env, "/dc").isOk());
    dc::Xoshiro256 rng(7);
    REQUIRE(dc::provisionForest(*origin.directory(), rng).isOk());
  }
  auto node = std::make_unique<Node>(settings(readOnly), f.harness, std::vector<replication::Connection>{}, f.clock,
                                     dc::Xoshiro256(seed));
  REQUIRE(node->open(*f.env, "/dc").isOk());
  return node;
}

TEST_CASE("A node's directory exists only while its store is open, and a reopened store keeps what was written",
          "[node]") {
  Fixture f;
  Node node(settings(false), f.harness, {}, f.clock, dc::Xoshiro256(1));
  CHECK(node.directory() == nullptr);
  REQUIRE(node.open(*f.env, "/dc").isOk());
  REQUIRE(node.directory() != nullptr);
  CHECK(node.replication().directory() == node.directory());
  dc::Xoshiro256 rng(1);
  REQUIRE(dc::provisionForest(*node.directory(), rng).isOk());
  const uint64_t usn = node.directory()->highestCommittedUsn();
  CHECK(usn > 0);

  node.close();
  CHECK(node.directory() == nullptr);
  CHECK(node.store() == nullptr);
  CHECK(node.replication().directory() == nullptr);

  REQUIRE(node.open(*f.env, "/dc").isOk());
  CHECK(node.directory()->highestCommittedUsn() == usn);
  CHECK(node.replication().directory() == node.directory());
}

TEST_CASE("A node's write observer sees writes before and after the DC restarts", "[node]") {
  Fixture f;
  std::unique_ptr<Node> owned = provisionedNode(f, false, 2);
  Node& node = *owned;
  const std::string users = "CN=Users,DC=corp,DC=example,DC=com";
  auto watchedGuid = node.directory()->add("CN=watched," + users, {{"objectClass", {"user"}}});
  auto otherGuid = node.directory()->add("CN=other," + users, {{"objectClass", {"user"}}});
  REQUIRE(watchedGuid.isOk());
  REQUIRE(otherGuid.isOk());
  std::vector<std::string> seen;
  node.setWriteObserver({[&](const dc::Guid& object) { return object == *watchedGuid; },
                         [&](const dc::Object& object, bool replicated) {
                           CHECK_FALSE(replicated);
                           CHECK(object.guid == *watchedGuid);
                           seen.push_back("write");
                         }});
  auto describe = [&](const std::string& who, const std::string& text) {
    return node.directory()->modify("CN=" + who + "," + users, {{dc::Change::Op::Replace, "description", {text}}});
  };
  REQUIRE(describe("watched", "before").isOk());
  REQUIRE(describe("other", "before").isOk());
  CHECK(seen.size() == 1);

  node.stop();
  node.close();
  REQUIRE(node.open(*f.env, "/dc").isOk());
  node.start();
  REQUIRE(describe("watched", "after").isOk());
  REQUIRE(describe("other", "after").isOk());
  CHECK(seen.size() == 2);
}

TEST_CASE("An RODC's node opens a read-only directory that refers writes to a writable DC", "[node]") {
  Fixture f;
  std::unique_ptr<Node> owned = provisionedNode(f, true, 3);
  Node& rodc = *owned;
  CHECK(rodc.readOnly());
  auto added = rodc.directory()->add("CN=refused,CN=Users,DC=corp,DC=example,DC=com", {{"objectClass", {"user"}}});
  REQUIRE_FALSE(added.isOk());
  CHECK(added.status().code() == dc::LdapResult::referral);
}

TEST_CASE("A DC that stops with its store open replicates into it again once it starts", "[node]") {
  Fixture f;
  std::unique_ptr<Node> owned = provisionedNode(f, false, 5);
  Node& node = *owned;
  node.stop();
  CHECK_FALSE(node.replication().up());
  CHECK(node.replication().directory() == nullptr);  // nothing replicates into a stopped DC
  CHECK(node.directory() != nullptr);                // while its process keeps the store
  node.start();
  CHECK(node.replication().up());
  CHECK(node.replication().directory() == node.directory());
}

TEST_CASE("A node that cannot open its store stays closed", "[node]") {
  Fixture f;
  std::unique_ptr<Node> owned = provisionedNode(f, false, 4);
  Node& node = *owned;
  // A store under a plain file cannot be opened.
  const std::filesystem::path file = std::filesystem::temp_directory_path() / "dcemu-node-test-not-a-directory";
  std::ofstream(file).put('x');
  dc::Status opened = node.open(*dc::StoreEnv::onDisk(1 << 20), (file / "store").string());
  std::filesystem::remove(file);
  CHECK_FALSE(opened.isOk());
  CHECK(node.directory() == nullptr);
  CHECK(node.replication().directory() == nullptr);
}

}  // namespace
}  // namespace dcemu::node
