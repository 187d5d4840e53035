#include <catch2/catch.hpp>
#include <filesystem>
#include <map>

#include "test_domain.h"

using namespace dcemu::dc;
using dcemu::dc::testing::TestDomain;

namespace {

// Every object of every naming context, by GUID.
std::map<Guid, Object> snapshot(Directory& dir) {
  std::map<Guid, Object> all;
  for (int i = 0; i < kNamingContextCount; ++i) {
    REQUIRE(dir.changesSince(static_cast<NamingContext>(i), 0,
                             [&](const Object& obj) {
                               all.emplace(obj.guid, obj);
                               return true;
                             })
                .isOk());
  }
  return all;
}

void populate(TestDomain& d) {
  d.addOu("Apps");
  d.addUser("alice");
  d.addUser("bob");
  REQUIRE(d.dir().modify(d.dn("OU=Apps"), {{Change::Op::Replace, "managedBy", {d.dn("CN=alice,CN=Users")}}}).isOk());
  REQUIRE(d.dir().remove(d.dn("CN=bob,CN=Users")).isOk());
  REQUIRE(d.dir().rename(d.dn("CN=alice,CN=Users"), d.dn("CN=alice,OU=Apps")).isOk());
}

}  // namespace

TEST_CASE("closing and reopening gives the identical replica") {
  TestDomain d;
  populate(d);
  auto before = snapshot(d.dir());
  Guid invocation = d.dir().invocationId();
  uint64_t usn = d.dir().highestCommittedUsn();
  d.reopen();
  CHECK(snapshot(d.dir()) == before);
  CHECK(d.dir().invocationId() == invocation);
  CHECK(d.dir().highestCommittedUsn() == usn);
  CHECK(d.values(d.dn("OU=Apps"), "managedBy") == std::vector<std::string>{d.dn("CN=alice,OU=Apps")});
  // The next write continues the USN sequence.
  d.addUser("carol");
  CHECK(d.dir().highestCommittedUsn() == usn + 1);
}

TEST_CASE("a disk store reopens identically in a new Env") {
  auto path = std::filesystem::temp_directory_path() / "dcemu-store-test" / "dc1";
  std::filesystem::remove_all(path.parent_path());
  std::map<Guid, Object> before;
  Guid invocation;
  {
    auto env = StoreEnv::onDisk(8 << 20);
    auto store = Store::open(*env, path.string());
    REQUIRE(store.isOk());
    ManualClock clock(testing::kEpochMicros);
    Xoshiro256 rng(5);
    auto dir = Directory::open(**store, {"corp.example.com", false}, clock, rng);
    REQUIRE(dir.isOk());
    REQUIRE(provisionForest(**dir, rng).isOk());
    REQUIRE((*dir)->add("OU=Apps,DC=corp,DC=example,DC=com", {{"objectClass", {"organizationalUnit"}}}).isOk());
    before = snapshot(**dir);
    invocation = (*dir)->invocationId();
  }
  auto env = StoreEnv::onDisk(8 << 20);
  auto store = Store::open(*env, path.string());
  REQUIRE(store.isOk());
  ManualClock clock(testing::kEpochMicros);
  Xoshiro256 rng(99);
  auto dir = Directory::open(**store, {"corp.example.com", false}, clock, rng);
  REQUIRE(dir.isOk());
  CHECK((*dir)->invocationId() == invocation);
  CHECK(snapshot(**dir) == before);
  std::filesystem::remove_all(path.parent_path());
}

TEST_CASE("a store that cannot be opened is an error naming the path") {
  auto env = StoreEnv::onDisk();
  auto store = Store::open(*env, "/proc/dcemu-cannot-exist/dc1");
  REQUIRE_FALSE(store.isOk());
  CHECK_THAT(store.status().message(), Catch::Contains("/proc/dcemu-cannot-exist/dc1"));
}

TEST_CASE("a checkpoint is the replica as it was, and stays so while the original changes") {
  TestDomain d;
  populate(d);
  auto before = snapshot(d.dir());
  uint64_t usn = d.dir().highestCommittedUsn();
  REQUIRE(d.dir().store().checkpoint("/snapshots/dc1-a").isOk());
  d.addUser("carol");

  auto copy = Store::open(d.env(), "/snapshots/dc1-a");
  REQUIRE(copy.isOk());
  ManualClock clock(testing::kEpochMicros);
  Xoshiro256 rng(42);
  auto dir = Directory::open(**copy, {"corp.example.com", false}, clock, rng);
  REQUIRE(dir.isOk());
  CHECK((*dir)->invocationId() == d.dir().invocationId());
  CHECK((*dir)->highestCommittedUsn() == usn);
  CHECK(snapshot(**dir) == before);
  CHECK(d.dir().highestCommittedUsn() == usn + 1);
}

TEST_CASE("a checkpoint to a path that exists is refused with the path") {
  TestDomain d;
  REQUIRE(d.dir().store().checkpoint("/snapshots/once").isOk());
  Status again = d.dir().store().checkpoint("/snapshots/once");
  REQUIRE_FALSE(again.isOk());
  CHECK_THAT(again.message(), Catch::Contains("/snapshots/once"));
}
