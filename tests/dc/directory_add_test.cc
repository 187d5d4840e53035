#include <catch2/catch.hpp>

#include "dc/provision.h"
#include "test_domain.h"

using namespace dcemu::dc;
using dcemu::dc::testing::TestDomain;

namespace {

LdapResult codeOf(const Result<Guid>& r) {
  return r.isOk() ? LdapResult::success : r.status().code();
}

const AttributeMetadata* metaOf(const std::vector<AttributeMetadata>& rows, std::string_view name) {
  for (const auto& row : rows)
    if (row.attribute == name) return &row;
  return nullptr;
}

}  // namespace

TEST_CASE("provisioning creates the well-known containers, accounts and groups") {
  TestDomain d;
  Directory& dir = d.dir();
  for (const char* dn :
       {"CN=Users", "CN=Computers", "CN=Managed Service Accounts", "CN=Deleted Objects", "CN=LostAndFound",
        "OU=Domain Controllers", "CN=Administrator,CN=Users", "CN=krbtgt,CN=Users", "CN=Domain Admins,CN=Users",
        "CN=Enterprise Admins,CN=Users", "CN=Administrators,CN=Builtin"}) {
    INFO(dn);
    CHECK(dir.read(d.dn(dn)).isOk());
  }
  CHECK(dir.read("CN=Sites,CN=Configuration," + d.domainDn()).isOk());
  CHECK(dir.read("CN=Schema,CN=Configuration," + d.domainDn()).isOk());
  auto adminSid = d.values(d.dn("CN=Administrator,CN=Users"), "objectSid");
  REQUIRE(adminSid.size() == 1);
  CHECK(adminSid[0] == dir.domainSid()->withRid(500).toString());
  auto memberOf = d.values(d.dn("CN=Administrator,CN=Users"), "memberOf");
  CHECK(memberOf.size() == 3);
  auto admin = dir.read(d.dn("CN=Administrator,CN=Users"));
  auto token = dir.tokenSids(admin->guid);
  REQUIRE(token.isOk());
  CHECK(std::count(token->begin(), token->end(), *Sid::parse("S-1-5-32-544")) == 1);
  CHECK(std::count(token->begin(), token->end(), dir.domainSid()->withRid(512)) == 1);
  CHECK(std::count(token->begin(), token->end(), dir.domainSid()->withRid(513)) == 1);  // primary group
}

TEST_CASE("add stamps every attribute with version 1, this DC's invocationID and one new USN") {
  TestDomain d;
  Directory& dir = d.dir();
  uint64_t before = dir.highestCommittedUsn();
  d.clock().advance(90'500'000);  // 90.5 s: stamps keep whole seconds
  auto guid = dir.add(d.dn("OU=Apps"), {{"objectClass", {"organizationalUnit"}}, {"description", {"apps"}}});
  REQUIRE(guid.isOk());
  CHECK(dir.highestCommittedUsn() == before + 1);
  auto rows = dir.attributeMetadata(d.dn("OU=Apps"));
  REQUIRE(rows.isOk());
  for (const char* name : {"objectClass", "ou", "name", "description", "objectGUID", "whenCreated",
                           "nTSecurityDescriptor", "instanceType"}) {
    INFO(name);
    const AttributeMetadata* row = metaOf(*rows, name);
    REQUIRE(row);
    CHECK(row->stamp.version == 1);
    CHECK(row->stamp.originatingInvocationId == dir.invocationId());
    CHECK(row->stamp.originatingUsn == before + 1);
    CHECK(row->localUsn == before + 1);
    CHECK(row->stamp.originatingTime == testing::kEpochMicros / 1000000 + 90);
  }
  CHECK(d.values(d.dn("OU=Apps"), "objectGUID")[0] == guid->toString());
  CHECK(d.values(d.dn("OU=Apps"), "objectClass") == std::vector<std::string>{"top", "organizationalUnit"});
  CHECK(d.values(d.dn("OU=Apps"), "distinguishedName")[0] == d.dn("OU=Apps"));
}

// Microsoft's "Managing RID issuance": the RID master hands each DC pools
// of 500 RIDs (the default RID block size) and a DC gives its accounts the
// RIDs of its pool in order; new accounts of a new domain start at 1000.
TEST_CASE("Accounts get RIDs in order from 1000 in the DC's pool and keep the counter across a restart") {
  TestDomain d;
  auto ridOf = [&](const std::string& name) {
    std::string sid = d.values(d.dn("CN=" + name + ",CN=Users"), "objectSid").at(0);
    return std::stoul(sid.substr(sid.rfind('-') + 1));
  };
  d.addUser("first");
  d.addUser("second");
  CHECK(ridOf("first") == 1000);
  CHECK(ridOf("second") == 1001);
  d.reopen();
  d.addUser("third");
  CHECK(ridOf("third") == 1002);
}

TEST_CASE("A DC takes its own pools in turn with the domain's other writable DCs") {
  TestDomain d(1, false, /*ridPoolIndex=*/1, /*ridPoolCount=*/3);
  std::vector<unsigned long> rids;
  for (int i = 0; i < 501; ++i) {
    std::string name = "u" + std::to_string(i);
    d.addUser(name);
    std::string sid = d.values(d.dn("CN=" + name + ",CN=Users"), "objectSid").at(0);
    rids.push_back(std::stoul(sid.substr(sid.rfind('-') + 1)));
  }
  CHECK(rids.front() == 1500);  // its first pool: 1500-1999
  CHECK(rids[499] == 1999);
  CHECK(rids[500] == 3000);  // then 3000-3499: 2000-2999 went to the other two DCs
}

TEST_CASE("objectGUID comes from the injected random stream, objectSid from the domain's SID and the pool") {
  TestDomain a(11), b(11), c(12);
  auto ga = a.addUser("alice"), gb = b.addUser("alice"), gc = c.addUser("alice");
  CHECK(ga == gb);
  CHECK(ga != gc);
  auto sidA = a.values(a.dn("CN=alice,CN=Users"), "objectSid");
  CHECK(sidA == b.values(b.dn("CN=alice,CN=Users"), "objectSid"));
  CHECK(sidA[0].rfind(a.dir().domainSid()->toString() + "-", 0) == 0);
}

TEST_CASE("new accounts get AD's defaults") {
  TestDomain d;
  d.addUser("svc_app");
  CHECK(d.values(d.dn("CN=svc_app,CN=Users"), "userAccountControl") == std::vector<std::string>{"546"});
  CHECK(d.values(d.dn("CN=svc_app,CN=Users"), "sAMAccountType") == std::vector<std::string>{"805306368"});
  CHECK(d.values(d.dn("CN=svc_app,CN=Users"), "primaryGroupID") == std::vector<std::string>{"513"});
  REQUIRE(d.dir()
              .add(d.dn("CN=host-a,CN=Computers"), {{"objectClass", {"computer"}}, {"sAMAccountName", {"host-a$"}}})
              .isOk());
  CHECK(d.values(d.dn("CN=host-a,CN=Computers"), "userAccountControl") == std::vector<std::string>{"4096"});
}

TEST_CASE("a dMSA is created with its required attributes and refused without them") {
  TestDomain d;
  Guid dmsa = d.addDmsa("dmsa_app", 0);
  CHECK(d.values(d.dn("CN=dmsa_app,CN=Managed Service Accounts"), "objectGUID")[0] == dmsa.toString());
  CHECK(d.values(d.dn("CN=dmsa_app,CN=Managed Service Accounts"), "sAMAccountType")[0] == "805306369");
  auto missing =
      d.dir().add(d.dn("CN=dmsa_b,CN=Managed Service Accounts"),
                  {{"objectClass", {"msDS-DelegatedManagedServiceAccount"}}, {"msDS-ManagedPasswordInterval", {"30"}}});
  CHECK(codeOf(missing) == LdapResult::objectClassViolation);
  CHECK_THAT(missing.status().message(), Catch::Contains("msDS-DelegatedMSAState"));
}

TEST_CASE("add refusals carry LDAP result codes and name the object") {
  TestDomain d;
  d.addOu("Apps");
  struct Case {
    std::string dn;
    std::vector<AttributeInput> attrs;
    LdapResult expected;
  };
  const std::vector<Case> cases = {
      {d.dn("OU=x,OU=Missing"), {{"objectClass", {"organizationalUnit"}}}, LdapResult::noSuchObject},
      {d.dn("OU=Apps"), {{"objectClass", {"organizationalUnit"}}}, LdapResult::entryAlreadyExists},
      {d.dn("OU=apps"), {{"objectClass", {"organizationalUnit"}}}, LdapResult::entryAlreadyExists},
      {d.dn("OU=B"),
       {{"objectClass", {"organizationalUnit"}}, {"displayName", {"a", "b"}}},
       LdapResult::constraintViolation},
      {d.dn("OU=B"),
       {{"objectClass", {"organizationalUnit"}}, {"displayName", {std::string(300, 'x')}}},
       LdapResult::constraintViolation},
      {d.dn("OU=B"),
       {{"objectClass", {"organizationalUnit"}}, {"sAMAccountName", {"b"}}},
       LdapResult::objectClassViolation},
      {d.dn("OU=B"),
       {{"objectClass", {"organizationalUnit"}}, {"noSuchAttr", {"b"}}},
       LdapResult::undefinedAttributeType},
      {d.dn("OU=B"), {{"description", {"no class"}}}, LdapResult::objectClassViolation},
      {d.dn("OU=B"), {{"objectClass", {"nonsense"}}}, LdapResult::objectClassViolation},
      {d.dn("CN=B,OU=Apps"), {{"objectClass", {"organizationalUnit"}}}, LdapResult::namingViolation},
      {d.dn("CN=d,CN=Users"), {{"objectClass", {"domainDNS"}}}, LdapResult::namingViolation},
      {d.dn("CN=u,CN=Users"),
       {{"objectClass", {"user"}}, {"userAccountControl", {"twelve"}}},
       LdapResult::invalidAttributeSyntax},
      {d.dn("CN=u,CN=Users"), {{"objectClass", {"user"}}, {"objectGUID", {"0a0b"}}}, LdapResult::constraintViolation},
      {d.dn("CN=u,CN=Users"),
       {{"objectClass", {"user"}}, {"sAMAccountName", {"Administrator"}}},
       LdapResult::entryAlreadyExists},
      {d.dn("CN=u,CN=Users"),
       {{"objectClass", {"user"}}, {"managedBy", {d.dn("CN=nobody,CN=Users")}}},
       LdapResult::noSuchObject},
      {d.dn("OU=B"), {{"objectClass", {"organizationalUnit"}}, {"ou", {"C"}}}, LdapResult::notAllowedOnRdn},
      {"not a dn", {{"objectClass", {"organizationalUnit"}}}, LdapResult::invalidDnSyntax},
  };
  for (const Case& c : cases) {
    auto r = d.dir().add(c.dn, c.attrs, Principal::systemPrincipal());
    INFO(c.dn << " -> " << r.status().toString());
    CHECK(codeOf(r) == c.expected);
    if (!r.isOk() && c.expected != LdapResult::invalidDnSyntax) {
      CHECK_THAT(r.status().message(), Catch::Contains(c.dn.substr(0, c.dn.find(','))));
    }
  }
}

TEST_CASE("an RODC refuses originating writes with a referral") {
  TestDomain d(1, /*readOnly=*/true);
  auto r = d.dir().add(d.dn("OU=X"), {{"objectClass", {"organizationalUnit"}}});
  CHECK(codeOf(r) == LdapResult::referral);
  CHECK(d.dir().modify(d.dn("CN=Users"), {{Change::Op::Replace, "description", {"x"}}}).code() == LdapResult::referral);
  CHECK(d.dir().remove(d.dn("CN=Users")).code() == LdapResult::referral);
}

TEST_CASE("creating a child needs CreateChild on the parent") {
  TestDomain d;
  d.addOu("Apps");
  Guid helpdesk = d.addUser("helpdesk");
  auto token = d.dir().tokenSids(helpdesk);
  REQUIRE(token.isOk());
  Principal requester{*token, false};
  auto denied = d.dir().add(d.dn("OU=Sub,OU=Apps"), {{"objectClass", {"organizationalUnit"}}}, requester);
  CHECK(codeOf(denied) == LdapResult::insufficientAccessRights);
  REQUIRE(d.dir()
              .modify(d.dn("OU=Apps"),
                      {{Change::Op::Replace, "nTSecurityDescriptor", {"O:DAG:DAD:(A;;CC;;;helpdesk)(A;;GA;;;DA)"}}})
              .isOk());
  CHECK(d.dir().add(d.dn("OU=Sub,OU=Apps"), {{"objectClass", {"organizationalUnit"}}}, requester).isOk());
}

TEST_CASE("a child inherits its parent's inheritable ACEs") {
  TestDomain d;
  d.addOu("Apps");
  d.addUser("helpdesk");
  REQUIRE(d.dir()
              .modify(d.dn("OU=Apps"),
                      {{Change::Op::Replace, "nTSecurityDescriptor", {"O:DAG:DAD:(A;CI;RPWP;;;helpdesk)(A;;GA;;;DA)"}}})
              .isOk());
  d.addOu("Sub,OU=Apps");
  auto sd = d.values(d.dn("OU=Sub,OU=Apps"), "nTSecurityDescriptor");
  REQUIRE(sd.size() == 1);
  CHECK_THAT(sd[0], Catch::Contains("(A;CIID;RPWP;;;"));
}
