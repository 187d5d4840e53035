// GO or NO-GO per migration (docs/report-format.md, "decision"). The rules,
// in the order they decide:
//
// 1. A host that cannot run a dMSA fails after completion whatever the
//    membership says (Microsoft: a dMSA needs Windows Server 2025 on the
//    host using it): while the account has such a host, NO-GO.
// 2. A migration the file completes is judged by what followed: NO-GO when
//    a host service failed after the completion.
// 3. An open migration with a what-if table: GO from the earliest
//    candidate moment from which no later candidate makes a host service
//    fail that would not fail anyway; NO-GO when there is none.
// 4. An open migration without a table: GO from "safe from", NO-GO while
//    it is not safe.
#include <fmt/format.h>

#include <algorithm>

#include "dc/text.h"
#include "report/report.h"
#include "scenario/units.h"

namespace dcemu::report {

namespace {

std::string listOf(const std::vector<std::string>& names, size_t most = 5) {
  std::string out;
  for (size_t i = 0; i < names.size() && i < most; ++i) out += (i ? ", " : "") + names[i];
  if (names.size() > most) out += fmt::format(" and {} more", names.size() - most);
  return out;
}

std::string plural(size_t n, const char* one, const char* many) {
  return fmt::format("{} {}", n, n == 1 ? one : many);
}

// The table's candidate moments for `dmsa`, in time order, each clean or not.
struct Candidate {
  int64_t at;
  bool clean;
  size_t failing;
  std::string refusal;
};
std::vector<Candidate> candidatesOf(const WhatIfTable& table, const std::string& dmsa) {
  std::vector<Candidate> out;
  for (const WhatIfMoment& moment : table.moments)
    for (const auto& o : moment.outcomes)
      if (dc::toLower(o.dmsa) == dc::toLower(dmsa))
        out.push_back({moment.at, !o.refused && o.failures.empty(), o.failures.size(), o.refused ? o.refusal : ""});
  return out;
}

void decideOne(const PlanningReport& report, MigrationReport& m) {
  ReportDecision& d = m.decision;
  auto when = [&](int64_t at) { return scenario::formatMoment(at, report.start); };
  std::vector<std::string> legacy;
  for (const ReportHost& h : m.hosts)
    if (!h.dmsaCapable && std::find(legacy.begin(), legacy.end(), h.host) == legacy.end()) legacy.push_back(h.host);
  std::vector<Candidate> candidates;
  if (report.whatIf) candidates = candidatesOf(*report.whatIf, m.dmsa);

  if (!legacy.empty()) {
    d.reason = fmt::format(
        "{} cannot run a dMSA ({}): upgrade them to Windows Server 2025 or move their service off {} before "
        "completing",
        plural(legacy.size(), "host", "hosts"), listOf(legacy), m.account);
  } else if (m.completed) {
    if (m.failures.empty()) {
      d.go = true;
      d.reason =
          fmt::format("completed at {}: every host service that logged on after it succeeded", when(*m.completed));
    } else {
      d.reason = fmt::format("{} failed after the completion at {}: undo the migration, or grant the hosts",
                             plural(m.failures.size(), "host service", "host services"), when(*m.completed));
    }
  } else if (!m.started) {
    d.reason = "the migration was never started";
  } else if (!candidates.empty()) {
    // The earliest moment from which every later candidate is clean.
    size_t from = candidates.size();
    while (from > 0 && candidates[from - 1].clean) --from;
    if (from < candidates.size()) {
      d.go = true;
      d.completeFrom = candidates[from].at;
      d.reason = fmt::format("complete from {}: no later moment of the what-if table makes a host service fail",
                             when(*d.completeFrom));
    } else if (!candidates.back().refusal.empty()) {
      d.reason = fmt::format("completing at {} is refused: {}", when(candidates.back().at), candidates.back().refusal);
    } else {
      d.reason =
          fmt::format("completing at the last candidate moment, {}, still makes {} fail", when(candidates.back().at),
                      plural(candidates.back().failing, "host service", "host services"));
    }
  } else if (m.safeFrom) {
    d.go = true;
    d.completeFrom = m.safeFrom;
    d.reason = fmt::format("complete from {}: every host allowed on every DC its locator may use (no what-if table)",
                           when(*m.safeFrom));
  } else {
    d.reason = fmt::format("not safe by the end of the run: {} (see its blockers)",
                           plural(groupBlockers(m.blockers).size(), "host service is", "host services are"));
  }

  // Where "safe from" and the what-if disagree, why.
  if (d.go && d.completeFrom && report.whatIf && !candidates.empty()) {
    int64_t every = report.whatIf->every;
    if (!m.safeFrom) {
      d.notes.push_back(
          "it is not safe by the membership at the end: a host whose ACE is missing on a DC its locator may use "
          "did not use that DC after the completion in any fork");
    } else if (*m.safeFrom > *d.completeFrom) {
      d.notes.push_back(fmt::format(
          "safe from {} is later: until then some host's ACE is missing on a DC its locator may use but did not use",
          when(*m.safeFrom)));
    } else if (std::any_of(candidates.begin(), candidates.end(), [&](const Candidate& c) {
                 return !c.clean && c.at >= *m.safeFrom && c.at < *d.completeFrom;
               })) {
      d.notes.push_back(fmt::format(
          "safe from {} is earlier: completing between it and {} still makes host services fail (see the what-if "
          "table)",
          when(*m.safeFrom), when(*d.completeFrom)));
    } else if (!report.whatIf->changeWindows.empty()) {
      d.notes.push_back(
          fmt::format("the what-if tries moments in the change windows ({}) only: {} is the first after "
                      "safe from {}",
                      report.whatIf->changeWindows, when(*d.completeFrom), when(*m.safeFrom)));
    } else if (every > 0) {
      d.notes.push_back(fmt::format("the what-if's moments are {} apart: {} is the first after safe from {}",
                                    scenario::formatDuration(every), when(*d.completeFrom), when(*m.safeFrom)));
    }
  }
  // A decision stands on what the run showed; an open migration whose
  // dMSA an RODC may not cache, or does not hold yet, leaves the hosts
  // behind it alone failing through a WAN outage once completed.
  for (const ReportRodc& rodc : report.rodcs) {
    size_t exposed = 0;
    bool allowed = true;
    for (const RodcHostService& hs : rodc.hostServices) {
      if (!hs.dmsa || hs.dmsa->cached || dc::toLower(hs.dmsa->account) != dc::toLower(m.dmsa)) continue;
      ++exposed;
      allowed = allowed && hs.dmsa->allowed;
    }
    if (exposed > 0)
      d.notes.push_back(
          fmt::format("behind {}, {} {}: {} would fail through a WAN outage once completed (see its "
                      "RODC section)",
                      rodc.name, m.dmsa, allowed ? "is allowed but not cached yet" : "is not allowed to be cached",
                      plural(exposed, "host service", "host services")));
  }
  size_t regardless = std::count_if(report.failsRegardless.begin(), report.failsRegardless.end(),
                                    [&](const ReportFailurePeriod& p) { return p.dmsa == m.dmsa; });
  if (regardless > 0)
    d.notes.push_back(fmt::format("{} of its host services happen regardless of the migration (listed apart)",
                                  plural(regardless, "failure period", "failure periods")));

  // At risk: NO-GO, and ACEs lost that never came back on their DC.
  if (!d.go && m.started) d.risks.push_back(d.reason);
  for (const ReportLoss& loss : m.losses) {
    auto host = std::find_if(m.hosts.begin(), m.hosts.end(), [&](const ReportHost& h) { return h.host == loss.host; });
    bool healed = host != m.hosts.end() &&
                  std::any_of(host->aceHistory.begin(), host->aceHistory.end(),
                              [&](const ReportAceChange& c) { return c.dc == loss.dc && c.present && c.at > loss.at; });
    if (!healed)
      d.risks.push_back(
          fmt::format("{} lost its ACE on {} at {} and has not got it back", loss.host, loss.dc, when(loss.at)));
  }
  d.atRisk = !d.risks.empty();
}

}  // namespace

void decideMigrations(PlanningReport& report) {
  for (MigrationReport& m : report.migrations) {
    m.decision = ReportDecision{};
    decideOne(report, m);
  }
}

std::vector<const MigrationReport*> PlanningReport::atRisk(const std::vector<std::string>& dmsas) const {
  std::vector<const MigrationReport*> risky;
  for (const MigrationReport& m : migrations) {
    bool chosen = dmsas.empty() || std::any_of(dmsas.begin(), dmsas.end(), [&](const std::string& name) {
                    return dc::toLower(name) == dc::toLower(m.dmsa);
                  });
    if (chosen && m.decision.atRisk) risky.push_back(&m);
  }
  return risky;
}

}  // namespace dcemu::report
