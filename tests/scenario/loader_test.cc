// The loader: the reference examples load; every kind of mistake is one
// line naming file:line:col and the reason; defaults are the format's.
#include "scenario/loader.h"

#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "cli/commands.h"
#include "scenario/machine_memory.h"
#include "scenario/units.h"
#include "scenario/validate.h"

namespace dcemu::scenario {
namespace {

using Catch::Matchers::Contains;

const std::string kHeader = R"(
[domain]
name = "corp.example.com"

[[site]]
name = "HQ"

[[dc]]
name = "DC1"
site = "HQ"
)";

// An RODC beside DC1, and a dMSA superseding a service account.
const std::string kRodcAndDmsa = R"(
[[dc]]
name = "RODC1"
site = "HQ"
rodc = true
[[service_account]]
name = "svc_app"
[[dmsa]]
name = "dmsa_app"
supersedes = "svc_app"
)";

// The single error `text` (after the header) produces.
std::string onlyError(const std::string& text) {
  scenario::LoadResult loaded = scenario::parseScenario(kHeader + text, "t.toml");
  INFO(kHeader + text);
  REQUIRE(loaded.errors.size() == 1);
  return loaded.errors[0];
}

}  // namespace

TEST_CASE("Every reference example and topology loads", "[sim][loader]") {
  int files = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(DCEMU_TOPOLOGIES_DIR)) {
    if (entry.path().extension() != ".toml") continue;
    ++files;
    scenario::LoadResult loaded = scenario::loadScenarioFile(entry.path().string());
    INFO(entry.path().string() << (loaded.errors.empty() ? "" : ": " + loaded.errors[0]));
    CHECK(loaded.errors.empty());
  }
  CHECK(files >= 2);
}

TEST_CASE("The format's defaults apply when a section is left out", "[sim][loader]") {
  scenario::LoadResult loaded = scenario::parseScenario(kHeader, "t.toml");
  REQUIRE(loaded.errors.empty());
  const scenario::Scenario& s = *loaded.scenario;
  CHECK(s.seed == 1);
  CHECK(s.start == 1767571200LL * 1000000);
  CHECK(s.tgtLifetime == 10 * scenario::kMicrosPerHour);
  CHECK(s.renewMax == 7 * scenario::kMicrosPerDay);
  CHECK(s.clockSkew == 5 * scenario::kMicrosPerMinute);
  CHECK(s.patchedBadSuccessor);
  CHECK(s.notifyFirst == 15 * scenario::kMicrosPerSecond);
  CHECK(s.notifySubsequent == 3 * scenario::kMicrosPerSecond);
  CHECK(s.maxObjects == 1000);
  CHECK(s.maxBytes == 8u << 20);
  CHECK(s.effectiveDuration() == scenario::kMicrosPerHour);
}

TEST_CASE("Site links keep their cost, interval, schedule, latency and bandwidth", "[sim][loader]") {
  scenario::LoadResult loaded = scenario::parseScenario(kHeader + R"(
[[site]]
name = "Branch"
[[dc]]
name = "BR-DC1"
site = "branch"
[[site_link]]
name = "HQ-Branch"
sites = ["HQ", "Branch"]
cost = 50
interval = "1h"
latency = "40ms"
bandwidth = "10Mbit"
schedule = [ { days = "Mon-Fri", from = "20:00", to = "06:00" } ]
)",
                                                        "t.toml");
  REQUIRE(loaded.errors.empty());
  const scenario::SiteLink& link = loaded.scenario->siteLinks.at(0);
  CHECK(link.cost == 50);
  CHECK(link.interval == scenario::kMicrosPerHour);
  CHECK(link.latency == 40'000);
  CHECK(link.bandwidthBitsPerSecond == 10'000'000);
  CHECK(loaded.scenario->dcs[1].site == 1);  // names are case-insensitive
  // Monday 20:00 is open, Monday 12:00 closed, Saturday 05:45 open (Friday's window wraps).
  CHECK(link.schedule.open[(0 * 24 * 60 + 20 * 60) / 15]);
  CHECK_FALSE(link.schedule.open[(0 * 24 * 60 + 12 * 60) / 15]);
  CHECK(link.schedule.open[(5 * 24 * 60 + 5 * 60 + 45) / 15]);
  CHECK_FALSE(link.schedule.open[(5 * 24 * 60 + 6 * 60) / 15]);
}

TEST_CASE("Each kind of mistake is one line with file:line:col and the reason", "[sim][loader][errors]") {
  CHECK_THAT(onlyError("[simulation]\nspeed = 2\n"), Contains("t.toml:12:1: unknown key \"speed\" in [simulation]"));
  // A near miss names the key meant; a far one does not guess.
  CHECK_THAT(onlyError("[kerberos]\ntgt_lifetme = \"5h\"\n"),
             Contains("unknown key \"tgt_lifetme\" in [kerberos] (did you mean \"tgt_lifetime\"?)"));
  CHECK_THAT(onlyError("[[sites]]\nname = \"X\"\n"),
             Contains("unknown key \"sites\" at the top level (did you mean \"site\"?)"));
  CHECK_THAT(onlyError("[[step]]\nat = \"1h\"\naction = \"replicate\"\nfrom = \"DC1\"\nto = \"DC1\"\nforcd = true\n"),
             Contains("unknown key \"forcd\" for action \"replicate\" (did you mean \"forced\"?)"));
  CHECK_THAT(onlyError("[simulation]\ncolour = 2\n"), !Contains("did you mean"));
  CHECK_THAT(onlyError("[[step]]\nat = \"1h\"\naction = \"replicate\"\nfrom = \"DC1\"\nto = \"DC7\"\n"),
             Contains("t.toml:15:6: unknown DC \"DC7\""));
  CHECK_THAT(onlyError("[[dc]]\nname = \"DC2\"\nsite = \"Mars\"\n"), Contains("t.toml:13:8: unknown site \"Mars\""));
  CHECK_THAT(onlyError("[[fault]]\nkind = \"partition\"\nlink = \"Nope\"\nfrom = \"1h\"\nto = \"2h\"\n"),
             Contains("t.toml:13:8: unknown site link \"Nope\""));
  CHECK_THAT(onlyError("[[service_account]]\nname = \"svc\"\n[[step]]\nat = \"1h\"\naction = \"host-logon\"\n"
                       "host = \"ghost\"\nservice = \"svc\"\n"),
             Contains("unknown host \"ghost\""));
  CHECK_THAT(onlyError("[simulation]\nduration = \"3 days\"\n"), Contains("t.toml:12:12: bad duration \"3 days\""));
  CHECK_THAT(onlyError("[[site]]\nname = \"B\"\n[[dc]]\nname = \"B1\"\nsite = \"B\"\n[[site_link]]\nname = \"L\"\n"
                       "sites = [\"HQ\", \"B\"]\ninterval = \"20m\"\n"),
             Contains("t.toml:19:12: \"interval\" must be a multiple of 15m from 15m to 10080m"));
  CHECK_THAT(onlyError("[[site]]\nname = \"B\"\n[[dc]]\nname = \"B1\"\nsite = \"B\"\n[[site_link]]\nname = \"L\"\n"
                       "sites = [\"HQ\", \"B\"]\ninterval = \"10095m\"\n"),
             Contains("multiple of 15m from 15m to 10080m"));
  CHECK_THAT(onlyError("[[site]]\nname = \"Empty\"\n"), Contains("t.toml:11:1: site \"Empty\" has no DC"));
  CHECK_THAT(onlyError("[[site_link]]\nname = \"L\"\nsites = [\"HQ\"]\n"),
             Contains("t.toml:13:9: a site link must join two or more sites"));
  CHECK_THAT(onlyError("[[dc]]\nname = \"dc1\"\nsite = \"HQ\"\n"), Contains("t.toml:11:1: duplicate DC name \"dc1\""));
  CHECK_THAT(onlyError("[[step]]\nat = \"1h\"\naction = \"expect-event\"\nevent = 307\non = \"nobody\"\n"),
             Contains("t.toml:15:6: unknown host or DC \"nobody\""));
  CHECK_THAT(onlyError("[[step]]\nat = \"1h\"\naction = \"expect-event\"\nevent = 307\non = \"DC1\"\n"
                       "until = \"2h\"\n"),
             Contains("\"until\" is after the step (1h)"));
  CHECK_THAT(onlyError("[[ou]]\ndn = \"OU=Apps\"\n[[group]]\nname = \"g\"\n[[acl]]\nou = \"OU=Apps\"\n"
                       "principal = \"g\"\nrights = [\"CC\", \"WP\", \"GW\", \"Fly\"]\n"),
             Contains("unknown right \"Fly\" (use CreateChild (CC), DeleteChild (DC),"));
  CHECK_THAT(onlyError("[[dc]]\nname = \"DC2\"\nsite = \"HQ\"\nos = \"2024\"\n"),
             Contains("t.toml:14:6: unknown Windows Server version \"2024\""));
  CHECK_THAT(
      onlyError("[[step]]\nat = \"-5m\"\naction = \"disable-replication\"\ndc = \"DC1\"\ndirection = \"both\"\n"),
      Contains("t.toml:12:6: step at \"-5m\" is before time zero"));
  CHECK_THAT(onlyError("[[fault]]\nkind = \"dc-down\"\ndc = \"DC1\"\nfrom = \"2d\"\nto = \"1d\"\n"),
             Contains("t.toml:15:6: fault \"to\" (1d) does not come after \"from\" (2d)"));
  CHECK_THAT(onlyError("[[step]]\nat = \"1h\"\naction = \"replicate\"\nfrom = \"DC1\"\nto = \"DC1\"\nhost = \"x\"\n"),
             Contains("unknown key \"host\" for action \"replicate\""));
  CHECK_THAT(onlyError("[[step]]\nat = \"1h\"\naction = \"teleport\"\n"), Contains("unknown action \"teleport\""));
  CHECK_THAT(onlyError("[[fault]]\nkind = \"meteor\"\n"), Contains("unknown fault kind \"meteor\""));
  CHECK_THAT(onlyError("[[step]]\nat = \"1h\"\naction = \"expect\"\ndc = \"DC1\"\ndn = \"OU=X\"\n"),
             Contains("an expect step needs at least one check"));
  CHECK_THAT(onlyError("[simulation]\nduration = \"1d\"\n[[step]]\nat = \"2d\"\naction = \"replicate\"\n"
                       "from = \"DC1\"\nto = \"DC1\"\n"),
             Contains("t.toml:13:1: step at 2d is after the end of the run ([simulation] duration = \"1d\")"));
  CHECK_THAT(onlyError("[simulation]\nduration = \"1d\"\n[[fault]]\nkind = \"dc-down\"\ndc = \"DC1\"\n"
                       "from = \"2d\"\nto = \"3d\"\n"),
             Contains("fault from 2d starts after the end of the run"));
  CHECK_THAT(onlyError("[domain]\nname = \"again\"\n"), Contains("t.toml:11:1:"));  // TOML itself: redefined table
  const std::string link =
      "[[site]]\nname = \"B\"\n[[dc]]\nname = \"B1\"\nsite = \"B\"\n[[site_link]]\nname = \"L\"\n"
      "sites = [\"HQ\", \"B\"]\n";
  CHECK_THAT(onlyError(link + "schedule = [ { days = \"Mon\", from = \"20:00\" } ]\n"),
             Contains("t.toml:19:14: schedule window needs \"to\""));
  CHECK_THAT(onlyError(link + "schedule = [ { from = \"06:00\", to = \"06:00\" } ]\n"),
             Contains("t.toml:19:14: a schedule window's from and to are equal"));
  CHECK_THAT(onlyError(link + "schedule = [ { from = \"24:00\", to = \"06:00\" } ]\n"),
             Contains("starts before 24:00"));
  const std::string hosts = "[[service_account]]\nname = \"svc\"\n[[host_group]]\nname = \"h\"\nsite = \"HQ\"\n";
  CHECK_THAT(onlyError(hosts + "reboot_window = \"2h\"\n"), Contains("\"reboot_window\" needs \"reboot_every\""));
  CHECK_THAT(onlyError(hosts + "reboot_every = \"30m\"\n"), Contains("\"reboot_every\" must be at least \"1h\""));
  CHECK_THAT(onlyError(hosts + "reboot_every = \"1d\"\nreboot_window = \"2d\"\n"),
             Contains("\"reboot_window\" must be positive and no longer than \"reboot_every\""));
  CHECK_THAT(onlyError(hosts + "first_logon_spread = \"0s\"\n"), Contains("\"first_logon_spread\" must be positive"));
  {
    std::string header = kHeader;
    header.insert(header.find("\n[[site]]"), "garbage_coll_period = \"90m\"\n");
    scenario::LoadResult loaded = scenario::parseScenario(header, "t.toml");
    REQUIRE(loaded.errors.size() == 1);
    CHECK_THAT(loaded.errors[0], Contains("\"garbage_coll_period\" must be whole hours from \"1h\""));
  }
  CHECK_THAT(onlyError("[planning]\nchange_windows = \"weekends\"\n"),
             Contains("t.toml:12:18: \"change_windows\" must be \"always\" or a list of windows"));
  CHECK_THAT(onlyError("[planning]\nchange_windows = [ { days = \"Caturday\", from = \"02:00\", to = \"06:00\" } ]\n"),
             Contains("t.toml:12:"));
}

TEST_CASE("validate refuses a step naming an object before the step that makes it, and colliding user groups",
          "[sim][loader][errors]") {
  const std::string add =
      "[[step]]\nat = \"2h\"\naction = \"ldap-add\"\ndc = \"DC1\"\ndn = \"OU=X\"\n"
      "attrs = { objectClass = \"organizationalUnit\" }\nid = \"x\"\n";
  const std::string early = "[[step]]\nat = \"1h\"\naction = \"ldap-delete\"\ndc = \"DC1\"\nobject = \"x\"\n";
  CHECK_THAT(onlyError(add + early),
             Contains("t.toml:22:10: object \"x\" is named at 1h before the step that makes it"));
  scenario::LoadResult later = scenario::parseScenario(kHeader + early + add, "t.toml");
  CHECK_FALSE(later.errors.empty());
  scenario::LoadResult inOrder = scenario::parseScenario(kHeader + add +
                                                             "[[step]]\nat = \"2h\"\naction = \"ldap-delete\"\n"
                                                             "dc = \"DC1\"\nobject = \"x\"\n",
                                                         "t.toml");
  CHECK(inOrder.errors.empty());

  CHECK_THAT(
      onlyError("[[user_group]]\nprefix = \"emp\"\ncount = 3\n[[user_group]]\nprefix = \"EMP\"\ncount = 9\n"),
      Contains("t.toml:15:10: the users of [[user_group]] \"EMP\" collide with those of the one at t.toml:11:1"));
  CHECK_THAT(onlyError("[[user]]\nname = \"emp-00002\"\n[[user_group]]\nprefix = \"emp\"\ncount = 3\n"),
             Contains("t.toml:13:1: [[user_group]] \"emp\" makes a user named \"emp-00002\", which a [[user]] "
                      "already names"));
  // A user_group's user may be named in a step; one past its count may not.
  const std::string batch = "[[user_group]]\nprefix = \"emp\"\ncount = 3\n";
  auto deleting = [](const char* user) {
    return fmt::format("[[step]]\nat = \"1h\"\naction = \"ldap-delete\"\ndc = \"DC1\"\nobject = \"{}\"\n", user);
  };
  CHECK(scenario::parseScenario(kHeader + batch + deleting("EMP-00003"), "t.toml").errors.empty());
  CHECK_THAT(onlyError(batch + deleting("emp-00004")), Contains("unknown object \"emp-00004\""));
  CHECK_THAT(onlyError("[[step]]\nat = \"1h\"\naction = \"expect\"\ndc = \"DC1\"\ndn = \"OU=X\"\n"
                       "attr = \"managedBy\"\nlink = { value = \"CN=a,CN=Users\" }\n"),
             Contains("\"link\" needs \"active\" or \"version\""));
}

// A 200 MB file of [[user]] entries once took 3.9 GB to validate; files
// and runs too large for the machine are refused before the work.
TEST_CASE("A file or run too large for the machine is refused with its reason, not by the kernel", "[sim][loader]") {
  CHECK(scenario::tooLargeToRead("big.toml", 1'000'000, 1ULL << 30).empty());
  CHECK(scenario::tooLargeToRead("big.toml", 200'000'000, 2ULL << 30) ==
        "big.toml: too large for this machine: reading its 200 MB needs about 4.5 GiB and 2.0 GiB is available; "
        "describe many users with [[user_group]] instead of one [[user]] each");
  std::string file = "[domain]\nname = \"corp.example.com\"\n[[site]]\nname = \"HQ\"\n";
  for (int dc = 1; dc <= 5; ++dc) file += fmt::format("[[dc]]\nname = \"DC{}\"\nsite = \"HQ\"\n", dc);
  file += "[[user_group]]\nprefix = \"emp\"\ncount = 10000000\n";
  scenario::LoadResult loaded = scenario::parseScenario(file, "t.toml");
  REQUIRE(loaded.scenario);
  CHECK(scenario::estimatedStoreBytes(*loaded.scenario) > 24ULL << 30);  // 10 million users
  auto path = std::filesystem::temp_directory_path() / "dcemu-too-large.toml";
  std::ofstream(path) << file;
  cli::CommandOutput run = cli::runCommand(path.string(), {});
  CHECK(run.exitCode == 2);
  CHECK_THAT(run.err, Contains("too large for this machine in memory"));
  CHECK_THAT(run.err, Contains("keep them on disk with --store DIR"));
  CHECK(run.out.empty());
}

TEST_CASE("Durations, sizes and instants parse as the format writes them", "[sim][units]") {
  CHECK(std::get<int64_t>(scenario::parseDuration("1d12h")) == 36 * scenario::kMicrosPerHour);
  CHECK(std::get<int64_t>(scenario::parseDuration("250ms")) == 250'000);
  CHECK(std::get<int64_t>(scenario::parseDuration("-5m", true)) == -5 * scenario::kMicrosPerMinute);
  CHECK(std::holds_alternative<std::string>(scenario::parseDuration("-5m")));
  CHECK(std::holds_alternative<std::string>(scenario::parseDuration("15")));
  CHECK(std::holds_alternative<std::string>(scenario::parseDuration("")));
  CHECK(scenario::formatDuration(36 * scenario::kMicrosPerHour + 250'000) == "1d12h250ms");
  CHECK(std::get<uint64_t>(scenario::parseByteSize("8MiB")) == 8u << 20);
  CHECK(std::get<int64_t>(scenario::parseUtcInstant("2026-01-05T00:00:00Z")) == 1767571200LL * 1000000);
  CHECK(std::holds_alternative<std::string>(scenario::parseUtcInstant("2026-02-30T00:00:00Z")));
  CHECK(std::get<int>(scenario::parseQuarterHour("24:00")) == 1440);
  CHECK(std::holds_alternative<std::string>(scenario::parseQuarterHour("10:10")));
  CHECK(std::get<uint8_t>(scenario::parseDays("Sat-Mon")) == 0b1100001);
  // Moments: an offset, an ISO instant, or repadmin's form of one.
  const int64_t start = 1767571200LL * 1000000;
  CHECK(std::get<int64_t>(scenario::parseMoment("3d12h", start)) == 84 * scenario::kMicrosPerHour);
  CHECK(std::get<int64_t>(scenario::parseMoment("2026-01-08T12:00:00Z", start)) == 84 * scenario::kMicrosPerHour);
  CHECK(std::get<int64_t>(scenario::parseMoment("2026-01-08 12:00:00", start)) == 84 * scenario::kMicrosPerHour);
  CHECK(std::holds_alternative<std::string>(scenario::parseMoment("2026-01-04T00:00:00Z", start)));
  CHECK(scenario::formatMoment(start + 84 * scenario::kMicrosPerHour, start) == "2026-01-08T12:00:00Z (+3d12h)");
}

TEST_CASE("The user_group extension names users with five digits and needs a declared OU", "[sim][loader]") {
  scenario::LoadResult loaded = scenario::parseScenario(kHeader + R"(
[[ou]]
dn = "OU=Staff"

[[user_group]]
prefix = "user"
count = 3
ou = "OU=Staff"

[workload]
changes_per_dc_per_hour = 2.5
)",
                                                        "t.toml");
  REQUIRE(loaded.errors.empty());
  REQUIRE(loaded.scenario->userBatches.size() == 1);
  CHECK(loaded.scenario->userBatches[0].userNames() ==
        std::vector<std::string>{"user-00001", "user-00002", "user-00003"});
  CHECK(loaded.scenario->changesPerDcPerHour == 2.5);

  scenario::LoadResult unknownOu = scenario::parseScenario(kHeader +
                                                               "[[user_group]]\nprefix = \"u\"\ncount = 2\nou = "
                                                               "\"OU=Nowhere\"\n",
                                                           "t.toml");
  REQUIRE(unknownOu.errors.size() == 1);
  CHECK_THAT(unknownOu.errors[0], Catch::Contains("t.toml:14:6: unknown OU \"OU=Nowhere\""));
  scenario::LoadResult badRate =
      scenario::parseScenario(kHeader + "[workload]\nchanges_per_dc_per_hour = -1\n", "t.toml");
  REQUIRE(badRate.errors.size() == 1);
  CHECK_THAT(badRate.errors[0], Catch::Contains("changes_per_dc_per_hour"));
}

TEST_CASE("validate refuses what a run would: a migration step on an RODC and an ACL on something not an OU",
          "[sim][loader][errors]") {
  // An RODC takes no originating write: Windows refers the operation to a
  // writable DC (MS-ADTS 3.1.1.1.9), so the run would stop at the step.
  CHECK_THAT(onlyError(kRodcAndDmsa + "[[step]]\nat = \"1h\"\naction = \"start-migration\"\ndc = \"RODC1\"\n"
                                      "dmsa = \"dmsa_app\"\n"),
             Contains("RODC1 is an RODC, which refuses start-migration with a referral"));
  // Unless the step expects the refusal.
  scenario::LoadResult expected = scenario::parseScenario(
      kHeader + kRodcAndDmsa +
          "[[step]]\nat = \"1h\"\naction = \"start-migration\"\ndc = \"RODC1\"\ndmsa = \"dmsa_app\"\n"
          "expect_error = \"referral\"\n",
      "t.toml");
  CHECK(expected.errors.empty());
  CHECK_THAT(
      onlyError("[[group]]\nname = \"g\"\n[[acl]]\nou = \"DC1\"\nprincipal = \"g\"\nrights = [\"CreateChild\"]\n"),
      Contains("unknown OU \"DC1\""));
}

TEST_CASE("validate's summary counts what the file describes, in the right number", "[sim][loader]") {
  auto path = std::filesystem::temp_directory_path() / "dcemu-validate-summary.toml";
  std::ofstream(path) << kHeader << kRodcAndDmsa << R"(
[[host_group]]
name = "app"
site = "HQ"
count = 3
services = ["svc_app"]
[[host_group]]
name = "old"
site = "HQ"
count = 1
services = ["svc_app"]
dmsa_capable = false
[[fault]]
kind = "dc-down"
dc = "DC1"
from = "1h"
to = "2h"
)";
  scenario::Validation validation = scenario::validate(path.string());
  REQUIRE(validation.errors.empty());
  CHECK_THAT(validation.summary, Contains(": valid: 1 site, 2 DCs (1 read-only), 0 site links, 4 hosts (1 not "
                                          "dMSA-capable), 1 dMSA, 0 steps, 1 fault"));
}

}  // namespace dcemu::scenario
