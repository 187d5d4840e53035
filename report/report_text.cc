// The planning report as `dcemu run` prints it: per migration its timeline,
// each DC's view, the hosts by site, lost ACEs, the verdict with its
// blockers, failures after completion, then the what-if table. Columns are
// as wide as their widest cell; long lists stop after their first lines so
// the report stays readable at enterprise scale.
#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "report/report.h"
#include "scenario/units.h"

namespace dcemu::report {

namespace {

// Small topologies list every DC; larger ones list the DCs where something
// is missing and sum up the rest.
constexpr size_t kDcsListedInFull = 12;
constexpr size_t kLinesListed = 20;

using Row = std::vector<std::string>;

// Left-aligned columns two spaces apart, each as wide as its widest cell.
std::string table(const Row& header, const std::vector<Row>& rows, const std::string& indent) {
  std::vector<size_t> widths(header.size());
  for (size_t c = 0; c < header.size(); ++c) widths[c] = header[c].size();
  for (const Row& row : rows)
    for (size_t c = 0; c < row.size(); ++c) widths[c] = std::max(widths[c], row[c].size());
  auto line = [&](const Row& row) {
    std::string out = indent;
    for (size_t c = 0; c < row.size(); ++c) {
      out += row[c];
      if (c + 1 < row.size()) out += std::string(widths[c] - row[c].size() + 2, ' ');
    }
    return out + "\n";
  };
  std::string out = line(header);
  for (const Row& row : rows) out += line(row);
  return out;
}

std::string more(size_t listed, size_t total, std::string_view what) {
  return total > listed ? fmt::format("    ... and {} more {}\n", total - listed, what) : std::string();
}

std::string plural(size_t n, std::string_view what) {
  return fmt::format("{} {}{}", n, what, n == 1 ? "" : "s");
}

class TextReport {
 public:
  explicit TextReport(const PlanningReport& report) : r_(report) {}

  std::string render() {
    decisions();
    for (const MigrationReport& m : r_.migrations) migration(m);
    failsRegardless();
    for (const ReportRodc& rodc : r_.rodcs) rodcPolicy(rodc);
    if (r_.whatIf) whatIf(*r_.whatIf);
    return out_;
  }

 private:
  std::string at(int64_t t) const { return scenario::formatMoment(t, r_.start); }
  std::string at(const std::optional<int64_t>& t) const { return t ? at(*t) : "-"; }

  // First: one line per migration an administrator can act on.
  void decisions() {
    if (r_.migrations.empty()) return;
    size_t width = 0;
    for (const MigrationReport& m : r_.migrations) width = std::max(width, m.dmsa.size());
    for (const MigrationReport& m : r_.migrations) {
      const ReportDecision& d = m.decision;
      out_ += fmt::format("{:<6} {:<{}}  {}\n", d.go ? "GO" : "NO-GO", m.dmsa, width, d.reason);
      for (const std::string& note : d.notes) out_ += fmt::format("       {:<{}}  ({})\n", "", width, note);
    }
  }

  // Host services that failed where no completion of their own migration
  // explains it, with the period and the cause.
  void failsRegardless() {
    const std::vector<ReportFailurePeriod>& periods = r_.failsRegardless;
    if (periods.empty()) return;
    size_t attempts = 0;
    for (const ReportFailurePeriod& p : periods) attempts += p.count;
    out_ += fmt::format("fail regardless of a migration: {} in {}\n", plural(attempts, "failed logon"),
                        plural(periods.size(), "period"));
    std::vector<Row> rows;
    for (size_t i = 0; i < periods.size() && i < kLinesListed; ++i) {
      const ReportFailurePeriod& p = periods[i];
      rows.push_back({p.host, p.service, p.dmsa.empty() ? "-" : p.dmsa, at(p.from), at(p.to), std::to_string(p.count),
                      p.dc.empty() ? "-" : p.dc, p.reason});
    }
    out_ += table({"host", "service", "migration", "from", "to", "failures", "DC", "cause"}, rows, "  ");
    out_ += more(kLinesListed, periods.size(), "failure periods");
  }

  // One RODC's password replication policy, as `repadmin /prp view` lists
  // it, and whether its site's host services log on through a WAN outage.
  void rodcPolicy(const ReportRodc& rodc) {
    auto names = [](const std::vector<std::string>& list) {
      return list.empty() ? std::string("-") : fmt::format("{}", fmt::join(list, ", "));
    };
    out_ += fmt::format("RODC        {} in {}: password replication policy\n", rodc.name, rodc.site);
    out_ += fmt::format("  allowed   {}\n  denied    {}\n  cached    {}\n", names(rodc.allowed), names(rodc.denied),
                        names(rodc.cached));
    if (rodc.hostServices.empty()) {
      out_ += "  no host service depends on it alone (its site has a writable DC, or no hosts)\n";
      return;
    }
    auto survives = [](const RodcAccountState& s) {
      if (s.cached) return fmt::format("yes: {} cached", s.account);
      if (s.allowed) return fmt::format("once {} is cached (allowed)", s.account);
      return fmt::format("no: {} {}", s.account, s.refusal);
    };
    bool anyOpen = std::any_of(rodc.hostServices.begin(), rodc.hostServices.end(),
                               [](const RodcHostService& hs) { return hs.dmsa.has_value(); });
    // One row per service and answer: the hosts share it.
    std::vector<Row> rows;
    std::vector<std::vector<std::string>> hosts;
    for (const RodcHostService& hs : rodc.hostServices) {
      Row row{hs.service, survives(hs.now)};
      if (anyOpen) row.push_back(hs.dmsa ? survives(*hs.dmsa) : "- (no open migration, or the host cannot run a dMSA)");
      auto same = std::find(rows.begin(), rows.end(), row);
      if (same == rows.end()) {
        rows.push_back(std::move(row));
        hosts.push_back({hs.host});
      } else {
        hosts[same - rows.begin()].push_back(hs.host);
      }
    }
    for (size_t i = 0; i < rows.size(); ++i) {
      std::string list = hosts[i].front();
      for (size_t h = 1; h < hosts[i].size() && h < 3; ++h) list += ", " + hosts[i][h];
      if (hosts[i].size() > 3) list += fmt::format(" and {} more", hosts[i].size() - 3);
      rows[i].insert(rows[i].begin(), list);
    }
    Row header{"hosts", "service", "logs on through a WAN outage"};
    if (anyOpen) header.push_back("after completion, as the dMSA");
    out_ += table(header, rows, "  ");
    for (const std::string& line : rodc.advice) out_ += "  advice    " + line + "\n";
  }

  void migration(const MigrationReport& m) {
    std::map<std::string, size_t> sites;
    for (const ReportHost& h : m.hosts) ++sites[h.site];
    out_ += fmt::format("migration   {} superseding {}: {} in {}\n", m.dmsa, m.account,
                        plural(m.hosts.size(), "host service"), plural(sites.size(), "site"));
    if (m.created) out_ += fmt::format("  created   {}\n", at(*m.created));
    for (const ReportStep& step : m.steps) out_ += fmt::format("  {:<9} {} on {}\n", step.op, at(step.at), step.dc);
    dcTable(m);
    hostsBySite(m);
    losses(m);
    verdict(m);
    failures(m);
  }

  void dcTable(const MigrationReport& m) {
    bool large = m.dcs.size() > kDcsListedInFull;
    std::vector<Row> rows;
    size_t quiet = 0, unlisted = 0;
    std::optional<int64_t> startFirst, startLast;
    for (const ReportDc& dc : m.dcs) {
      bool wrong =
          dc.hostsAllowed < m.hosts.size() || !dc.missingAtCompletion.empty() || (m.started && !dc.startArrived);
      if (large && !wrong) {
        ++quiet;
        if (dc.startArrived) {
          startFirst = std::min(startFirst.value_or(*dc.startArrived), *dc.startArrived);
          startLast = std::max(startLast.value_or(*dc.startArrived), *dc.startArrived);
        }
        continue;
      }
      if (large && rows.size() == kLinesListed) {
        ++unlisted;
        continue;
      }
      rows.push_back({dc.name + (dc.readOnly ? " (RODC)" : ""), dc.site, at(dc.startArrived), at(dc.completionArrived),
                      fmt::format("{} of {}", dc.hostsAllowed, m.hosts.size()),
                      dc.completionArrived ? std::to_string(dc.missingAtCompletion.size()) : "-"});
    }
    if (!rows.empty())
      out_ += table({"DC", "site", "start arrived", "completion arrived", "hosts allowed now", "missing at completion"},
                    rows, "  ");
    out_ += more(rows.size(), rows.size() + unlisted, "DCs with hosts not allowed");
    if (quiet > 0) {
      std::string arrival;
      if (startFirst) arrival = fmt::format("; start arrived {} to {}", at(*startFirst), at(*startLast));
      out_ += fmt::format("  {} {}DCs: all {} hosts allowed now, none missing at completion{}\n", quiet,
                          rows.empty() ? "" : "other ", m.hosts.size(), arrival);
    }
  }

  void hostsBySite(const MigrationReport& m) {
    std::map<std::string, std::vector<const ReportHost*>> bySite;
    for (const ReportHost& h : m.hosts) bySite[h.site].push_back(&h);
    std::vector<Row> rows;
    for (const auto& [site, hosts] : bySite) {
      size_t learned = 0, capable = 0;
      std::optional<int64_t> first, last;
      for (const ReportHost* h : hosts) {
        capable += h->dmsaCapable;
        if (!h->learned) continue;
        ++learned;
        first = std::min(first.value_or(*h->learned), *h->learned);
        last = std::max(last.value_or(*h->learned), *h->learned);
      }
      rows.push_back(
          {site, std::to_string(hosts.size()), std::to_string(capable), std::to_string(learned), at(first), at(last)});
    }
    if (!rows.empty())
      out_ += table({"site", "hosts", "dMSA-capable", "learned", "first learned", "last learned"}, rows, "  ");
  }

  void losses(const MigrationReport& m) {
    std::map<std::string, int> hit;
    for (const ReportLoss& loss : m.losses) ++hit[loss.host];
    out_ += fmt::format("  lost      {} to replication conflicts ({})\n", plural(m.losses.size(), "ACE"),
                        plural(hit.size(), "host"));
    for (size_t i = 0; i < m.losses.size() && i < kLinesListed; ++i)
      out_ += fmt::format("    {} lost its ACE on {} at {}\n", m.losses[i].host, m.losses[i].dc, at(m.losses[i].at));
    out_ += more(kLinesListed, m.losses.size(), "lost ACEs");
  }

  void verdict(const MigrationReport& m) {
    if (m.hosts.empty()) {
      out_ += fmt::format("  safe from the start: no host runs a service as {}, so no host has to learn\n", m.account);
      return;
    }
    if (m.safeFrom) {
      out_ += fmt::format("  safe from {}: every host allowed by the membership on every DC its locator may use\n",
                          at(*m.safeFrom));
      return;
    }
    if (!m.started) {
      out_ += "  not safe: the migration was never started, so no host has learned\n";
      return;
    }
    std::vector<BlockerGroup> groups = groupBlockers(m.blockers);
    std::map<std::string, int> hosts;
    for (const ReportBlocker& b : m.blockers) ++hosts[b.host + "/" + b.service];
    out_ += fmt::format("  not safe at {}: {} not allowed on a DC its locator may use\n", at(r_.end),
                        plural(hosts.size(), "host service"));
    std::vector<Row> rows;
    for (size_t i = 0; i < groups.size() && i < kLinesListed; ++i) {
      const ReportBlocker& b = *groups[i].first;
      rows.push_back({b.host, b.service, groups[i].dcs, at(b.nextLogon), b.reason});
    }
    out_ += table({"host", "service", "missing on", "next logon", "reason"}, rows, "    ");
    out_ += more(kLinesListed, groups.size(), "blockers");
  }

  void failures(const MigrationReport& m) {
    if (!m.completed) return;
    out_ += fmt::format("  logons    after completion: {} ok, {} failed\n",
                        m.logonsAfterCompletion - m.failedLogonsAfterCompletion, m.failedLogonsAfterCompletion);
    std::vector<Row> rows;
    for (size_t i = 0; i < m.failures.size() && i < kLinesListed; ++i) {
      const ReportFailure& f = m.failures[i];
      rows.push_back({f.host, f.service, at(f.at), f.dc.empty() ? "-" : f.dc, std::to_string(f.count), f.reason});
    }
    if (!rows.empty()) out_ += table({"host", "service", "first failed", "DC", "failures", "reason"}, rows, "    ");
    out_ += more(kLinesListed, m.failures.size(), "hosts whose logons failed");
    bool missingAce = std::any_of(m.failures.begin(), m.failures.end(),
                                  [](const ReportFailure& f) { return f.reason.starts_with("not in the membership"); });
    if (missingAce)
      out_ += fmt::format(
          "    a host stops adding its ACE once the migration is completed: those not in the membership stay broken "
          "until {} is granted to them or the migration is undone (undo-migration)\n",
          m.dmsa);
  }

  void whatIf(const WhatIfTable& t) {
    if (t.moments.empty()) return;
    std::string moments = t.changeWindows.empty()
                              ? fmt::format("every {}", scenario::formatDuration(t.every))
                              : fmt::format("in the change windows {}, from each opening every {} while open",
                                            t.changeWindows, scenario::formatDuration(t.every));
    out_ += t.every ? fmt::format(
                          "what if    each started migration were completed instead at one of these moments "
                          "({}); host services that would fail because of it:\n",
                          moments)
                    : "what if    each started migration were completed instead at this moment; host services that "
                      "would fail because of it:\n";
    Row header{"complete at"};
    for (const auto& outcome : t.moments.front().outcomes) header.push_back(outcome.dmsa);
    header.push_back("observed until");
    // Consecutive moments with the same counts share a row, so a fine
    // spacing over weeks stays a short table.
    std::vector<Row> rows;
    std::vector<std::string> previous;
    size_t runLength = 0;
    for (size_t i = 0; i < t.moments.size(); ++i) {
      const WhatIfMoment& moment = t.moments[i];
      std::vector<std::string> counts;
      for (const auto& outcome : moment.outcomes)
        counts.push_back(outcome.refused ? "refused" : std::to_string(outcome.failures.size()));
      if (!rows.empty() && counts == previous) {
        ++runLength;
        rows.back()[0] =
            fmt::format("{} to {} ({} moments)", at(t.moments[i - runLength].at), at(moment.at), runLength + 1);
        rows.back().back() = at(moment.observedUntil);
        continue;
      }
      runLength = 0;
      previous = counts;
      Row row{at(moment.at)};
      row.insert(row.end(), counts.begin(), counts.end());
      row.push_back(at(moment.observedUntil));
      rows.push_back(std::move(row));
    }
    out_ += table(header, rows, "  ");
    for (const WhatIfTable::Earliest& e : t.earliest) {
      if (!e.at) {
        out_ += fmt::format("  {}: no candidate moment is free of failures\n", e.dmsa);
        continue;
      }
      std::string margin = e.lastFailing
                               ? fmt::format(", {} after the last moment with a failure ({})",
                                             scenario::formatDuration(*e.at - *e.lastFailing), at(*e.lastFailing))
                               : ", and no earlier moment has one";
      out_ += fmt::format("  {}: earliest completion with no failing host {}{}; {}\n", e.dmsa, at(*e.at), margin,
                          e.staysSafe ? "every later moment has none either" : "but a later moment has failures again");
    }
    // What the last failing moment of each migration would break: the
    // hosts an administrator completing a little early would lose.
    for (const WhatIfTable::Earliest& e : t.earliest) {
      int64_t worst = e.lastFailing ? *e.lastFailing : (e.at ? -1 : t.moments.back().at);
      for (const WhatIfMoment& moment : t.moments) {
        if (moment.at != worst) continue;
        for (const auto& outcome : moment.outcomes) {
          if (outcome.dmsa != e.dmsa) continue;
          out_ +=
              fmt::format("  completing {} at {} would {}:\n", e.dmsa, at(moment.at),
                          outcome.refused ? "be refused" : "fail " + plural(outcome.failures.size(), "host service"));
          if (outcome.refused) out_ += "    " + outcome.refusal + "\n";
          std::vector<Row> failing;
          for (size_t i = 0; i < outcome.failures.size() && i < kLinesListed; ++i) {
            const ReportFailure& f = outcome.failures[i];
            failing.push_back({f.host, f.service, at(f.at), f.dc.empty() ? "-" : f.dc, f.reason});
          }
          if (!failing.empty()) out_ += table({"host", "service", "first failed", "DC", "reason"}, failing, "    ");
          out_ += more(kLinesListed, outcome.failures.size(), "failing host services");
          if (!outcome.failsRegardless.empty())
            out_ += fmt::format("    and {} that {} then without the completion too (not counted)\n",
                                plural(outcome.failsRegardless.size(), "host service"),
                                outcome.failsRegardless.size() == 1 ? "fails" : "fail");
        }
      }
    }
  }

  const PlanningReport& r_;
  std::string out_;
};

}  // namespace

std::vector<BlockerGroup> groupBlockers(const std::vector<ReportBlocker>& blockers) {
  std::vector<BlockerGroup> groups;
  for (const ReportBlocker& b : blockers) {
    auto same = std::find_if(groups.begin(), groups.end(), [&](const BlockerGroup& g) {
      return g.first->host == b.host && g.first->service == b.service && g.first->reason == b.reason;
    });
    if (same == groups.end())
      groups.push_back({&b, b.dc});
    else
      same->dcs += ", " + b.dc;
  }
  return groups;
}

std::string reportText(const PlanningReport& report) {
  return TextReport(report).render();
}

}  // namespace dcemu::report
