// The planning report as JSON, in the shape docs/report.schema.json
// describes: every time as {"utc", "since_start_s"}, counts as numbers,
// absent times as null. Keys keep a fixed order so equal runs give equal
// bytes.
#include "report/report_json.h"

#include "scenario/units.h"

namespace dcemu::report {

namespace {

using Json = nlohmann::ordered_json;

class JsonReport {
 public:
  explicit JsonReport(const PlanningReport& report) : r_(report) {}

  Json render() const {
    Json out;
    out["format"] = "dcemu-planning-report";
    out["version"] = kReportFormatVersion;
    out["file"] = r_.file;
    out["seed"] = r_.seed;
    out["start"] = time(r_.start);
    out["end"] = time(r_.end);
    out["migrations"] = Json::array();
    for (const MigrationReport& m : r_.migrations) out["migrations"].push_back(migration(m));
    out["fails_regardless"] = Json::array();
    for (const ReportFailurePeriod& p : r_.failsRegardless) {
      out["fails_regardless"].push_back({{"host", p.host},
                                         {"service", p.service},
                                         {"dmsa", p.dmsa.empty() ? Json() : Json(p.dmsa)},
                                         {"from", time(p.from)},
                                         {"to", time(p.to)},
                                         {"failures", p.count},
                                         {"dc", p.dc},
                                         {"cause", p.reason}});
    }
    out["rodcs"] = Json::array();
    for (const ReportRodc& rodc : r_.rodcs) out["rodcs"].push_back(rodcPolicy(rodc));
    out["what_if"] = r_.whatIf ? whatIf(*r_.whatIf) : Json();
    out["at_risk"] = !r_.atRisk().empty();
    return out;
  }

 private:
  Json time(int64_t at) const {
    return Json{{"utc", scenario::formatUtcInstant(at)},
                {"since_start_s", (at - r_.start) / scenario::kMicrosPerSecond}};
  }
  Json time(const std::optional<int64_t>& at) const { return at ? time(*at) : Json(); }

  Json failure(const ReportFailure& f) const {
    return Json{{"host", f.host}, {"service", f.service}, {"first_failed", time(f.at)},
                {"dc", f.dc},     {"failures", f.count},  {"reason", f.reason}};
  }

  Json aceHistory(const std::vector<ReportAceChange>& history) const {
    Json out = Json::array();
    for (const ReportAceChange& c : history)
      out.push_back({{"dc", c.dc}, {"at", time(c.at)}, {"present", c.present}, {"lost", c.lost}});
    return out;
  }

  Json migration(const MigrationReport& m) const {
    Json out;
    out["dmsa"] = m.dmsa;
    out["superseded_account"] = m.account;
    out["decision"] = m.decision.go ? "go" : "no-go";
    out["complete_from"] = time(m.decision.completeFrom);
    out["decision_reason"] = m.decision.reason;
    out["decision_notes"] = m.decision.notes;
    out["at_risk"] = m.decision.atRisk;
    out["risks"] = m.decision.risks;
    out["created"] = time(m.created);
    out["started"] = time(m.started);
    out["completed"] = time(m.completed);
    out["steps"] = Json::array();
    for (const ReportStep& s : m.steps) out["steps"].push_back({{"operation", s.op}, {"dc", s.dc}, {"at", time(s.at)}});
    out["dcs"] = Json::array();
    for (const ReportDc& d : m.dcs) {
      out["dcs"].push_back({{"name", d.name},
                            {"site", d.site},
                            {"read_only", d.readOnly},
                            {"start_arrived", time(d.startArrived)},
                            {"completion_arrived", time(d.completionArrived)},
                            {"hosts_allowed", d.hostsAllowed},
                            {"missing_at_completion", d.missingAtCompletion}});
    }
    out["hosts"] = Json::array();
    for (const ReportHost& h : m.hosts) {
      out["hosts"].push_back({{"host", h.host},
                              {"service", h.service},
                              {"site", h.site},
                              {"dmsa_capable", h.dmsaCapable},
                              {"learned", time(h.learned)},
                              {"safe_from", time(h.safeFrom)},
                              {"locator_dcs", h.locatorDcs},
                              {"ace_history", aceHistory(h.aceHistory)}});
    }
    out["lost_aces"] = Json::array();
    for (const ReportLoss& l : m.losses)
      out["lost_aces"].push_back({{"host", l.host}, {"dc", l.dc}, {"at", time(l.at)}});
    out["start_crossings"] = Json::array();
    for (const ReportLinkDelay& c : m.startCrossings) {
      out["start_crossings"].push_back({{"site_link", c.link},
                                        {"from_site", c.from},
                                        {"to_site", c.to},
                                        {"delay_s", c.delay / scenario::kMicrosPerSecond}});
    }
    out["safe_from"] = time(m.safeFrom);
    out["blockers"] = Json::array();
    for (const ReportBlocker& b : m.blockers) {
      out["blockers"].push_back({{"host", b.host},
                                 {"service", b.service},
                                 {"dc", b.dc},
                                 {"reason", b.reason},
                                 {"next_logon", time(b.nextLogon)}});
    }
    out["logons_after_completion"] = m.logonsAfterCompletion;
    out["failed_logons_after_completion"] = m.failedLogonsAfterCompletion;
    out["failures"] = Json::array();
    for (const ReportFailure& f : m.failures) out["failures"].push_back(failure(f));
    return out;
  }

  Json rodcPolicy(const ReportRodc& rodc) const {
    auto account = [](const RodcAccountState& a) {
      return Json{{"account", a.account},
                  {"dn", a.dn},
                  {"cached", a.cached},
                  {"allowed", a.allowed},
                  {"refusal", a.allowed ? Json() : Json(a.refusal)}};
    };
    Json services = Json::array();
    for (const RodcHostService& hs : rodc.hostServices)
      services.push_back({{"host", hs.host},
                          {"service", hs.service},
                          {"now", account(hs.now)},
                          {"after_completion", hs.dmsa ? account(*hs.dmsa) : Json()}});
    return Json{{"name", rodc.name},     {"site", rodc.site},     {"allowed", rodc.allowed},
                {"denied", rodc.denied}, {"cached", rodc.cached}, {"host_services", std::move(services)},
                {"advice", rodc.advice}};
  }

  Json whatIf(const WhatIfTable& t) const {
    Json out;
    out["every_s"] = t.every ? Json(t.every / scenario::kMicrosPerSecond) : Json();
    out["change_windows"] = t.changeWindows.empty() ? Json() : Json(t.changeWindows);
    out["moments"] = Json::array();
    for (const WhatIfMoment& moment : t.moments) {
      Json outcomes = Json::array();
      for (const auto& o : moment.outcomes) {
        Json failures = Json::array(), regardless = Json::array();
        for (const ReportFailure& f : o.failures) failures.push_back(failure(f));
        for (const ReportFailure& f : o.failsRegardless) regardless.push_back(failure(f));
        outcomes.push_back({{"dmsa", o.dmsa},
                            {"refused", o.refused},
                            {"refusal", o.refused ? Json(o.refusal) : Json()},
                            {"failures", std::move(failures)},
                            {"fails_regardless", std::move(regardless)}});
      }
      out["moments"].push_back(
          {{"complete_at", time(moment.at)}, {"observed_until", time(moment.observedUntil)}, {"outcomes", outcomes}});
    }
    out["earliest"] = Json::array();
    for (const auto& e : t.earliest) {
      out["earliest"].push_back({{"dmsa", e.dmsa},
                                 {"at", time(e.at)},
                                 {"last_failing", time(e.lastFailing)},
                                 {"stays_safe", e.at ? Json(e.staysSafe) : Json()}});
    }
    return out;
  }

  const PlanningReport& r_;
};

}  // namespace

nlohmann::ordered_json reportJson(const PlanningReport& report) {
  return JsonReport(report).render();
}

}  // namespace dcemu::report
