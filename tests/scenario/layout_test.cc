// The domain's layout at time zero, computed alike by the simulator and
// each live node from the file and the seed.
#include "scenario/layout.h"

#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <regex>

#include "scenario/loader.h"
#include "tests/support/test_support.h"

namespace dcemu::scenario {
namespace {

using namespace dcemu::testing;

std::unique_ptr<ProvisionedOrigin> originOf(const std::string &text) {
  LoadResult loaded = parseScenario(text, "layout.toml");
  INFO(fmt::format("{}", fmt::join(loaded.errors, "\n")));
  REQUIRE(loaded.scenario);
  auto origin = provisionOrigin(*loaded.scenario, loaded.scenario->seed);
  INFO(origin.status().toString());
  REQUIRE(origin.isOk());
  return std::move(*origin);
}

TEST_CASE("Adding a host or a user moves no DC's DSA, connection or first poll", "[scenario][layout]") {
  std::string text = readFile(topology("migration-planning.toml"));
  std::string more =
      std::regex_replace(text, std::regex("count = 4"), "count = 5") + "\n[[user]]\nname = \"one-more-user\"\n";
  REQUIRE(more != text);
  auto base = originOf(text), grown = originOf(more);
  const DomainLayout &a = base->layout, &b = grown->layout;
  REQUIRE(a.dsaInfos.size() == b.dsaInfos.size());
  for (size_t i = 0; i < a.dsaInfos.size(); ++i) {
    INFO(a.dsaInfos[i].name);
    CHECK(a.dsaInfos[i].dsa == b.dsaInfos[i].dsa);
    CHECK(a.invocationIds[i] == b.invocationIds[i]);
  }
  LoadResult scenario = parseScenario(text, "layout.toml");
  REQUIRE(a.connections.size() == b.connections.size());
  for (size_t i = 0; i < a.connections.size(); ++i) {
    const replication::Connection &x = a.connections[i], &y = b.connections[i];
    CHECK(x.kcc.source == y.kcc.source);
    CHECK(x.kcc.destination == y.kcc.destination);
    CHECK(seededFirstPoll(*scenario.scenario, 1, x, scenario.scenario->start) ==
          seededFirstPoll(*scenario.scenario, 1, y, scenario.scenario->start));
  }
  // The domain's own objects do move: the new host and user took draws.
  CHECK(a.provisionedUsn < b.provisionedUsn);
}

}  // namespace
}  // namespace dcemu::scenario
