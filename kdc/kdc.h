// The KDC of one DC (MS-KILE with the dMSA extensions of
// shared/reference/dmsa.md), reading only that DC's replica: the AS
// exchange for users, computers and managed accounts, TGT renewal and
// service tickets, the superseded-by answer of a migration's old account,
// the dMSA key package and PAC, and the BadSuccessor check. Time comes from
// the DC's clock (skew faults included); the client's time arrives in the
// request, and a difference beyond the policy's tolerance is refused.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "dc/directory.h"
#include "kdc/keys.h"

namespace dcemu::kdc {

struct KerberosPolicy {
  int64_t tgtLifetime = 10LL * 3600 * 1000000;
  int64_t renewMax = 7LL * 24 * 3600 * 1000000;
  int64_t serviceTicketLifetime = 600LL * 60 * 1000000;
  int64_t clockSkew = 5LL * 60 * 1000000;
  bool patchedBadSuccessor = true;  // CVE-2025-53779 fixed
  // The KDC runs Windows Server 2025, the first to know delegated managed
  // service accounts. An older one gives no superseded-by answer and
  // issues no dMSA tickets.
  bool knowsDmsa = true;
};

// KRB-ERROR codes (RFC 4120 7.5.9) the KDC answers with.
enum class KrbError : int {
  None = 0,
  PrincipalUnknown = 6,  // KDC_ERR_C_PRINCIPAL_UNKNOWN
  Policy = 12,           // KDC_ERR_POLICY
  ClientRevoked = 18,    // KDC_ERR_CLIENT_REVOKED: disabled
  TicketExpired = 32,    // KRB_AP_ERR_TKT_EXPIRED
  Skew = 37,             // KRB_AP_ERR_SKEW
  ServiceUnknown = 7,    // KDC_ERR_S_PRINCIPAL_UNKNOWN
  Generic = 60,          // KRB_ERR_GENERIC: what a patched KDC answers a BadSuccessor dMSA
};
std::string_view krbErrorName(KrbError error);

// The PAC's identity part: the account's SID and every group SID of its
// token; for a dMSA of a completed migration, the old account's too.
struct Pac {
  dc::Sid userSid;
  std::vector<dc::Sid> sids;  // userSid first, then groups and inherited identities
};

// KERB-DMSA-KEY-PACKAGE (PA-data 171). MS-KILE 2.2.13 names its times
// expiration-interval and fetch-interval but types them KerberosTime:
// they are instants, in whole seconds (here in microseconds of the KDC's
// clock, floored to the second).
struct KeyPackage {
  std::string currentKeys;
  std::string previousKeys;  // the old account's keys
  // The encryption types previous-keys carries keys for: the old account's
  // msDS-SupportedEncryptionTypes (RFC 3961 numbers: 23 rc4-hmac,
  // 17 aes128, 18 aes256), RC4 alone when it sets none.
  std::vector<int> previousKeyTypes;
  int64_t expirationTime = 0;  // when the current keys roll over
  int64_t fetchTime = 0;       // when the client fetches the keys again
};

struct Ticket {
  std::string client;  // sAMAccountName
  dc::Guid clientGuid;
  std::string issuedBy;                                             // the KDC's DC
  int64_t authTime = 0, startTime = 0, endTime = 0, renewTill = 0;  // KDC clock
  Pac pac;
  std::optional<KeyPackage> keyPackage;
  std::string serviceKey;  // service tickets: the key it is encrypted in
};

struct KdcReply {
  KrbError error = KrbError::None;
  std::string message;  // why, naming the account and the DC
  // KERB-SUPERSEDED-BY-USER (PA-data 170): the dMSA's sAMAccountName and DN.
  std::optional<std::string> supersededBy;
  std::optional<std::string> supersededByDn;
  std::optional<Ticket> ticket;
  bool ok() const { return error == KrbError::None; }
};

struct AsRequest {
  std::string account;  // sAMAccountName asked for
  int64_t clientTime = 0;
  // The requesting machine's account (the FAST armor of a managed
  // account's request); the KDC reads its token from its own replica and
  // checks it against msDS-GroupMSAMembership.
  std::string machine;
};

// The KDC's check of a managed account's msDS-GroupMSAMembership: whether
// a machine whose token holds `token` may retrieve the password, by an
// access check for read property on that security descriptor (so group
// ACEs and deny ACEs count). `membership` is the stored value, or none.
bool membershipAllows(const std::string* membership, const std::vector<dc::Sid>& token);

class Kdc {
 public:
  Kdc(const dc::Directory& dir, const KerberosPolicy& policy, std::string dcName)
      : dir_(dir), policy_(policy), dcName_(std::move(dcName)) {}

  KdcReply asExchange(const AsRequest& request) const;
  // TGS renewal of a TGT this domain issued.
  KdcReply renew(const Ticket& tgt, int64_t clientTime) const;
  // A service ticket to `service` (a sAMAccountName), encrypted in its
  // current key.
  KdcReply serviceTicket(const Ticket& tgt, const std::string& service, int64_t clientTime) const;

  // An account's current long-term key as this replica derives it.
  dc::Result<std::string> currentKey(const dc::Object& account) const;
  // The keys the KDC accepts for the account now: the current one and, for
  // a managed account within the clock-skew window after a rollover, the
  // previous one.
  dc::Result<std::vector<std::string>> acceptedKeys(const dc::Object& account) const;

 private:
  struct Account;
  dc::Result<Account> findAccount(const std::string& name) const;
  std::optional<KdcReply> refuseSkew(int64_t clientTime) const;
  KdcReply error(KrbError code, std::string message) const;
  KdcReply olderKdcRefusesDmsa(const std::string& account) const;
  dc::Result<ManagedPassword> managedPasswordOf(const dc::Object& account) const;
  KdcReply managedAccountLogon(const AsRequest& request, const Account& account) const;
  Ticket newTicket(const Account& account, Pac pac) const;
  dc::Result<Pac> pacOf(const dc::Object& account) const;

  // The forest's KDS root key as this replica holds it, read once per
  // request: an exchange derives several keys from it.
  dc::Result<std::string> rootKey() const;

  const dc::Directory& dir_;
  KerberosPolicy policy_;
  std::string dcName_;
  mutable std::optional<dc::Result<std::string>> rootKey_;
};

}  // namespace dcemu::kdc
