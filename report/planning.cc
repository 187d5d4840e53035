#include "report/planning.h"

#include <fmt/format.h>

#include <algorithm>

#include "dc/text.h"
#include "scenario/scenario.h"
#include "scenario/units.h"

namespace dcemu::report {

namespace {

// The latest event 308 in which `host` failed to add its ACE for `account`.
const kdc::Event* lastFailedLearning(const std::vector<kdc::Event>& events, const std::string& host,
                                     const std::string& account) {
  for (auto it = events.rbegin(); it != events.rend(); ++it) {
    if (it->id != kdc::event_id::kDmsaPermissionAdd || dc::toLower(it->source) != dc::toLower(host)) continue;
    std::string linked, status;
    for (const auto& [name, value] : it->fields) {
      if (name == "Linked Account") linked = dc::toLower(value);
      if (name == "Status") status = value;
    }
    if (linked != dc::toLower(account) && linked != dc::toLower(account) + "$") continue;
    return status.starts_with("failure") ? &*it : nullptr;
  }
  return nullptr;
}

// For a migration not yet safe to complete: every host whose ACE a DC its
// locator may use lacks, and why. The reasons are the ones an administrator
// can act on, checked in the order that explains the most: a host that
// cannot learn, one that has not tried, one whose write failed, then why a
// written ACE has not reached (or left) that DC.
std::vector<ReportBlocker> blockersOf(const scenario::Scenario& scenario, const RiskTracker& risk,
                                      const DomainFacts& facts, size_t migration) {
  std::vector<ReportBlocker> blockers;
  auto started = risk.startedAt(migration);
  if (!started) return blockers;
  const std::string& account = risk.accountOf(migration);
  auto when = [&](int64_t at) { return scenario::formatMoment(at, scenario.start); };
  auto nameOf = [&](int dc) { return scenario.dcs[dc].name; };
  const int dcCount = static_cast<int>(scenario.dcs.size());
  std::vector<LostUpdate> losses = risk.lossesOf(migration);
  std::vector<RiskTracker::HostView> views = risk.hostsOf(migration);
  for (size_t h = 0; h < views.size(); ++h) {
    const RiskTracker::HostView& view = views[h];
    if (view.safe) continue;
    const TrackedHost& host = *view.spec;
    const std::vector<bool>& present = *view.present;
    std::optional<int64_t> next = facts.nextLogon(host.host, host.service);
    std::vector<int> holders;  // DCs holding its ACE now
    for (int d = 0; d < dcCount; ++d)
      if (present[d]) holders.push_back(d);
    // When the start first reached a DC the host uses.
    std::optional<int64_t> startReached;
    for (int d : host.locatorDcs)
      if (auto arrived = risk.startArrived(migration, d))
        startReached = std::min(startReached.value_or(*arrived), *arrived);
    const kdc::Event* failed = lastFailedLearning(facts.events(), host.host, account);
    for (int d : host.locatorDcs) {
      if (present[d]) continue;
      std::string reason;
      auto lost = std::find_if(losses.rbegin(), losses.rend(), [&](const LostUpdate& loss) {
        return loss.dc == d && loss.host == static_cast<int>(h);
      });
      if (!host.dmsaCapable) {
        reason = fmt::format(
            "not dMSA-capable: it fails after completion whatever the membership says (upgrade the host, or move "
            "its service off {})",
            account);
      } else if (!view.learned && failed) {
        std::string status;
        for (const auto& [name, value] : failed->fields)
          if (name == "Status") status = value;
        if (status.find("no writable DC reachable") != std::string::npos)
          reason = fmt::format("only an RODC reachable: its ACE write at {} needs a writable DC", when(failed->at));
        else
          reason = fmt::format("its attempt to add its ACE at {} failed: {}", when(failed->at), status);
      } else if (!view.learned) {
        const std::optional<kdc::LogonOutcome> latest = facts.latestLogon(host.host, host.service);
        if (!startReached)
          reason = "the start has not reached any DC it uses";
        else if (!latest || latest->at < *startReached)
          reason = fmt::format("has not logged on since the start reached a DC it uses at {}", when(*startReached));
        else
          reason = fmt::format("its last logon at {} added no ACE ({})", when(latest->at),
                               latest->ok ? "the DC it used did not hold the start" : latest->reason);
      } else if (lost != losses.rend()) {
        reason = fmt::format("its ACE was lost to a replication conflict on {} at {}", nameOf(d), when(lost->at));
      } else if (holders.empty()) {
        reason = "its ACE was removed from the membership after it was added (it is on no DC now)";
      } else if (!facts.dcUp(d)) {
        reason = fmt::format("{} is down", nameOf(d));
      } else if (std::none_of(holders.begin(), holders.end(), [&](int holder) {
                   return facts.reachable(scenario.dcs[holder].site, scenario.dcs[d].site);
                 })) {
        reason =
            fmt::format("site {} is cut off from every DC holding its ACE", scenario.sites[scenario.dcs[d].site].name);
      } else if (facts.inboundDisabled(d)) {
        reason = fmt::format("inbound replication is disabled on {}", nameOf(d));
      } else {
        reason = fmt::format("its ACE has not replicated to {} yet", nameOf(d));
      }
      blockers.push_back({host.host, host.service, nameOf(d), std::move(reason), next});
    }
  }
  return blockers;
}

// When the start crossed each site link: its first arrival in each site.
std::vector<ReportLinkDelay> startCrossings(const scenario::Scenario& scenario, const MigrationReport& migration) {
  std::vector<std::optional<int64_t>> arrived(scenario.sites.size());
  for (size_t d = 0; d < migration.dcs.size(); ++d) {
    const auto& at = migration.dcs[d].startArrived;
    auto& site = arrived[scenario.dcs[d].site];
    if (at) site = std::min(site.value_or(*at), *at);
  }
  std::vector<ReportLinkDelay> crossings;
  for (const scenario::SiteLink& link : scenario.siteLinks) {
    for (size_t a = 0; a < link.sites.size(); ++a) {
      for (size_t b = a + 1; b < link.sites.size(); ++b) {
        int first = link.sites[a], second = link.sites[b];
        if (!arrived[first] || !arrived[second]) continue;
        if (*arrived[second] < *arrived[first]) std::swap(first, second);
        crossings.push_back(
            {link.name, scenario.sites[first].name, scenario.sites[second].name, *arrived[second] - *arrived[first]});
      }
    }
  }
  return crossings;
}

// The file's faults and its site links' closed schedule windows in
// [from, to], with the DCs each one cuts off.
std::vector<ReportPeriod> periodsOf(const scenario::Scenario& scenario, int64_t from, int64_t to) {
  auto dcsInSites = [&](const std::vector<int>& sites) {
    std::vector<std::string> dcs;
    for (const scenario::DcSpec& dc : scenario.dcs)
      if (std::find(sites.begin(), sites.end(), dc.site) != sites.end()) dcs.push_back(dc.name);
    return dcs;
  };
  // A link cuts off the sites it is the only link of (a hub with other
  // links stays connected); a link between two well-linked sites, both.
  auto dcsBehind = [&](const scenario::SiteLink& link) {
    std::vector<int> spokes;
    for (int site : link.sites) {
      size_t links = std::count_if(scenario.siteLinks.begin(), scenario.siteLinks.end(), [&](const auto& other) {
        return std::find(other.sites.begin(), other.sites.end(), site) != other.sites.end();
      });
      if (links == 1) spokes.push_back(site);
    }
    return dcsInSites(spokes.empty() ? link.sites : spokes);
  };
  std::vector<ReportPeriod> periods;
  for (const scenario::Fault& fault : scenario.faults) {
    ReportPeriod period;
    period.from = scenario.start + fault.from;
    period.to = scenario.start + fault.to;
    if (fault.kind == "partition") {
      int link = scenario.linkIndex(fault.link);
      if (link < 0) continue;
      period.label = scenario.siteLinks[link].name + " partitioned";
      period.dcs = dcsBehind(scenario.siteLinks[link]);
    } else if (fault.kind == "isolate-site") {
      period.label = fault.site + " cut off";
      period.dcs = dcsInSites({scenario.siteIndex(fault.site)});
    } else if (fault.kind == "dc-down" || fault.kind == "replication-broken") {
      period.label = fault.dc + (fault.kind == "dc-down" ? " down" : " replication broken");
      period.dcs = {scenario.dcs[scenario.dcIndex(fault.dc)].name};
    } else {
      continue;  // slowed, skewed or random: nothing cut off for a known span
    }
    if (period.to > from && period.from < to) periods.push_back(std::move(period));
  }
  for (const scenario::SiteLink& link : scenario.siteLinks) {
    if (link.schedule.isAlways()) continue;
    for (auto [open, close] : scenario::closedPeriods(link.schedule, from, to))
      periods.push_back({link.name + " closed", dcsBehind(link), open, close, true});
  }
  return periods;
}

}  // namespace

PlanningReport planningReport(const scenario::Scenario& scenario, uint64_t seed, const RiskTracker& risk,
                              const DomainFacts& facts) {
  PlanningReport report;
  report.file = scenario.file;
  report.seed = seed;
  report.start = scenario.start;
  report.end = facts.now();
  report.migrations = risk.reports();
  for (size_t m = 0; m < report.migrations.size(); ++m) {
    MigrationReport& migration = report.migrations[m];
    for (size_t d = 0; d < migration.dcs.size(); ++d) {
      migration.dcs[d].site = scenario.sites[scenario.dcs[d].site].name;
      migration.dcs[d].readOnly = scenario.dcs[d].rodc;
    }
    if (!migration.safeFrom) migration.blockers = blockersOf(scenario, risk, facts, m);
    migration.startCrossings = startCrossings(scenario, migration);
  }
  report.failsRegardless = risk.failuresRegardless();
  report.periods = periodsOf(scenario, report.start, report.end);
  decideMigrations(report);
  return report;
}

}  // namespace dcemu::report
