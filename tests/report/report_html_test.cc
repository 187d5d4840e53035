// The HTML page: the decisions first, the failures that happen regardless,
// and a chart that always shows the hosts an administrator must act on.
#include <catch2/catch.hpp>

#include "report/report.h"

namespace dcemu::report {
namespace {

using Catch::Matchers::Contains;

constexpr int64_t kStart = 1767571200LL * 1000000;  // 2026-01-05T00:00:00Z

TEST_CASE("The page opens with the decisions and draws blocking hosts beyond the chart's cap", "[report][html]") {
  PlanningReport report;
  report.start = kStart;
  report.end = kStart + 10LL * 24 * 3600 * 1000000;
  MigrationReport m;
  m.dmsa = "dmsa_web";
  m.account = "svc_web";
  m.started = kStart + 24LL * 3600 * 1000000;
  m.dcs.push_back({"DC1", "HQ", false, m.started, std::nullopt, 0, {}});
  for (int h = 1; h <= 60; ++h)
    m.hosts.push_back({"web-" + std::to_string(h), "svc_web", "HQ", true, std::nullopt, std::nullopt, {"DC1"}, {}});
  m.blockers.push_back({"web-57", "svc_web", "DC1", "has not logged on since the start reached a DC it uses", {}});
  report.migrations.push_back(m);
  report.failsRegardless.push_back({"web-3", "svc_web", "RODC1",
                                    "the RODC RODC1 holds no secret for svc_web and reaches no writable DC", kStart,
                                    kStart, 1, "dmsa_web"});
  decideMigrations(report);
  std::string html = reportHtml(report);
  size_t decisions = html.find("<h2 id=\"decisions\">");
  REQUIRE(decisions != std::string::npos);
  CHECK(decisions < html.find("<h2>dmsa_web superseding svc_web</h2>"));
  CHECK_THAT(html, Contains("<td>NO-GO</td><td>dmsa_web</td>"));
  CHECK_THAT(html, Contains("Failed logons regardless of a migration"));
  // web-57 is the 57th host, past the first 40, and blocks: it is drawn,
  // first.
  size_t chart = html.find("id=\"presence-dmsa_web\"");
  REQUIRE(chart != std::string::npos);
  size_t blocking = html.find(">web-57</text>", chart), first = html.find(">web-1</text>", chart);
  REQUIRE(blocking != std::string::npos);
  CHECK(blocking < first);
  CHECK_THAT(html, Contains("40 of 60 hosts: the 1 that block or failed first"));
}

TEST_CASE("The charts label each DC lane, shade faults and closed windows, and scale each migration apart",
          "[report][html]") {
  const int64_t hour = 3600LL * 1000000;
  PlanningReport report;
  report.start = kStart;
  report.end = kStart + 4 * 24 * hour;
  for (const char* dmsa : {"dmsa_big", "dmsa_small"}) {
    MigrationReport m;
    m.dmsa = dmsa;
    m.account = "svc";
    m.started = kStart + hour;
    m.dcs.push_back({"HUB-DC1", "Hub", false, m.started, std::nullopt, 0, {}});
    m.dcs.push_back({"BR-DC1", "Branch", false, m.started, std::nullopt, 0, {}});
    m.hosts.push_back({"host-1", "svc", "Branch", true, m.started, m.started, {"BR-DC1"}, {}});
    report.migrations.push_back(m);
  }
  report.periods.push_back({"Hub-Branch partitioned", {"BR-DC1"}, kStart + 24 * hour, kStart + 30 * hour, false});
  report.periods.push_back({"Hub-Branch closed", {"BR-DC1"}, kStart + 4 * hour, kStart + 20 * hour, true});
  WhatIfTable table;
  table.every = 12 * hour;
  for (int i = 1; i <= 3; ++i) {
    WhatIfMoment moment;
    moment.at = kStart + i * 12 * hour;
    WhatIfMoment::Outcome big{"dmsa_big", false, "", {}, {}}, small{"dmsa_small", false, "", {}, {}};
    big.failures.resize(200);
    small.failures.resize(2);
    moment.outcomes = {big, small};
    table.moments.push_back(moment);
  }
  report.whatIf = table;
  decideMigrations(report);
  std::string html = reportHtml(report);
  size_t presence = html.find("id=\"presence-dmsa_big\"");
  REQUIRE(presence != std::string::npos);
  std::string chart = html.substr(presence, html.find("</svg>", presence) - presence);
  CHECK_THAT(chart, Contains(">HUB-DC1</text>"));
  CHECK_THAT(chart, Contains(">BR-DC1</text>"));
  CHECK_THAT(chart, Contains("<title>Hub-Branch partitioned: "));
  CHECK_THAT(chart, Contains("<title>Hub-Branch closed: "));
  CHECK_THAT(chart, Contains(">+1d</text>"));
  // The coverage chart shades the fault across it and names both in rows
  // below; a closed window is not shaded across the whole chart.
  size_t coverage = html.find("id=\"coverage-dmsa_big\"");
  std::string lines = html.substr(coverage, html.find("</svg>", coverage) - coverage);
  CHECK_THAT(lines, Contains("<title>Hub-Branch partitioned: "));
  CHECK_THAT(lines, !Contains("<title>Hub-Branch closed: "));
  CHECK_THAT(lines, Contains(">Hub-Branch closed</text>"));
  // Each migration's row is topped by its own largest count.
  size_t whatIf = html.find("id=\"what-if\"");
  std::string bars = html.substr(whatIf, html.find("</svg>", whatIf) - whatIf);
  CHECK_THAT(bars, Contains("text-anchor=\"end\">200</text>"));
  CHECK_THAT(bars, Contains("text-anchor=\"end\">2</text>"));
}

}  // namespace
}  // namespace dcemu::report
