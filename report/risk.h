// The migration risk tracker (issue 5, "Risk tracking"): for every host
// service whose account a dMSA supersedes, when its machine's ACE first
// appears in the dMSA's msDS-GroupMSAMembership on each DC, every time
// replication takes it away again (a lost update: a concurrent write of
// the single-valued security descriptor won without it), the earliest
// moment from which it is on every DC the host's locator may use, and the
// outcome of every logon after the migration completed. It watches the
// replicas through the directories' write observers; nothing polls.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "dc/ids.h"
#include "kdc/host_client.h"
#include "report/logon_log.h"
#include "report/report.h"

namespace dcemu::report {

struct TrackedHost {
  std::string host, service, site;
  bool dmsaCapable = true;
  dc::Sid machineSid;
  std::vector<int> locatorDcs;  // every DC its locator may use
};

struct LostUpdate {
  int64_t at = 0;
  int dc = 0;
  int host = 0;  // index into the migration's hosts
};

class RiskTracker {
 public:
  explicit RiskTracker(std::vector<std::string> dcNames) : dcNames_(std::move(dcNames)) {}

  // A dMSA to watch, superseding `account`, and the hosts running it.
  void track(const std::string& dmsa, const std::string& account, std::vector<TrackedHost> hosts);
  // Learns the dMSA's GUID once it exists (at provisioning or new-dmsa).
  void identify(const std::string& dmsa, const dc::Guid& guid, int64_t at);
  bool watches(const dc::Guid& guid) const { return byGuid_.count(guid) != 0; }
  std::vector<dc::Guid> watched() const;
  // The machine SIDs of the hosts tracked for the dMSA.
  std::vector<dc::Sid> machinesOf(const dc::Guid& dmsa) const;
  // What `dc` holds for the dMSA after a write (replicated or not): the
  // tracked machines its KDC would let retrieve the password (the KDC's own
  // access check on msDS-GroupMSAMembership) and its msDS-DelegatedMSAState.
  // Returns what changed that a trace shows: the dMSA's state on that DC
  // when it changed, and the hosts whose ACE replication took away.
  struct Observed {
    std::string dmsa;
    std::optional<int64_t> newState;
    std::vector<std::string> lostHosts;
  };
  Observed observe(int dc, const dc::Guid& dmsa, const std::set<dc::Sid>& members, int64_t state, bool replicated,
                   int64_t at);
  // The same, with `authorised[h]` saying whether the h-th of
  // machinesOf(dmsa) is among the members: a world that shares one answer
  // among the DCs holding the same value works this out once.
  Observed observeByHost(int dc, const dc::Guid& dmsa, const std::vector<bool>& authorised, int64_t state,
                         bool replicated, int64_t at);
  // For each of `machines` (machinesOf's order), whether `members` holds it:
  // the per-host answer observeByHost takes.
  static std::vector<bool> byHost(const std::vector<dc::Sid>& machines, const std::set<dc::Sid>& members);
  // A migration step succeeded on a DC at `at`.
  void migrationStep(const std::string& dmsa, const std::string& op, const std::string& dcName, int64_t at);
  // A logon or renewal of a service on a host (any host service of the
  // run; those no migration follows are only logged).
  void logon(const std::string& host, const std::string& service, const kdc::LogonOutcome& outcome);
  const LogonLog& logons() const { return logons_; }
  // The failure periods no completion of the host service's own migration
  // explains: its failures before that completion (or with none).
  std::vector<ReportFailurePeriod> failuresRegardless() const;

  // Lost updates over every migration, and the hosts they hit.
  size_t lostUpdateCount() const;
  // Whether, on every DC, every tracked host's ACE was present when the
  // completed state first arrived there (for migrations that completed).
  bool allPresentAtCompletion() const;
  size_t failedLogonsAfterCompletion() const;
  // The longest time a migration's start took to reach a DC (replication's
  // delay to the last DC), or none when no start reached every DC.
  std::optional<int64_t> slowestStartArrival() const;
  // What was tracked, per migration, for the planning report (without the
  // blockers, which need the world: World::planningReport).
  std::vector<MigrationReport> reports() const;
  // The DCs, hosts and losses by index, for the world's blocker analysis.
  struct HostView {
    const TrackedHost* spec;
    const std::vector<bool>* present;  // per DC
    bool learned;                      // its ACE was on some DC at some time
    bool safe;
  };
  std::vector<HostView> hostsOf(size_t migration) const;
  const std::string& accountOf(size_t migration) const { return migrations_[migration].account; }
  std::vector<LostUpdate> lossesOf(size_t migration) const { return migrations_[migration].losses; }
  std::optional<int64_t> startedAt(size_t migration) const { return migrations_[migration].startedAt; }
  std::optional<int64_t> startArrived(size_t migration, int dc) const {
    return migrations_[migration].startArrived[dc];
  }

 private:
  struct HostState {
    TrackedHost spec;
    std::vector<std::optional<int64_t>> firstSeen;  // per DC
    std::vector<bool> present;                      // per DC
    // Per DC, whether the host's locator may use it; and of those DCs, how
    // many hold its ACE: it is everywhere it needs to be when that count is
    // the number of such DCs, which every observation asks.
    std::vector<bool> locatorMayUse;
    size_t locatorDcs = 0, locatorDcsHolding = 0;
    std::vector<ReportAceChange> history;  // every change of `present`
    std::optional<int64_t> safeFrom;
    std::vector<kdc::LogonOutcome> afterCompletion;
  };
  struct Migration {
    std::string dmsa, account;
    std::optional<int64_t> createdAt;
    std::vector<HostState> hosts;
    struct StepRecord {
      std::string op, dc;
      int64_t at;
    };
    std::vector<StepRecord> steps;
    std::optional<int64_t> completedAt;                         // the complete step
    std::optional<int64_t> startedAt;                           // the start step
    std::vector<std::optional<int64_t>> startArrived;           // per DC: state 1 first seen
    std::vector<std::optional<int64_t>> completionArrived;      // per DC: state 2 first seen
    std::vector<std::vector<std::string>> missingAtCompletion;  // per DC: hosts absent then
    std::vector<std::optional<int64_t>> state;                  // per DC: msDS-DelegatedMSAState last seen
    std::vector<LostUpdate> losses;
  };
  Migration* migrationOf(const dc::Guid& guid);

  std::vector<std::string> dcNames_;
  std::vector<Migration> migrations_;
  std::unordered_map<dc::Guid, size_t, dc::GuidHash> byGuid_;  // asked of every object a DC writes
  std::map<std::pair<std::string, std::string>, std::pair<size_t, size_t>> byHostService_;  // lower names
  std::map<std::string, size_t> byName_;                                                    // lower dMSA name
  LogonLog logons_;
};

}  // namespace dcemu::report
