#include "kdc/host_client.h"

#include <fmt/format.h>

#include <algorithm>

#include "dc/text.h"
#include "kdc/rodc_policy.h"

namespace dcemu::kdc {
namespace {

std::optional<dc::Sid> sidOfAccount(const dc::Directory& dir, const std::string& account) {
  auto guid = dir.store().guidByAccountName(account);
  if (!guid) return std::nullopt;
  auto obj = dir.readByGuid(*guid);
  return obj ? dir.objectSid(*obj) : std::nullopt;
}

}  // namespace

HostClient::HostClient(HostService service, uint64_t locatorSeed)
    : service_(std::move(service)), locatorRng_(locatorSeed) {}

int HostClient::locate(HostEnvironment& env) {
  if (stickyDc_ >= 0 && env.answers(stickyDc_)) return stickyDc_;
  stickyDc_ = -1;
  for (const std::vector<int>& tier : service_.locatorTiers) {
    std::vector<int> answering;
    for (int dc : tier)
      if (env.answers(dc)) answering.push_back(dc);
    if (answering.empty()) continue;
    stickyDc_ = answering[locatorRng_.next() % answering.size()];
    return stickyDc_;
  }
  return -1;
}

int HostClient::locateWritable(HostEnvironment& env) {
  for (const std::vector<int>& tier : service_.locatorTiers) {
    std::vector<int> writable;
    for (int dc : tier)
      if (env.answers(dc) && !env.readOnly(dc)) writable.push_back(dc);
    if (!writable.empty()) return writable[locatorRng_.next() % writable.size()];
  }
  return -1;
}

// An RODC answers only for accounts whose secret it holds, and cannot
// renew a writable DC's TGT; otherwise it forwards the request to a
// writable DC it reaches (-1: none, and the request fails).
int HostClient::kdcFor(HostEnvironment& env, int dc, const std::string& account, bool writableTicket) {
  if (!env.readOnly(dc)) return dc;
  if (!writableTicket && env.holdsSecret(dc, account)) return dc;
  return env.forwardTarget(dc);
}

std::string forwardFailure(HostEnvironment& env, int rodc, const std::string& account) {
  return fmt::format("the RODC {} holds no secret for {} and reaches no writable DC", env.dcName(rodc), account);
}

LogonOutcome HostClient::finish(LogonOutcome outcome) {
  latest_ = outcome;
  return outcome;
}

LogonOutcome HostClient::fail(HostEnvironment& env, int dc, bool renewal, std::string reason) {
  LogonOutcome outcome;
  outcome.at = env.now();
  outcome.renewal = renewal;
  outcome.identity = migratedTo_.value_or(service_.account);
  outcome.dc = dc >= 0 ? env.dcName(dc) : "";
  outcome.reason = std::move(reason);
  return finish(std::move(outcome));
}

LogonOutcome HostClient::accept(HostEnvironment& env, int dc, bool renewal, const KdcReply& reply) {
  tgt_ = reply.ticket;
  tgtIssuer_ = dc;
  LogonOutcome outcome;
  outcome.at = env.now();
  outcome.renewal = renewal;
  outcome.ok = true;
  outcome.identity = tgt_->client;
  outcome.dc = env.dcName(dc);
  outcome.pac = tgt_->pac.sids;
  return finish(std::move(outcome));
}

// The service stays configured as the old account: every fresh logon asks
// as it and reaches the dMSA only through the superseded-by answer. After
// Undo or Reset of a completed migration the old account answers again and
// the service runs as it; once the old account is deleted, nothing answers.
LogonOutcome HostClient::logon(HostEnvironment& env) {
  int dc = locate(env);
  if (dc < 0) return fail(env, dc, false, "no DC reachable");
  int kdcDc = kdcFor(env, dc, service_.account, false);
  if (kdcDc < 0) return fail(env, dc, false, forwardFailure(env, dc, service_.account));
  KdcReply reply = env.asExchange(kdcDc, {service_.account, env.now(), service_.machineAccount});
  if (reply.ok()) migratedTo_.reset();
  // The superseded-by answer a capable host follows is how the migration
  // works, not a refusal to audit.
  if (!reply.ok() && !(reply.supersededBy && service_.dmsaCapable)) logRefusedAs(env, kdcDc, service_.account, reply);
  if (reply.ok() && kdcDc != dc) env.revealSecret(dc, kdcDc, service_.account);
  return handleReply(env, kdcDc, false, reply);
}

LogonOutcome HostClient::renew(HostEnvironment& env) {
  if (!tgt_ || env.now() >= tgt_->renewTill) return logon(env);
  int dc = locate(env);
  if (dc < 0) return fail(env, dc, true, "no DC reachable");
  if (migratedTo_ && tgt_->keyPackage && env.now() >= tgt_->keyPackage->fetchTime) {
    // The key package's fetch time: the keys are fetched again with a new
    // logon as the service is configured (the old account, superseded by
    // the dMSA), so the KDC checks msDS-GroupMSAMembership each time, an
    // undone migration takes the service back to the old account, and a
    // deleted old account stops it.
    tgt_.reset();
    return logon(env);
  }
  // A TGT from a writable DC is renewed through a writable DC.
  bool writableTicket = tgtIssuer_ >= 0 && !env.readOnly(tgtIssuer_);
  int kdcDc = kdcFor(env, dc, tgt_->client, writableTicket);
  if (kdcDc < 0 && writableTicket) {
    // No writable DC to renew it: a fresh logon, which an RODC holding the
    // account's secret answers itself.
    tgt_.reset();
    return logon(env);
  }
  if (kdcDc < 0) return fail(env, dc, true, forwardFailure(env, dc, tgt_->client));
  dc = kdcDc;
  KdcReply reply = env.renew(dc, *tgt_, env.now());
  bool dmsaTicket = migratedTo_ && tgt_->client == *migratedTo_;
  if (reply.error == KrbError::TicketExpired ||
      (dmsaTicket && (reply.error == KrbError::ClientRevoked || reply.error == KrbError::PrincipalUnknown))) {
    // The TGT cannot go on (or the dMSA no longer takes renewals): start
    // over as the service is configured, with the old account.
    tgt_.reset();
    LogonOutcome outcome = logon(env);
    outcome.renewalFoundExpired = reply.error == KrbError::TicketExpired;
    return finish(std::move(outcome));
  }
  return handleReply(env, dc, true, reply);
}

LogonOutcome HostClient::handleReply(HostEnvironment& env, int dc, bool renewal, const KdcReply& reply) {
  if (reply.ok()) {
    // The old account in the started state: a capable client learns its
    // way into the dMSA's membership at every logon and renewal.
    if (reply.supersededBy && service_.dmsaCapable) {
      logMigration(env, "0x0", false, *reply.supersededBy);
      learn(env, dc, reply);
    }
    return accept(env, dc, renewal, reply);
  }
  if (reply.error == KrbError::Skew) stickyDc_ = -1;  // try another DC next time
  if (reply.error != KrbError::ClientRevoked || !reply.supersededBy)
    return fail(env, dc, renewal, fmt::format("{}: {}", krbErrorName(reply.error), reply.message));
  if (!service_.dmsaCapable)
    return fail(
        env, dc, renewal,
        fmt::format("not dMSA-capable: {} is disabled and superseded by {}", service_.account, *reply.supersededBy));
  migratedTo_ = reply.supersededBy;
  tgt_.reset();
  LogonOutcome outcome = logonAsDmsa(env, dc, renewal);
  logMigration(env, outcome.ok ? "0x0" : outcome.reason, true);
  return outcome;
}

LogonOutcome HostClient::logonAsDmsa(HostEnvironment& env, int dc, bool renewal) {
  // An RODC serves a dMSA whose secret it holds; by default it holds none
  // and forwards the request to a writable DC.
  int kdcDc = kdcFor(env, dc, *migratedTo_, false);
  if (kdcDc < 0) return fail(env, dc, renewal, forwardFailure(env, dc, *migratedTo_));
  KdcReply reply = env.asExchange(kdcDc, {*migratedTo_, env.now(), service_.machineAccount});
  if (!reply.ok()) {
    logRefusedAs(env, kdcDc, *migratedTo_, reply);
    if (reply.error == KrbError::Skew) stickyDc_ = -1;
    bool notMember =
        reply.error == KrbError::Policy && reply.message.find("msDS-GroupMSAMembership") != std::string::npos;
    if (notMember) {
      env.log({env.now(),
               event_id::kKdcDmsaKeyFetchRefused,
               env.dcName(kdcDc),
               {{"Account Name", *migratedTo_}, {"Client", service_.machineAccount}, {"Reason", reply.message}}});
    }
    std::string reason = notMember ? fmt::format("not in the membership on {}", env.dcName(kdcDc))
                         : reply.error == KrbError::Skew
                             ? "clock skew: " + reply.message
                             : fmt::format("{}: {}", krbErrorName(reply.error), reply.message);
    return fail(env, kdcDc, renewal, reason);
  }
  if (reply.ticket->keyPackage) {
    // The directory's 2946 names the caller the KDC fetches for: the
    // anonymous logon SID, as Windows logs it.
    env.log({env.now(),
             event_id::kManagedPasswordFetched,
             env.dcName(kdcDc),
             {{"Managed Service Account", *migratedTo_}, {"Caller SID", "S-1-5-7"}}});
    env.log({env.now(),
             event_id::kKdcDmsaKeyFetch,
             env.dcName(kdcDc),
             {{"Account Name", *migratedTo_}, {"Client", service_.machineAccount}}});
    env.log({env.now(),
             event_id::kDmsaKeyFetch,
             service_.host,
             {{"DC", env.dcName(kdcDc)}, {"dMSA", *migratedTo_}, {"Domain", env.domain()}}});
  }
  if (kdcDc != dc) env.revealSecret(dc, kdcDc, *migratedTo_);
  return accept(env, kdcDc, renewal, reply);
}

// A refused AS request in the DC's Security log: 4771 when the
// pre-authentication failed (a clock skew, 0x25), 4768 with its result code
// otherwise (0x6 unknown principal, 0xC policy, 0x12 disabled), as
// Microsoft's pages for 4768 and 4771 list them. The client address is the
// host's name where Windows gives its IP address.
void HostClient::logRefusedAs(HostEnvironment& env, int dc, const std::string& account, const KdcReply& reply) {
  std::string realm = dc::toUpperAscii(env.domain());
  std::string code = fmt::format("0x{:X}", static_cast<int>(reply.error));
  if (reply.error == KrbError::Skew) {
    env.log({env.now(),
             event_id::kPreauthFailed,
             env.dcName(dc),
             {{"Account Name", account},
              {"Service Name", "krbtgt/" + realm},
              {"Client Address", service_.host},
              {"Failure Code", code},
              {"Pre-Authentication Type", "2"}}});
    return;
  }
  env.log({env.now(),
           event_id::kTgtRequested,
           env.dcName(dc),
           {{"Account Name", account},
            {"Supplied Realm Name", realm},
            {"Service Name", "krbtgt"},
            {"Client Address", service_.host},
            {"Result Code", code},
            {"Pre-Authentication Type", "2"}}});
}

// Client event 307: the old account is linked to a dMSA; logged in the
// started state (Migration Complete: false) and at the switch after
// completion (true).
void HostClient::logMigration(HostEnvironment& env, std::string status, bool complete,
                              std::optional<std::string> dmsa) {
  env.log({env.now(),
           event_id::kDmsaMigration,
           service_.host,
           {{"Old Account", service_.account},
            {"New Account", dmsa.value_or(migratedTo_.value_or(""))},
            {"Domain", env.domain()},
            {"Status", std::move(status)},
            {"Migration Complete", complete ? "true" : "false"}}});
}

void HostClient::learn(HostEnvironment& env, int dc, const KdcReply& reply) {
  auto log = [&](int used, bool previously, std::string status) {
    env.log({env.now(),
             event_id::kDmsaPermissionAdd,
             service_.host,
             {{"DC", used >= 0 ? env.dcName(used) : ""},
              {"dMSA", reply.supersededByDn.value_or(*reply.supersededBy)},
              {"Linked Account", service_.account},
              {"Domain", env.domain()},
              {"Previously Authorized", previously ? "true" : "false"},
              {"Status", std::move(status)}}});
  };
  const std::string dmsaDn = reply.supersededByDn.value_or("");
  MembershipCheck check = env.checkMembership(dc, dmsaDn, service_.machineAccount);
  if (!check.machineKnown) return log(dc, false, "failure: no machine account " + service_.machineAccount);
  if (check.member) return log(dc, true, "success");
  int target = dc;
  if (env.readOnly(dc)) {
    // The RODC refers the write to a writable DC.
    target = locateWritable(env);
    if (target < 0) return log(dc, false, "failure: no writable DC reachable");
    check = env.checkMembership(target, dmsaDn, service_.machineAccount);
    if (check.member) return log(target, true, "success");
  }
  if (check.unreadable) return log(target, false, "failure: " + *check.unreadable);
  dc::Status status = env.addToMembership(target, dmsaDn, service_.machineAccount, service_.account);
  log(target, false, status.isOk() ? "success" : "failure: " + status.toString());
}

// The operations on replicas in this process.

KdcReply ReplicaHostEnvironment::asExchange(int dc, const AsRequest& request) {
  return Kdc(directory(dc), policy(dc), dcName(dc)).asExchange(request);
}

KdcReply ReplicaHostEnvironment::renew(int dc, const Ticket& tgt, int64_t clientTime) {
  return Kdc(directory(dc), policy(dc), dcName(dc)).renew(tgt, clientTime);
}

bool ReplicaHostEnvironment::holdsSecret(int rodc, const std::string& account) {
  const dc::Directory& dir = directory(rodc);
  auto guid = dir.store().guidByAccountName(account);
  return guid && rodcHoldsSecret(dir, dcName(rodc) + "$", *guid);
}

void ReplicaHostEnvironment::revealSecret(int rodc, int writable, const std::string& account) {
  dc::Directory& dir = directory(writable);
  auto guid = dir.store().guidByAccountName(account);
  if (!guid) return;
  auto revealed = revealToRodc(dir, dcName(rodc) + "$", *guid);
  if (!revealed) return;  // the policy keeps the secret on writable DCs
  wrote(writable, *revealed);
  secretRevealed(rodc, writable);
}

MembershipCheck ReplicaHostEnvironment::checkMembership(int dc, const std::string& dmsaDn, const std::string& machine) {
  const dc::Directory& dir = directory(dc);
  auto machineSid = sidOfAccount(dir, machine);
  if (!machineSid) return {false, std::nullopt, false};
  auto dmsa = dir.read(dmsaDn);
  if (!dmsa) return {true, dmsa.status().message(), false};
  const std::string* bytes = dmsa->firstValue(dir.schema().attribute("msDS-GroupMSAMembership")->id);
  auto sd = bytes ? dc::SecurityDescriptor::fromBinary(*bytes) : dc::Result<dc::SecurityDescriptor>(dc::Status());
  bool member = bytes && sd && sd->dacl &&
                std::any_of(sd->dacl->aces.begin(), sd->dacl->aces.end(),
                            [&](const dc::Ace& ace) { return ace.isAllow() && ace.trustee == *machineSid; });
  return {true, std::nullopt, member};
}

dc::Status ReplicaHostEnvironment::addToMembership(int dc, const std::string& dmsaDn, const std::string& machine,
                                                   const std::string& account) {
  dc::Directory& dir = directory(dc);
  auto membershipAttr = dir.schema().attribute("msDS-GroupMSAMembership");
  auto machineSid = sidOfAccount(dir, machine);
  if (!machineSid) return dc::Status(dc::LdapResult::noSuchObject, "no machine account " + machine);
  auto dmsa = dir.read(dmsaDn);
  if (!dmsa) return dmsa.status();
  dc::SecurityDescriptor sd;
  if (const std::string* bytes = dmsa->firstValue(membershipAttr->id)) {
    if (auto parsed = dc::SecurityDescriptor::fromBinary(*bytes)) sd = std::move(*parsed);
  }
  if (!sd.owner) sd.owner = dc::Sid::parse("S-1-5-32-544");
  if (!sd.dacl) sd.dacl = dc::Acl{};
  sd.dacl->aces.push_back(dc::Ace{dc::AceType::AccessAllowed, 0, dc::rights::kAdsAll, {}, {}, *machineSid});
  dc::Principal principal;
  if (auto guid = dir.store().guidByAccountName(account)) {
    if (auto token = dir.tokenSids(*guid)) principal.sids = std::move(*token);
  }
  std::string dn = *dir.dnOf(dmsa->guid);
  dc::Status status = dir.modify(
      dn, {{dc::Change::Op::Replace, membershipAttr->name, {dc::formatSddl(sd, dir.trusteeResolver())}}}, principal);
  if (status.isOk()) wrote(dc, dn);
  return status;
}

}  // namespace dcemu::kdc
