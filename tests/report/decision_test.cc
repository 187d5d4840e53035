// GO or NO-GO per migration (docs/report-format.md, "decision"), decided
// from report data alone: what a run and its what-if table found.
#include <catch2/catch.hpp>

#include "report/report.h"

namespace dcemu::report {
namespace {

constexpr int64_t kHour = 3600LL * 1000000;
constexpr int64_t kStart = 1767571200LL * 1000000;  // 2026-01-05T00:00:00Z

MigrationReport started(const std::string& dmsa) {
  MigrationReport m;
  m.dmsa = dmsa;
  m.account = "svc_" + dmsa;
  m.started = kStart + 24 * kHour;
  m.hosts.push_back({"web-001", "svc_web", "HQ", true, kStart + 30 * kHour, kStart + 31 * kHour, {"DC1"}, {}});
  return m;
}

// A table whose moments for `dmsa` fail (false) or not (true), 12 hours apart.
WhatIfTable table(const std::string& dmsa, const std::vector<bool>& clean) {
  WhatIfTable t;
  t.every = 12 * kHour;
  for (size_t i = 0; i < clean.size(); ++i) {
    WhatIfMoment moment;
    moment.at = kStart + static_cast<int64_t>(i + 3) * 12 * kHour;
    WhatIfMoment::Outcome outcome;
    outcome.dmsa = dmsa;
    if (!clean[i]) outcome.failures.push_back({"web-001", "svc_web", "DC1", "not in the membership on DC1", 0, 1});
    moment.outcomes.push_back(outcome);
    t.moments.push_back(moment);
  }
  return t;
}

TEST_CASE("GO from the earliest moment after which no candidate makes a host service fail", "[report][decision]") {
  PlanningReport report;
  report.start = kStart;
  report.migrations.push_back(started("web"));
  report.whatIf = table("web", {false, true, false, true, true});
  decideMigrations(report);
  const ReportDecision& d = report.migrations[0].decision;
  CHECK(d.go);
  REQUIRE(d.completeFrom);
  CHECK(*d.completeFrom == report.whatIf->moments[3].at);  // not the clean moment before a failing one
  CHECK_FALSE(d.atRisk);
}

TEST_CASE("NO-GO when the last candidate moment still fails, and that is a risk", "[report][decision]") {
  PlanningReport report;
  report.start = kStart;
  report.migrations.push_back(started("web"));
  report.whatIf = table("web", {true, false});
  decideMigrations(report);
  const ReportDecision& d = report.migrations[0].decision;
  CHECK_FALSE(d.go);
  CHECK_FALSE(d.completeFrom);
  CHECK(d.atRisk);
  CHECK(report.atRisk().size() == 1);
  CHECK(report.atRisk({"WEB"}).size() == 1);  // names ignore case
  CHECK(report.atRisk({"other"}).empty());
}

TEST_CASE("A host that cannot run a dMSA makes the migration NO-GO, granted or clean in every moment",
          "[report][decision]") {
  PlanningReport report;
  report.start = kStart;
  MigrationReport m = started("print");
  m.hosts.push_back({"print-old-001", "svc_print", "HQ", false, std::nullopt, std::nullopt, {"DC1"}, {}});
  report.migrations.push_back(m);
  report.whatIf = table("print", {true, true});
  decideMigrations(report);
  const ReportDecision& d = report.migrations[0].decision;
  CHECK_FALSE(d.go);
  CHECK_THAT(d.reason, Catch::Contains("print-old-001") && Catch::Contains("upgrade") &&
                           Catch::Contains("move their service off svc_print"));
}

TEST_CASE("A healed ACE loss is no risk, one that never came back is", "[report][decision]") {
  PlanningReport report;
  report.start = kStart;
  MigrationReport m = started("web");
  m.completed = kStart + 48 * kHour;
  m.losses.push_back({"web-001", "DC1", kStart + 32 * kHour});
  m.hosts[0].aceHistory = {{"DC1", kStart + 30 * kHour, true, false},
                           {"DC1", kStart + 32 * kHour, false, true},
                           {"DC1", kStart + 33 * kHour, true, false}};
  report.migrations.push_back(m);
  decideMigrations(report);
  CHECK(report.migrations[0].decision.go);  // completed, and nothing failed after it
  CHECK_FALSE(report.migrations[0].decision.atRisk);

  report.migrations[0].hosts[0].aceHistory.pop_back();  // it never came back
  decideMigrations(report);
  CHECK(report.migrations[0].decision.atRisk);
  REQUIRE(report.migrations[0].decision.risks.size() == 1);
  CHECK_THAT(report.migrations[0].decision.risks[0], Catch::Contains("has not got it back"));
}

TEST_CASE("A completed migration whose hosts failed after the completion is NO-GO", "[report][decision]") {
  PlanningReport report;
  report.start = kStart;
  MigrationReport m = started("web");
  m.completed = kStart + 48 * kHour;
  m.failures.push_back({"web-001", "svc_web", "DC1", "not in the membership on DC1", kStart + 50 * kHour, 3});
  report.migrations.push_back(m);
  decideMigrations(report);
  CHECK_FALSE(report.migrations[0].decision.go);
  CHECK(report.migrations[0].decision.atRisk);
}

TEST_CASE("A migration never started is NO-GO but no risk", "[report][decision]") {
  PlanningReport report;
  report.start = kStart;
  MigrationReport m = started("web");
  m.started.reset();
  report.migrations.push_back(m);
  decideMigrations(report);
  CHECK_FALSE(report.migrations[0].decision.go);
  CHECK_FALSE(report.migrations[0].decision.atRisk);
}

}  // namespace
}  // namespace dcemu::report
