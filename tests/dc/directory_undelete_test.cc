// Tree delete (the tree-delete control, MS-ADTS 3.1.1.5.5) and undelete
// (MS-ADTS 3.1.1.5.3.7) on one DC.
#include <catch2/catch.hpp>

#include "test_domain.h"

using namespace dcemu::dc;
using dcemu::dc::testing::TestDomain;

TEST_CASE("a tree delete makes the subtree tombstones, leaves first, each under its own USN in one write") {
  TestDomain d;
  Guid apps = d.addOu("Apps");
  Guid web = d.addOu("Web,OU=Apps");
  Directory& dir = d.dir();
  auto user = dir.add(d.dn("CN=svc,OU=Web,OU=Apps"), {{"objectClass", {"user"}}, {"sAMAccountName", {"svc"}}});
  REQUIRE(user.isOk());
  REQUIRE(dir.remove(d.dn("CN=svc,OU=Web,OU=Apps")).isOk());  // an earlier tombstone is left alone
  Guid again = *dir.add(d.dn("CN=svc2,OU=Web,OU=Apps"), {{"objectClass", {"user"}}, {"sAMAccountName", {"svc2"}}});
  uint64_t before = dir.highestCommittedUsn();

  CHECK(dir.remove(d.dn("OU=Apps")).code() == LdapResult::notAllowedOnNonLeaf);
  REQUIRE(dir.removeTree(d.dn("OU=Apps")).isOk());
  CHECK(dir.highestCommittedUsn() == before + 3);
  uint64_t expectedUsn = before + 1;
  for (const Guid& guid : {again, web, apps}) {  // leaves first
    auto tomb = dir.readByGuid(guid);
    REQUIRE(tomb.isOk());
    CHECK(dir.isDeleted(*tomb));
    CHECK(tomb->usnChanged == expectedUsn++);
    CHECK(dir.dnOf(guid)->find("CN=Deleted Objects") != std::string::npos);
  }
  // Each remembers its parent, which reads show where it now is (its
  // tombstone), as Windows shows a DN-valued reference.
  CHECK(*dir.values(*dir.readByGuid(web), "lastKnownParent") == std::vector<std::string>{*dir.dnOf(apps)});
  CHECK(dir.removeTree(d.dn("OU=Missing")).code() == LdapResult::noSuchObject);
}

TEST_CASE("undelete reanimates a tombstone under a new DN with isDeleted removed, as one stamped update") {
  TestDomain d;
  Guid guid = d.addUser("carol");
  Directory& dir = d.dir();
  REQUIRE(dir.modify(d.dn("CN=carol,CN=Users"), {{Change::Op::Replace, "description", {"gone"}}}).isOk());
  REQUIRE(dir.remove(d.dn("CN=carol,CN=Users")).isOk());
  d.addOu("Restored");

  REQUIRE(dir.undelete(guid, d.dn("CN=carol,OU=Restored")).isOk());
  auto obj = dir.read(d.dn("CN=carol,OU=Restored"));
  REQUIRE(obj.isOk());
  CHECK(obj->guid == guid);
  CHECK_FALSE(dir.isDeleted(*obj));
  // What the delete stripped stays stripped; SAM sets its derived values again.
  CHECK(dir.values(*obj, "description")->empty());
  CHECK(*dir.values(*obj, "sAMAccountType") == std::vector<std::string>{"805306368"});
  CHECK(*dir.values(*obj, "sAMAccountName") == std::vector<std::string>{"carol"});
  auto rows = dir.attributeMetadata(d.dn("CN=carol,OU=Restored"));
  REQUIRE(rows.isOk());
  for (const auto& row : *rows) {
    if (row.attribute == "isDeleted") CHECK(row.stamp.version == 2);
    if (row.attribute == "name") CHECK(row.stamp.version == 3);
  }
  // The account name is taken again.
  CHECK(
      dir.add(d.dn("CN=carol2,CN=Users"), {{"objectClass", {"user"}}, {"sAMAccountName", {"carol"}}}).status().code() ==
      LdapResult::entryAlreadyExists);
}

TEST_CASE("undelete refusals") {
  TestDomain d;
  Guid live = d.addUser("dave");
  Guid gone = d.addUser("erin");
  Directory& dir = d.dir();
  REQUIRE(dir.remove(d.dn("CN=erin,CN=Users")).isOk());
  CHECK(dir.undelete(live, d.dn("CN=dave2,CN=Users")).code() == LdapResult::unwillingToPerform);
  CHECK(dir.undelete(gone, d.dn("CN=erin,OU=Missing")).code() == LdapResult::noSuchObject);
  CHECK(dir.undelete(gone, d.dn("OU=erin,CN=Users")).code() == LdapResult::namingViolation);
  CHECK(dir.undelete(gone, d.dn("CN=dave,CN=Users")).code() == LdapResult::entryAlreadyExists);
  REQUIRE(dir.add(d.dn("CN=erin-new,CN=Users"), {{"objectClass", {"user"}}, {"sAMAccountName", {"erin"}}}).isOk());
  CHECK(dir.undelete(gone, d.dn("CN=erin,CN=Users")).code() == LdapResult::entryAlreadyExists);
}

// Windows drops a deleted account's group memberships (an undeleted account
// must be put back in its groups); the removal is a stamped change on the
// group, as Samba's replmd_delete_remove_link makes it.
TEST_CASE("deleting an account makes group values that target it inactive with a stamp, undelete leaves them so") {
  TestDomain d;
  Guid guid = d.addUser("gina");
  Directory& dir = d.dir();
  const std::string group = d.dn("CN=Domain Admins,CN=Users");
  REQUIRE(dir.modify(group, {{Change::Op::Add, "member", {d.dn("CN=gina,CN=Users")}}}).isOk());
  uint64_t before = dir.highestCommittedUsn();
  REQUIRE(dir.remove(d.dn("CN=gina,CN=Users")).isOk());
  CHECK(dir.highestCommittedUsn() == before + 2);  // the tombstone and the group, one write
  REQUIRE(dir.undelete(guid, d.dn("CN=gina,CN=Users")).isOk());
  auto links = dir.linkMetadata(group);
  REQUIRE(links.isOk());
  bool found = false;
  for (const auto& row : *links) {
    if (row.targetDn != d.dn("CN=gina,CN=Users")) continue;
    found = true;
    CHECK_FALSE(row.active);
    CHECK(row.stamp.version == 2);
    CHECK(row.localUsn == before + 2);
  }
  CHECK(found);
  CHECK(d.values(d.dn("CN=gina,CN=Users"), "memberOf").empty());
}
