#include "kdc/kdc.h"

#include <algorithm>
#include <catch2/catch.hpp>

#include "../dc/test_domain.h"
#include "dc/migration.h"
#include "kdc/host_client.h"
#include "kdc/rodc_policy.h"

using namespace dcemu;
using Catch::Matchers::Contains;
using dc::testing::TestDomain;

namespace {

constexpr int64_t kMinute = 60LL * 1000000;
constexpr int64_t kHour = 60 * kMinute;
constexpr int64_t kDay = 24 * kHour;

// svc_app (enabled, in app-admins), dmsa_app (state 0) and the host web01.
struct KerberosDomain {
  TestDomain d;
  kdc::KerberosPolicy policy;
  std::string dmsa = d.dn("CN=dmsa_app,CN=Managed Service Accounts");
  std::string account = d.dn("CN=svc_app,CN=Users");
  KerberosDomain() {
    d.addUser("svc_app");
    REQUIRE(d.dir().modify(account, {{dc::Change::Op::Replace, "userAccountControl", {"512"}}}).isOk());
    REQUIRE(d.dir()
                .add(d.dn("CN=app-admins,CN=Users"),
                     {{"objectClass", {"group"}}, {"sAMAccountName", {"app-admins"}}, {"member", {account}}})
                .isOk());
    REQUIRE(d.dir()
                .add(d.dn("CN=web01,CN=Computers"), {{"objectClass", {"computer"}}, {"sAMAccountName", {"web01$"}}})
                .isOk());
    d.addDmsa("dmsa_app", 0);
  }
  kdc::Kdc kdc() { return kdc::Kdc(d.dir(), policy, "DC1"); }
  kdc::KdcReply as(const std::string& name, int64_t clientOffset = 0) {
    return kdc().asExchange({name, d.clock().nowMicros() + clientOffset, "web01$"});
  }
  void migrate(dc::MigrationOp op) {
    auto outcome = dc::migrateServiceAccount(d.dir(), {dmsa, account, op}, dc::Principal::systemPrincipal());
    INFO(outcome.status.toString());
    REQUIRE(outcome.status.isOk());
  }
  void allow(const std::string& target, const std::string& machine) {
    REQUIRE(d.dir()
                .modify(target, {{dc::Change::Op::Replace,
                                  "msDS-GroupMSAMembership",
                                  {"O:BAD:(A;;CCDCLCSWRPWPDTLOCRSDRCWDWO;;;" + machine + ")"}}})
                .isOk());
  }
  dc::Sid sidOf(const std::string& dn) {
    auto obj = d.dir().read(dn);
    return *dc::Sid::fromBytes(*obj->firstValue(d.dir().schema().attribute("objectSid")->id));
  }
  bool pacHolds(const kdc::KdcReply& reply, const dc::Sid& sid) {
    const auto& sids = reply.ticket->pac.sids;
    return std::find(sids.begin(), sids.end(), sid) != sids.end();
  }
};

}  // namespace

TEST_CASE("The old account's AS exchange: plain before Start, superseded-by in state 1, disabled in state 2", "[kdc]") {
  KerberosDomain k;
  kdc::KdcReply before = k.as("svc_app");
  REQUIRE(before.ok());
  CHECK_FALSE(before.supersededBy);
  k.migrate(dc::MigrationOp::Start);
  kdc::KdcReply started = k.as("svc_app");
  REQUIRE(started.ok());
  CHECK(started.supersededBy == "dmsa_app$");
  CHECK(started.supersededByDn == k.dmsa);
  k.migrate(dc::MigrationOp::Complete);
  kdc::KdcReply completed = k.as("svc_app");
  CHECK(completed.error == kdc::KrbError::ClientRevoked);
  CHECK(completed.supersededBy == "dmsa_app$");
}

TEST_CASE("A dMSA TGT goes only to machines in its membership, with the key package and the inherited PAC", "[kdc]") {
  KerberosDomain k;
  k.migrate(dc::MigrationOp::Start);
  k.migrate(dc::MigrationOp::Complete);
  kdc::KdcReply refused = k.as("dmsa_app$");
  CHECK(refused.error == kdc::KrbError::Policy);
  CHECK_THAT(refused.message, Contains("web01$ is not in the msDS-GroupMSAMembership of dmsa_app$ on DC1"));

  k.allow(k.dmsa, "web01$");
  kdc::KdcReply issued = k.as("dmsa_app$");
  INFO(issued.message);
  REQUIRE(issued.ok());
  REQUIRE(issued.ticket->keyPackage);
  const kdc::KeyPackage& package = *issued.ticket->keyPackage;
  auto oldAccount = k.d.dir().read(k.account);
  CHECK(package.previousKeys == *k.kdc().currentKey(*oldAccount));
  auto dmsaObject = k.d.dir().read(k.dmsa);
  CHECK(package.currentKeys == *k.kdc().currentKey(*dmsaObject));
  // KerberosTime instants (MS-KILE 2.2.13): the rollover 30 days after
  // creation, and a fetch within a TGT lifetime.
  CHECK(package.expirationTime == k.d.clock().nowMicros() / 1000000 * 1000000 + 30 * kDay);
  CHECK(package.fetchTime == k.d.clock().nowMicros() / 1000000 * 1000000 + k.policy.tgtLifetime);
  // The old account sets no msDS-SupportedEncryptionTypes: its previous
  // keys are RC4 only (MS-KILE 2.2.7's default).
  CHECK(package.previousKeyTypes == std::vector<int>{23});
  REQUIRE(k.d.dir().modify(k.account, {{dc::Change::Op::Replace, "msDS-SupportedEncryptionTypes", {"24"}}}).isOk());
  CHECK(k.as("dmsa_app$").ticket->keyPackage->previousKeyTypes == std::vector<int>{17, 18});
  CHECK(issued.ticket->pac.userSid == k.sidOf(k.dmsa));
  CHECK(k.pacHolds(issued, k.sidOf(k.account)));
  CHECK(k.pacHolds(issued, k.sidOf(k.d.dn("CN=app-admins,CN=Users"))));
}

// MS-ADTS 3.1.1.4.5.39: an interval of 1 day is 2 whole key cycles of 10 h
// (24 / 10 rounded down), so the password rolls over after 20 hours; the
// KDC offers the next key a clock skew (5 min) before and accepts the
// previous one a clock skew after.
TEST_CASE("Managed keys roll over every interval in whole 10-hour cycles, the next offered a skew early", "[kdc]") {
  KerberosDomain k;
  REQUIRE(k.d.dir().modify(k.dmsa, {{dc::Change::Op::Replace, "msDS-ManagedPasswordInterval", {"1"}}}).isOk());
  auto keysNow = [&] { return *k.kdc().acceptedKeys(*k.d.dir().read(k.dmsa)); };
  std::vector<std::string> first = keysNow();
  REQUIRE(first.size() == 1);
  k.d.clock().advance(20 * kHour - 6 * kMinute);
  CHECK(keysNow() == first);
  k.d.clock().advance(2 * kMinute);  // four minutes before the rollover: the next key is current
  std::vector<std::string> rolled = keysNow();
  REQUIRE(rolled.size() == 2);
  CHECK(rolled[0] != first[0]);
  CHECK(rolled[1] == first[0]);
  k.d.clock().advance(8 * kMinute);  // four minutes after: the previous still accepted
  CHECK(keysNow() == rolled);
  k.d.clock().advance(2 * kMinute);  // past the 5-minute window
  CHECK(keysNow() == std::vector<std::string>{rolled[0]});
}

TEST_CASE("BadSuccessor: before the fix a dMSA's own link takes over any account, the fix refuses it", "[kdc]") {
  KerberosDomain k;
  std::string admin = k.d.dn("CN=Administrator,CN=Users");
  std::string evil = k.d.dn("CN=evil,CN=Managed Service Accounts");
  REQUIRE(k.d.dir()
              .add(evil, {{"objectClass", {"msDS-DelegatedManagedServiceAccount"}},
                          {"sAMAccountName", {"evil$"}},
                          {"msDS-ManagedPasswordInterval", {"30"}},
                          {"msDS-DelegatedMSAState", {"2"}},
                          {"msDS-ManagedAccountPrecededByLink", {admin}}})
              .isOk());
  k.allow(evil, "web01$");
  k.policy.patchedBadSuccessor = false;
  kdc::KdcReply stolen = k.as("evil$");
  INFO(stolen.message);
  REQUIRE(stolen.ok());
  CHECK(k.pacHolds(stolen, k.sidOf(admin)));
  CHECK(k.pacHolds(stolen, k.d.dir().domainSid()->withRid(512)));  // Domain Admins
  CHECK(stolen.ticket->keyPackage->previousKeys == *k.kdc().currentKey(*k.d.dir().read(admin)));

  // The fix (Akamai's BadSuccessor write-up; August 2025 update): the
  // target must link back and carry the completed state; the patched KDC
  // answers KRB_ERR_GENERIC (60), as impacket's getST.py -dmsa reports.
  k.policy.patchedBadSuccessor = true;
  kdc::KdcReply refused = k.as("evil$");
  CHECK(refused.error == kdc::KrbError::Generic);
  CHECK(static_cast<int>(refused.error) == 60);
  CHECK_THAT(refused.message, Contains("Administrator does not name it in msDS-SupersededManagedAccountLink"));
  // A back link alone is not enough: the state must say completed.
  REQUIRE(k.d.dir().modify(admin, {{dc::Change::Op::Replace, "msDS-SupersededManagedAccountLink", {evil}}}).isOk());
  refused = k.as("evil$");
  CHECK(refused.error == kdc::KrbError::Generic);
  CHECK_THAT(refused.message, Contains("is not in msDS-SupersededServiceAccountState 2"));
  REQUIRE(k.d.dir().modify(admin, {{dc::Change::Op::Replace, "msDS-SupersededServiceAccountState", {"2"}}}).isOk());
  CHECK(k.as("evil$").ok());  // the reciprocal pairing a real migration makes
}

TEST_CASE("A KDC whose clock is off by more than the tolerance refuses with KRB_AP_ERR_SKEW", "[kdc]") {
  KerberosDomain k;
  CHECK(k.as("svc_app", 4 * kMinute).ok());
  kdc::KdcReply skewed = k.as("svc_app", 6 * kMinute);
  CHECK(skewed.error == kdc::KrbError::Skew);
  CHECK_THAT(skewed.message, Contains("beyond the 300 s tolerance"));
}

TEST_CASE("A TGT renews within its lifetime up to the renewal limit, and not after", "[kdc]") {
  KerberosDomain k;
  kdc::KdcReply tgt = k.as("svc_app");
  REQUIRE(tgt.ok());
  CHECK(tgt.ticket->endTime - tgt.ticket->startTime == 10 * kHour);
  CHECK(tgt.ticket->renewTill - tgt.ticket->startTime == 7 * kDay);
  kdc::Ticket current = *tgt.ticket;
  for (int i = 0; i < 16; ++i) {
    k.d.clock().advance(10 * kHour);
    kdc::KdcReply renewed = k.kdc().renew(current, k.d.clock().nowMicros());
    REQUIRE(renewed.ok());
    current = *renewed.ticket;
  }
  CHECK(current.endTime == current.renewTill);  // the last renewal reaches the limit
  k.d.clock().advance(10 * kHour);
  kdc::KdcReply late = k.kdc().renew(current, k.d.clock().nowMicros());
  CHECK(late.error == kdc::KrbError::TicketExpired);
  CHECK_THAT(late.message, Contains("renewal limit"));
}

namespace {

// One writable DC seen by a host.
class OneDc final : public kdc::ReplicaHostEnvironment {
 public:
  explicit OneDc(KerberosDomain& k) : k_(k) {}
  int64_t now() const override { return k_.d.clock().nowMicros(); }
  std::string domain() const override { return "corp.example.com"; }
  bool answers(int) const override { return true; }
  bool readOnly(int) const override { return false; }
  std::string dcName(int) const override { return "DC1"; }
  dc::Directory& directory(int) override { return k_.d.dir(); }
  kdc::KerberosPolicy policy(int) const override { return k_.policy; }
  int forwardTarget(int) const override { return -1; }
  void secretRevealed(int, int) override {}
  void wrote(int, const std::string& dn) override { writes.push_back(dn); }
  void log(kdc::Event event) override { events.push_back(std::move(event)); }
  std::vector<std::string> writes;
  std::vector<kdc::Event> events;

 private:
  KerberosDomain& k_;
};

kdc::HostService service(bool capable) {
  return {"web01", "web01$", "svc_app", capable, {{0}}};
}

}  // namespace

TEST_CASE("A capable host learns its way into the membership in state 1, then logs on as the dMSA", "[kdc][host]") {
  KerberosDomain k;
  OneDc env(k);
  kdc::HostClient client(service(true), 1);
  REQUIRE(client.logon(env).ok);
  CHECK(env.events.empty());
  k.migrate(dc::MigrationOp::Start);
  REQUIRE(client.renew(env).ok);
  // Client events as Windows writes them: 307 in the started state
  // (Migration Complete: false), then 308 for the membership write.
  REQUIRE(env.events.size() == 2);
  CHECK(env.events[0].id == 307);
  CHECK(env.events[0].fields[4] == std::pair<std::string, std::string>{"Migration Complete", "false"});
  CHECK(env.events[1].id == 308);
  CHECK(env.events[1].fields[4] == std::pair<std::string, std::string>{"Previously Authorized", "false"});
  CHECK(env.events[1].fields[5] == std::pair<std::string, std::string>{"Status", "success"});
  CHECK(env.writes == std::vector<std::string>{k.dmsa});
  k.d.clock().advance(10 * kHour);
  REQUIRE(client.renew(env).ok);
  CHECK(env.events.back().fields[4].second == "true");  // already there: no second write
  CHECK(env.writes.size() == 1);

  k.migrate(dc::MigrationOp::Complete);
  k.d.clock().advance(10 * kHour);
  kdc::LogonOutcome migrated = client.renew(env);
  INFO(migrated.reason);
  REQUIRE(migrated.ok);
  CHECK(migrated.identity == "dmsa_app$");
  CHECK(client.migratedTo() == "dmsa_app$");
  std::vector<int> ids;
  for (const kdc::Event& e : env.events) ids.push_back(e.id);
  // 2946 and 315 on the KDC's DC, 309 and 307 (Migration Complete: true) on the host.
  CHECK(ids == std::vector<int>{307, 308, 307, 308, 2946, 315, 309, 307});
  CHECK(env.events[4].fields[1] == std::pair<std::string, std::string>{"Caller SID", "S-1-5-7"});
  CHECK(env.events.back().fields[4] == std::pair<std::string, std::string>{"Migration Complete", "true"});
}

TEST_CASE("A host that is not dMSA-capable never learns and fails once the old account is disabled", "[kdc][host]") {
  KerberosDomain k;
  OneDc env(k);
  kdc::HostClient client(service(false), 1);
  k.migrate(dc::MigrationOp::Start);
  REQUIRE(client.logon(env).ok);
  CHECK(env.writes.empty());
  k.migrate(dc::MigrationOp::Complete);
  kdc::LogonOutcome failed = client.logon(env);
  CHECK_FALSE(failed.ok);
  CHECK_THAT(failed.reason, Contains("not dMSA-capable: svc_app is disabled and superseded by dmsa_app$"));
}

// The dMSA set-up page's PrincipalsAllowedToRetrieveManagedPassword may
// name groups; the KDC's check is an access check for read property on
// msDS-GroupMSAMembership (MS-ADTS 3.1.1.4.5.39 for gMSAs), so a group ACE
// admits its members and a deny ACE refuses even a listed machine.
TEST_CASE("Membership through a group admits its members, and a deny ACE wins over an allow", "[kdc][dmsa]") {
  dc::Sid machine = *dc::Sid::parse("S-1-5-21-1-2-3-1105");
  dc::Sid group = *dc::Sid::parse("S-1-5-21-1-2-3-1200");
  dc::Sid other = *dc::Sid::parse("S-1-5-21-1-2-3-1300");
  auto sdOf = [](const std::string& sddl) {
    auto sd = dc::parseSddl(sddl, dc::TrusteeResolver{});
    REQUIRE(sd.isOk());
    return sd->toBinary();
  };
  std::string byGroup = sdOf("O:BAD:(A;;RP;;;S-1-5-21-1-2-3-1200)");
  CHECK(kdc::membershipAllows(&byGroup, {machine, group}));
  CHECK_FALSE(kdc::membershipAllows(&byGroup, {other}));
  std::string denied = sdOf("O:BAD:(D;;RP;;;S-1-5-21-1-2-3-1105)(A;;RP;;;S-1-5-21-1-2-3-1200)");
  CHECK_FALSE(kdc::membershipAllows(&denied, {machine, group}));
  CHECK(kdc::membershipAllows(&denied, {other, group}));
  CHECK_FALSE(kdc::membershipAllows(nullptr, {machine}));
}

// Microsoft's dMSA overview: dMSA needs Windows Server 2025 DCs. An older
// KDC gives no superseded-by answer (the host cannot learn, nor switch) and
// issues or renews no dMSA ticket.
TEST_CASE("A KDC older than Windows Server 2025 gives no superseded-by answer and no dMSA ticket", "[kdc][dmsa]") {
  KerberosDomain k;
  k.migrate(dc::MigrationOp::Start);
  k.allow(k.dmsa, "web01$");
  k.policy.knowsDmsa = false;
  kdc::KdcReply started = k.as("svc_app");
  REQUIRE(started.ok());
  CHECK_FALSE(started.supersededBy);
  k.migrate(dc::MigrationOp::Complete);
  k.allow(k.dmsa, "web01$");
  kdc::KdcReply completed = k.as("svc_app");
  CHECK(completed.error == kdc::KrbError::ClientRevoked);
  CHECK_FALSE(completed.supersededBy);
  kdc::KdcReply dmsa = k.as("dmsa_app$");
  CHECK(dmsa.error == kdc::KrbError::PrincipalUnknown);
  CHECK_THAT(dmsa.message, Contains("older than 2025"));
  k.policy.knowsDmsa = true;
  kdc::KdcReply issued = k.as("dmsa_app$");
  REQUIRE(issued.ok());
  k.policy.knowsDmsa = false;
  CHECK(k.kdc().renew(*issued.ticket, k.d.clock().nowMicros()).error == kdc::KrbError::PrincipalUnknown);
}

// Undo-ADServiceAccountMigration: a completed migration returns to the
// started phase, and the dMSA stops taking renewals of its tickets.
TEST_CASE("A dMSA whose completed migration is undone no longer renews its tickets", "[kdc][dmsa]") {
  KerberosDomain k;
  k.migrate(dc::MigrationOp::Start);
  k.migrate(dc::MigrationOp::Complete);
  k.allow(k.dmsa, "web01$");
  kdc::KdcReply issued = k.as("dmsa_app$");
  REQUIRE(issued.ok());
  CHECK(k.kdc().renew(*issued.ticket, k.d.clock().nowMicros()).ok());
  k.migrate(dc::MigrationOp::Undo);
  kdc::KdcReply renewed = k.kdc().renew(*issued.ticket, k.d.clock().nowMicros());
  CHECK(renewed.error == kdc::KrbError::ClientRevoked);
  CHECK_THAT(renewed.message, Contains("its migration is not completed"));
  CHECK(k.as("svc_app").ok());  // the old account is enabled again
}

// An RODC's password replication policy (MS-ADA2 2.458 and 2.441): the
// Allowed group and msDS-RevealOnDemandGroup admit, msDS-NeverRevealGroup
// (the Denied group: Domain Admins among others) wins over them.
TEST_CASE("An RODC may cache an account in its reveal-on-demand groups unless a never-reveal group holds it",
          "[kdc][rodc]") {
  KerberosDomain k;
  dc::Directory& dir = k.d.dir();
  std::string rodc = k.d.dn("CN=RODC1,OU=Domain Controllers");
  REQUIRE(dir.add(rodc, {{"objectClass", {"computer"}},
                         {"sAMAccountName", {"RODC1$"}},
                         {"msDS-RevealOnDemandGroup", {k.d.dn("CN=app-admins,CN=Users")}},
                         {"msDS-NeverRevealGroup", {k.d.dn("CN=Denied RODC Password Replication Group,CN=Users")}}})
              .isOk());
  dc::Guid svc = *dir.store().guidByAccountName("svc_app");
  dc::Guid admin = *dir.store().guidByAccountName("Administrator");
  dc::Guid web = *dir.store().guidByAccountName("web01$");
  CHECK(kdc::rodcMayCache(dir, "RODC1$", svc));  // through app-admins
  std::string why;
  CHECK_FALSE(kdc::rodcMayCache(dir, "RODC1$", web, &why));
  CHECK_THAT(why, Contains("is not in RODC1$'s msDS-RevealOnDemandGroup"));
  // Administrator is a Domain Admin, which the Denied group holds.
  REQUIRE(dir.modify(rodc, {{dc::Change::Op::Add, "msDS-RevealOnDemandGroup", {k.d.dn("CN=Administrator,CN=Users")}}})
              .isOk());
  CHECK_FALSE(kdc::rodcMayCache(dir, "RODC1$", admin, &why));
  CHECK_THAT(why, Contains("msDS-NeverRevealGroup"));
  CHECK_FALSE(kdc::rodcHoldsSecret(dir, "RODC1$", svc));
  REQUIRE(kdc::revealToRodc(dir, "RODC1$", svc).isOk());
  CHECK(kdc::rodcHoldsSecret(dir, "RODC1$", svc));
  CHECK(kdc::revealToRodc(dir, "RODC1$", admin).status().code() == dc::LdapResult::unwillingToPerform);
}

// MS-ADTS 3.1.1.4.5.39: a managed password's previous value exists only
// once an interval has passed since the account was created.
TEST_CASE("A standalone dMSA younger than one password interval has no previous keys", "[kdc][dmsa]") {
  KerberosDomain k;
  std::string standalone = k.d.dn("CN=dmsa_new,CN=Managed Service Accounts");
  REQUIRE(k.d.dir()
              .add(standalone, {{"objectClass", {"msDS-DelegatedManagedServiceAccount"}},
                                {"sAMAccountName", {"dmsa_new$"}},
                                {"msDS-ManagedPasswordInterval", {"30"}},
                                {"msDS-DelegatedMSAState", {"3"}}})
              .isOk());
  k.allow(standalone, "web01$");
  kdc::KdcReply young = k.as("dmsa_new$");
  REQUIRE(young.ok());
  CHECK(young.ticket->keyPackage->previousKeys.empty());
  CHECK(young.ticket->keyPackage->previousKeyTypes.empty());
  k.d.clock().advance(31 * kDay);
  kdc::KdcReply older = k.as("dmsa_new$");
  REQUIRE(older.ok());
  CHECK_FALSE(older.ticket->keyPackage->previousKeys.empty());
  CHECK(older.ticket->keyPackage->previousKeys != older.ticket->keyPackage->currentKeys);
}
