// The simulated world, run through `dcemu run`'s own code on scenario files:
// every fault kind and schedule behaves as the scenario's expectations say,
// runs are deterministic, the convergence check catches divergence.
#include "sim/world.h"

#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "cli/commands.h"
#include "dc/ids.h"
#include "replication/convergence.h"
#include "scenario/loader.h"
#include "tests/support/test_support.h"

namespace dcemu::sim {
namespace {

using Catch::Matchers::Contains;
using dcemu::testing::readFile;

std::string scenario(const std::string& name) {
  return std::string(DCEMU_SCENARIOS_DIR) + "/" + name;
}

std::vector<std::string> exampleFiles() {
  std::vector<std::string> files;
  for (const char* dir : {DCEMU_TOPOLOGIES_DIR, DCEMU_TOPOLOGIES_DIR "/reference", DCEMU_SCENARIOS_DIR})
    for (const auto& entry : std::filesystem::directory_iterator(dir))
      if (entry.path().extension() == ".toml") files.push_back(entry.path().string());
  std::sort(files.begin(), files.end());
  return files;
}

std::string traceHash(const std::string& out) {
  std::smatch match;
  REQUIRE(std::regex_search(out, match, std::regex("trace hash  ([0-9a-f]{16})")));
  return match[1];
}

// The whole stdout of the dcemu binary.
std::string runInProcess(const std::string& command) {
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  REQUIRE(pipe);
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) out.append(buffer, n);
  pclose(pipe);
  return out;
}

void requirePassing(const std::string& name, int expectations) {
  cli::CommandOutput run = cli::runCommand(scenario(name), {});
  INFO(run.out << run.err);
  CHECK(run.exitCode == 0);
  CHECK_THAT(run.out, Contains(fmt::format("expectations {} passed, 0 failed", expectations)));
  CHECK_THAT(run.out, Contains("convergence all"));
}

}  // namespace

TEST_CASE("Change notification reaches the first partner notify_first after a change, an urgent change at once",
          "[sim][notification]") {
  requirePassing("notification.toml", 8);
}

TEST_CASE("An inter-site link's schedule holds a change until its window opens", "[sim][schedule]") {
  requirePassing("schedule.toml", 2);
}

TEST_CASE("A window to 24:00 is open all day and a window across Sunday midnight opens Monday's first hours",
          "[sim][schedule]") {
  requirePassing("schedule-all-day.toml", 4);
}

// MS-ADTS 7.1.4.5 SCHEDULE: a 20-byte header, then 168 bytes from Sunday
// 00:00 UTC, the low four bits of each byte that hour's quarter hours.
TEST_CASE("A site link's schedule attribute holds Windows' 168-hour grid of quarter hours", "[sim][schedule]") {
  scenario::LoadResult loaded = scenario::loadScenarioFile(scenario("schedule-all-day.toml"));
  REQUIRE(loaded.scenario);
  auto world = World::create(*loaded.scenario, 1, false);
  REQUIRE(world.isOk());
  const dc::Directory& dir = *(*world)->directory(0);
  auto linkObject = [&](const std::string& link) {
    auto obj =
        dir.read("CN=" + link + ",CN=IP,CN=Inter-Site Transports,CN=Sites,CN=Configuration,DC=corp,DC=example,DC=com");
    REQUIRE(obj.isOk());
    return *obj;
  };
  const uint32_t schedule = dir.schema().attribute("schedule")->id;
  // Open all day every day is "always available": no attribute, as Windows
  // leaves a site link whose schedule was never restricted.
  CHECK(linkObject("A-B").firstValue(schedule) == nullptr);
  dc::Object nightLink = linkObject("A-C");
  const std::string* bytes = nightLink.firstValue(schedule);
  REQUIRE(bytes);
  REQUIRE(bytes->size() == 188);
  CHECK(static_cast<uint8_t>((*bytes)[0]) == 188);  // Size
  CHECK(static_cast<uint8_t>((*bytes)[8]) == 1);    // NumberOfSchedules
  CHECK(static_cast<uint8_t>((*bytes)[16]) == 20);  // the interval data's offset
  std::string night = bytes->substr(20);
  // Sunday 22:00 to Monday 02:00: hours 22 and 23 of Sunday (bytes 22, 23)
  // and hours 0 and 1 of Monday (bytes 24, 25); nothing else.
  for (int hour = 0; hour < 168; ++hour) {
    INFO("hour " << hour);
    bool open = hour == 22 || hour == 23 || hour == 24 || hour == 25;
    CHECK(static_cast<uint8_t>(night[static_cast<size_t>(hour)]) == (open ? 0x0f : 0));
  }
}

TEST_CASE("Steps name users, groups, user_group users, hosts and ids, and follow them through moves and deletes",
          "[sim][steps]") {
  requirePassing("objects-named.toml", 5);
}

// MS-ADTS 3.1.1.5.5.6.1; sAMAccountType is fATTINDEX only (MS-ADA3 2.223).
TEST_CASE("A tombstone keeps the retained attributes, the others are stripped with the deleting DC's stamp",
          "[sim][delete]") {
  requirePassing("tombstone-attributes.toml", 4);
}

// MS-DRSR 5.160 RecycleObj; an unforced replicate while inbound replication
// is disabled is refused with 8457 (ERROR_DS_DRA_SINK_DISABLED).
TEST_CASE("A DC stripping a won edit from an incoming tombstone does so as an originating update that replicates",
          "[sim][delete]") {
  requirePassing("tombstone-strip.toml", 2);
}

// Windows' most-recent-name rule (Samba selftest/knownfail, bug 13039).
TEST_CASE("A name conflict keeps the name for the object renamed most recently, whatever the versions",
          "[sim][conflict]") {
  requirePassing("name-conflict-recency.toml", 3);
}

// Samba bug 13055 and link_conflicts.py's single-valued link cases.
TEST_CASE("A single-valued link keeps one active value, the loser's deactivation is stamped and replicates",
          "[sim][conflict]") {
  requirePassing("single-valued-link.toml", 3);
}

// The tree-delete control; MS-ADTS 3.1.1.5.3.7 undelete.
TEST_CASE("A tree delete tombstones a subtree and an undelete brings one account back without its memberships",
          "[sim][delete]") {
  requirePassing("tree-delete-undelete.toml", 5);
}

TEST_CASE("A DC older than Windows Server 2025 refuses a migration start and changes nothing", "[sim][migration]") {
  requirePassing("migration-on-older-dc.toml", 4);
  // validate refuses the step unless it expects the refusal.
  std::string text = readFile(scenario("migration-on-older-dc.toml"));
  text.replace(text.find("expect_error = \"unwillingToPerform\"\n"), 36, "");
  auto path = std::filesystem::temp_directory_path() / "dcemu-older-dc.toml";
  std::ofstream(path) << text;
  scenario::LoadResult loaded = scenario::loadScenarioFile(path.string());
  REQUIRE(loaded.errors.size() == 1);
  CHECK_THAT(loaded.errors[0], Contains("DC2022 runs Windows Server 2022, which refuses start-migration"));
}

// MS-ADSC: msDS-DelegatedManagedServiceAccount is Windows Server 2025's
// class; a forest schema adprep has not raised has none.
TEST_CASE("A forest whose schema predates Windows Server 2025 refuses to create a dMSA", "[sim][migration]") {
  requirePassing("dmsa-schema-2022.toml", 2);
  std::string text = readFile(scenario("dmsa-schema-2022.toml"));
  auto write = [](const std::string& name, const std::string& contents) {
    auto path = std::filesystem::temp_directory_path() / name;
    std::ofstream(path) << contents;
    return path.string();
  };
  // Without expect_error, validate refuses the step; a dMSA the file
  // provisions itself is refused at its own line.
  std::string unexpected = text;
  unexpected.replace(unexpected.find("expect_error = \"objectClassViolation\"\n"), 38, "");
  scenario::LoadResult loaded = scenario::loadScenarioFile(write("dcemu-schema-step.toml", unexpected));
  REQUIRE(loaded.errors.size() == 1);
  CHECK_THAT(loaded.errors[0], Contains("new-dmsa \"dmsa_app\": the forest's schema is Windows Server 2022's"));
  std::string provisioned = text.substr(0, text.find("[[step]]"));
  loaded = scenario::loadScenarioFile(write("dcemu-schema-dmsa.toml", provisioned));
  REQUIRE(loaded.errors.size() == 1);
  CHECK_THAT(loaded.errors[0], Contains(":29:1: dMSA \"dmsa_app\": the forest's schema"));
  // After adprep from 2025, the same step makes the dMSA.
  std::string raised = text;
  raised.replace(raised.find("name = \"corp.example.com\"\n"), 27, "name = \"corp.example.com\"\nschema = \"2025\"\n");
  raised.replace(raised.find("expect_error = \"objectClassViolation\"\n"), 38, "");
  raised.replace(raised.find("exists = false"), 14, "exists = true");
  raised.replace(raised.find("exists = false"), 14, "exists = true");
  cli::CommandOutput run = cli::runCommand(write("dcemu-schema-raised.toml", raised), {});
  INFO(run.out << run.err);
  CHECK(run.exitCode == 0);
  CHECK_THAT(run.out, Contains("expectations 2 passed, 0 failed"));
  // A schema older than a DC of the file cannot be.
  std::string older = text;
  older.replace(older.find("name = \"corp.example.com\"\n"), 27, "name = \"corp.example.com\"\nschema = \"2016\"\n");
  loaded = scenario::loadScenarioFile(write("dcemu-schema-older.toml", older));
  REQUIRE_FALSE(loaded.errors.empty());
  CHECK_THAT(loaded.errors[0], Contains("schema \"2016\" is older than a Windows Server 2022 DC"));
}

// MS-ADA1 2.268 garbageCollPeriod: each DC collects every that many hours.
// A user deleted at 1h with a 2-day lifetime expires at 2d1h: collecting
// hourly from 15 minutes after start removes it at 2d1h15m on both DCs;
// every 12 hours (the default), not before 2d12h15m.
TEST_CASE("garbage_coll_period sets how often each DC collects its expired tombstones", "[sim][lifetime]") {
  auto collectedBy = [](const std::string& period) {
    auto path = std::filesystem::temp_directory_path() / "dcemu-gc-period.toml";
    std::ofstream(path) << "[simulation]\nduration = \"3d\"\n[domain]\nname = \"corp.example.com\"\n"
                           "tombstone_lifetime = \"2d\"\n"
                        << period
                        << "[[site]]\nname = \"HQ\"\n[[dc]]\nname = \"DC1\"\nsite = \"HQ\"\n[[dc]]\nname = "
                           "\"DC2\"\nsite = \"HQ\"\n[[user]]\nname = \"leaver\"\n[[step]]\nat = \"1h\"\n"
                           "action = \"ldap-delete\"\ndc = \"DC1\"\nobject = \"leaver\"\n";
    scenario::LoadResult loaded = scenario::loadScenarioFile(path.string());
    INFO(fmt::format("{}", fmt::join(loaded.errors, "\n")));
    REQUIRE(loaded.scenario);
    auto world = World::create(*loaded.scenario, 1, false);
    REQUIRE(world.isOk());
    (*world)->runUntil(50 * 3600LL * 1000000);  // 2d2h
    return (*world)->counts().tombstonesCollected;
  };
  CHECK(collectedBy("garbage_coll_period = \"1h\"\n") == 2);
  CHECK(collectedBy("") == 0);
}

// Event 2042 and error 8614: replication stops with a partner not heard
// from for longer than the tombstone lifetime (MS-ADA3 2.314
// tombstoneLifetime), and objects deleted and collected elsewhere linger on
// it (Microsoft's pages on event IDs 2042 and 1988).
TEST_CASE("A DC cut off longer than the tombstone lifetime is refused with 8614 and keeps a lingering object",
          "[sim][lifetime]") {
  cli::RunOptions options;
  options.eventsFile = (std::filesystem::temp_directory_path() / "dcemu-lifetime-events.jsonl").string();
  cli::CommandOutput run = cli::runCommand(scenario("tombstone-lifetime-strict.toml"), options);
  INFO(run.out << run.err);
  CHECK(run.exitCode == 1);  // the replicas diverge, as Windows' would
  CHECK_THAT(run.out, Contains("expectations 4 passed, 0 failed"));
  CHECK_THAT(run.out, Contains("1 tombstones and 0 linked values garbage-collected"));
  // The replicas differ both ways (OU=Temp lingers on the branch, OU=New
  // never reached it); the check names the first in GUID order.
  CHECK_THAT(run.out, Contains("convergence FAILED: 1 difference"));
  CHECK_THAT(run.out, Contains("BR-DC1 differs from HQ-DC1: OU="));
  std::ifstream events(options.eventsFile);
  std::string text((std::istreambuf_iterator<char>(events)), std::istreambuf_iterator<char>());
  CHECK(text.find("\"id\":2042") != std::string::npos);
  CHECK(text.find("Tombstone lifetime (days)") != std::string::npos);
  std::filesystem::remove(options.eventsFile);

  cli::RepadminOptions view;
  view.view = "showrepl";
  view.at = "11d";
  view.dc = "HQ-DC1";
  cli::CommandOutput showrepl = cli::repadminCommand(scenario("tombstone-lifetime-strict.toml"), view);
  INFO(showrepl.out << showrepl.err);
  CHECK_THAT(showrepl.out, Contains("result 8614 (0x21a6)"));
  CHECK_THAT(showrepl.out, Contains("exceeded the tombstone lifetime"));
}

TEST_CASE("With divergent partners allowed, strict consistency stops on a lingering object until it is removed",
          "[sim][lifetime]") {
  requirePassing("tombstone-lifetime-divergent.toml", 5);
  cli::RunOptions options;
  options.eventsFile = (std::filesystem::temp_directory_path() / "dcemu-lingering-events.jsonl").string();
  cli::CommandOutput run = cli::runCommand(scenario("tombstone-lifetime-divergent.toml"), options);
  CHECK_THAT(run.out, Contains("1 lingering objects removed"));
  std::ifstream events(options.eventsFile);
  std::string text((std::istreambuf_iterator<char>(events)), std::istreambuf_iterator<char>());
  CHECK(text.find("\"id\":1988") != std::string::npos);
  CHECK(text.find("\"id\":1945") != std::string::npos);
  std::filesystem::remove(options.eventsFile);
}

TEST_CASE("Under loose consistency a lingering object changed on its DC is re-created everywhere", "[sim][lifetime]") {
  requirePassing("tombstone-lifetime-loose.toml", 4);
}

// The events of docs/events.md, as Windows writes them (Microsoft's dMSA
// overview, "Events"), asserted with expect-event.
TEST_CASE("A migration logs 3085, 307, 308, 2946 and 315 with Windows' fields, and expect-event checks them",
          "[sim][events]") {
  requirePassing("migration-events.toml", 8);
}

TEST_CASE("A partitioned link and a DC that is down: changes wait, then arrive, writes on an RODC are refused",
          "[sim][fault]") {
  cli::CommandOutput run = cli::runCommand(std::string(DCEMU_TOPOLOGIES_DIR) + "/hq-branch.toml", {});
  INFO(run.out << run.err);
  CHECK(run.exitCode == 0);
  CHECK_THAT(run.out, Contains("1 refused; expectations 5 passed, 0 failed"));
}

TEST_CASE("An isolated site keeps replicating inside itself and catches up after", "[sim][fault]") {
  requirePassing("isolate-site.toml", 5);
}

TEST_CASE("A DC with broken replication neither pulls nor serves until the fault ends", "[sim][fault]") {
  requirePassing("replication-broken.toml", 4);
}

TEST_CASE("A DC whose clock runs fast wins a conflict with a later write", "[sim][fault]") {
  requirePassing("clock-skew.toml", 2);
}

TEST_CASE("A slow link delays replication by its latency each way", "[sim][fault]") {
  requirePassing("slow-link.toml", 3);
}

TEST_CASE("Random partitions fail some pulls and the domain converges once they heal", "[sim][fault]") {
  cli::CommandOutput run = cli::runCommand(scenario("random-partitions.toml"), {});
  INFO(run.out << run.err);
  CHECK(run.exitCode == 0);
  std::smatch failed;
  REQUIRE(std::regex_search(run.out, failed, std::regex("\\((\\d+) failed\\)")));
  CHECK(std::stoi(failed[1]) > 0);
  CHECK_THAT(run.out, Contains("convergence all 3 DCs"));
}

TEST_CASE("A USN rollback diverges silently and the convergence check names the DC and the object", "[sim][fault]") {
  cli::CommandOutput run = cli::runCommand(scenario("usn-rollback.toml"), {});
  INFO(run.out << run.err);
  CHECK(run.exitCode == 1);
  CHECK_THAT(run.out, Contains("expectations 5 passed, 0 failed"));
  CHECK_THAT(run.out, Contains("convergence FAILED"));
  // The first difference in GUID order: either OU is on one DC only.
  CHECK(std::regex_search(run.out, std::regex("DC2 differs from DC1: OU=(Before|After)Rollback,DC=corp,DC=example,"
                                              "DC=com \\(domain NC\\): on DC[12] only")));
}

TEST_CASE("A failing expectation prints its line, DC, expected and found values and makes the run exit 1",
          "[sim][expect]") {
  cli::CommandOutput run = cli::runCommand(scenario("notification.toml"), {.until = "25s"});
  CHECK(run.exitCode == 0);  // nothing checked after 24s has run yet
  auto text = std::filesystem::temp_directory_path() / "dcemu-failing-expect.toml";
  {
    std::ifstream in(scenario("clock-skew.toml"));
    std::stringstream body;
    body << in.rdbuf();
    std::string changed = std::regex_replace(body.str(), std::regex("version = 1"), "version = 2");
    std::ofstream(text) << changed;
  }
  cli::CommandOutput failing = cli::runCommand(text.string(), {});
  CHECK(failing.exitCode == 1);
  CHECK_THAT(failing.out, Contains(text.string() + ":65:1: expect on DC1 failed: "
                                                   "CN=alice,CN=Users,DC=corp,DC=example,DC=com: description: "
                                                   "expected version 2, found 1"));
}

TEST_CASE("Every example runs twice to byte-identical output, in one process and in two", "[sim][determinism]") {
  // The first simulated hour: enterprise-50's 28 days belong to sim_bench.
  for (const std::string& file : exampleFiles()) {
    cli::CommandOutput first = cli::runCommand(file, {.until = "1h"});
    INFO(file << "\n" << first.out << first.err);
    CHECK(first.err.empty());
    cli::CommandOutput second = cli::runCommand(file, {.until = "1h"});
    CHECK(first.out == second.out);
    CHECK(runInProcess(std::string(DCEMU_BINARY) + " run --until 1h " + file) == first.out);
  }
}

TEST_CASE("A different seed changes the trace where randomness is used, and only the seed does", "[sim][determinism]") {
  std::string file = std::string(DCEMU_TOPOLOGIES_DIR) + "/hq-branch.toml";
  std::string one = traceHash(cli::runCommand(file, {.seed = 1}).out);
  CHECK(traceHash(cli::runCommand(file, {.seed = 1}).out) == one);
  CHECK(traceHash(cli::runCommand(file, {.seed = 2}).out) != one);
}

TEST_CASE("A run with its stores on disk prints what the same run in memory prints, and restarts from disk",
          "[sim][store]") {
  // hq-branch takes a DC down and brings it back: the restart reopens its
  // store from the directory.
  auto dir = std::filesystem::temp_directory_path() / "dcemu-sim-run-store-test";
  std::filesystem::remove_all(dir);
  std::string file = std::string(DCEMU_TOPOLOGIES_DIR) + "/hq-branch.toml";
  cli::CommandOutput onDisk = cli::runCommand(file, {.storeDirectory = dir.string()});
  INFO(onDisk.err);
  CHECK(onDisk.exitCode == 0);
  CHECK(std::filesystem::exists(dir / "hq-dc1"));
  CHECK(onDisk.out == cli::runCommand(file, {}).out);

  cli::CommandOutput again = cli::runCommand(file, {.storeDirectory = dir.string()});
  CHECK(again.exitCode == 2);
  CHECK(again.err ==
        "--store: store directory " + dir.string() + ": not empty; each run needs an empty or new directory\n");
  std::filesystem::remove_all(dir);
}

TEST_CASE("The trace file is Chrome trace-event JSON with a lane per DC", "[sim][trace]") {
  auto path = std::filesystem::temp_directory_path() / "dcemu-trace-test.json";
  cli::CommandOutput run = cli::runCommand(scenario("notification.toml"), {.traceFile = path.string()});
  REQUIRE(run.exitCode == 0);
  std::ifstream in(path);
  std::stringstream json;
  json << in.rdbuf();
  CHECK_THAT(json.str(), Contains("\"traceEvents\""));
  CHECK_THAT(json.str(), Contains("\"name\":\"HQ\\\\DC2\""));
  CHECK_THAT(json.str(), Contains("\"name\":\"pull domain from DC1\""));
}

TEST_CASE("Bad command-line values are one-line errors naming the option", "[sim][cli]") {
  cli::CommandOutput badUntil = cli::runCommand(scenario("notification.toml"), {.until = "ten minutes"});
  CHECK(badUntil.exitCode == 2);
  CHECK_THAT(badUntil.err, Contains("--until \"ten minutes\""));
  cli::RepadminOptions options;
  options.view = "showrepl";
  options.at = "1m";
  options.dc = "NOPE";
  cli::CommandOutput badDc = cli::repadminCommand(scenario("notification.toml"), options);
  CHECK(badDc.exitCode == 2);
  CHECK_THAT(badDc.err, Contains("--dc \"NOPE\": no such DC"));
  cli::CommandOutput missing = cli::runCommand("/nonexistent/topology.toml", {});
  CHECK(missing.exitCode == 2);
  CHECK_THAT(missing.err, Contains("/nonexistent/topology.toml: cannot read the file"));
  // Output paths and the store directory are checked before any work.
  cli::CommandOutput trace = cli::runCommand(scenario("notification.toml"), {.traceFile = "/nonexistent/trace.json"});
  CHECK(trace.exitCode == 2);
  CHECK(trace.out.empty());
  CHECK(trace.err == "--trace /nonexistent/trace.json: /nonexistent is not an existing directory\n");
  cli::CommandOutput store = cli::runCommand(scenario("notification.toml"), {.storeDirectory = "/nonexistent/x"});
  CHECK(store.exitCode == 2);
  CHECK(store.err == "--store: store directory /nonexistent/x: /nonexistent is not an existing directory\n");
  CHECK_FALSE(std::filesystem::exists("/nonexistent"));
  cli::CommandOutput completeAt =
      cli::runCommand(scenario("notification.toml"), {.completeAt = "2025-01-01T00:00:00Z"});
  CHECK(completeAt.exitCode == 2);
  CHECK_THAT(completeAt.err, Contains("--complete-at \"2025-01-01T00:00:00Z\": "));
}

// topologies/migration-partitioned-branch.toml: the branch's link is down
// from 20h to 3d and the migration starts at 1d on HQ-DC1. At 2d the branch
// DC has not seen the start; at 4d it holds state 1 and the ACEs the hub
// hosts wrote at 1d and the branch hosts after the partition ended (the
// file's own expect steps check the hub side at 2d).
TEST_CASE("dcemu get shows an object's attributes as one DC holds them at a moment", "[sim][get]") {
  std::string file = std::string(DCEMU_TOPOLOGIES_DIR) + "/migration-partitioned-branch.toml";
  cli::GetOptions during{"2d", "BR-DC1", "dmsa_files", {"msDS-DelegatedMSAState", "msDS-GroupMSAMembership"}, {}};
  cli::CommandOutput partitioned = cli::getCommand(file, during);
  INFO(partitioned.err);
  REQUIRE(partitioned.exitCode == 0);
  CHECK(partitioned.out ==
        "CN=dmsa_files,CN=Managed Service Accounts,DC=corp,DC=example,DC=com on BR-DC1 at 2026-01-07T00:00:00Z (+2d)\n"
        "msDS-DelegatedMSAState  : 0\n"
        "msDS-GroupMSAMembership : (not set)\n");
  cli::GetOptions after = during;
  after.at = "2026-01-09T00:00:00Z";
  cli::CommandOutput healed = cli::getCommand(file, after);
  REQUIRE(healed.exitCode == 0);
  CHECK_THAT(healed.out, Contains("msDS-DelegatedMSAState  : 1\n"));
  // SDDL with the machines' names where the SIDs are the domain's.
  for (const char* host : {"hq-files-001$", "hq-files-002$", "br-files-001$", "br-files-002$"})
    CHECK_THAT(healed.out, Contains(fmt::format("(A;;CCDCLCSWRPWPDTLOCRSDRCWDWO;;;{})", host)));
  // Every attribute when none is named, the DN first.
  cli::GetOptions all{"1d", "HQ-DC1", "svc_files", {}, {}};
  cli::CommandOutput account = cli::getCommand(file, all);
  CHECK_THAT(account.out, Contains("\ndistinguishedName "));
  CHECK_THAT(account.out, Contains("\nsAMAccountName "));
  // Refusals: exit 2, one line, before simulating.
  cli::GetOptions badAttr = during;
  badAttr.attributes = {"msDS-Nope"};
  cli::CommandOutput nope = cli::getCommand(file, badAttr);
  CHECK(nope.exitCode == 2);
  CHECK(nope.err == "attribute \"msDS-Nope\": no such attribute in the schema\n");
  cli::GetOptions badDc = during;
  badDc.dc = "MARS-DC1";
  CHECK(cli::getCommand(file, badDc).exitCode == 2);
}

TEST_CASE("repadmin views read the simulated DCs at the given moment", "[sim][repadmin]") {
  cli::RepadminOptions options;
  options.view = "showrepl";
  options.at = "3h";
  options.dc = "BR-DC1";
  std::string file = std::string(DCEMU_TOPOLOGIES_DIR) + "/hq-branch.toml";
  cli::CommandOutput during = cli::repadminCommand(file, options);
  INFO(during.out << during.err);
  CHECK_THAT(during.out, Contains("Branch\\BR-DC1"));
  CHECK_THAT(during.out, Contains("result 1722 (0x6ba)"));  // the link is partitioned from 2h to 4h
  options.view = "showobjmeta";
  options.at = "9h";
  options.dc = "HQ-DC2";
  options.object = "bob";
  cli::CommandOutput meta = cli::repadminCommand(file, options);
  INFO(meta.out << meta.err);
  CHECK(std::regex_search(meta.out, std::regex("Branch\\\\BR-DC1 +\\d+ 2026-01-05 06:30:00 +1 description")));
}

TEST_CASE("Every DC starts with the same objects and stamps, and the KCC's connections stored", "[sim][provision]") {
  scenario::LoadResult loaded = scenario::loadScenarioFile(std::string(DCEMU_TOPOLOGIES_DIR) + "/hq-branch.toml");
  REQUIRE(loaded.scenario);
  auto world = World::create(*loaded.scenario, 1, false);
  REQUIRE(world.isOk());
  const World& w = **world;
  for (int i = 1; i < w.dcCount(); ++i) {
    auto difference = replication::firstDifference(*w.directory(0), *w.directory(i));
    REQUIRE(difference.isOk());
    CHECK_FALSE(difference->has_value());
  }
  const dc::Directory& dir = *w.directory(3);
  CHECK(dir.read("CN=app-003,CN=Computers,DC=corp,DC=example,DC=com").isOk());
  CHECK(dir.read("CN=BR-RODC1,OU=Domain Controllers,DC=corp,DC=example,DC=com").isOk());
  CHECK(dir.read("CN=HQ-Branch,CN=IP,CN=Inter-Site Transports,CN=Sites,CN=Configuration,DC=corp,DC=example,DC=com")
            .isOk());
  size_t stored = 0;
  for (int i = 0; i < w.dcCount(); ++i) {
    const replication::DsaInfo& info = w.dsaInfo(i);
    stored += dir.childrenOf(fmt::format("CN=NTDS Settings,CN={},CN=Servers,CN={},CN=Sites,CN=Configuration,DC=corp,"
                                         "DC=example,DC=com",
                                         info.name, info.site))
                  .size();
  }
  CHECK(stored == w.topology().connections.size());
  // Each DC writes with its own invocationID, which its NTDS Settings hold.
  std::set<dc::Guid> invocations;
  for (int i = 0; i < w.dcCount(); ++i) invocations.insert(w.directory(i)->invocationId());
  CHECK(invocations.size() == static_cast<size_t>(w.dcCount()));
}

}  // namespace dcemu::sim
