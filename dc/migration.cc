#include "dc/migration.h"

#include <fmt/format.h>

#include <algorithm>

#include "dc/provision.h"
#include "dc/text.h"

namespace dcemu::dc {
namespace {

const AttributeDef& attribute(const Directory& dir, std::string_view name) {
  return *dir.schema().attribute(name);
}

std::vector<std::string> valuesOf(const Directory& dir, const Object& obj, std::string_view name) {
  auto values = dir.values(obj, name);
  return values ? *values : std::vector<std::string>{};
}

// The two ACEs Start grants the old account on the dMSA: read of every
// property, and write of msDS-GroupMSAMembership (which lets the hosts
// running the old account add themselves while it is still the old account).
std::vector<Ace> migrationAces(const Directory& dir, const Sid& account) {
  return {Ace{AceType::AccessAllowed, 0, rights::kAdsRead, {}, {}, account},
          Ace{AceType::AccessAllowedObject,
              0,
              rights::kWriteProperty,
              schemaIdGuid(attribute(dir, "msDS-GroupMSAMembership").oid),
              {},
              account}};
}

// The dMSA's security descriptor with the migration ACEs added or removed,
// as SDDL for a replace of nTSecurityDescriptor.
Result<std::string> withMigrationAces(const Directory& dir, const Object& dmsa, const Sid& account, bool grant) {
  const std::string* bytes = dmsa.firstValue(attribute(dir, "nTSecurityDescriptor").id);
  SecurityDescriptor sd;
  if (bytes) {
    auto parsed = SecurityDescriptor::fromBinary(*bytes);
    if (!parsed) return parsed.status();
    sd = std::move(*parsed);
  }
  if (!sd.dacl) sd.dacl = Acl{};
  auto& aces = sd.dacl->aces;
  for (const Ace& ace : migrationAces(dir, account)) {
    auto found = std::find(aces.begin(), aces.end(), ace);
    if (grant && found == aces.end()) aces.push_back(ace);
    if (!grant && found != aces.end()) aces.erase(found);
  }
  return formatSddl(sd, dir.trusteeResolver());
}

bool isDomainAdmin(const Directory& dir, const Principal& requester) {
  if (requester.system) return true;
  auto domain = dir.domainSid();
  return domain && (requester.holds(domain->withRid(rid::kDomainAdmins)) ||
                    requester.holds(domain->withRid(rid::kEnterpriseAdmins)));
}

Status refused(std::string_view what, std::string_view dn, std::string_view reason) {
  return Status(LdapResult::unwillingToPerform,
                fmt::format("{}: {}: {} ({} UNABLE_TO_PROCEED)", what, dn, reason, kErrorUnableToProceed));
}

std::string uacText(int64_t value) {
  return std::to_string(value);
}

// Everything one operation needs to know about the pair.
struct Pair {
  Object dmsa, account;
  std::string dmsaDn, accountDn;
  int64_t dmsaState = 0;
  std::optional<int64_t> accountState;
  std::optional<Guid> precededBy;    // the dMSA's link
  std::optional<Guid> supersededBy;  // the account's link
  Sid accountSid;
  bool linked() const { return precededBy == account.guid && supersededBy == dmsa.guid; }
};

// Complete's changes, and what undoing them restores: SPNs and delegation
// settings move to the dMSA and the old account is disabled.
void completeChanges(const Directory& dir, const Pair& p, std::vector<ObjectChanges>& out) {
  auto& dmsa = out[0].changes;
  auto& account = out[1].changes;
  std::vector<std::string> spns = valuesOf(dir, p.account, "servicePrincipalName");
  if (!spns.empty()) {
    dmsa.push_back({Change::Op::Add, "servicePrincipalName", spns});
    account.push_back({Change::Op::Delete, "servicePrincipalName", {}});
  }
  for (const char* name :
       {"msDS-AllowedToDelegateTo", "msDS-AllowedToActOnBehalfOfOtherIdentity", "msDS-AssignedAuthNPolicy"}) {
    std::vector<std::string> values = valuesOf(dir, p.account, name);
    if (!values.empty()) dmsa.push_back({Change::Op::Replace, name, values});
  }
  int64_t accountUac = dir.integer(p.account, "userAccountControl").value_or(0);
  int64_t dmsaUac = dir.integer(p.dmsa, "userAccountControl").value_or(0);
  if (accountUac & uac::kTrustedToAuthForDelegation)
    dmsa.push_back({Change::Op::Replace, "userAccountControl", {uacText(dmsaUac | uac::kTrustedToAuthForDelegation)}});
  account.push_back({Change::Op::Replace, "userAccountControl", {uacText(accountUac | uac::kAccountDisable)}});
  for (const std::string& silo : valuesOf(dir, p.account, "msDS-AuthNPolicySiloMembersBL"))
    out.push_back({silo, {{Change::Op::Add, "msDS-AuthNPolicySiloMembers", {p.dmsaDn}}}});
}

// Undoing a completion: the SPNs go back to the old account, which is
// enabled again. The copied delegation settings and silo memberships stay on
// the dMSA, where an administrator may have relied on them since.
void uncompleteChanges(const Directory& dir, const Pair& p, std::vector<ObjectChanges>& out) {
  auto& dmsa = out[0].changes;
  auto& account = out[1].changes;
  std::vector<std::string> spns = valuesOf(dir, p.dmsa, "servicePrincipalName");
  if (!spns.empty()) {
    account.push_back({Change::Op::Add, "servicePrincipalName", spns});
    dmsa.push_back({Change::Op::Delete, "servicePrincipalName", {}});
  }
  int64_t accountUac = dir.integer(p.account, "userAccountControl").value_or(0);
  account.push_back({Change::Op::Replace, "userAccountControl", {uacText(accountUac & ~uac::kAccountDisable)}});
}

// Back to unlinked: state 0, no links, no migration ACEs.
Status unlinkChanges(const Directory& dir, const Pair& p, std::vector<ObjectChanges>& out) {
  auto sddl = withMigrationAces(dir, p.dmsa, p.accountSid, false);
  if (!sddl) return sddl.status();
  auto& dmsa = out[0].changes;
  auto& account = out[1].changes;
  dmsa.push_back({Change::Op::Replace, "nTSecurityDescriptor", {*sddl}});
  dmsa.push_back({Change::Op::Replace, "msDS-DelegatedMSAState", {"0"}});
  dmsa.push_back({Change::Op::Delete, "msDS-ManagedAccountPrecededByLink", {}});
  account.push_back({Change::Op::Delete, "msDS-SupersededServiceAccountState", {}});
  account.push_back({Change::Op::Delete, "msDS-SupersededManagedAccountLink", {}});
  return Status::ok();
}

Status plan(const Directory& dir, const Pair& p, MigrationOp op, std::vector<ObjectChanges>& out) {
  std::string what = fmt::format("{}-ADServiceAccountMigration", migrationOpName(op));
  out = {{p.dmsaDn, {}}, {p.accountDn, {}}};
  auto& dmsa = out[0].changes;
  auto& account = out[1].changes;
  switch (op) {
    case MigrationOp::Start: {
      if (p.dmsaState == dmsa_state::kStandalone) return refused(what, p.dmsaDn, "the dMSA is standalone (state 3)");
      if (p.dmsaState != dmsa_state::kUnlinked || p.precededBy)
        return refused(what, p.dmsaDn, fmt::format("the dMSA is already linked (state {})", p.dmsaState));
      if (p.supersededBy) {
        auto other = dir.dnOf(*p.supersededBy);
        return refused(what, p.accountDn,
                       fmt::format("the account is already linked to {}", other ? *other : p.supersededBy->toString()));
      }
      auto sddl = withMigrationAces(dir, p.dmsa, p.accountSid, true);
      if (!sddl) return sddl.status();
      dmsa.push_back({Change::Op::Replace, "nTSecurityDescriptor", {*sddl}});
      dmsa.push_back({Change::Op::Replace, "msDS-DelegatedMSAState", {"1"}});
      dmsa.push_back({Change::Op::Replace, "msDS-ManagedAccountPrecededByLink", {p.accountDn}});
      account.push_back({Change::Op::Replace, "msDS-SupersededServiceAccountState", {"1"}});
      account.push_back({Change::Op::Replace, "msDS-SupersededManagedAccountLink", {p.dmsaDn}});
      return Status::ok();
    }
    case MigrationOp::Complete: {
      if (!p.linked() || p.dmsaState != dmsa_state::kStarted)
        return refused(what, p.dmsaDn,
                       p.dmsaState == dmsa_state::kCompleted && p.linked()
                           ? "the migration is already complete"
                           : fmt::format("no migration from {} was started (dMSA state {})", p.accountDn, p.dmsaState));
      auto sddl = withMigrationAces(dir, p.dmsa, p.accountSid, false);
      if (!sddl) return sddl.status();
      dmsa.push_back({Change::Op::Replace, "nTSecurityDescriptor", {*sddl}});
      dmsa.push_back({Change::Op::Replace, "msDS-DelegatedMSAState", {"2"}});
      account.push_back({Change::Op::Replace, "msDS-SupersededServiceAccountState", {"2"}});
      completeChanges(dir, p, out);
      return Status::ok();
    }
    case MigrationOp::Undo:
    case MigrationOp::Reset: {
      if (!p.linked() || (p.dmsaState != dmsa_state::kStarted && p.dmsaState != dmsa_state::kCompleted))
        return refused(what, p.dmsaDn, fmt::format("the dMSA is not linked to {}", p.accountDn));
      bool completed = p.dmsaState == dmsa_state::kCompleted;
      if (completed) uncompleteChanges(dir, p, out);
      if (op == MigrationOp::Undo && completed) {
        // Undo of a completed migration returns it to the started phase.
        auto sddl = withMigrationAces(dir, p.dmsa, p.accountSid, true);
        if (!sddl) return sddl.status();
        dmsa.push_back({Change::Op::Replace, "nTSecurityDescriptor", {*sddl}});
        dmsa.push_back({Change::Op::Replace, "msDS-DelegatedMSAState", {"1"}});
        account.push_back({Change::Op::Replace, "msDS-SupersededServiceAccountState", {"1"}});
        return Status::ok();
      }
      return unlinkChanges(dir, p, out);
    }
  }
  return Status(LdapResult::protocolError, "unknown migration operation");
}

}  // namespace

std::string_view migrationOpName(MigrationOp op) {
  switch (op) {
    case MigrationOp::Reset: return "Reset";
    case MigrationOp::Start: return "Start";
    case MigrationOp::Complete: return "Complete";
    case MigrationOp::Undo: return "Undo";
  }
  return "?";
}

Result<MigrationRequest> parseMigrationRequest(std::string_view value) {
  auto bad = [&](std::string_view why) {
    return Status(LdapResult::protocolError,
                  fmt::format("migrateADServiceAccount value \"{}\": {} (expected <dMSA DN>:<old account DN>:<0-3>)",
                              value, why));
  };
  size_t lastColon = value.rfind(':');
  if (lastColon == std::string_view::npos) return bad("no operation");
  std::string_view opText = trim(value.substr(lastColon + 1));
  if (opText.size() != 1 || opText[0] < '0' || opText[0] > '3') return bad("the operation is not 0, 1, 2 or 3");
  std::string_view dns = value.substr(0, lastColon);
  // DNs may hold escaped colons in principle; the split is the first colon
  // after which both halves parse as DNs.
  for (size_t colon = dns.find(':'); colon != std::string_view::npos; colon = dns.find(':', colon + 1)) {
    std::string_view left = trim(dns.substr(0, colon)), right = trim(dns.substr(colon + 1));
    if (!Dn::parse(left) || !Dn::parse(right) || left.empty() || right.empty()) continue;
    return MigrationRequest{std::string(left), std::string(right), static_cast<MigrationOp>(opText[0] - '0')};
  }
  return bad("two DNs separated by ':' are needed");
}

MigrationOutcome migrateServiceAccount(Directory& dir, const MigrationRequest& request, const Principal& requester) {
  MigrationOutcome outcome;
  std::string what = fmt::format("{}-ADServiceAccountMigration", migrationOpName(request.op));
  auto dmsa = dir.read(request.dmsaDn);
  auto account = dir.read(request.accountDn);
  if (dmsa && !dir.isDeleted(*dmsa)) outcome.dmsaStateBefore = dir.integer(*dmsa, "msDS-DelegatedMSAState");
  if (account && !dir.isDeleted(*account))
    outcome.accountStateBefore = dir.integer(*account, "msDS-SupersededServiceAccountState");

  auto fail = [&](Status status) {
    outcome.status = std::move(status);
    return outcome;
  };
  if (dir.readOnly())
    return fail(
        Status(LdapResult::referral, fmt::format("{}: this DC is read-only; migrations run on a writable DC", what)));
  if (!isDomainAdmin(dir, requester))
    return fail(Status(LdapResult::insufficientAccessRights, fmt::format("{}: only Domain Admins may migrate", what)));
  if (!dmsa || dir.isDeleted(*dmsa))
    return fail(Status(LdapResult::noSuchObject, fmt::format("{}: no dMSA {}", what, request.dmsaDn)));
  if (!account || dir.isDeleted(*account))
    return fail(Status(LdapResult::noSuchObject, fmt::format("{}: no account {}", what, request.accountDn)));
  const Schema& schema = dir.schema();
  const ClassDef* dmsaClass = dir.structuralClass(*dmsa);
  if (!dmsaClass || dmsaClass->name != "msDS-DelegatedManagedServiceAccount")
    return fail(refused(what, request.dmsaDn, "not a delegated managed service account"));
  const ClassDef* accountClass = dir.structuralClass(*account);
  if (!accountClass || !schema.isA(*accountClass, "user"))
    return fail(refused(what, request.accountDn, "not a user or computer account"));
  for (const char* managed :
       {"msDS-ManagedServiceAccount", "msDS-GroupManagedServiceAccount", "msDS-DelegatedManagedServiceAccount"}) {
    if (schema.isA(*accountClass, managed))
      return fail(refused(what, request.accountDn, fmt::format("migration from a {} is not supported", managed)));
  }
  std::optional<Sid> accountSid = dir.objectSid(*account);
  if (!accountSid) return fail(refused(what, request.accountDn, "the account has no SID"));

  Pair p{*dmsa,
         *account,
         *dir.dnOf(dmsa->guid),
         *dir.dnOf(account->guid),
         outcome.dmsaStateBefore.value_or(0),
         outcome.accountStateBefore,
         dir.linkTarget(*dmsa, "msDS-ManagedAccountPrecededByLink"),
         dir.linkTarget(*account, "msDS-SupersededManagedAccountLink"),
         *accountSid};
  std::vector<ObjectChanges> changes;
  Status planned = plan(dir, p, request.op, changes);
  if (!planned.isOk()) return fail(planned);
  // The operation's own writes are the system's: the requester's right was
  // checked above, as the DC checks it before running the operation.
  outcome.status = dir.modifyTogether(changes, Principal::systemPrincipal());
  return outcome;
}

MigrationOutcome modifyRootDse(Directory& dir, const Change& change, const Principal& requester) {
  auto fail = [](Status status) {
    MigrationOutcome outcome;
    outcome.status = std::move(status);
    return outcome;
  };
  if (!iequals(change.attribute, "migrateADServiceAccount"))
    return fail(Status(LdapResult::unwillingToPerform,
                       fmt::format("rootDSE: {} is not a modifiable rootDSE attribute here", change.attribute)));
  if (change.op == Change::Op::Delete || change.values.size() != 1)
    return fail(
        Status(LdapResult::protocolError, "rootDSE: migrateADServiceAccount takes one value to add or replace"));
  auto request = parseMigrationRequest(change.values.front());
  if (!request) return fail(request.status());
  return migrateServiceAccount(dir, *request, requester);
}

Status refuseMigrationOnOlderDc(std::string_view dc, std::string_view windowsVersion) {
  if (windowsVersion == "2025") return Status::ok();
  return Status(LdapResult::unwillingToPerform,
                fmt::format("{} runs Windows Server {}, which knows no migrateADServiceAccount rootDSE operation "
                            "(Windows Server 2025 and later): nothing changed",
                            dc, windowsVersion));
}

}  // namespace dcemu::dc
