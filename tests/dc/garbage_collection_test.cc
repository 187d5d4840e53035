// Garbage collection past the tombstone lifetime (MS-ADA3 2.314
// tombstoneLifetime; MS-ADTS 3.1.1.5.5: a tombstone lives at least the
// lifetime, then each DC removes it locally).
#include "dc/garbage_collection.h"

#include <catch2/catch.hpp>

#include "dc/provision.h"
#include "test_domain.h"

using namespace dcemu::dc;
using dcemu::dc::testing::TestDomain;

namespace {
constexpr int64_t kDay = 24LL * 3600 * 1000000;
}

TEST_CASE("the tombstone lifetime is the forest's tombstoneLifetime in days, 180 in a new forest") {
  TestDomain d;
  CHECK(tombstoneLifetimeMicros(d.dir()) == 180 * kDay);
  std::string settings = std::string(kDirectoryServiceObject) + ",CN=Configuration," + d.domainDn();
  REQUIRE(d.dir().modify(settings, {{Change::Op::Replace, "tombstoneLifetime", {"1"}}}).isOk());
  CHECK(tombstoneLifetimeMicros(d.dir()) == 2 * kDay);  // never under 2 days
  REQUIRE(d.dir().modify(settings, {{Change::Op::Delete, "tombstoneLifetime", {}}}).isOk());
  CHECK(tombstoneLifetimeMicros(d.dir()) == 60 * kDay);  // Windows' value when none is set
}

// MS-ADA1 2.268 garbageCollPeriod: the hours between garbage collection
// runs, on the same object; Windows runs every 12 hours when it is unset.
TEST_CASE("the garbage collection period is garbageCollPeriod in hours, 12 when unset and at least 1") {
  constexpr int64_t kHour = 3600LL * 1000000;
  TestDomain d;
  CHECK(garbageCollectionPeriodMicros(d.dir()) == 12 * kHour);
  std::string settings = std::string(kDirectoryServiceObject) + ",CN=Configuration," + d.domainDn();
  REQUIRE(d.dir().modify(settings, {{Change::Op::Replace, "garbageCollPeriod", {"3"}}}).isOk());
  CHECK(garbageCollectionPeriodMicros(d.dir()) == 3 * kHour);
  REQUIRE(d.dir().modify(settings, {{Change::Op::Replace, "garbageCollPeriod", {"0"}}}).isOk());
  CHECK(garbageCollectionPeriodMicros(d.dir()) == kHour);
  // Its schema entry as MS-ADA1 publishes it.
  const AttributeDef* def = d.dir().schema().attribute("garbageCollPeriod");
  REQUIRE(def);
  CHECK(def->oid == "1.2.840.113556.1.2.301");
}

TEST_CASE("garbage collection removes tombstones and inactive values older than the lifetime, and nothing younger") {
  TestDomain d;
  Directory& dir = d.dir();
  Guid old = d.addUser("old");
  Guid young = d.addUser("young");
  const std::string group = d.dn("CN=Domain Admins,CN=Users");
  REQUIRE(dir.modify(group, {{Change::Op::Add, "member", {d.dn("CN=young,CN=Users")}}}).isOk());
  REQUIRE(dir.remove(d.dn("CN=old,CN=Users")).isOk());
  d.clock().advance(100 * kDay);
  REQUIRE(dir.modify(group, {{Change::Op::Delete, "member", {d.dn("CN=young,CN=Users")}}}).isOk());
  REQUIRE(dir.remove(d.dn("CN=young,CN=Users")).isOk());
  uint64_t usn = dir.highestCommittedUsn();

  auto early = collectGarbage(dir, d.clock().nowMicros());
  REQUIRE(early.isOk());
  CHECK(early->tombstones == 0);
  d.clock().advance(81 * kDay);  // 181 days after the first delete, 81 after the second
  auto collected = collectGarbage(dir, d.clock().nowMicros());
  REQUIRE(collected.isOk());
  CHECK(collected->tombstones == 1);
  CHECK(dir.readByGuid(old).status().code() == LdapResult::noSuchObject);
  CHECK(dir.readByGuid(young).isOk());
  // The group's removed value for "young" is 81 days old: kept.
  auto links = dir.linkMetadata(group);
  REQUIRE(links.isOk());
  CHECK(std::any_of(links->begin(), links->end(), [](const LinkMetadata& l) { return !l.active; }));
  // Local: no USN taken.
  CHECK(dir.highestCommittedUsn() == usn);
  d.clock().advance(100 * kDay);
  collected = collectGarbage(dir, d.clock().nowMicros());
  REQUIRE(collected.isOk());
  CHECK(collected->tombstones == 1);
  CHECK(collected->linkValues >= 1);
  links = dir.linkMetadata(group);
  REQUIRE(links.isOk());
  CHECK(std::none_of(links->begin(), links->end(), [](const LinkMetadata& l) { return !l.active; }));
}
