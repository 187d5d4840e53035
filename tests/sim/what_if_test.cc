// The what-if completion table: exact, because each moment is a fork of
// the run; these tests hold it against runs of files that really complete
// at those moments, and against a topology small enough to work by hand.
#include "sim/what_if.h"

#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <regex>

#include "cli/commands.h"
#include "scenario/loader.h"
#include "scenario/units.h"
#include "sim/world.h"
#include "tests/support/test_support.h"

namespace dcemu::sim {
namespace {

using namespace dcemu::testing;

using Catch::Matchers::Contains;

// The failures of `dmsa` in a run of `text` (a whole topology file) to
// `span` after its start.
std::vector<report::ReportFailure> failuresOfRun(const std::string& text, const std::string& dmsa, int64_t span) {
  auto path = std::filesystem::temp_directory_path() / "dcemu-what-if-real-run.toml";
  std::ofstream(path) << text;
  scenario::LoadResult loaded = scenario::loadScenarioFile(path.string());
  INFO(fmt::format("{}", fmt::join(loaded.errors, "\n")));
  REQUIRE(loaded.scenario);
  auto world = World::create(*loaded.scenario, loaded.scenario->seed, false);
  REQUIRE(world.isOk());
  (*world)->runUntil(span);
  for (const report::MigrationReport& m : (*world)->planningReport().migrations)
    if (m.dmsa == dmsa) {
      CHECK(m.completed);
      return m.failures;
    }
  FAIL("no migration " << dmsa);
  return {};
}

bool sameFailures(const std::vector<report::ReportFailure>& a, const std::vector<report::ReportFailure>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].host != b[i].host || a[i].service != b[i].service || a[i].dc != b[i].dc || a[i].reason != b[i].reason ||
        a[i].at != b[i].at || a[i].count != b[i].count)
      return false;
  }
  return true;
}

TEST_CASE("The what-if table agrees, host for host, with runs that really complete at those moments",
          "[sim][what-if]") {
  std::string file = std::string(DCEMU_TOPOLOGIES_DIR) + "/migration-planning.toml";
  scenario::LoadResult loaded = scenario::loadScenarioFile(file);
  REQUIRE(loaded.scenario);
  const scenario::Scenario& scenario = *loaded.scenario;
  auto table = buildWhatIfTable(scenario, scenario.seed, {std::nullopt, std::nullopt, scenario.effectiveDuration(), 2});
  REQUIRE(table.isOk());
  std::string text = readFile(file);
  // Moments where dmsa_web and dmsa_files fail, and where they do not.
  for (int64_t offset : {36 * scenario::kMicrosPerHour, 2 * scenario::kMicrosPerDay, 4 * scenario::kMicrosPerDay,
                         108 * scenario::kMicrosPerHour}) {
    const report::WhatIfMoment* moment = nullptr;
    for (const report::WhatIfMoment& m : table->moments)
      if (m.at == scenario.start + offset) moment = &m;
    REQUIRE(moment);
    // The same file with the completions written into it, after its steps.
    std::string completing = text;
    for (const auto& outcome : moment->outcomes)
      completing +=
          fmt::format("\n[[step]]\nat = \"{}\"\naction = \"complete-migration\"\ndc = \"HUB-DC1\"\ndmsa = \"{}\"\n",
                      scenario::formatDuration(offset), outcome.dmsa);
    completing = std::regex_replace(
        completing, std::regex("duration = \"10d\""),
        fmt::format("duration = \"{}\"", scenario::formatDuration(moment->observedUntil - scenario.start)));
    for (const auto& outcome : moment->outcomes) {
      INFO("completing " << outcome.dmsa << " at " << scenario::formatDuration(offset));
      CHECK_FALSE(outcome.refused);
      CHECK(sameFailures(outcome.failures,
                         failuresOfRun(completing, outcome.dmsa, moment->observedUntil - scenario.start)));
    }
  }
  // The moments above straddle the answers the table gives.
  REQUIRE(table->earliest.size() == 3);
  CHECK(table->earliest[0].dmsa == "dmsa_web");
  CHECK(table->earliest[0].at == scenario.start + 60 * scenario::kMicrosPerHour);
  CHECK(table->earliest[1].dmsa == "dmsa_files");
  CHECK(table->earliest[1].at == scenario.start + 108 * scenario::kMicrosPerHour);
  CHECK_FALSE(table->earliest[2].at);  // dmsa_kiosk: three hosts are not dMSA-capable
}

TEST_CASE("The what-if table is the same whatever the number of forks run at once", "[sim][what-if]") {
  std::string file = std::string(DCEMU_TOPOLOGIES_DIR) + "/migration-partitioned-branch.toml";
  cli::CommandOutput one = cli::runCommand(file, {.whatIfEvery = "6h", .jobs = 1});
  cli::CommandOutput three = cli::runCommand(file, {.whatIfEvery = "6h", .jobs = 3});
  REQUIRE(one.exitCode == 0);
  CHECK_THAT(one.out, Contains("what if"));
  CHECK(one.out == three.out);
}

// One DC, one host, TGTs of 10 h: the host logs on at a seeded moment in
// its first 2 h and renews every 10 h. The start at 3h reaches the only DC
// at once; the host adds its ACE at its first renewal after 3h, at `learned`
// in [3h, 13h). With one DC the ACE is everywhere the moment it is written,
// so "safe from" is `learned` itself. Completing before it fails the host
// (at its first logon after the completion, as the old account is
// disabled and it is not in the membership); completing after it does not.
// With candidates every hour, the earliest clean moment is `learned`
// rounded up to the hour, 1 h after the last failing one.
TEST_CASE("On one DC and one host, safe-from is the learning and the earliest clean moment the next hour after it",
          "[sim][what-if]") {
  std::string text = R"(
[simulation]
duration = "2d"
[kerberos]
tgt_lifetime = "10h"
[domain]
name = "corp.example.com"
[[site]]
name = "HQ"
[[dc]]
name = "DC1"
site = "HQ"
[[service_account]]
name = "svc_app"
[[dmsa]]
name = "dmsa_app"
supersedes = "svc_app"
[[host_group]]
host = "app1"
site = "HQ"
services = ["svc_app"]
[[step]]
at = "3h"
action = "start-migration"
dc = "DC1"
dmsa = "dmsa_app"
)";
  auto path = std::filesystem::temp_directory_path() / "dcemu-what-if-by-hand.toml";
  std::ofstream(path) << text;
  cli::CommandOutput run = cli::runCommand(path.string(), {.whatIfEvery = "1h", .jsonFile = (path.string() + ".json")});
  INFO(run.out << run.err);
  REQUIRE(run.exitCode == 0);
  scenario::LoadResult loaded = scenario::loadScenarioFile(path.string());
  REQUIRE(loaded.scenario);
  auto world = World::create(*loaded.scenario, loaded.scenario->seed, false);
  REQUIRE(world.isOk());
  (*world)->runUntil(loaded.scenario->effectiveDuration());
  report::PlanningReport report = (*world)->planningReport();
  REQUIRE(report.migrations.size() == 1);
  const report::MigrationReport& m = report.migrations[0];
  REQUIRE(m.hosts.size() == 1);
  REQUIRE(m.hosts[0].learned);
  int64_t learned = *m.hosts[0].learned - report.start;
  CHECK(learned >= 3 * scenario::kMicrosPerHour);
  CHECK(learned < 13 * scenario::kMicrosPerHour);
  CHECK(m.safeFrom == m.hosts[0].learned);
  int64_t nextHour = (learned + scenario::kMicrosPerHour - 1) / scenario::kMicrosPerHour * scenario::kMicrosPerHour;
  CHECK_THAT(run.out, Contains(fmt::format(
                          "dmsa_app: earliest completion with no failing host {}, 1h after the last "
                          "moment with a failure ({})",
                          scenario::formatMoment(report.start + nextHour, report.start),
                          scenario::formatMoment(report.start + nextHour - scenario::kMicrosPerHour, report.start))));
}

}  // namespace
}  // namespace dcemu::sim
