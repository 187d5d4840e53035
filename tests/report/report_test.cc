// The planning report's outputs and the command line as a user meets them:
// the JSON against its published schema (checked by a schema validator,
// Python's jsonschema), and every refusal of a bad command-line value as a
// one-line error with exit 2 before any work starts.
#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>

#include "tests/support/test_support.h"

namespace {

using namespace dcemu::testing;

using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;

std::string dcemu(const std::string& arguments) {
  return fmt::format("{} {}", DCEMU_BINARY, arguments);
}

const std::string kSchema = std::string(DCEMU_DOCS_DIR) + "/report.schema.json";

Ran validateJson(const std::string& path) {
  return shell(fmt::format(
      "/usr/bin/python3 -c 'import json, sys, jsonschema; "
      "jsonschema.Draft202012Validator(json.load(open(sys.argv[2]))).validate(json.load(open(sys.argv[1])))' {} {}",
      path, kSchema));
}

TEST_CASE("The JSON report validates against docs/report.schema.json, and a report that breaks it does not",
          "[sim][report][json]") {
  auto dir = std::filesystem::temp_directory_path() / "dcemu-report-json-test";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  // A planning run (blockers, what-if table) and a run with failures after
  // completion.
  for (const std::string name : {"migration-planning.toml", "two-sites-early-completion.toml"}) {
    std::string json = (dir / (name + ".json")).string();
    Ran run = shell(dcemu(fmt::format("run {} --json {}", topology(name), json)));
    INFO(run.out);
    REQUIRE(run.exitCode == 0);
    Ran valid = validateJson(json);
    INFO(valid.out);
    CHECK(valid.exitCode == 0);
  }
  // The validator does check: a time without its offset is refused.
  std::string json = (dir / "migration-planning.toml.json").string();
  nlohmann::json report = nlohmann::json::parse(std::ifstream(json));
  CHECK(report["what_if"]["earliest"][0]["at"]["since_start_s"] == 216000);
  report["migrations"][0]["started"].erase("since_start_s");
  std::ofstream(dir / "broken.json") << report.dump();
  Ran broken = validateJson((dir / "broken.json").string());
  CHECK(broken.exitCode != 0);
  CHECK_THAT(broken.out, Contains("On instance['migrations'][0]['started']"));
  std::filesystem::remove_all(dir);
}

// Debian's chromium, headless, reads the page from a file (no network) and
// runs its one script, which writes each chart's drawn box into the DOM.
TEST_CASE("The HTML report draws every chart in headless Chromium", "[sim][report][html]") {
  auto dir = std::filesystem::temp_directory_path() / "dcemu-report-html-test";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  std::string html = (dir / "report.html").string();
  Ran run = shell(dcemu(fmt::format("run {} --html {}", topology("migration-planning.toml"), html)));
  REQUIRE(run.exitCode == 0);
  std::string browser =
      "timeout 120 chromium --headless=new --no-sandbox --disable-gpu --hide-scrollbars "
      "--user-data-dir=" +
      (dir / "profile").string();
  Ran dom = shell(fmt::format("{} --dump-dom file://{} 2>/dev/null", browser, html));
  REQUIRE(dom.exitCode == 0);
  // Three charts per migration and the what-if chart, each drawn.
  std::regex drawn("class=\"chart\" id=\"([a-z_-]+)\"[^>]*data-drawn=\"([0-9]+)x([0-9]+)\"");
  std::vector<std::string> charts;
  for (auto it = std::sregex_iterator(dom.out.begin(), dom.out.end(), drawn); it != std::sregex_iterator(); ++it) {
    INFO((*it)[1].str() << " drawn " << (*it)[2].str() << "x" << (*it)[3].str());
    CHECK(std::stoi((*it)[2].str()) > 100);
    CHECK(std::stoi((*it)[3].str()) > 20);
    charts.push_back((*it)[1].str());
  }
  CHECK(charts == std::vector<std::string>{"coverage-dmsa_web", "presence-dmsa_web", "crossings-dmsa_web",
                                           "coverage-dmsa_files", "presence-dmsa_files", "crossings-dmsa_files",
                                           "coverage-dmsa_kiosk", "presence-dmsa_kiosk", "crossings-dmsa_kiosk",
                                           "what-if"});
  // And a screenshot of the page as drawn.
  std::string png = (dir / "report.png").string();
  Ran shot = shell(fmt::format("{} --window-size=1000,2600 --screenshot={} file://{} 2>/dev/null", browser, png, html));
  CHECK(shot.exitCode == 0);
  REQUIRE(std::filesystem::exists(png));
  CHECK(std::filesystem::file_size(png) > 50'000);  // a blank page of this size is a few KiB
  std::filesystem::remove_all(dir);
}

TEST_CASE("Bad command-line values are refused in one line with exit 2, before any work", "[sim][cli]") {
  struct Case {
    std::string arguments, error;
  };
  std::string file = topology("migration-partitioned-branch.toml");
  std::vector<Case> cases = {
      {"run " + file + " --seed -1", "dcemu: --seed: a seed is a whole number from 0 to 18446744073709551615"},
      {"run " + file + " --seed 18446744073709551616", "dcemu: --seed: a seed is at most 18446744073709551615"},
      {"sweep " + file + " --first-seed x1", "dcemu: --first-seed: a seed is a whole number"},
      {"run " + file + " --until soon", "--until \"soon\": "},
      {"run " + file + " --what-if 0s", "--what-if \"0s\": the spacing must be positive"},
      {"run " + file + " --complete-at yesterday", "--complete-at \"yesterday\": "},
      {"run " + file + " --complete-at 2025-12-31T00:00:00Z",
       "--complete-at \"2025-12-31T00:00:00Z\": \"2025-12-31T00:00:00Z\" is before the simulated start"},
      {"run " + file + " --trace /nonexistent/trace.json",
       "--trace /nonexistent/trace.json: /nonexistent is not an existing directory"},
      {"run " + file + " --json /", "--json /: is a directory"},
      {"run " + file + " --store /nonexistent/x", "--store: store directory /nonexistent/x: /nonexistent is not"},
      {"run " + file + " --jobs 0", "dcemu: --jobs: Value 0 not in range"},
      {"run " + file + " --bogus", "dcemu: The following argument was not expected: --bogus"},
      {"frobnicate",
       "dcemu: unknown command \"frobnicate\" (use validate, run, topology, repadmin, get, sweep, import, audit, merge, node, "
       "cluster, hosts or ctl)"},
      {"run /nonexistent.toml", "/nonexistent.toml: cannot read the file"},
      {"run " + file + " --fail-on-risk=dmsa_nope", "--fail-on-risk: no [[dmsa]] named \"dmsa_nope\""},
      {"get " + file + " dmsa_files --dc HQ-DC1 --at 40d", "--at \"40d\": after the file's end at "},
  };
  for (const Case& c : cases) {
    Ran ran = shell(dcemu(c.arguments));
    INFO("dcemu " << c.arguments << "\n" << ran.out);
    CHECK(ran.exitCode == 2);
    CHECK_THAT(ran.out, StartsWith(c.error));
    CHECK(std::count(ran.out.begin(), ran.out.end(), '\n') == 1);
  }
  CHECK_FALSE(std::filesystem::exists("/nonexistent"));
}

TEST_CASE("The version flag names the program, and --fail-on-risk makes a failing migration exit 1", "[sim][cli]") {
  Ran version = shell(dcemu("--version"));
  CHECK(version.exitCode == 0);
  CHECK_THAT(version.out, StartsWith("dcemu "));
  // Completing before the West site saw the start fails its hosts.
  Ran plain = shell(dcemu("run " + topology("two-sites-early-completion.toml")));
  CHECK(plain.exitCode == 0);
  Ran gated = shell(dcemu("run " + topology("two-sites-early-completion.toml") + " --fail-on-risk"));
  CHECK(gated.exitCode == 1);
  CHECK_THAT(gated.out, Contains("--fail-on-risk: "));
  CHECK_THAT(gated.out, Contains("--fail-on-risk: dmsa_web: 10 host services failed after the completion"));
  // A migration completed when safe passes the gate.
  Ran safe = shell(dcemu("run " + topology("migration-partitioned-branch.toml") + " --fail-on-risk"));
  CHECK(safe.exitCode == 0);
  // The gate may name the migrations it is about: the kiosk's legacy hosts
  // make dmsa_kiosk NO-GO, while dmsa_web and dmsa_files are GO (and lost
  // ACEs that healed are no risk).
  std::string planning = topology("migration-planning.toml") + " --no-what-if";
  CHECK(shell(dcemu("run " + planning + " --fail-on-risk=dmsa_web,dmsa_files")).exitCode == 0);
  Ran kiosk = shell(dcemu("run " + planning + " --fail-on-risk=DMSA_KIOSK"));
  CHECK(kiosk.exitCode == 1);
  CHECK_THAT(kiosk.out, Contains("--fail-on-risk: dmsa_kiosk: 3 hosts cannot run a dMSA"));
  // A typo in a name the get command is given is answered with the nearest.
  Ran typo = shell(dcemu("get " + topology("migration-planning.toml") + " dmsa_fles --dc HUB-DC1 --at 2d"));
  CHECK(typo.exitCode == 1);
  CHECK_THAT(typo.out, Contains("(did you mean \"dmsa_files\"?)"));
}

}  // namespace
