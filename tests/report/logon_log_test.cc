// The log of every host service's logons: whether one was failing at a
// moment (what the what-if compares forks with) and its failure periods.
#include "report/logon_log.h"

#include <catch2/catch.hpp>

namespace dcemu::report {
namespace {

kdc::LogonOutcome attempt(int64_t at, bool ok, const std::string& dc = "DC1", const std::string& reason = "") {
  kdc::LogonOutcome outcome;
  outcome.at = at;
  outcome.ok = ok;
  outcome.dc = dc;
  outcome.reason = reason;
  return outcome;
}

TEST_CASE("A host service is failing at a moment when its latest attempt by then failed", "[report][logons]") {
  LogonLog log;
  log.record("web-001", "svc_web", attempt(10, true));
  log.record("web-001", "svc_web", attempt(20, false, "RODC1", "no writable DC"));
  log.record("web-001", "svc_web", attempt(30, true));
  CHECK_FALSE(log.failingAt("web-001", "svc_web", 5));  // before its first attempt
  CHECK_FALSE(log.failingAt("web-001", "svc_web", 19));
  CHECK(log.failingAt("WEB-001", "SVC_WEB", 20));  // names ignore case
  CHECK(log.failingAt("web-001", "svc_web", 29));
  CHECK_FALSE(log.failingAt("web-001", "svc_web", 30));
  CHECK_FALSE(log.failingAt("other", "svc_web", 25));
}

TEST_CASE("Failures group into periods by host service, DC and reason, and a success ends one", "[report][logons]") {
  LogonLog log;
  log.record("a", "svc", attempt(1, false, "RODC1", "cut off"));
  log.record("a", "svc", attempt(2, false, "RODC1", "cut off"));
  log.record("a", "svc", attempt(3, false, "DC2", "not in the membership on DC2"));
  log.record("a", "svc", attempt(4, true));
  log.record("a", "svc", attempt(5, false, "RODC1", "cut off"));
  log.record("b", "svc", attempt(2, false, "RODC1", "cut off"));
  auto periods = log.periods([](const std::string&, const std::string&, int64_t) { return true; });
  REQUIRE(periods.size() == 4);
  CHECK((periods[0].from == 1 && periods[0].to == 2 && periods[0].count == 2 && periods[0].reason == "cut off"));
  CHECK((periods[1].from == 3 && periods[1].dc == "DC2"));
  CHECK((periods[2].from == 5 && periods[2].count == 1));
  CHECK(periods[3].host == "b");
  // Only the failures chosen count; the others break a period.
  auto early = log.periods([](const std::string&, const std::string&, int64_t at) { return at < 2; });
  REQUIRE(early.size() == 1);
  CHECK(early[0].count == 1);
  CHECK(log.failuresSince("a", "svc", 3).size() == 2);
}

}  // namespace
}  // namespace dcemu::report
