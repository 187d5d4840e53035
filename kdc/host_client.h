// One service on one host: its Kerberos client (shared/reference/dmsa.md,
// "Kerberos behaviour"). It logs on with an AS exchange, renews its TGT,
// starts over when the renewal limit ends, and follows a migration: in the
// started state a dMSA-capable client adds its machine to the dMSA's
// msDS-GroupMSAMembership on the DC it talks to (referred to a writable DC
// when that one is an RODC); once the old account is disabled it retries
// as the dMSA. The service stays configured as the old account: each fresh
// logon asks as it first. Its DC locator prefers the host's own site, picks among its
// DCs with a seeded stream and sticks to the pick until it fails.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "dc/rng.h"
#include "kdc/events.h"
#include "kdc/kdc.h"

namespace dcemu::kdc {

// What the hosts' Kerberos client needs of its DC's replica when it learns
// its way into a dMSA's msDS-GroupMSAMembership.
struct MembershipCheck {
  bool machineKnown = true;               // the machine account is on the DC
  std::optional<std::string> unreadable;  // why the dMSA cannot be read
  bool member = false;                    // an allow ACE for the machine is there already
};

// What a host reaches of the domain: which DCs answer it, and the KDC and
// directory operations it asks of one. The simulator and tests answer from
// replicas in the same process (ReplicaHostEnvironment); a live hosts
// process would answer over RPC.
class HostEnvironment {
 public:
  virtual ~HostEnvironment() = default;
  virtual int64_t now() const = 0;  // the host's clock
  virtual std::string domain() const = 0;
  // Whether the DC is up and reachable from the host now.
  virtual bool answers(int dc) const = 0;
  virtual bool readOnly(int dc) const = 0;
  virtual std::string dcName(int dc) const = 0;
  // The writable DC an RODC forwards a request to: up and reachable from
  // the RODC's site, nearest first; -1 when there is none.
  virtual int forwardTarget(int rodc) const = 0;
  virtual void log(Event event) = 0;

  // The KDC of `dc`, as its replica and Windows version answer.
  virtual KdcReply asExchange(int dc, const AsRequest& request) = 0;
  virtual KdcReply renew(int dc, const Ticket& tgt, int64_t clientTime) = 0;
  // Whether the RODC holds `account`'s secret.
  virtual bool holdsSecret(int rodc, const std::string& account) = 0;
  // After a forwarded request: the writable DC reveals `account`'s secret
  // to the RODC when the policy allows, and the RODC takes it.
  virtual void revealSecret(int rodc, int writable, const std::string& account) = 0;
  // Whether `machine` is in the dMSA's membership on `dc`.
  virtual MembershipCheck checkMembership(int dc, const std::string& dmsaDn, const std::string& machine) = 0;
  // `account` (Start gave it write access) adds `machine` to the dMSA's
  // membership on `dc`, replacing the whole security descriptor.
  virtual dc::Status addToMembership(int dc, const std::string& dmsaDn, const std::string& machine,
                                     const std::string& account) = 0;
};

// The operations answered from replicas in this process.
class ReplicaHostEnvironment : public HostEnvironment {
 public:
  virtual dc::Directory& directory(int dc) = 0;
  // The domain's Kerberos policy as the KDC of `dc` applies it (its
  // Windows version included).
  virtual KerberosPolicy policy(int dc) const = 0;
  // An originating write made on `dc` (for change notification).
  virtual void wrote(int dc, const std::string& dn) = 0;
  // The RODC takes a secret the writable DC just revealed to it (the
  // replicate-secret request that follows a forwarded logon).
  virtual void secretRevealed(int rodc, int writable) = 0;

  KdcReply asExchange(int dc, const AsRequest& request) override;
  KdcReply renew(int dc, const Ticket& tgt, int64_t clientTime) override;
  bool holdsSecret(int rodc, const std::string& account) override;
  void revealSecret(int rodc, int writable, const std::string& account) override;
  MembershipCheck checkMembership(int dc, const std::string& dmsaDn, const std::string& machine) override;
  dc::Status addToMembership(int dc, const std::string& dmsaDn, const std::string& machine,
                             const std::string& account) override;
};

struct HostService {
  std::string host;            // "app-001"
  std::string machineAccount;  // "app-001$"
  std::string account;         // the service's account (sAMAccountName)
  bool dmsaCapable = true;
  // The DCs the locator may use, best first: the host's own site, then the
  // next-cheapest sites by site-link cost.
  std::vector<std::vector<int>> locatorTiers;
};

struct LogonOutcome {
  int64_t at = 0;
  bool renewal = false;
  bool ok = false;
  std::string identity;  // the account it logged on as
  std::string dc;        // the DC that answered (or refused)
  std::string reason;    // when it failed
  std::vector<dc::Sid> pac;
  // A renewal that found its TGT expired and so logged on afresh.
  bool renewalFoundExpired = false;
};

class HostClient {
 public:
  HostClient(HostService service, uint64_t locatorSeed);

  // A fresh AS exchange now.
  LogonOutcome logon(HostEnvironment& env);
  // The periodic renewal: a TGS renewal, or a fresh logon when there is no
  // TGT or its renewal limit has passed.
  LogonOutcome renew(HostEnvironment& env);

  const HostService& service() const { return service_; }
  const std::optional<LogonOutcome>& latest() const { return latest_; }
  // The dMSA the client's TGT is for, since a completed migration's
  // superseded-by answer; cleared when the old account answers again.
  const std::optional<std::string>& migratedTo() const { return migratedTo_; }

 private:
  int locate(HostEnvironment& env);
  int locateWritable(HostEnvironment& env);
  int kdcFor(HostEnvironment& env, int dc, const std::string& account, bool writableTicket);
  LogonOutcome finish(LogonOutcome outcome);
  LogonOutcome fail(HostEnvironment& env, int dc, bool renewal, std::string reason);
  LogonOutcome accept(HostEnvironment& env, int dc, bool renewal, const KdcReply& reply);
  LogonOutcome handleReply(HostEnvironment& env, int dc, bool renewal, const KdcReply& reply);
  LogonOutcome logonAsDmsa(HostEnvironment& env, int dc, bool renewal);
  void learn(HostEnvironment& env, int dc, const KdcReply& reply);
  // The Security event KDC `dc` logs for an AS request it refused.
  void logRefusedAs(HostEnvironment& env, int dc, const std::string& account, const KdcReply& reply);
  void logMigration(HostEnvironment& env, std::string status, bool complete,
                    std::optional<std::string> dmsa = std::nullopt);

  HostService service_;
  dc::Xoshiro256 locatorRng_;
  int stickyDc_ = -1;
  std::optional<Ticket> tgt_;
  int tgtIssuer_ = -1;  // the DC whose KDC issued tgt_
  std::optional<std::string> migratedTo_;
  std::optional<LogonOutcome> latest_;
};

}  // namespace dcemu::kdc
