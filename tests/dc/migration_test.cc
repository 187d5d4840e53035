#include "dc/migration.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <map>

#include "test_domain.h"

using namespace dcemu::dc;
using dcemu::dc::testing::TestDomain;

namespace {

// A domain with svc_app (an enabled user with SPNs and delegation
// settings, in a group) and dmsa_app in state 0.
struct MigrationDomain {
  TestDomain d;
  std::string dmsa = d.dn("CN=dmsa_app,CN=Managed Service Accounts");
  std::string account = d.dn("CN=svc_app,CN=Users");
  MigrationDomain() {
    d.addUser("svc_app");
    d.addDmsa("dmsa_app", 0);
    REQUIRE(d.dir()
                .modify(account, {{Change::Op::Replace, "userAccountControl", {std::to_string(0x200 | 0x1000000)}},
                                  {Change::Op::Replace, "servicePrincipalName", {"HTTP/app", "HTTP/app.corp"}},
                                  {Change::Op::Replace, "msDS-AllowedToDelegateTo", {"cifs/files"}}})
                .isOk());
  }
  MigrationOutcome run(MigrationOp op, const Principal& who = Principal::systemPrincipal()) {
    return migrateServiceAccount(d.dir(), {dmsa, account, op}, who);
  }
  std::vector<std::string> values(const std::string& dn, const std::string& attribute) {
    return d.values(dn, attribute);
  }
  // Attribute → stamp version, for comparing what an operation touched.
  std::map<std::string, uint32_t> versions(const std::string& dn) {
    std::map<std::string, uint32_t> out;
    auto attributes = d.dir().attributeMetadata(dn);
    auto links = d.dir().linkMetadata(dn);
    REQUIRE(attributes.isOk());
    REQUIRE(links.isOk());
    for (const auto& row : *attributes) out[row.attribute] = row.stamp.version;
    for (const auto& row : *links) out[row.attribute + ":" + row.targetDn] = row.stamp.version;
    return out;
  }
  std::vector<std::string> changed(const std::map<std::string, uint32_t>& before, const std::string& dn) {
    std::vector<std::string> names;
    for (const auto& [name, version] : versions(dn)) {
      auto it = before.find(name);
      if (it == before.end() || it->second != version) names.push_back(name.substr(0, name.find(':')));
    }
    return names;
  }
  // The trustees of the dMSA's allow ACEs for the old account.
  std::vector<Ace> acesFor(const std::string& accountName) {
    auto obj = d.dir().read(dmsa);
    auto sd = SecurityDescriptor::fromBinary(*obj->firstValue(d.dir().schema().attribute("nTSecurityDescriptor")->id));
    auto guid = d.dir().store().guidByAccountName(accountName);
    auto accountObj = d.dir().readByGuid(*guid);
    Sid sid = *Sid::fromBytes(*accountObj->firstValue(d.dir().schema().attribute("objectSid")->id));
    std::vector<Ace> aces;
    for (const Ace& ace : sd->dacl->aces)
      if (ace.trustee == sid) aces.push_back(ace);
    return aces;
  }
};

using Names = std::vector<std::string>;

}  // namespace

TEST_CASE("Start links both accounts, sets both states and grants the old account read and membership write") {
  MigrationDomain m;
  auto dmsaBefore = m.versions(m.dmsa), accountBefore = m.versions(m.account);
  uint64_t usn = m.d.dir().highestCommittedUsn();
  MigrationOutcome outcome = m.run(MigrationOp::Start);
  INFO(outcome.status.toString());
  REQUIRE(outcome.status.isOk());
  CHECK(outcome.dmsaStateBefore == 0);
  CHECK_FALSE(outcome.accountStateBefore);
  CHECK(m.d.dir().highestCommittedUsn() == usn + 2);  // one write, a USN per object
  CHECK(m.changed(dmsaBefore, m.dmsa) ==
        Names{"msDS-DelegatedMSAState", "msDS-ManagedAccountPrecededByLink", "nTSecurityDescriptor"});
  CHECK(m.changed(accountBefore, m.account) ==
        Names{"msDS-SupersededManagedAccountLink", "msDS-SupersededServiceAccountState"});
  CHECK(m.values(m.dmsa, "msDS-DelegatedMSAState") == Names{"1"});
  CHECK(m.values(m.dmsa, "msDS-ManagedAccountPrecededByLink") == Names{m.account});
  CHECK(m.values(m.account, "msDS-SupersededServiceAccountState") == Names{"1"});
  CHECK(m.values(m.account, "msDS-SupersededManagedAccountLink") == Names{m.dmsa});
  CHECK(m.values(m.account, "msDS-ManagedAccountPrecededByLinkBL") == Names{m.dmsa});
  CHECK(m.values(m.dmsa, "msDS-SupersededManagedAccountLinkBL") == Names{m.account});
  auto aces = m.acesFor("svc_app");
  REQUIRE(aces.size() == 2);
  CHECK(aces[0].mask == rights::kAdsRead);
  CHECK(aces[1].mask == rights::kWriteProperty);
  CHECK(aces[1].objectType == schemaIdGuid("1.2.840.113556.1.4.2200"));  // msDS-GroupMSAMembership
}

TEST_CASE("Complete moves SPNs and delegation to the dMSA, removes the ACEs and disables the old account") {
  MigrationDomain m;
  REQUIRE(m.run(MigrationOp::Start).status.isOk());
  auto accountBefore = m.versions(m.account);
  MigrationOutcome outcome = m.run(MigrationOp::Complete);
  INFO(outcome.status.toString());
  REQUIRE(outcome.status.isOk());
  CHECK(outcome.dmsaStateBefore == 1);
  CHECK(outcome.accountStateBefore == 1);
  CHECK(m.values(m.dmsa, "msDS-DelegatedMSAState") == Names{"2"});
  CHECK(m.values(m.dmsa, "servicePrincipalName") == Names{"HTTP/app", "HTTP/app.corp"});
  CHECK(m.values(m.account, "servicePrincipalName").empty());
  CHECK(m.values(m.dmsa, "msDS-AllowedToDelegateTo") == Names{"cifs/files"});
  int64_t dmsaUac = std::stoll(m.values(m.dmsa, "userAccountControl").front());
  CHECK((dmsaUac & uac::kTrustedToAuthForDelegation) != 0);
  int64_t accountUac = std::stoll(m.values(m.account, "userAccountControl").front());
  CHECK((accountUac & uac::kAccountDisable) != 0);
  CHECK(m.values(m.account, "msDS-SupersededServiceAccountState") == Names{"2"});
  CHECK(m.acesFor("svc_app").empty());
  CHECK(m.changed(accountBefore, m.account) ==
        Names{"msDS-SupersededServiceAccountState", "servicePrincipalName", "userAccountControl"});
  // The links stay: the old account must never be deleted, it holds them.
  CHECK(m.values(m.account, "msDS-SupersededManagedAccountLink") == Names{m.dmsa});
}

TEST_CASE("Undo unlinks a started migration and returns a completed one to the started phase") {
  MigrationDomain m;
  REQUIRE(m.run(MigrationOp::Start).status.isOk());
  REQUIRE(m.run(MigrationOp::Undo).status.isOk());
  CHECK(m.values(m.dmsa, "msDS-DelegatedMSAState") == Names{"0"});
  CHECK(m.values(m.dmsa, "msDS-ManagedAccountPrecededByLink").empty());
  CHECK(m.values(m.account, "msDS-SupersededManagedAccountLink").empty());
  CHECK(m.values(m.account, "msDS-SupersededServiceAccountState").empty());
  CHECK(m.acesFor("svc_app").empty());

  REQUIRE(m.run(MigrationOp::Start).status.isOk());
  REQUIRE(m.run(MigrationOp::Complete).status.isOk());
  REQUIRE(m.run(MigrationOp::Undo).status.isOk());
  CHECK(m.values(m.dmsa, "msDS-DelegatedMSAState") == Names{"1"});
  CHECK(m.values(m.account, "msDS-SupersededServiceAccountState") == Names{"1"});
  CHECK(m.values(m.account, "servicePrincipalName") == Names{"HTTP/app", "HTTP/app.corp"});
  CHECK((std::stoll(m.values(m.account, "userAccountControl").front()) & uac::kAccountDisable) == 0);
  CHECK(m.acesFor("svc_app").size() == 2);
}

TEST_CASE("Reset returns a completed migration to the unlinked state with the old account enabled") {
  MigrationDomain m;
  REQUIRE(m.run(MigrationOp::Start).status.isOk());
  REQUIRE(m.run(MigrationOp::Complete).status.isOk());
  REQUIRE(m.run(MigrationOp::Reset).status.isOk());
  CHECK(m.values(m.dmsa, "msDS-DelegatedMSAState") == Names{"0"});
  CHECK(m.values(m.account, "msDS-SupersededManagedAccountLink").empty());
  CHECK((std::stoll(m.values(m.account, "userAccountControl").front()) & uac::kAccountDisable) == 0);
  CHECK(m.values(m.account, "servicePrincipalName") == Names{"HTTP/app", "HTTP/app.corp"});
}

TEST_CASE("Refused migrations write nothing and say why") {
  MigrationDomain m;
  Directory& dir = m.d.dir();
  auto refused = [&](MigrationOutcome outcome, LdapResult code, const std::string& words) {
    INFO(outcome.status.toString());
    CHECK(outcome.status.code() == code);
    CHECK_THAT(outcome.status.message(), Catch::Matchers::Contains(words));
  };
  uint64_t usn = dir.highestCommittedUsn();
  refused(m.run(MigrationOp::Complete), LdapResult::unwillingToPerform, "no migration from");
  refused(m.run(MigrationOp::Undo), LdapResult::unwillingToPerform, "not linked");
  refused(migrateServiceAccount(dir, {m.d.dn("CN=nobody,CN=Managed Service Accounts"), m.account, MigrationOp::Start},
                                Principal::systemPrincipal()),
          LdapResult::noSuchObject, "no dMSA");
  refused(migrateServiceAccount(dir, {m.dmsa, m.d.dn("CN=nobody,CN=Users"), MigrationOp::Start},
                                Principal::systemPrincipal()),
          LdapResult::noSuchObject, "no account");
  refused(m.run(MigrationOp::Start, Principal{{*Sid::parse("S-1-5-21-1-2-3-4000")}, false}),
          LdapResult::insufficientAccessRights, "Domain Admins");
  REQUIRE(
      dir.add(m.d.dn("CN=gmsa_app,CN=Managed Service Accounts"), {{"objectClass", {"msDS-GroupManagedServiceAccount"}},
                                                                  {"sAMAccountName", {"gmsa_app$"}},
                                                                  {"msDS-ManagedPasswordInterval", {"30"}}})
          .isOk());
  usn = dir.highestCommittedUsn();
  refused(migrateServiceAccount(dir, {m.dmsa, m.d.dn("CN=gmsa_app,CN=Managed Service Accounts"), MigrationOp::Start},
                                Principal::systemPrincipal()),
          LdapResult::unwillingToPerform, "migration from a msDS-GroupManagedServiceAccount is not supported");
  m.d.addDmsa("standalone", 3);
  usn = dir.highestCommittedUsn();
  refused(
      migrateServiceAccount(dir, {m.d.dn("CN=standalone,CN=Managed Service Accounts"), m.account, MigrationOp::Start},
                            Principal::systemPrincipal()),
      LdapResult::unwillingToPerform, "standalone (state 3) (5005 UNABLE_TO_PROCEED)");
  CHECK(dir.highestCommittedUsn() == usn);

  REQUIRE(m.run(MigrationOp::Start).status.isOk());
  usn = dir.highestCommittedUsn();
  refused(m.run(MigrationOp::Start), LdapResult::unwillingToPerform, "already linked");
  m.d.addDmsa("second", 0);
  usn = dir.highestCommittedUsn();
  refused(migrateServiceAccount(dir, {m.d.dn("CN=second,CN=Managed Service Accounts"), m.account, MigrationOp::Start},
                                Principal::systemPrincipal()),
          LdapResult::unwillingToPerform, "the account is already linked to " + m.dmsa);
  CHECK(dir.highestCommittedUsn() == usn);
}

TEST_CASE("An RODC refuses every migration operation") {
  TestDomain rodc(1, /*readOnly=*/true);
  MigrationOutcome outcome = migrateServiceAccount(
      rodc.dir(), {rodc.dn("CN=d,CN=Managed Service Accounts"), rodc.dn("CN=s,CN=Users"), MigrationOp::Start},
      Principal::systemPrincipal());
  CHECK(outcome.status.code() == LdapResult::referral);
  CHECK_THAT(outcome.status.message(), Catch::Matchers::Contains("read-only"));
}

TEST_CASE("The rootDSE form runs the operation its value names, malformed values are protocol errors") {
  MigrationDomain m;
  MigrationOutcome started =
      modifyRootDse(m.d.dir(), {Change::Op::Replace, "migrateADServiceAccount", {m.dmsa + ":" + m.account + ":1"}},
                    Principal::systemPrincipal());
  INFO(started.status.toString());
  REQUIRE(started.status.isOk());
  CHECK(m.values(m.dmsa, "msDS-DelegatedMSAState") == Names{"1"});
  auto parsed = parseMigrationRequest(m.dmsa + ":" + m.account + ":2");
  REQUIRE(parsed.isOk());
  CHECK(parsed->op == MigrationOp::Complete);
  CHECK(parsed->accountDn == m.account);
  for (std::string bad : {m.dmsa + ":" + m.account + ":7", m.dmsa + ":1", std::string("nonsense")}) {
    auto request = parseMigrationRequest(bad);
    CHECK(request.status().code() == LdapResult::protocolError);
  }
  MigrationOutcome wrongAttribute =
      modifyRootDse(m.d.dir(), {Change::Op::Replace, "schemaUpdateNow", {"1"}}, Principal::systemPrincipal());
  CHECK(wrongAttribute.status.code() == LdapResult::unwillingToPerform);
}
