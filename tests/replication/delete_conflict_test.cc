// Tree deletes and undeletes meeting concurrent changes on other DCs, with
// Windows' outcome on every DC after replicating both ways.
#include <catch2/catch.hpp>

#include "replication_world.h"

namespace dcemu::replication::testing {
namespace {

constexpr int64_t kSecond = 1000000;

bool liveAt(dc::Directory& dir, const std::string& dn, const dc::Guid& guid) {
  auto obj = dir.read(dn);
  return obj.isOk() && obj->guid == guid && !dir.isDeleted(*obj);
}

}  // namespace

// MS-ADTS 3.1.1.5.3.7: the undelete is an originating update of isDeleted
// and the name, which replicate like any change.
TEST_CASE("An undelete replicates: every DC holds the object live under its new DN", "[replication][undelete]") {
  ReplicationWorld world(3);
  dc::Guid guid = require(
      world.dc(0).add(world.dn("CN=frank,CN=Users"), {{"objectClass", {"user"}}, {"sAMAccountName", {"frank"}}}));
  world.syncUntilQuiet();
  require(world.dc(1).remove(world.dn("CN=frank,CN=Users")));
  world.syncUntilQuiet();
  world.clock().advance(kSecond);
  require(world.dc(2).undelete(guid, world.dn("CN=frank,CN=Users")));
  world.syncUntilQuiet();
  for (int i = 0; i < 3; ++i) CHECK(liveAt(world.dc(i), world.dn("CN=frank,CN=Users"), guid));
  CHECK(world.firstDifference(0, 1).empty());
  CHECK(world.firstDifference(0, 2).empty());
}

// Concurrent reanimations: the name's stamps tie on version, so the most
// recent change wins (MS-DRSR's attribute conflict order).
TEST_CASE("Two DCs undelete one tombstone under different names: the later undelete's name wins everywhere",
          "[replication][undelete]") {
  ReplicationWorld world(2);
  dc::Guid guid = require(world.dc(0).add(world.dn("OU=Gone"), {{"objectClass", {"organizationalUnit"}}}));
  world.syncUntilQuiet();
  require(world.dc(0).remove(world.dn("OU=Gone")));
  world.syncUntilQuiet();
  require(world.dc(0).undelete(guid, world.dn("OU=Early")));
  world.clock().advance(kSecond);
  require(world.dc(1).undelete(guid, world.dn("OU=Late")));
  world.syncUntilQuiet();
  for (int i = 0; i < 2; ++i) {
    CHECK(liveAt(world.dc(i), world.dn("OU=Late"), guid));
    CHECK(world.dc(i).read(world.dn("OU=Early")).status().code() == dc::LdapResult::noSuchObject);
  }
  CHECK(world.firstDifference(0, 1).empty());
}

TEST_CASE("An undelete and a concurrent add of the same name: the most recent keeps it, the other is CNF-mangled",
          "[replication][undelete]") {
  ReplicationWorld world(2);
  dc::Guid old = require(world.dc(0).add(world.dn("OU=Team"), {{"objectClass", {"organizationalUnit"}}}));
  world.syncUntilQuiet();
  require(world.dc(0).remove(world.dn("OU=Team")));
  world.syncUntilQuiet();
  dc::Guid added = require(world.dc(1).add(world.dn("OU=Team"), {{"objectClass", {"organizationalUnit"}}}));
  world.clock().advance(kSecond);
  require(world.dc(0).undelete(old, world.dn("OU=Team")));
  world.syncUntilQuiet();
  std::string mangled = "OU=Team\\0ACNF:" + added.toString() + ",DC=corp,DC=example,DC=com";
  for (int i = 0; i < 2; ++i) {
    CHECK(liveAt(world.dc(i), world.dn("OU=Team"), old));
    CHECK(require(world.dc(i).dnOf(added)) == mangled);
  }
  CHECK(world.firstDifference(0, 1).empty());
}

TEST_CASE("A tree delete meets a child added below it elsewhere: the child goes to LostAndFound on every DC",
          "[replication][delete]") {
  ReplicationWorld world(2);
  require(world.dc(0).add(world.dn("OU=Apps"), {{"objectClass", {"organizationalUnit"}}}));
  require(world.dc(0).add(world.dn("OU=Web,OU=Apps"), {{"objectClass", {"organizationalUnit"}}}));
  world.syncUntilQuiet();
  require(world.dc(0).removeTree(world.dn("OU=Apps")));
  dc::Guid child =
      require(world.dc(1).add(world.dn("OU=New,OU=Web,OU=Apps"), {{"objectClass", {"organizationalUnit"}}}));
  world.syncUntilQuiet();
  for (int i = 0; i < 2; ++i) {
    CHECK(world.dc(i).read(world.dn("OU=Apps")).status().code() == dc::LdapResult::noSuchObject);
    CHECK(require(world.dc(i).dnOf(child)) == world.dn("OU=New,CN=LostAndFound"));
  }
  CHECK(world.firstDifference(0, 1).empty());
}

}  // namespace dcemu::replication::testing
