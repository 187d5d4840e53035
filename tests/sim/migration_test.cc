// Migrations in the simulated world: the seed's warning over 100 seeds, the
// early completion variant, and every example file with its expectations.
#include <fmt/format.h>

#include <catch2/catch.hpp>

#include "sim/commands.h"
#include "sim/scenario_loader.h"
#include "sim/world.h"

namespace dcemu::sim {
namespace {

using Catch::Matchers::Contains;

std::string topology(const std::string& name) {
  return std::string(DCEMU_TOPOLOGIES_DIR) + "/" + name;
}

}  // namespace

TEST_CASE("The seed's warning: most seeds lose an ACE to a conflict, and every ACE is back before completion",
          "[sim][migration]") {
  LoadResult loaded = loadScenarioFile(topology("reference/two-sites-seed-warning.toml"));
  REQUIRE(loaded.scenario);
  int lossy = 0, runs = 0;
  for (uint64_t seed = 1; seed <= 100; ++seed) {
    auto world = World::create(*loaded.scenario, seed, false);
    REQUIRE(world.isOk());
    (*world)->runUntil(loaded.scenario->effectiveDuration());
    const RiskTracker& risk = (*world)->risk();
    INFO("seed " << seed << "\n" << risk.report(loaded.scenario->start));
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
  CommandOutput run = runCommand(topology("two-sites-early-completion.toml"), {});
  INFO(run.out << run.err);
  CHECK(run.exitCode == 0);
  for (int host = 1; host <= 10; ++host)
    CHECK_THAT(run.out, Contains(fmt::format("west-web-{:03d} svc_web failed at", host)));
  CHECK_THAT(run.out, Contains("not in the membership on WEST-DC1"));
  CHECK_THAT(run.out, !Contains("east-web-001 svc_web failed"));
}

TEST_CASE("Hosts behind an RODC have their membership writes referred to a writable DC", "[sim][migration]") {
  LoadResult loaded = loadScenarioFile(topology("migration-rodc-branch.toml"));
  REQUIRE(loaded.scenario);
  auto world = World::create(*loaded.scenario, 1, false);
  REQUIRE(world.isOk());
  (*world)->runUntil(loaded.scenario->effectiveDuration());
  int referred = 0;
  for (const kdc::Event& event : (*world)->events()) {
    if (event.id != kdc::event_id::kDmsaPermissionAdd || event.fields[4].second != "no") continue;
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
    CommandOutput run = runCommand(topology(name), {});
    INFO(name << "\n" << run.out << run.err);
    CHECK(run.exitCode == 0);
    CHECK_THAT(run.out, Contains(", 0 failed\n"));
  }
}

}  // namespace dcemu::sim
