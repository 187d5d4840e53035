// The planning report: what a run found about each migration, as data. The
// risk tracker and the world fill it in (World::planningReport), the
// what-if engine adds its table, and the renderers turn it into text, JSON
// (docs/report-format.md) and CSV. Times are microseconds since the Unix
// epoch, as everywhere in the simulator.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace dcemu::report {

// The JSON schema's version (docs/report-format.md); bumped when a field
// changes meaning or goes away.
inline constexpr int kReportFormatVersion = 2;

struct ReportStep {
  std::string op, dc;  // Start, Complete, Undo, Reset; the DC it ran on
  int64_t at = 0;
};

// One DC's view of a migration.
struct ReportDc {
  std::string name, site;
  bool readOnly = false;
  std::optional<int64_t> startArrived;           // msDS-DelegatedMSAState 1 first held
  std::optional<int64_t> completionArrived;      // state 2 first held (the latest time it arrived)
  size_t hostsAllowed = 0;                       // tracked hosts the KDC's access check allows at the end
  std::vector<std::string> missingAtCompletion;  // hosts not allowed when state 2 arrived
};

// Its ACE appearing on, or going from, one DC (the KDC's access check now
// allowing it or not); `lost` when replication took it away.
struct ReportAceChange {
  std::string dc;
  int64_t at = 0;
  bool present = false;
  bool lost = false;
};

struct ReportHost {
  std::string host, service, site;
  bool dmsaCapable = true;
  std::optional<int64_t> learned;   // its ACE first on any DC
  std::optional<int64_t> safeFrom;  // from then on allowed on every DC its locator may use
  std::vector<std::string> locatorDcs;
  std::vector<ReportAceChange> aceHistory;  // in time order
};

// How long the migration's start took to cross a site link: from its first
// arrival in one of the link's sites to its first arrival in the other.
struct ReportLinkDelay {
  std::string link, from, to;
  int64_t delay = 0;
};

struct ReportLoss {
  std::string host, dc;
  int64_t at = 0;
};

// A host whose ACE is missing from a DC its locator may use, while the
// migration is not yet safe to complete; `reason` in an administrator's words.
struct ReportBlocker {
  std::string host, service, dc, reason;
  std::optional<int64_t> nextLogon;  // its next logon or renewal, when one is due
};

// Blockers as a person reads them: one per host service and reason, with
// every DC it applies to ("KIOSK-RODC1, HUB-DC1").
struct BlockerGroup {
  const ReportBlocker* first;
  std::string dcs;
};
std::vector<BlockerGroup> groupBlockers(const std::vector<ReportBlocker>& blockers);

// A host service's logons that failed after completion: the first failure
// and how many there were.
struct ReportFailure {
  std::string host, service, dc, reason;
  int64_t at = 0;
  size_t count = 0;
};

// A run of consecutive failed logons of one host service with the same DC
// and reason: a period in which it could not log on.
struct ReportFailurePeriod {
  std::string host, service, dc, reason;
  int64_t from = 0, to = 0;  // its first and last failed attempt
  size_t count = 0;
  std::string dmsa;  // the migration whose account the service runs as, if any
};

// What an administrator can act on for one migration: GO from a moment, or
// NO-GO and why (docs/report-format.md, "decision").
struct ReportDecision {
  bool go = false;
  // The earliest candidate completion moment from which no later candidate
  // makes a host service fail that would not fail anyway; for a migration
  // without a what-if table, when it is safe to complete.
  std::optional<int64_t> completeFrom;
  std::string reason;              // one line: why GO from then, or why NO-GO
  std::vector<std::string> notes;  // where safe-from and the what-if disagree, why
  bool atRisk = false;             // what --fail-on-risk gates on
  std::vector<std::string> risks;  // why it is at risk, one line each
};

struct MigrationReport {
  std::string dmsa, account;
  std::optional<int64_t> created, started, completed;
  std::vector<ReportStep> steps;
  std::vector<ReportDc> dcs;
  std::vector<ReportHost> hosts;
  std::vector<ReportLoss> losses;
  std::vector<ReportLinkDelay> startCrossings;
  std::optional<int64_t> safeFrom;  // every host safe; none while some host is not
  std::vector<ReportBlocker> blockers;
  size_t logonsAfterCompletion = 0, failedLogonsAfterCompletion = 0;
  std::vector<ReportFailure> failures;  // one per host service that failed after completion
  ReportDecision decision;              // decideMigrations fills it in
};

// One account a host service behind an RODC logs on as, as the RODC's
// password replication policy treats it: whether the RODC holds its secret
// (it answers alone through a WAN outage), whether the policy lets it cache
// it (it will after the next logon forwarded while a writable DC answers,
// or once prepopulated), and when not, why.
struct RodcAccountState {
  std::string account;  // as the file names it
  std::string dn;
  bool cached = false, allowed = false;
  std::string refusal;  // why the policy does not let it cache the account
};

// A host service whose own site has this RODC and no writable DC: through a
// WAN outage only the RODC answers it.
struct RodcHostService {
  std::string host, service;
  RodcAccountState now;                  // the account it logs on as today
  std::optional<RodcAccountState> dmsa;  // after completing its open migration
};

// One RODC as `repadmin /prp view` shows it, with what it means for the
// host services that depend on it and what to allow or prepopulate.
struct ReportRodc {
  std::string name, site;
  std::vector<std::string> allowed, denied, cached;  // the policy's and msDS-RevealedUsers' entries, by name
  std::vector<RodcHostService> hostServices;
  std::vector<std::string> advice;  // one line each
};

// What completing at one moment would do: per migration, the host services
// whose logons would fail (by the end of the fork's run).
struct WhatIfMoment {
  int64_t at = 0;
  struct Outcome {
    std::string dmsa;
    bool refused = false;  // the completion itself was refused
    std::string refusal;
    // Host services that fail after the completion and were not failing at
    // that time of the run without it: what completing there causes.
    std::vector<ReportFailure> failures;
    // Those that fail after the completion but were failing then anyway.
    std::vector<ReportFailure> failsRegardless;
  };
  std::vector<Outcome> outcomes;
  int64_t observedUntil = 0;  // the fork ran to here
};

struct WhatIfTable {
  int64_t every = 0;  // the spacing of candidate moments; 0 for one --complete-at
  // The file's [planning] change_windows the moments were taken from, as
  // text ("Sat 02:00-06:00"); empty when any moment was a candidate.
  std::string changeWindows;
  std::vector<WhatIfMoment> moments;
  // Per migration: the earliest candidate with no failing host, and the
  // time since the last candidate before it that had one (none when no
  // earlier candidate failed).
  struct Earliest {
    std::string dmsa;
    std::optional<int64_t> at;
    std::optional<int64_t> lastFailing;
    bool staysSafe = false;  // every later candidate has no failure either
  };
  std::vector<Earliest> earliest;
};

// A period in which part of the domain was cut off or closed, for the
// charts to shade: a fault from the file (a partition, an isolated site, a
// DC down or with broken replication) or a site link's closed schedule.
struct ReportPeriod {
  std::string label;             // "Hub-West partitioned", "Hub-River closed"
  std::vector<std::string> dcs;  // the DCs it cuts off or closes
  int64_t from = 0, to = 0;
  bool closedSchedule = false;  // a schedule's closed window, not a fault
};

struct PlanningReport {
  std::string file;
  uint64_t seed = 0;
  int64_t start = 0, end = 0;
  std::vector<MigrationReport> migrations;
  // Failed logons that no completion of the host service's own migration
  // explains: before it, or of a service no migration supersedes.
  std::vector<ReportFailurePeriod> failsRegardless;
  std::optional<WhatIfTable> whatIf;
  // Each RODC's password replication policy and what it means through a
  // WAN outage (the simulator fills it in; empty in a live cluster's report).
  std::vector<ReportRodc> rodcs;
  std::vector<ReportPeriod> periods;  // in the run's span, faults first

  // The migrations at risk (of all, or of `dmsas`, names ignoring case):
  // what --fail-on-risk gates on.
  std::vector<const MigrationReport*> atRisk(const std::vector<std::string>& dmsas = {}) const;
};

// Each migration's decision, from what the run and the what-if table (when
// there is one) found; call once the table is in place.
void decideMigrations(PlanningReport& report);

// The text `dcemu run` prints for the migrations and the what-if table.
std::string reportText(const PlanningReport& report);
// One self-contained HTML page with inline SVG charts (--html).
std::string reportHtml(const PlanningReport& report);
// The tables as CSV files (--csv DIR): file name and contents.
std::vector<std::pair<std::string, std::string>> reportCsvFiles(const PlanningReport& report);
// Writes the report as JSON, HTML and CSV files where a path is given
// (the CSV directory is created); returns the paths whose writing failed.
std::vector<std::string> writeReportFiles(const PlanningReport& report, const std::string& jsonFile,
                                          const std::string& htmlFile, const std::string& csvDirectory);

}  // namespace dcemu::report
