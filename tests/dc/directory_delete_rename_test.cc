#include <catch2/catch.hpp>

#include "test_domain.h"

using namespace dcemu::dc;
using dcemu::dc::testing::TestDomain;

namespace {

std::optional<AttributeMetadata> metaRow(Directory& dir, const std::string& dn, std::string_view attribute) {
  auto rows = dir.attributeMetadata(dn);
  REQUIRE(rows.isOk());
  for (const auto& row : *rows)
    if (row.attribute == attribute) return row;
  return std::nullopt;
}

}  // namespace

TEST_CASE("delete leaves a tombstone under Deleted Objects with a mangled RDN") {
  TestDomain d;
  Guid guid = d.addUser("alice");
  Directory& dir = d.dir();
  const std::string dn = d.dn("CN=alice,CN=Users");
  REQUIRE(dir.modify(dn, {{Change::Op::Replace, "description", {"temp"}}}).isOk());
  REQUIRE(dir.modify(d.dn("CN=Domain Admins,CN=Users"), {{Change::Op::Add, "member", {dn}}}).isOk());
  auto descriptionBefore = metaRow(dir, dn, "description");
  REQUIRE(dir.remove(dn).isOk());

  CHECK(dir.read(dn).status().code() == LdapResult::noSuchObject);
  auto tomb = dir.readByGuid(guid);
  REQUIRE(tomb.isOk());
  CHECK(dir.isDeleted(*tomb));
  const std::string tombDn = *dir.dnOf(guid);
  CHECK(tombDn == "CN=alice\\0ADEL:" + guid.toString() + ",CN=Deleted Objects," + d.domainDn());
  CHECK(*dir.values(*tomb, "lastKnownParent") == std::vector<std::string>{d.dn("CN=Users")});
  CHECK(*dir.values(*tomb, "isDeleted") == std::vector<std::string>{"TRUE"});
  // Kept: the account's identity. Stripped: the rest, with a stamped removal.
  CHECK(*dir.values(*tomb, "sAMAccountName") == std::vector<std::string>{"alice"});
  CHECK(dir.values(*tomb, "objectSid")->size() == 1);
  CHECK(dir.values(*tomb, "description")->empty());
  auto descriptionAfter = metaRow(dir, tombDn, "description");
  REQUIRE(descriptionAfter);
  CHECK(descriptionAfter->stamp.version == descriptionBefore->stamp.version + 1);
  // Its group membership is gone from the group's view.
  auto members = d.values(d.dn("CN=Domain Admins,CN=Users"), "member");
  CHECK(std::find(members.begin(), members.end(), dn) == members.end());
  // The name is free again, and the account name too.
  CHECK(d.dir().add(dn, {{"objectClass", {"user"}}, {"sAMAccountName", {"alice"}}}).isOk());
}

TEST_CASE("delete refusals") {
  TestDomain d;
  d.addOu("Apps");
  d.addOu("Sub,OU=Apps");
  CHECK(d.dir().remove(d.dn("OU=Apps")).code() == LdapResult::notAllowedOnNonLeaf);
  CHECK(d.dir().remove(d.domainDn()).code() == LdapResult::unwillingToPerform);
  CHECK(d.dir().remove(d.dn("CN=Deleted Objects")).code() == LdapResult::unwillingToPerform);
  CHECK(d.dir().remove(d.dn("OU=Missing")).code() == LdapResult::noSuchObject);
  REQUIRE(d.dir().remove(d.dn("OU=Sub,OU=Apps")).isOk());
  CHECK(d.dir().remove(d.dn("OU=Apps")).isOk());  // a tombstone child does not count
  Guid alice = d.addUser("alice");
  Principal requester{*d.dir().tokenSids(alice), false};
  CHECK(d.dir().remove(d.dn("CN=Administrator,CN=Users"), requester).code() == LdapResult::insufficientAccessRights);
}

TEST_CASE("rename and move stamp the name attribute") {
  TestDomain d;
  Guid guid = d.addUser("alice");
  d.addOu("Apps");
  Directory& dir = d.dir();
  auto before = metaRow(dir, d.dn("CN=alice,CN=Users"), "name");
  REQUIRE(dir.rename(d.dn("CN=alice,CN=Users"), d.dn("CN=alice2,OU=Apps")).isOk());
  CHECK(*dir.dnOf(guid) == d.dn("CN=alice2,OU=Apps"));
  CHECK(d.values(d.dn("CN=alice2,OU=Apps"), "cn") == std::vector<std::string>{"alice2"});
  auto after = metaRow(dir, d.dn("CN=alice2,OU=Apps"), "name");
  CHECK(after->stamp.version == before->stamp.version + 1);
  CHECK(metaRow(dir, d.dn("CN=alice2,OU=Apps"), "cn")->stamp.version == 2);
  // A move alone changes only name's stamp.
  REQUIRE(dir.rename(d.dn("CN=alice2,OU=Apps"), d.dn("CN=alice2,CN=Users")).isOk());
  CHECK(metaRow(dir, d.dn("CN=alice2,CN=Users"), "name")->stamp.version == 3);
  CHECK(metaRow(dir, d.dn("CN=alice2,CN=Users"), "cn")->stamp.version == 2);
  CHECK(dir.read(d.dn("CN=alice2,OU=Apps")).status().code() == LdapResult::noSuchObject);
}

TEST_CASE("rename refusals") {
  TestDomain d;
  d.addOu("Apps");
  d.addOu("Sub,OU=Apps");
  d.addUser("alice");
  d.addUser("bob");
  Directory& dir = d.dir();
  CHECK(dir.rename(d.dn("CN=alice,CN=Users"), d.dn("CN=bob,CN=Users")).code() == LdapResult::entryAlreadyExists);
  CHECK(dir.rename(d.dn("OU=Apps"), d.dn("OU=Apps,OU=Sub,OU=Apps")).code() == LdapResult::unwillingToPerform);
  CHECK(dir.rename(d.dn("CN=alice,CN=Users"), d.dn("CN=alice,OU=Missing")).code() == LdapResult::noSuchObject);
  CHECK(dir.rename(d.dn("CN=alice,CN=Users"), d.dn("OU=alice,CN=Users")).code() == LdapResult::namingViolation);
  CHECK(dir.rename(d.dn("CN=alice,CN=Users"), "CN=alice,CN=Sites,CN=Configuration," + d.domainDn()).code() ==
        LdapResult::unwillingToPerform);
  CHECK(dir.rename(d.domainDn(), d.dn("DC=x")).code() == LdapResult::unwillingToPerform);
}

TEST_CASE("changes since a USN come in USN order with the latest state") {
  TestDomain d;
  Directory& dir = d.dir();
  uint64_t start = dir.highestCommittedUsn();
  Guid a = d.addUser("a");
  Guid b = d.addUser("b");
  REQUIRE(dir.modify(d.dn("CN=a,CN=Users"), {{Change::Op::Replace, "description", {"later"}}}).isOk());
  std::vector<Guid> order;
  std::vector<uint64_t> usns;
  REQUIRE(dir.changesSince(NamingContext::Domain, start,
                           [&](const Object& obj) {
                             order.push_back(obj.guid);
                             usns.push_back(obj.usnChanged);
                             return true;
                           })
              .isOk());
  CHECK(order == std::vector<Guid>{b, a});  // a moved past b when modified
  CHECK(usns == std::vector<uint64_t>{start + 2, start + 3});
  std::vector<Guid> sinceB;
  REQUIRE(dir.changesSince(NamingContext::Domain, start + 2,
                           [&](const Object& obj) {
                             sinceB.push_back(obj.guid);
                             return true;
                           })
              .isOk());
  CHECK(sinceB == std::vector<Guid>{a});
}

TEST_CASE("children are listed in name order") {
  TestDomain d;
  d.addOu("Apps");
  d.addOu("b,OU=Apps");
  d.addOu("A,OU=Apps");
  CHECK(d.dir().childrenOf(d.dn("OU=Apps")) == std::vector<std::string>{d.dn("OU=A,OU=Apps"), d.dn("OU=b,OU=Apps")});
}

// MS-ADTS 3.1.1.5.5.6.1: a tombstone keeps its listed attributes, the RDN
// attribute and fPRESERVEONDELETE ones; sAMAccountType (searchFlags
// fATTINDEX only, MS-ADA3 2.223) and primaryGroupID go, each removal
// stamped by the delete.
TEST_CASE("a tombstone keeps exactly what MS-ADTS 3.1.1.5.5.6.1 retains, each removal stamped by the delete") {
  TestDomain d;
  Guid guid = d.addUser("bob");
  Directory& dir = d.dir();
  const std::string dn = d.dn("CN=bob,CN=Users");
  auto before = dir.read(dn);
  REQUIRE(before.isOk());
  REQUIRE(dir.values(*before, "sAMAccountType")->size() == 1);
  REQUIRE(dir.remove(dn).isOk());
  auto tomb = dir.readByGuid(guid);
  REQUIRE(tomb.isOk());
  const std::string tombDn = *dir.dnOf(guid);
  for (const char* kept : {"objectClass", "cn", "name", "objectSid", "sAMAccountName", "userAccountControl",
                           "nTSecurityDescriptor", "whenCreated", "instanceType", "isDeleted", "lastKnownParent"})
    CHECK(dir.values(*tomb, kept)->size() >= 1);
  for (const char* gone : {"sAMAccountType", "primaryGroupID"}) {
    INFO(gone);
    CHECK(dir.values(*tomb, gone)->empty());
    auto row = metaRow(dir, tombDn, gone);
    REQUIRE(row);
    CHECK(row->stamp.version == 2);
    CHECK(row->localUsn == tomb->usnChanged);
  }
}
