// Migrations in the simulated world: the seed's warning over 100 seeds, the
// early completion variant, every example file with its expectations, and
// the risk report at enterprise scale.
#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <regex>
#include <sstream>

#include "cli/commands.h"
#include "report/report.h"
#include "report/risk.h"
#include "scenario/loader.h"
#include "scenario/units.h"
#include "sim/world.h"
#include "tests/support/test_support.h"

namespace dcemu::sim {
namespace {

using namespace dcemu::testing;

using Catch::Matchers::Contains;

// The tracker's migrations as `dcemu run` prints them.
std::string textOf(const report::RiskTracker& risk) {
  report::PlanningReport report;
  report.migrations = risk.reports();
  return report::reportText(report);
}

}  // namespace

TEST_CASE("The seed's warning: most seeds lose an ACE to a conflict, and every ACE is back before completion",
          "[sim][migration]") {
  scenario::LoadResult loaded = scenario::loadScenarioFile(topology("reference/two-sites-seed-warning.toml"));
  REQUIRE(loaded.scenario);
  int lossy = 0, runs = 0;
  for (uint64_t seed = 1; seed <= 100; ++seed) {
    auto world = World::create(*loaded.scenario, seed, false);
    REQUIRE(world.isOk());
    (*world)->runUntil(loaded.scenario->effectiveDuration());
    const report::RiskTracker& risk = (*world)->risk();
    INFO("seed " << seed << "\n" << textOf(risk));
    ++runs;
    if (risk.lostUpdateCount() > 0) {
      ++lossy;
      // A loss needs the West DC to see the start while East hosts still
      // learn: the start must arrive within one TGT lifetime.
      REQUIRE(risk.slowestStartArrival());
      CHECK(*risk.slowestStartArrival() < loaded.scenario->tgtLifetime);
    }
    CHECK(risk.allPresentAtCompletion());
    CHECK(risk.failedLogonsAfterCompletion() == 0);
    CHECK((*world)->findings().empty());
  }
  WARN("runs losing at least one ACE: " << lossy << " of " << runs);
  CHECK(lossy * 2 > runs);
}

TEST_CASE("Completing before the West site saw the start fails every West host's logon, naming why",
          "[sim][migration]") {
  cli::CommandOutput run = cli::runCommand(topology("two-sites-early-completion.toml"), {});
  INFO(run.out << run.err);
  CHECK(run.exitCode == 0);
  for (int host = 1; host <= 10; ++host)
    CHECK(
        std::regex_search(run.out, std::regex(fmt::format("\n    west-web-{:03d}  svc_web  2026-.* WEST-DC1 ", host))));
  CHECK_THAT(run.out, Contains("not in the membership on WEST-DC1"));
  CHECK_THAT(run.out, !Contains("east-web-001  svc_web  2026"));
  // They stay broken: learning stops at completion. The report says so,
  // and the decision is NO-GO with what to do.
  CHECK_THAT(run.out, Contains("stay broken until dmsa_web is granted to them or the migration is undone"));
  CHECK_THAT(run.out, Contains("NO-GO  dmsa_web  10 host services failed after the completion"));
}

TEST_CASE("Hosts behind an RODC have their membership writes referred to a writable DC", "[sim][migration]") {
  scenario::LoadResult loaded = scenario::loadScenarioFile(topology("migration-rodc-branch.toml"));
  REQUIRE(loaded.scenario);
  auto world = World::create(*loaded.scenario, 1, false);
  REQUIRE(world.isOk());
  (*world)->runUntil(loaded.scenario->effectiveDuration());
  int referred = 0;
  for (const kdc::Event& event : (*world)->events()) {
    if (event.id != kdc::event_id::kDmsaPermissionAdd || event.fields[4].second != "false") continue;
    CHECK(event.fields[0].second == "HQ-DC1");  // every write went to the writable DC, never the RODC
    CHECK(event.fields[5].second == "success");
    ++referred;
  }
  CHECK(referred == 3);
  CHECK((*world)->findings().empty());
}

TEST_CASE("Every example with migrations, logons or BadSuccessor runs with its expectations holding",
          "[sim][migration]") {
  for (const char* name :
       {"reference/two-sites-seed-warning.toml", "reference/sd-write-conflict.toml", "two-sites-early-completion.toml",
        "migration-rodc-branch.toml", "migration-partitioned-branch.toml", "migration-non-capable-hosts.toml",
        "badsuccessor-lab.toml", "badsuccessor-patched.toml", "hq-branch.toml"}) {
    cli::CommandOutput run = cli::runCommand(topology(name), {});
    INFO(name << "\n" << run.out << run.err);
    CHECK(run.exitCode == 0);
    CHECK_THAT(run.out, Contains(", 0 failed\n"));
  }
}

TEST_CASE("At enterprise scale the risk report lists the DCs missing an ACE and sums up the rest", "[sim][risk]") {
  std::vector<std::string> dcs;
  for (int i = 1; i <= 30; ++i) dcs.push_back(fmt::format("DC{:02}", i));
  report::RiskTracker risk(dcs);
  dc::Sid machine = *dc::Sid::parse("S-1-5-21-1-2-3-1105");
  risk.track("dmsa_web", "svc_web", {{"web-001", "svc_web", "HQ", true, machine, {0}}});
  dc::Guid dmsa = *dc::Guid::parse("6f1b2c3d-0000-4000-8000-000000000001");
  risk.identify("dmsa_web", dmsa, 0);
  const int64_t second = 1000000;
  risk.migrationStep("dmsa_web", "Start", "DC01", 0);
  for (int d = 0; d < 30; ++d) risk.observe(d, dmsa, {machine}, 1, d != 0, d * second);
  // Two DCs lose the ACE for good; one of them loses it 25 times first.
  for (int round = 0; round < 25; ++round) {
    risk.observe(28, dmsa, {}, 1, true, (100 + 2 * round) * second);
    risk.observe(28, dmsa, {machine}, 1, false, (101 + 2 * round) * second);
  }
  risk.observe(28, dmsa, {}, 1, true, 200 * second);
  risk.observe(29, dmsa, {}, 1, true, 201 * second);

  std::string report = textOf(risk);
  INFO(report);
  // Times are the instant and the offset from the start (here the epoch).
  CHECK_THAT(report, Contains("  DC29        1970-01-01T00:00:28Z (+28s)  -                   0 of 1"));
  CHECK_THAT(report, Contains("  DC30        1970-01-01T00:00:29Z (+29s)  -                   0 of 1"));
  CHECK_THAT(report, Contains("  28 other DCs: all 1 hosts allowed now, none missing at completion; start arrived "
                              "1970-01-01T00:00:00Z (+0s) to 1970-01-01T00:00:27Z (+27s)\n"));
  CHECK_THAT(report, Contains("  lost      27 ACEs to replication conflicts (1 host)\n"));
  CHECK_THAT(report, Contains("    ... and 7 more lost ACEs\n"));
  CHECK(report.find("DC05") == std::string::npos);
  CHECK(risk.lostUpdateCount() == 27);
}

// The report's "allowed" is the KDC's access check: a group's ACE counts
// (topologies/migration-group-membership.toml: the group's ACE is written
// on DC2 at 12h and reaches DC1 15 s later, by change notification).
TEST_CASE("Membership granted through a group makes hosts safe when the group's ACE is on every DC",
          "[sim][migration]") {
  cli::CommandOutput run = cli::runCommand(std::string(DCEMU_TOPOLOGIES_DIR) + "/migration-group-membership.toml", {});
  INFO(run.out << run.err);
  CHECK(run.exitCode == 0);
  CHECK(std::regex_search(run.out, std::regex("\n  DC1 +HQ .* 4 of 4 ")));
  CHECK_THAT(run.out, Contains("  safe from 2026-01-05T12:00:15Z (+12h15s): every host allowed"));
  CHECK_THAT(run.out, Contains("after completion: 20 ok, 0 failed"));
}

// Microsoft's dMSA overview: dMSA logons need Windows Server 2025 DCs; a
// 2022 KDC gives no superseded-by answer and no dMSA ticket.
TEST_CASE("Hosts whose locator picks a Windows Server 2022 DC fail after completion, those on 2025 do not",
          "[sim][migration]") {
  cli::CommandOutput run = cli::runCommand(std::string(DCEMU_TOPOLOGIES_DIR) + "/migration-mixed-dc-versions.toml", {});
  INFO(run.out << run.err);
  CHECK_THAT(run.out, Contains("svc_app is disabled on DC2"));
  CHECK(run.out.find("disabled on DC1") == std::string::npos);
  CHECK(std::regex_search(run.out, std::regex("after completion: [1-9]\\d* ok, [1-9]\\d* failed")));
}

// Microsoft's dMSA FAQ and the Undo-ADServiceAccountMigration reference:
// services stay configured as the old account; after Undo of a completed
// migration they run as it again; deleting it stops the service at the
// next key fetch.
TEST_CASE("After an undo or a reset hosts run as the old account again, a deleted old account stops the service",
          "[sim][migration]") {
  cli::CommandOutput run = cli::runCommand(std::string(DCEMU_SCENARIOS_DIR) + "/migration-undo-and-delete.toml", {});
  INFO(run.out << run.err);
  CHECK(run.exitCode == 0);
  CHECK_THAT(run.out, Contains("expectations 5 passed, 0 failed"));
  CHECK_THAT(run.out, Contains("DB01  svc_db   2026-01-07T02:55:37Z (+2d2h55m37s)  DC1"));
}

// Microsoft's dMSA overview: the KDC checks msDS-GroupMSAMembership at each
// key fetch; MS-KILE 2.2.13's fetch time bounds how long a removed host
// keeps working.
TEST_CASE("A host whose ACE is removed after it switched fails from its next key fetch with KDC event 314",
          "[sim][migration]") {
  cli::CommandOutput run = cli::runCommand(std::string(DCEMU_SCENARIOS_DIR) + "/migration-ace-removed.toml", {});
  INFO(run.out << run.err);
  CHECK(run.exitCode == 0);
  CHECK_THAT(run.out, Contains("expectations 5 passed, 0 failed"));
  // Removed at 1d12h; its ticket's fetch time came 4 h 26 min later.
  CHECK_THAT(run.out, Contains("web-002  svc_web  2026-01-06T16:26:24Z (+1d16h26m24s)  DC1"));
  // The report says why it is not allowed any more.
  CHECK_THAT(run.out, Contains("web-002  svc_web  DC1"));
  CHECK_THAT(run.out, Contains("its ACE was removed from the membership after it was added"));
}

// Microsoft's pages for events 4768 and 4771: a DC's Security log has a
// refused TGT request with its result code, 0x12 (KDC_ERR_CLIENT_REVOKED)
// for a disabled account. On a Windows Server 2022 DC, which knows no
// dMSA, the completed migration's old account is simply disabled.
TEST_CASE("A DC logs event 4768 with result 0x12 when a host asks it as the completed migration's disabled account",
          "[sim][migration][events]") {
  std::string events = (std::filesystem::temp_directory_path() / "dcemu-4768.jsonl").string();
  cli::CommandOutput run =
      cli::runCommand(std::string(DCEMU_TOPOLOGIES_DIR) + "/migration-mixed-dc-versions.toml", {.eventsFile = events});
  REQUIRE(run.exitCode == 0);
  size_t refused = 0;
  std::istringstream lines(readFile(events));
  for (std::string line; std::getline(lines, line);) {
    if (line.find("\"id\":4768") == std::string::npos) continue;
    ++refused;
    CHECK_THAT(line, Contains("\"source\":\"DC2\""));  // the 2022 DC
    CHECK_THAT(line, Contains("\"Account Name\":\"svc_app\""));
    CHECK_THAT(line, Contains("\"Result Code\":\"0x12\""));
    CHECK(line.find("\"since_start_s\":") != std::string::npos);
  }
  CHECK(refused > 0);
}

// repadmin /prp view's lists, and Microsoft's RODC guidance: an RODC
// answers alone only for the accounts whose secrets it holds (MS-ADTS
// 3.1.1.4.5.x on msDS-RevealOnDemandGroup, msDS-NeverRevealGroup and
// msDS-RevealedUsers); after completion the hosts log on as the dMSA, so it
// must be allowed and cached too.
TEST_CASE("Each RODC's policy view says which host services survive a WAN outage and what to allow or prepopulate",
          "[sim][rodc][report]") {
  auto reportOf = [](const std::string& file, int64_t until) {
    scenario::LoadResult loaded = scenario::loadScenarioFile(std::string(DCEMU_TOPOLOGIES_DIR) + "/" + file);
    REQUIRE(loaded.scenario);
    auto world = World::create(*loaded.scenario, loaded.scenario->seed, false);
    REQUIRE(world.isOk());
    (*world)->runUntil(until);
    return (*world)->planningReport();
  };
  auto serviceOf = [](const report::ReportRodc& rodc, const std::string& host) {
    auto found = std::find_if(rodc.hostServices.begin(), rodc.hostServices.end(),
                              [&](const report::RodcHostService& hs) { return hs.host == host; });
    REQUIRE(found != rodc.hostServices.end());
    return *found;
  };
  SECTION("a completed migration: the POS hosts run as the cached dMSA, the kiosk's account is not allowed") {
    report::PlanningReport report = reportOf("migration-rodc-wan-outage.toml", 6 * scenario::kMicrosPerDay);
    REQUIRE(report.rodcs.size() == 1);
    const report::ReportRodc& rodc = report.rodcs[0];
    CHECK(rodc.name == "BR-RODC1");
    CHECK(std::count(rodc.cached.begin(), rodc.cached.end(), "dmsa_pos") == 1);
    CHECK(std::count(rodc.denied.begin(), rodc.denied.end(), "Denied RODC Password Replication Group") == 1);
    report::RodcHostService pos = serviceOf(rodc, "pos-001");
    CHECK(pos.now.account == "dmsa_pos");
    CHECK(pos.now.cached);
    report::RodcHostService kiosk = serviceOf(rodc, "KIOSK01");
    CHECK_FALSE(kiosk.now.allowed);
    CHECK(kiosk.now.refusal == "not allowed");
    std::string advice = fmt::format("{}", fmt::join(rodc.advice, "\n"));
    CHECK_THAT(advice, Contains("allow svc_kiosk on BR-RODC1"));
    CHECK_THAT(advice, Contains("repadmin /rodcpwdrepl BR-RODC1 HQ-DC1 \"CN=svc_kiosk,CN=Users,DC=corp"));
  }
  SECTION("an open migration: the dMSA is allowed but not cached yet, so prepopulate it before completing") {
    report::PlanningReport report = reportOf("hospital-group.toml", 2 * scenario::kMicrosPerDay);
    auto west = std::find_if(report.rodcs.begin(), report.rodcs.end(),
                             [](const report::ReportRodc& r) { return r.name == "WEST-RODC1"; });
    REQUIRE(west != report.rodcs.end());
    report::RodcHostService ehr = serviceOf(*west, "west-ehr-001");
    CHECK(ehr.now.cached);
    REQUIRE(ehr.dmsa);
    CHECK(ehr.dmsa->account == "dmsa_ehr");
    CHECK(ehr.dmsa->allowed);
    CHECK_FALSE(ehr.dmsa->cached);
    report::RodcHostService files = serviceOf(*west, "west-files-001");
    CHECK_FALSE(files.now.allowed);
    REQUIRE(files.dmsa);
    CHECK_FALSE(files.dmsa->allowed);
    // A legacy print server never runs as the dMSA.
    CHECK_FALSE(serviceOf(*west, "west-print-old-001").dmsa);
    std::string advice = fmt::format("{}", fmt::join(west->advice, "\n"));
    CHECK_THAT(advice, Contains("allow svc_files, dmsa_files"));
    CHECK_THAT(advice, Contains("\"CN=dmsa_ehr,CN=Managed Service Accounts,DC=hospital,DC=example,DC=org\""));
    // The decision says so too.
    auto ehr_migration = std::find_if(report.migrations.begin(), report.migrations.end(),
                                      [](const report::MigrationReport& m) { return m.dmsa == "dmsa_ehr"; });
    REQUIRE(ehr_migration != report.migrations.end());
    std::string notes = fmt::format("{}", fmt::join(ehr_migration->decision.notes, "\n"));
    CHECK_THAT(notes, Contains("behind WEST-RODC1, dmsa_ehr is allowed but not cached yet: 5 host services would fail "
                               "through a WAN outage once completed"));
  }
}

// Microsoft's RODC guidance ("branch operations when the WAN is down"): an
// RODC answers only for accounts whose secrets it holds and forwards the
// rest; a writable DC's TGT is renewed by a writable DC.
TEST_CASE("Behind an RODC a cached account logs on through a WAN outage and an uncached one fails",
          "[sim][migration][rodc]") {
  cli::CommandOutput run = cli::runCommand(std::string(DCEMU_TOPOLOGIES_DIR) + "/migration-rodc-wan-outage.toml", {});
  INFO(run.out << run.err);
  CHECK(run.exitCode == 0);
  CHECK_THAT(run.out, Contains("1 refused; expectations 3 passed, 0 failed"));
  CHECK_THAT(run.out, Contains("after completion: 14 ok, 0 failed"));
}

TEST_CASE("A migration whose account no host runs is safe from the start and says why", "[sim][risk]") {
  report::RiskTracker risk({"DC1"});
  risk.track("dmsa_idle", "svc_idle", {});
  std::string report = textOf(risk);
  INFO(report);
  CHECK_THAT(report, Contains("safe from the start: no host runs a service as svc_idle"));
}

}  // namespace dcemu::sim
