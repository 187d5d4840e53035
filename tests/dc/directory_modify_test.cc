#include <catch2/catch.hpp>

#include "test_domain.h"

using namespace dcemu::dc;
using dcemu::dc::testing::TestDomain;

namespace {

Stamp stampOf(Directory& dir, const std::string& dn, std::string_view attribute) {
  auto rows = dir.attributeMetadata(dn);
  REQUIRE(rows.isOk());
  for (const auto& row : *rows)
    if (row.attribute == attribute) return row.stamp;
  FAIL("no metadata for " << attribute);
  return {};
}

const LinkMetadata* linkRow(const std::vector<LinkMetadata>& rows, std::string_view targetPrefix) {
  for (const auto& row : rows)
    if (row.targetDn.rfind(targetPrefix, 0) == 0) return &row;
  return nullptr;
}

}  // namespace

TEST_CASE("modify replaces, adds and deletes values, one version step per attribute") {
  TestDomain d;
  d.addUser("svc_app");
  const std::string dn = d.dn("CN=svc_app,CN=Users");
  Directory& dir = d.dir();
  REQUIRE(dir.modify(dn, {{Change::Op::Replace, "servicePrincipalName", {"HTTP/a", "HTTP/b"}}}).isOk());
  CHECK(stampOf(dir, dn, "servicePrincipalName").version == 1);
  uint64_t usn = dir.highestCommittedUsn();
  REQUIRE(dir.modify(dn, {{Change::Op::Add, "servicePrincipalName", {"HTTP/c"}},
                          {Change::Op::Delete, "servicePrincipalName", {"HTTP/a"}},
                          {Change::Op::Replace, "description", {"web"}}})
              .isOk());
  CHECK(dir.highestCommittedUsn() == usn + 1);  // one operation, one USN
  CHECK(d.values(dn, "servicePrincipalName") == std::vector<std::string>{"HTTP/b", "HTTP/c"});
  Stamp spn = stampOf(dir, dn, "servicePrincipalName");
  CHECK(spn.version == 2);
  CHECK(spn.originatingUsn == usn + 1);
  CHECK(stampOf(dir, dn, "description").version == 1);
  REQUIRE(dir.modify(dn, {{Change::Op::Delete, "servicePrincipalName", {}}}).isOk());
  CHECK(d.values(dn, "servicePrincipalName").empty());
  // The removal keeps its stamp so that it replicates.
  CHECK(stampOf(dir, dn, "servicePrincipalName").version == 3);
}

TEST_CASE("a security descriptor attribute is one value with one stamp") {
  TestDomain d;
  REQUIRE(d.dir()
              .add(d.dn("CN=host-a,CN=Computers"), {{"objectClass", {"computer"}}, {"sAMAccountName", {"host-a$"}}})
              .isOk());
  REQUIRE(d.dir()
              .add(d.dn("CN=host-b,CN=Computers"), {{"objectClass", {"computer"}}, {"sAMAccountName", {"host-b$"}}})
              .isOk());
  d.addDmsa("dmsa_db", 3);
  const std::string dn = d.dn("CN=dmsa_db,CN=Managed Service Accounts");
  REQUIRE(d.dir()
              .modify(dn, {{Change::Op::Replace,
                            "msDS-GroupMSAMembership",
                            {"O:BAD:(A;;CCDCLCSWRPWPDTLOCRSDRCWDWO;;;host-a$)"}}})
              .isOk());
  REQUIRE(
      d.dir()
          .modify(dn, {{Change::Op::Replace,
                        "msDS-GroupMSAMembership",
                        {"O:BAD:(A;;CCDCLCSWRPWPDTLOCRSDRCWDWO;;;host-a$)(A;;CCDCLCSWRPWPDTLOCRSDRCWDWO;;;host-b$)"}}})
          .isOk());
  auto sddl = d.values(dn, "msDS-GroupMSAMembership");
  REQUIRE(sddl.size() == 1);
  auto hostA = d.values(d.dn("CN=host-a,CN=Computers"), "objectSid")[0];
  CHECK(sddl[0] == "O:BAD:(A;;CCDCLCSWRPWPDTLOCRSDRCWDWO;;;" + hostA + ")(A;;CCDCLCSWRPWPDTLOCRSDRCWDWO;;;" +
                       d.values(d.dn("CN=host-b,CN=Computers"), "objectSid")[0] + ")");
  CHECK(stampOf(d.dir(), dn, "msDS-GroupMSAMembership").version == 2);
  // Adding a second whole descriptor to a single-valued attribute is refused.
  auto second = d.dir().modify(dn, {{Change::Op::Add, "msDS-GroupMSAMembership", {"O:BAD:(A;;RP;;;WD)"}}});
  CHECK(second.code() == LdapResult::constraintViolation);
}

TEST_CASE("rangeUpper of msDS-GroupMSAMembership is 132096 bytes") {
  TestDomain d;
  d.addDmsa("dmsa_db", 3);
  // 28-byte SID + 8-byte header per ACE: 4,000 ACEs is 144,000 bytes.
  std::string sddl = "O:BAD:";
  for (int i = 0; i < 4000; ++i) sddl += "(A;;RP;;;S-1-5-21-1-2-3-" + std::to_string(2000 + i) + ")";
  auto st = d.dir().modify(d.dn("CN=dmsa_db,CN=Managed Service Accounts"),
                           {{Change::Op::Replace, "msDS-GroupMSAMembership", {sddl}}});
  CHECK(st.code() == LdapResult::constraintViolation);
  CHECK_THAT(st.message(), Catch::Contains("rangeUpper 132096"));
}

TEST_CASE("modify refusals carry LDAP result codes") {
  TestDomain d;
  d.addUser("svc_app");
  const std::string dn = d.dn("CN=svc_app,CN=Users");
  REQUIRE(d.dir().modify(dn, {{Change::Op::Replace, "description", {"x"}}}).isOk());
  struct Case {
    Change change;
    LdapResult expected;
  };
  const std::vector<Case> cases = {
      {{Change::Op::Add, "description", {"x"}}, LdapResult::attributeOrValueExists},
      {{Change::Op::Add, "description", {"X"}}, LdapResult::attributeOrValueExists},  // case-insensitive
      {{Change::Op::Delete, "description", {"y"}}, LdapResult::noSuchAttribute},
      {{Change::Op::Delete, "displayName", {}}, LdapResult::noSuchAttribute},
      {{Change::Op::Replace, "displayName", {"a", "b"}}, LdapResult::constraintViolation},
      {{Change::Op::Replace, "userAccountControl", {"0x10"}}, LdapResult::invalidAttributeSyntax},
      {{Change::Op::Replace, "objectSid", {"S-1-5-21-1-2-3-4"}}, LdapResult::constraintViolation},
      {{Change::Op::Replace, "objectClass", {"computer"}}, LdapResult::objectClassModsProhibited},
      {{Change::Op::Replace, "cn", {"other"}}, LdapResult::notAllowedOnRdn},
      {{Change::Op::Replace, "msDS-DelegatedMSAState", {"1"}}, LdapResult::objectClassViolation},
      {{Change::Op::Replace, "memberOf", {d.dn("CN=Domain Admins,CN=Users")}}, LdapResult::constraintViolation},
      {{Change::Op::Replace, "bogus", {"1"}}, LdapResult::undefinedAttributeType},
      {{Change::Op::Replace, "whenCreated", {"20260101000000.0Z"}}, LdapResult::constraintViolation},
  };
  for (const Case& c : cases) {
    Status st = d.dir().modify(dn, {c.change}, Principal::systemPrincipal());
    INFO(c.change.attribute << " -> " << st.toString());
    CHECK(st.code() == c.expected);
    CHECK_THAT(st.message(), Catch::Contains("svc_app") || Catch::Contains(c.change.attribute));
  }
  CHECK(d.dir().modify(d.dn("CN=nobody,CN=Users"), {{Change::Op::Replace, "description", {"x"}}}).code() ==
        LdapResult::noSuchObject);
  // Nothing a refused operation touched changed.
  CHECK(d.values(dn, "description") == std::vector<std::string>{"x"});
}

TEST_CASE("a refused modify changes nothing and takes no USN") {
  TestDomain d;
  d.addUser("svc_app");
  const std::string dn = d.dn("CN=svc_app,CN=Users");
  uint64_t usn = d.dir().highestCommittedUsn();
  Status st =
      d.dir().modify(dn, {{Change::Op::Replace, "description", {"ok"}}, {Change::Op::Delete, "displayName", {}}});
  CHECK(st.code() == LdapResult::noSuchAttribute);
  CHECK(d.values(dn, "description").empty());
  CHECK(d.dir().highestCommittedUsn() == usn);
}

TEST_CASE("writing an attribute needs WriteProperty on it") {
  TestDomain d;
  d.addUser("svc_app");
  Guid helpdesk = d.addUser("helpdesk");
  Principal requester{*d.dir().tokenSids(helpdesk), false};
  const std::string dn = d.dn("CN=svc_app,CN=Users");
  CHECK(d.dir().modify(dn, {{Change::Op::Replace, "description", {"x"}}}, requester).code() ==
        LdapResult::insufficientAccessRights);
  auto admin = d.dir().read(d.dn("CN=Administrator,CN=Users"));
  Principal administrator{*d.dir().tokenSids(admin->guid), false};
  CHECK(d.dir().modify(dn, {{Change::Op::Replace, "description", {"x"}}}, administrator).isOk());
  // A deny ACE for the helpdesk wins over an allow that follows it.
  REQUIRE(d.dir()
              .modify(dn, {{Change::Op::Replace,
                            "nTSecurityDescriptor",
                            {"O:DAG:DAD:(D;;WP;;;helpdesk)(A;;WP;;;helpdesk)(A;;GA;;;DA)"}}})
              .isOk());
  CHECK(d.dir().modify(dn, {{Change::Op::Replace, "description", {"y"}}}, requester).code() ==
        LdapResult::insufficientAccessRights);
}

TEST_CASE("linked values keep one stamp each and removed values stay inactive") {
  TestDomain d;
  d.addUser("t1");
  d.addUser("t2");
  d.addOu("Apps");
  Directory& dir = d.dir();
  const std::string ou = d.dn("OU=Apps");
  const std::string t1 = d.dn("CN=t1,CN=Users"), t2 = d.dn("CN=t2,CN=Users");
  // Add, remove and add t1 again: the value's version is 3 and it is active.
  REQUIRE(dir.modify(ou, {{Change::Op::Add, "managedBy", {t1}}}).isOk());
  REQUIRE(dir.modify(ou, {{Change::Op::Delete, "managedBy", {t1}}}).isOk());
  auto rows = dir.linkMetadata(ou);
  REQUIRE(rows.isOk());
  REQUIRE(linkRow(*rows, "CN=t1"));
  CHECK_FALSE(linkRow(*rows, "CN=t1")->active);
  CHECK(linkRow(*rows, "CN=t1")->stamp.version == 2);
  CHECK(d.values(ou, "managedBy").empty());
  REQUIRE(dir.modify(ou, {{Change::Op::Add, "managedBy", {t1}}}).isOk());
  rows = dir.linkMetadata(ou);
  CHECK(linkRow(*rows, "CN=t1")->active);
  CHECK(linkRow(*rows, "CN=t1")->stamp.version == 3);
  CHECK(d.values(t1, "managedObjects") == std::vector<std::string>{ou});
  // Replacing the single value deactivates the old one.
  REQUIRE(dir.modify(ou, {{Change::Op::Replace, "managedBy", {t2}}}).isOk());
  rows = dir.linkMetadata(ou);
  CHECK_FALSE(linkRow(*rows, "CN=t1")->active);
  CHECK(linkRow(*rows, "CN=t2")->active);
  CHECK(d.values(ou, "managedBy") == std::vector<std::string>{t2});
  CHECK(d.values(t1, "managedObjects").empty());
  CHECK(dir.modify(ou, {{Change::Op::Add, "managedBy", {t1}}}).code() == LdapResult::constraintViolation);
}

TEST_CASE("group membership is linked: member and memberOf agree") {
  TestDomain d;
  d.addUser("alice");
  REQUIRE(
      d.dir()
          .add(d.dn("CN=helpdesk,CN=Users"),
               {{"objectClass", {"group"}}, {"sAMAccountName", {"helpdesk"}}, {"member", {d.dn("CN=alice,CN=Users")}}})
          .isOk());
  CHECK(d.values(d.dn("CN=alice,CN=Users"), "memberOf") == std::vector<std::string>{d.dn("CN=helpdesk,CN=Users")});
  CHECK(
      d.dir().modify(d.dn("CN=helpdesk,CN=Users"), {{Change::Op::Add, "member", {d.dn("CN=alice,CN=Users")}}}).code() ==
      LdapResult::attributeOrValueExists);
  CHECK(d.dir()
            .modify(d.dn("CN=helpdesk,CN=Users"), {{Change::Op::Delete, "member", {d.dn("CN=Administrator,CN=Users")}}})
            .code() == LdapResult::noSuchAttribute);
}

TEST_CASE("a write observer is told of each watched object as the store then holds it, and of no other") {
  // The simulator's risk tracker follows dMSAs through these calls instead
  // of reading each written dMSA again; what it is handed must be what a
  // read after the write returns.
  TestDomain d;
  Guid watched = d.addUser("svc_watched");
  d.addUser("svc_other");
  std::vector<std::pair<Object, bool>> told;
  d.dir().setWriteObserver({[&](const Guid& object) { return object == watched; },
                            [&](const Object& object, bool replicated) { told.emplace_back(object, replicated); }});
  auto stored = [&] {
    auto obj = d.dir().viewByGuid(watched);
    REQUIRE(obj.isOk());
    return **obj;
  };

  REQUIRE(d.dir()
              .modifyTogether({{d.dn("CN=svc_other,CN=Users"), {{Change::Op::Replace, "description", {"b"}}}},
                               {d.dn("CN=svc_watched,CN=Users"), {{Change::Op::Replace, "description", {"a"}}}}})
              .isOk());
  REQUIRE(told.size() == 1);
  CHECK(told[0].first == stored());
  CHECK_FALSE(told[0].second);

  REQUIRE(d.dir().modify(d.dn("CN=svc_other,CN=Users"), {{Change::Op::Replace, "description", {"c"}}}).isOk());
  CHECK(told.size() == 1);

  REQUIRE(d.dir().remove(d.dn("CN=svc_watched,CN=Users")).isOk());
  REQUIRE(told.size() == 2);
  CHECK(told[1].first == stored());
  CHECK(told[1].first.usnChanged == d.dir().highestCommittedUsn());
}
