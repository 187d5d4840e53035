// When hosts log on: [[host_group]] first_logon_spread spreads the first
// logons, and reboots (reboot_every, reboot_first, reboot_window) make
// every service of a host log on afresh inside each window and renew a
// TGT lifetime later, as a host whose tickets a restart dropped does
// (MS-KILE 3.1.5: a client without a TGT starts with an AS exchange).
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>

#include "scenario/loader.h"
#include "scenario/units.h"
#include "sim/world.h"

namespace dcemu::sim {
namespace {

constexpr int64_t kHour = scenario::kMicrosPerHour;
constexpr int64_t kDay = scenario::kMicrosPerDay;

const std::string kDomain = R"(
[simulation]
duration = "3d"
[domain]
name = "corp.example.com"
[[site]]
name = "HQ"
[[dc]]
name = "DC1"
site = "HQ"
[[service_account]]
name = "svc_app"
)";

struct Logon {
  int64_t at;
  bool renewal;
};

// Every logon and renewal of the run of `hostGroup` (a [[host_group]]
// table) beside kDomain, per host.
std::map<std::string, std::vector<Logon>> logonsOf(const std::string& hostGroup) {
  // A file of its own: ctest runs these test cases as processes at once.
  static int calls = 0;
  auto path = std::filesystem::temp_directory_path() /
              ("dcemu-host-timing-" + std::to_string(getpid()) + "-" + std::to_string(++calls) + ".toml");
  std::ofstream(path) << kDomain << hostGroup;
  scenario::LoadResult loaded = scenario::loadScenarioFile(path.string());
  REQUIRE(loaded.scenario);
  auto world = World::create(*loaded.scenario, 1, true);
  REQUIRE(world.isOk());
  (*world)->runUntil(3 * kDay);
  std::map<std::string, std::vector<Logon>> logons;
  for (const TraceEvent& event : (*world)->trace().events()) {
    if (event.category != "logon") continue;
    std::string host, renewal;
    for (const auto& [key, value] : event.args) {
      if (key == "host") host = value;
      if (key == "renewal") renewal = value;
    }
    logons[host].push_back({event.start, renewal == "1"});
  }
  return logons;
}

TEST_CASE("first_logon_spread spreads the hosts' first logons over the span it gives", "[sim][hosts]") {
  auto defaults = logonsOf("[[host_group]]\nname = \"app\"\nsite = \"HQ\"\ncount = 20\nservices = [\"svc_app\"]\n");
  auto spread = logonsOf(
      "[[host_group]]\nname = \"app\"\nsite = \"HQ\"\ncount = 20\nservices = [\"svc_app\"]\n"
      "first_logon_spread = \"10h\"\n");
  REQUIRE(defaults.size() == 20);
  REQUIRE(spread.size() == 20);
  int64_t latestByDefault = 0, latestSpread = 0;
  for (const auto& [host, logons] : defaults) latestByDefault = std::max(latestByDefault, logons.front().at);
  for (const auto& [host, logons] : spread) {
    CHECK_FALSE(logons.front().renewal);
    CHECK(logons.front().at < 10 * kHour);
    latestSpread = std::max(latestSpread, logons.front().at);
  }
  CHECK(latestByDefault < 2 * kHour);  // the default: the first 2 hours
  CHECK(latestSpread > 2 * kHour);
}

TEST_CASE("A reboot makes every service of the host log on afresh in its window and renew a lifetime later",
          "[sim][hosts]") {
  auto logons = logonsOf(
      "[[host_group]]\nname = \"app\"\nsite = \"HQ\"\ncount = 5\nservices = [\"svc_app\"]\n"
      "reboot_every = \"1d\"\nreboot_first = \"1d2h\"\nreboot_window = \"1h\"\n");
  REQUIRE(logons.size() == 5);
  for (const auto& [host, list] : logons) {
    INFO(host);
    for (int64_t window : {26 * kHour, 50 * kHour}) {
      auto reboot = std::find_if(list.begin(), list.end(),
                                 [&](const Logon& l) { return !l.renewal && l.at >= window && l.at < window + kHour; });
      REQUIRE(reboot != list.end());
      // The next attempt is the renewal one TGT lifetime (10 h) later: the
      // schedule before the reboot is gone.
      REQUIRE(reboot + 1 != list.end());
      CHECK((reboot + 1)->renewal);
      CHECK((reboot + 1)->at == reboot->at + 10 * kHour);
    }
    // Only the first logon and the reboots are fresh (renew_max is 7 days).
    CHECK(std::count_if(list.begin(), list.end(), [](const Logon& l) { return !l.renewal; }) == 3);
  }
}

TEST_CASE("Without reboots a host renews in lockstep every TGT lifetime from its first logon", "[sim][hosts]") {
  auto logons = logonsOf("[[host_group]]\nname = \"app\"\nsite = \"HQ\"\ncount = 3\nservices = [\"svc_app\"]\n");
  for (const auto& [host, list] : logons) {
    REQUIRE(list.size() >= 2);
    for (size_t i = 1; i < list.size(); ++i) {
      CHECK(list[i].renewal);
      CHECK(list[i].at - list[i - 1].at == 10 * kHour);
    }
  }
}

}  // namespace
}  // namespace dcemu::sim
