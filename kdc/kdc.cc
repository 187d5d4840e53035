#include "kdc/kdc.h"

#include <fmt/format.h>

#include <algorithm>

#include "dc/migration.h"
#include "kdc/keys.h"

namespace dcemu::kdc {

std::string_view krbErrorName(KrbError error) {
  switch (error) {
    case KrbError::None: return "OK";
    case KrbError::PrincipalUnknown: return "KDC_ERR_C_PRINCIPAL_UNKNOWN";
    case KrbError::ServiceUnknown: return "KDC_ERR_S_PRINCIPAL_UNKNOWN";
    case KrbError::Policy: return "KDC_ERR_POLICY";
    case KrbError::ClientRevoked: return "KDC_ERR_CLIENT_REVOKED";
    case KrbError::TicketExpired: return "KRB_AP_ERR_TKT_EXPIRED";
    case KrbError::Skew: return "KRB_AP_ERR_SKEW";
    case KrbError::Generic: return "KRB_ERR_GENERIC";
  }
  return "?";
}

struct Kdc::Account {
  std::shared_ptr<const dc::Object> view;  // shared with the store's cache: the KDC only reads it
  const dc::Object& object() const { return *view; }
  std::string dn;
  std::string name;        // sAMAccountName
  bool managed = false;    // gMSA or dMSA: a KDS-derived password and a membership
  bool delegated = false;  // dMSA
};

namespace {

bool isA(const dc::Directory& dir, const dc::Object& obj, std::string_view cls) {
  const dc::ClassDef* structural = dir.structuralClass(obj);
  return structural && dir.schema().isA(*structural, cls);
}

bool isManaged(const dc::Directory& dir, const dc::Object& obj) {
  return isA(dir, obj, "msDS-GroupManagedServiceAccount") || isA(dir, obj, "msDS-DelegatedManagedServiceAccount");
}

// When the account was created, as every replica knows it: the originating
// time of whenCreated.
int64_t createdMicros(const dc::Directory& dir, const dc::Object& obj) {
  const dc::AttributeEntry* created = obj.find(dir.schema().attribute("whenCreated")->id);
  return created ? created->stamp.originatingTime * 1000000 : 0;
}

// The Kerberos encryption types an account has keys for, from its
// msDS-SupportedEncryptionTypes (MS-KILE 2.2.7): RC4 when it sets none of
// RC4, AES128 and AES256.
std::vector<int> encryptionTypesOf(const dc::Directory& dir, const dc::Object& obj) {
  int64_t bits = dir.integer(obj, "msDS-SupportedEncryptionTypes").value_or(0);
  std::vector<int> types;
  if (bits & 0x4) types.push_back(23);   // rc4-hmac
  if (bits & 0x8) types.push_back(17);   // aes128-cts-hmac-sha1-96
  if (bits & 0x10) types.push_back(18);  // aes256-cts-hmac-sha1-96
  if (types.empty()) types.push_back(23);
  return types;
}

std::string firstString(const dc::Directory& dir, const dc::Object& obj, std::string_view attribute) {
  auto values = dir.values(obj, attribute);
  return values && !values->empty() ? values->front() : std::string();
}

}  // namespace

dc::Result<Kdc::Account> Kdc::findAccount(const std::string& name) const {
  auto guid = dir_.store().guidByAccountName(name);
  if (!guid) return dc::Status(dc::LdapResult::noSuchObject, fmt::format("no account {} on {}", name, dcName_));
  auto obj = dir_.viewByGuid(*guid);
  if (!obj || dir_.isDeleted(**obj))
    return dc::Status(dc::LdapResult::noSuchObject, fmt::format("no account {} on {}", name, dcName_));
  Account account;
  account.view = std::move(*obj);
  account.dn = dir_.dnOf(account.object().guid).valueOr(name);
  account.name = firstString(dir_, account.object(), "sAMAccountName");
  account.delegated = isA(dir_, account.object(), "msDS-DelegatedManagedServiceAccount");
  account.managed = isManaged(dir_, account.object());
  return account;
}

std::optional<KdcReply> Kdc::refuseSkew(int64_t clientTime) const {
  int64_t difference = clientTime - dir_.nowMicros();
  if (std::abs(difference) <= policy_.clockSkew) return std::nullopt;
  return error(KrbError::Skew, fmt::format("{}'s clock is {:+} s from the client's, beyond the {} s tolerance", dcName_,
                                           -difference / 1000000, policy_.clockSkew / 1000000));
}

KdcReply Kdc::error(KrbError code, std::string message) const {
  KdcReply reply;
  reply.error = code;
  reply.message = std::move(message);
  return reply;
}

dc::Result<Pac> Kdc::pacOf(const dc::Object& account) const {
  auto sid = dir_.objectSid(account);
  if (!sid) return dc::Status(dc::LdapResult::other, "the account has no SID");
  auto token = dir_.tokenSids(account.guid);
  if (!token) return token.status();
  Pac pac{*sid, {*sid}};
  for (const dc::Sid& group : *token)
    if (group != *sid) pac.sids.push_back(group);
  return pac;
}

Ticket Kdc::newTicket(const Account& account, Pac pac) const {
  Ticket ticket;
  ticket.client = account.name;
  ticket.clientGuid = account.object().guid;
  ticket.issuedBy = dcName_;
  ticket.authTime = ticket.startTime = dir_.nowMicros();
  ticket.endTime = ticket.startTime + policy_.tgtLifetime;
  ticket.renewTill = ticket.startTime + policy_.renewMax;
  ticket.pac = std::move(pac);
  return ticket;
}

dc::Result<std::string> Kdc::currentKey(const dc::Object& account) const {
  auto keys = acceptedKeys(account);
  if (!keys) return keys.status();
  return keys->front();
}

dc::Result<ManagedPassword> Kdc::managedPasswordOf(const dc::Object& account) const {
  auto root = rootKey();
  if (!root) return root.status();
  auto sid = dir_.objectSid(account);
  if (!sid) return dc::Status(dc::LdapResult::other, "the managed account has no SID");
  // As of a clock skew from now: within a skew before the rollover the
  // next password is already the current one.
  return managedPassword(*root, *sid, createdMicros(dir_, account),
                         dir_.integer(account, "msDS-ManagedPasswordInterval").value_or(0),
                         dir_.nowMicros() + policy_.clockSkew);
}

dc::Result<std::string> Kdc::rootKey() const {
  if (!rootKey_) rootKey_ = kdsRootKey(dir_);
  return *rootKey_;
}

dc::Result<std::vector<std::string>> Kdc::acceptedKeys(const dc::Object& account) const {
  if (!isManaged(dir_, account)) {
    auto root = rootKey();
    if (!root) return root.status();
    return std::vector<std::string>{passwordKey(*root, account.guid)};
  }
  auto password = managedPasswordOf(account);
  if (!password) return password.status();
  std::vector<std::string> keys{password->current};
  if (dir_.nowMicros() < password->epochStart + policy_.clockSkew &&
      password->epochStart > createdMicros(dir_, account))
    keys.push_back(password->previous);
  return keys;
}

KdcReply Kdc::asExchange(const AsRequest& request) const {
  if (auto skew = refuseSkew(request.clientTime)) return *skew;
  auto account = findAccount(request.account);
  if (!account) return error(KrbError::PrincipalUnknown, account.status().message());
  if (dir_.integer(account->object(), "userAccountControl").value_or(0) & dc::uac::kAccountDisable) {
    // A completed migration's old account: disabled, and the answer names
    // its successor so that a dMSA-capable client can retry as the dMSA.
    KdcReply reply = error(KrbError::ClientRevoked, fmt::format("{} is disabled on {}", account->name, dcName_));
    auto successor = dir_.linkTarget(account->object(), "msDS-SupersededManagedAccountLink");
    if (successor && policy_.knowsDmsa &&
        dir_.integer(account->object(), "msDS-SupersededServiceAccountState") == dc::dmsa_state::kCompleted) {
      if (auto dmsa = dir_.readByGuid(*successor)) {
        reply.supersededBy = firstString(dir_, *dmsa, "sAMAccountName");
        reply.supersededByDn = dir_.dnOf(*successor).valueOr("");
        reply.message += fmt::format(" (superseded by {})", *reply.supersededBy);
      }
    }
    return reply;
  }
  if (account->delegated && !policy_.knowsDmsa) return olderKdcRefusesDmsa(account->name);
  if (account->managed) return managedAccountLogon(request, *account);
  auto pac = pacOf(account->object());
  if (!pac) return error(KrbError::PrincipalUnknown, pac.status().message());
  KdcReply reply;
  reply.ticket = newTicket(*account, std::move(*pac));
  auto successor = dir_.linkTarget(account->object(), "msDS-SupersededManagedAccountLink");
  if (successor && policy_.knowsDmsa &&
      dir_.integer(account->object(), "msDS-SupersededServiceAccountState") == dc::dmsa_state::kStarted) {
    if (auto dmsa = dir_.readByGuid(*successor)) {
      reply.supersededBy = firstString(dir_, *dmsa, "sAMAccountName");
      reply.supersededByDn = dir_.dnOf(*successor).valueOr("");
    }
  }
  return reply;
}

KdcReply Kdc::olderKdcRefusesDmsa(const std::string& account) const {
  return error(KrbError::PrincipalUnknown,
               fmt::format("{} runs a Windows Server older than 2025 and knows no delegated managed service account "
                           "such as {}",
                           dcName_, account));
}

bool membershipAllows(const std::string* membership, const std::vector<dc::Sid>& token) {
  if (!membership) return false;
  auto sd = dc::SecurityDescriptor::fromBinary(*membership);
  return sd && dc::evaluateDacl(*sd, token, dc::rights::kReadProperty).granted;
}

KdcReply Kdc::managedAccountLogon(const AsRequest& request, const Account& account) const {
  // Only machines the account's msDS-GroupMSAMembership grants may log on
  // as it, as this replica holds that security descriptor now.
  const std::string* membership = account.object().firstValue(dir_.schema().attribute("msDS-GroupMSAMembership")->id);
  std::vector<dc::Sid> machineToken;
  if (auto machine = dir_.store().guidByAccountName(request.machine)) {
    if (auto token = dir_.tokenSids(*machine)) machineToken = std::move(*token);
  }
  if (!membershipAllows(membership, machineToken))
    return error(KrbError::Policy, fmt::format("{} is not in the msDS-GroupMSAMembership of {} on {}", request.machine,
                                               account.name, dcName_));
  auto pac = pacOf(account.object());
  if (!pac) return error(KrbError::PrincipalUnknown, pac.status().message());
  auto password = managedPasswordOf(account.object());
  if (!password) return error(KrbError::Policy, password.status().message());
  KdcReply reply;
  if (!account.delegated) {
    reply.ticket = newTicket(account, std::move(*pac));
    return reply;
  }
  std::optional<std::string> previousKeys;
  std::vector<int> previousKeyTypes = encryptionTypesOf(dir_, account.object());
  auto predecessor = dir_.linkTarget(account.object(), "msDS-ManagedAccountPrecededByLink");
  if (predecessor && dir_.integer(account.object(), "msDS-DelegatedMSAState") == dc::dmsa_state::kCompleted) {
    auto old = dir_.readByGuid(*predecessor);
    if (!old || dir_.isDeleted(*old))
      return error(KrbError::Policy, fmt::format("{}: its predecessor is gone on {}", account.name, dcName_));
    // BadSuccessor (CVE-2025-53779): before the fix the KDC trusted the
    // dMSA's own link; since, the old account must name the dMSA back and
    // carry the completed state, or the KDC answers KRB_ERR_GENERIC (what
    // tools that test for the fix observe from patched DCs).
    if (policy_.patchedBadSuccessor) {
      std::string oldName = firstString(dir_, *old, "sAMAccountName");
      if (dir_.linkTarget(*old, "msDS-SupersededManagedAccountLink") != account.object().guid)
        return error(KrbError::Generic,
                     fmt::format("{}: {} does not name it in msDS-SupersededManagedAccountLink on {}", account.name,
                                 oldName, dcName_));
      if (dir_.integer(*old, "msDS-SupersededServiceAccountState") != dc::dmsa_state::kCompleted)
        return error(KrbError::Generic, fmt::format("{}: {} is not in msDS-SupersededServiceAccountState 2 on {}",
                                                    account.name, oldName, dcName_));
    }
    auto inherited = pacOf(*old);
    if (!inherited) return error(KrbError::Policy, inherited.status().message());
    for (const dc::Sid& sid : inherited->sids)
      if (std::find(pac->sids.begin(), pac->sids.end(), sid) == pac->sids.end()) pac->sids.push_back(sid);
    auto oldKey = currentKey(*old);
    if (!oldKey) return error(KrbError::Policy, oldKey.status().message());
    previousKeys = *oldKey;
    previousKeyTypes = encryptionTypesOf(dir_, *old);
  }
  KeyPackage package;
  package.currentKeys = password->current;
  // A migrated dMSA's previous keys are the old account's; otherwise the
  // keys of the last interval, which a dMSA younger than one interval has
  // never had (MS-ADTS 3.1.1.4.5.39's previous password).
  bool hadPrevious = password->epochStart > createdMicros(dir_, account.object());
  package.previousKeys = previousKeys.value_or(hadPrevious ? password->previous : std::string());
  if (!package.previousKeys.empty()) package.previousKeyTypes = std::move(previousKeyTypes);
  // The client fetches again within a TGT lifetime, and before a rollover.
  auto kerberosTime = [](int64_t micros) { return dc::floorSeconds(micros) * 1000000; };
  package.expirationTime = kerberosTime(password->nextRollover);
  package.fetchTime = kerberosTime(std::min(password->nextRollover, dir_.nowMicros() + policy_.tgtLifetime));
  reply.ticket = newTicket(account, std::move(*pac));
  reply.ticket->keyPackage = std::move(package);
  return reply;
}

KdcReply Kdc::renew(const Ticket& tgt, int64_t clientTime) const {
  if (auto skew = refuseSkew(clientTime)) return *skew;
  int64_t now = dir_.nowMicros();
  if (now > tgt.renewTill)
    return error(KrbError::TicketExpired, fmt::format("{}'s TGT is past its renewal limit", tgt.client));
  if (now > tgt.endTime) return error(KrbError::TicketExpired, fmt::format("{}'s TGT has expired", tgt.client));
  auto obj = dir_.readByGuid(tgt.clientGuid);
  if (!obj || dir_.isDeleted(*obj))
    return error(KrbError::PrincipalUnknown, fmt::format("no account {} on {}", tgt.client, dcName_));
  // The KDC checks the account again when it renews a ticket: a disabled
  // or superseded account is answered as at the AS exchange.
  AsRequest recheck{tgt.client, clientTime, ""};
  KdcReply reply;
  if (!policy_.knowsDmsa && isA(dir_, *obj, "msDS-DelegatedManagedServiceAccount"))
    return olderKdcRefusesDmsa(tgt.client);
  if (!isManaged(dir_, *obj)) {
    reply = asExchange(recheck);
    if (!reply.ok()) return reply;
  } else if (dir_.integer(*obj, "userAccountControl").value_or(0) & dc::uac::kAccountDisable) {
    return error(KrbError::ClientRevoked, fmt::format("{} is disabled on {}", tgt.client, dcName_));
  } else if (auto state = dir_.integer(*obj, "msDS-DelegatedMSAState");
             state && *state != dc::dmsa_state::kCompleted && *state != dc::dmsa_state::kStandalone) {
    // A dMSA whose migration was undone or reset no longer logs on.
    return error(KrbError::ClientRevoked,
                 fmt::format("{} is in msDS-DelegatedMSAState {} on {}: its migration is not completed", tgt.client,
                             *state, dcName_));
  }
  Ticket renewed = tgt;
  renewed.issuedBy = dcName_;
  renewed.startTime = now;
  renewed.endTime = std::min(now + policy_.tgtLifetime, tgt.renewTill);
  reply.ticket = std::move(renewed);
  return reply;
}

KdcReply Kdc::serviceTicket(const Ticket& tgt, const std::string& service, int64_t clientTime) const {
  if (auto skew = refuseSkew(clientTime)) return *skew;
  int64_t now = dir_.nowMicros();
  if (now > tgt.endTime) return error(KrbError::TicketExpired, fmt::format("{}'s TGT has expired", tgt.client));
  auto target = findAccount(service);
  if (!target) return error(KrbError::ServiceUnknown, target.status().message());
  auto key = currentKey(target->object());
  if (!key) return error(KrbError::ServiceUnknown, key.status().message());
  Ticket ticket = tgt;
  ticket.issuedBy = dcName_;
  ticket.startTime = now;
  ticket.endTime = std::min(now + policy_.serviceTicketLifetime, tgt.endTime);
  ticket.keyPackage.reset();
  ticket.serviceKey = *key;
  KdcReply reply;
  reply.ticket = std::move(ticket);
  return reply;
}

}  // namespace dcemu::kdc
