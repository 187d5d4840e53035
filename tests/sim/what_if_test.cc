// The what-if completion table: exact, because each moment is a fork of
// the run; these tests hold it against runs of files that really complete
// at those moments, and against a topology small enough to work by hand.
#include "sim/what_if.h"

#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
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

TEST_CASE("Each what-if column agrees, host for host, with a run that really completes that migration alone there",
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
    for (const auto& outcome : moment->outcomes) {
      // The same file with this migration's completion alone written into
      // it, after its steps: each column completes one migration while the
      // others go on as the file says.
      std::string completing =
          text +
          fmt::format("\n[[step]]\nat = \"{}\"\naction = \"complete-migration\"\ndc = \"HUB-DC1\"\ndmsa = \"{}\"\n",
                      scenario::formatDuration(offset), outcome.dmsa);
      completing = std::regex_replace(
          completing, std::regex("duration = \"10d\""),
          fmt::format("duration = \"{}\"", scenario::formatDuration(moment->observedUntil - scenario.start)));
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

// A branch behind an RODC that may not cache svc_app, cut off from the hub
// from day 2 to day 3: its host cannot log on then, migration or not.
const char* kOutageBranch = R"(
[simulation]
duration = "5d"
[domain]
name = "corp.example.com"
[[site]]
name = "HQ"
[[site]]
name = "Branch"
[[dc]]
name = "HQ-DC1"
site = "HQ"
[[dc]]
name = "BR-RODC1"
site = "Branch"
rodc = true
[[site_link]]
name = "HQ-Branch"
sites = ["HQ", "Branch"]
interval = "15m"
[[service_account]]
name = "svc_app"
[[dmsa]]
name = "dmsa_app"
supersedes = "svc_app"
[[host_group]]
name = "app"
site = "Branch"
count = 1
services = ["svc_app"]
[[fault]]
kind = "partition"
link = "HQ-Branch"
from = "2d"
to = "3d"
[[step]]
at = "1d"
action = "start-migration"
dc = "HQ-DC1"
dmsa = "dmsa_app"
)";

report::WhatIfMoment::Outcome completingAt(const std::string& text, const std::string& at) {
  scenario::LoadResult loaded = scenario::parseScenario(text, "outage.toml");
  INFO(fmt::format("{}", fmt::join(loaded.errors, "\n")));
  REQUIRE(loaded.scenario);
  auto moment = std::get<int64_t>(scenario::parseDuration(at));
  auto table =
      buildWhatIfTable(*loaded.scenario, 1, {std::nullopt, moment, loaded.scenario->effectiveDuration(), 1, {}});
  REQUIRE(table.isOk());
  REQUIRE(table->moments.size() == 1);
  REQUIRE(table->moments[0].outcomes.size() == 1);
  return table->moments[0].outcomes[0];
}

TEST_CASE("A failure that happens anyway never counts against a completion moment", "[sim][what-if]") {
  // Completing inside the outage: the host fails until the link is back,
  // as it does in the run without the completion, and logs on as the dMSA
  // after it.
  report::WhatIfMoment::Outcome inside = completingAt(kOutageBranch, "2d6h");
  CHECK_FALSE(inside.refused);
  CHECK(inside.failures.empty());
  REQUIRE(inside.failsRegardless.size() == 1);
  CHECK(inside.failsRegardless[0].host == "app-001");
  CHECK_THAT(inside.failsRegardless[0].reason, Contains("holds no secret for svc_app and reaches no writable DC"));
}

TEST_CASE("A completion before a host learned counts against the moment: it logs on fine without it",
          "[sim][what-if]") {
  report::WhatIfMoment::Outcome early = completingAt(kOutageBranch, "1d1m");
  REQUIRE(early.failures.size() == 1);
  CHECK(early.failures[0].host == "app-001");
  const int64_t outageStart = scenario::Scenario{}.start + 2 * scenario::kMicrosPerDay;
  CHECK(early.failures[0].at < outageStart);  // before the outage: the completion's doing
  // Inside the outage it would fail without the completion too.
  for (const report::ReportFailure& f : early.failsRegardless) CHECK(f.at >= outageStart);
}

nlohmann::json hospitalReport(const std::string& extraSteps, const std::vector<std::string>& options) {
  std::string text = readFile(topology("hospital-group.toml")) + extraSteps;
  auto file = std::filesystem::temp_directory_path() / "dcemu-hospital.toml";
  auto json = std::filesystem::temp_directory_path() / "dcemu-hospital.json";
  std::ofstream(file) << text;
  cli::RunOptions run;
  run.jsonFile = json.string();
  run.noWhatIf = std::find(options.begin(), options.end(), "--no-what-if") != options.end();
  cli::CommandOutput out = cli::runCommand(file.string(), run);
  INFO(out.err);
  REQUIRE(out.exitCode == 0);
  return nlohmann::json::parse(readFile(json));
}

const nlohmann::json& migrationOf(const nlohmann::json& report, const std::string& dmsa) {
  for (const nlohmann::json& m : report["migrations"])
    if (m["dmsa"] == dmsa) return m;
  FAIL("no migration " << dmsa);
  return report;
}

TEST_CASE("The hospital group: GO for the file servers despite a clinic's outage, NO-GO for legacy hosts",
          "[sim][what-if][decision]") {
  nlohmann::json report = hospitalReport("", {});
  const nlohmann::json& files = migrationOf(report, "dmsa_files");
  CHECK(files["decision"] == "go");
  REQUIRE(files["complete_from"].is_object());
  // The outage's failures are listed apart, and completing inside it adds none.
  bool westListed = false;
  for (const nlohmann::json& period : report["fails_regardless"])
    if (period["host"] == "west-files-001" && period["dmsa"] == "dmsa_files") westListed = true;
  CHECK(westListed);
  bool insideOutageClean = false;
  for (const nlohmann::json& moment : report["what_if"]["moments"]) {
    int64_t at = moment["complete_at"]["since_start_s"];
    if (at <= 2 * 86400 || at >= 4 * 86400) continue;
    for (const nlohmann::json& outcome : moment["outcomes"]) {
      if (outcome["dmsa"] != "dmsa_files" || !outcome["failures"].empty()) continue;
      for (const nlohmann::json& f : outcome["fails_regardless"])
        if (f["host"] == "west-files-001") insideOutageClean = true;
    }
  }
  CHECK(insideOutageClean);
  // From the first moment every file server has learned, no later one fails.
  CHECK(files["complete_from"]["since_start_s"].get<int64_t>() <=
        files["safe_from"]["since_start_s"].get<int64_t>() + 12 * 3600);
  for (const char* legacy : {"dmsa_print", "dmsa_lab"}) {
    const nlohmann::json& m = migrationOf(report, legacy);
    CHECK(m["decision"] == "no-go");
    CHECK_THAT(m["decision_reason"].get<std::string>(), Contains("cannot run a dMSA") && Contains("upgrade"));
    CHECK(m["at_risk"] == true);
  }
  CHECK(migrationOf(report, "dmsa_ehr")["decision"] == "go");
  CHECK(migrationOf(report, "dmsa_imaging")["decision"] == "go");
}

TEST_CASE("Granting the legacy print servers in the membership changes nothing for them", "[sim][decision]") {
  nlohmann::json granted = hospitalReport(R"toml(
[[step]]
at = "12h"
action = "ldap-modify"
dc = "HUB-DC1"
object = "dmsa_print"
replace = { "msDS-GroupMSAMembership" = "O:BAD:(A;;RP;;;legacy-print-servers)" }
)toml",
                                          {"--no-what-if"});
  const nlohmann::json& print = migrationOf(granted, "dmsa_print");
  CHECK(print["decision"] == "no-go");
  CHECK_THAT(print["decision_reason"].get<std::string>(), Contains("12 hosts cannot run a dMSA"));
  CHECK(print["safe_from"].is_null());
  size_t legacy = 0;
  for (const nlohmann::json& host : print["hosts"]) {
    if (host["dmsa_capable"]) continue;
    ++legacy;
    INFO(host["host"]);
    CHECK(host["learned"].is_null());
    CHECK(host["ace_history"].empty());
  }
  CHECK(legacy == 12);
}

// [planning] change_windows: the table tries the windows' moments only, and
// each of them answers as it does without the windows (a fork depends on
// its moment alone), so "complete from" is the first usable moment of the
// unrestricted answer.
TEST_CASE("Change windows limit the what-if to their moments and leave each moment's answer as it was",
          "[sim][what-if][planning]") {
  std::string file = std::string(DCEMU_TOPOLOGIES_DIR) + "/migration-planning.toml";
  std::string text = readFile(file);
  auto path = std::filesystem::temp_directory_path() / "dcemu-change-windows.toml";
  std::ofstream(path) << text << "\n[planning]\nchange_windows = [ { from = \"00:00\", to = \"01:00\" } ]\n";
  scenario::LoadResult windowed = scenario::loadScenarioFile(path.string());
  scenario::LoadResult plain = scenario::loadScenarioFile(file);
  REQUIRE(windowed.scenario);
  REQUIRE(plain.scenario);
  WhatIfOptions options{12 * scenario::kMicrosPerHour, std::nullopt, plain.scenario->effectiveDuration(), 2};
  auto limited = buildWhatIfTable(*windowed.scenario, 1, options);
  auto every = buildWhatIfTable(*plain.scenario, 1, options);
  REQUIRE(limited.isOk());
  REQUIRE(every.isOk());
  CHECK(limited->changeWindows == "Mon-Sun 00:00-01:00");
  REQUIRE_FALSE(limited->moments.empty());
  for (const report::WhatIfMoment& moment : limited->moments) {
    int64_t timeOfDay = (moment.at - plain.scenario->start) % scenario::kMicrosPerDay;
    CHECK(timeOfDay < scenario::kMicrosPerHour);
    auto same = std::find_if(every->moments.begin(), every->moments.end(),
                             [&](const report::WhatIfMoment& m) { return m.at == moment.at; });
    REQUIRE(same != every->moments.end());
    REQUIRE(same->outcomes.size() == moment.outcomes.size());
    for (size_t i = 0; i < moment.outcomes.size(); ++i)
      CHECK(sameFailures(same->outcomes[i].failures, moment.outcomes[i].failures));
  }
  // Each migration's earliest clean moment is the unrestricted table's
  // first clean moment inside a window.
  REQUIRE(limited->earliest.size() == every->earliest.size());
  for (size_t e = 0; e < limited->earliest.size(); ++e) {
    std::optional<int64_t> expected;
    for (const report::WhatIfMoment& moment : every->moments) {
      int64_t timeOfDay = (moment.at - plain.scenario->start) % scenario::kMicrosPerDay;
      bool inWindow = timeOfDay < scenario::kMicrosPerHour;
      for (const auto& outcome : moment.outcomes)
        if (inWindow && !expected && outcome.dmsa == limited->earliest[e].dmsa && !outcome.refused &&
            outcome.failures.empty())
          expected = moment.at;
    }
    INFO(limited->earliest[e].dmsa);
    CHECK(limited->earliest[e].at == expected);
  }
  CHECK(limited->earliest[0].at);  // dmsa_web becomes clean inside a window
}

}  // namespace
}  // namespace dcemu::sim
