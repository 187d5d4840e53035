// The planning report's tables as CSV files (RFC 4180: comma-separated,
// fields with a comma, quote or line break quoted, quotes doubled), one
// file per table, for spreadsheets and scripts. Times are ISO 8601 UTC with
// the seconds since the start in the next column.
#include <fmt/format.h>

#include <fstream>

#include "dc/text.h"
#include "report/report.h"
#include "scenario/units.h"

namespace dcemu::report {

namespace {

class CsvWriter {
 public:
  explicit CsvWriter(int64_t start) : start_(start) {}

  void header(std::initializer_list<std::string_view> names) {
    bool first = true;
    for (std::string_view name : names) {
      if (!first) text_ += ',';
      text_ += dc::csvField(name);
      first = false;
    }
    text_ += "\r\n";
  }
  CsvWriter& cell(std::string_view value) {
    if (!lineStart_) text_ += ',';
    text_ += dc::csvField(value);
    lineStart_ = false;
    return *this;
  }
  CsvWriter& number(uint64_t value) { return cell(std::to_string(value)); }
  // Two columns: the instant and the seconds since the start.
  CsvWriter& time(const std::optional<int64_t>& at) {
    if (!at) return cell("").cell("");
    return cell(scenario::formatUtcInstant(*at)).cell(std::to_string((*at - start_) / scenario::kMicrosPerSecond));
  }
  void end() {
    text_ += "\r\n";
    lineStart_ = true;
  }
  const std::string& text() const { return text_; }

 private:
  int64_t start_;
  std::string text_;
  bool lineStart_ = true;
};

}  // namespace

std::vector<std::pair<std::string, std::string>> reportCsvFiles(const PlanningReport& report) {
  CsvWriter migrations(report.start), hosts(report.start), blockers(report.start), failures(report.start),
      losses(report.start), whatIf(report.start);
  migrations.header({"dmsa", "superseded_account", "decision", "complete_from", "complete_from_s", "at_risk",
                     "decision_reason", "started", "started_s", "completed", "completed_s", "safe_from", "safe_from_s",
                     "hosts", "lost_aces", "blockers", "failed_host_services"});
  hosts.header({"dmsa", "host", "service", "site", "dmsa_capable", "learned", "learned_s", "safe_from", "safe_from_s"});
  blockers.header({"dmsa", "host", "service", "dc", "next_logon", "next_logon_s", "reason"});
  failures.header({"dmsa", "host", "service", "first_failed", "first_failed_s", "dc", "failures", "reason"});
  losses.header({"dmsa", "host", "dc", "at", "at_s"});
  whatIf.header({"complete_at", "complete_at_s", "dmsa", "refused", "host", "service", "first_failed", "first_failed_s",
                 "dc", "reason"});
  for (const MigrationReport& m : report.migrations) {
    migrations.cell(m.dmsa).cell(m.account).cell(m.decision.go ? "go" : "no-go").time(m.decision.completeFrom);
    migrations.cell(m.decision.atRisk ? "true" : "false").cell(m.decision.reason);
    migrations.time(m.started).time(m.completed).time(m.safeFrom);
    migrations.number(m.hosts.size()).number(m.losses.size()).number(m.blockers.size()).number(m.failures.size());
    migrations.end();
    for (const ReportHost& h : m.hosts) {
      hosts.cell(m.dmsa).cell(h.host).cell(h.service).cell(h.site).cell(h.dmsaCapable ? "true" : "false");
      hosts.time(h.learned).time(h.safeFrom).end();
    }
    for (const ReportBlocker& b : m.blockers)
      blockers.cell(m.dmsa).cell(b.host).cell(b.service).cell(b.dc).time(b.nextLogon).cell(b.reason).end();
    for (const ReportFailure& f : m.failures)
      failures.cell(m.dmsa).cell(f.host).cell(f.service).time(f.at).cell(f.dc).number(f.count).cell(f.reason).end();
    for (const ReportLoss& l : m.losses) losses.cell(m.dmsa).cell(l.host).cell(l.dc).time(l.at).end();
  }
  CsvWriter regardless(report.start);
  regardless.header({"host", "service", "dmsa", "from", "from_s", "to", "to_s", "failures", "dc", "cause"});
  for (const ReportFailurePeriod& p : report.failsRegardless) {
    regardless.cell(p.host).cell(p.service).cell(p.dmsa).time(p.from).time(p.to).number(p.count).cell(p.dc);
    regardless.cell(p.reason).end();
  }
  if (report.whatIf) {
    // One row per failing host service, or one row with no host when none
    // fails, so that every moment and migration appears.
    for (const WhatIfMoment& moment : report.whatIf->moments) {
      for (const auto& o : moment.outcomes) {
        if (o.failures.empty()) {
          whatIf.time(moment.at).cell(o.dmsa).cell(o.refused ? "true" : "false");
          whatIf.cell("").cell("").time(std::nullopt).cell("").cell(o.refused ? o.refusal : "").end();
        }
        for (const ReportFailure& f : o.failures) {
          whatIf.time(moment.at).cell(o.dmsa).cell("false").cell(f.host).cell(f.service).time(f.at).cell(f.dc);
          whatIf.cell(f.reason).end();
        }
      }
    }
  }
  std::vector<std::pair<std::string, std::string>> files = {
      {"migrations.csv", migrations.text()}, {"hosts.csv", hosts.text()},
      {"blockers.csv", blockers.text()},     {"failures.csv", failures.text()},
      {"lost_aces.csv", losses.text()},      {"fails_regardless.csv", regardless.text()}};
  if (report.whatIf) files.push_back({"what_if.csv", whatIf.text()});
  return files;
}

}  // namespace dcemu::report
