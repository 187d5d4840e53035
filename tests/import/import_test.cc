// dcemu import on real exports: a Samba 4.17 AD DC provisioned by the test
// (tests/import/samba-lab, exported with ldbsearch), and LDIF in ldifde's
// form for what Samba lacks (dMSAs, Windows Server 2025 versions), read as
// users read them, into files that validate and run.
#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "cli/commands.h"
#include "scenario/loader.h"
#include "tests/support/test_support.h"

namespace dcemu::cli {
namespace {

using Catch::Matchers::Contains;
namespace fs = std::filesystem;

const std::string kImportDir = DCEMU_SOURCE_DIR "/tests/import";

fs::path scratch(const std::string& name) {
  fs::path dir = fs::temp_directory_path() / fmt::format("dcemu-import-{}-{}", name, getpid());
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

scenario::Scenario load(const fs::path& file) {
  scenario::LoadResult loaded = scenario::loadScenarioFile(file.string());
  INFO((loaded.errors.empty() ? "" : loaded.errors.front()));
  REQUIRE(loaded.scenario);
  return *loaded.scenario;
}

const scenario::SiteLink& link(const scenario::Scenario& s, const std::string& name) {
  int index = s.linkIndex(name);
  REQUIRE(index >= 0);
  return s.siteLinks[static_cast<size_t>(index)];
}

}  // namespace

// The lab as the reference's Samba AD DC lab sets it up (import-and-ldap.md):
// what samba-tool and the LDIF it was given created is what the file says.
TEST_CASE("A Samba AD DC's ldbsearch export becomes a topology file with its sites, links, DCs and grants",
          "[import][samba]") {
  fs::path dir = scratch("samba");
  int built = std::system(
      fmt::format("timeout 300 {}/samba-lab {} > {}/lab.log 2>&1", kImportDir, dir.string(), dir.string()).c_str());
  INFO(dcemu::testing::readFile((dir / "lab.log").string()));
  REQUIRE(built == 0);
  std::ofstream(dir / "services.csv") << "host,account,site\nSRV2025,svc_sql,Branch1\nSRV2022,svc_sql,Branch2\n";
  CommandOutput imported = importCommand({.ldifFiles = {(dir / "sites.ldif").string(), (dir / "domain.ldif").string()},
                                          .servicesFile = (dir / "services.csv").string(),
                                          .out = (dir / "lab.toml").string()});
  INFO(imported.out << imported.err);
  REQUIRE(imported.exitCode == 0);
  scenario::Scenario s = load(dir / "lab.toml");

  CHECK(s.domain == "lab.example.test");
  CHECK(s.tombstoneLifetimeDays == 120);
  CHECK(s.garbageCollPeriodHours == 6);
  REQUIRE(s.sites.size() == 3);
  REQUIRE(s.dcs.size() == 3);
  const scenario::DcSpec& dc1 = s.dcs[static_cast<size_t>(s.dcIndex("DC1"))];
  CHECK(s.sites[static_cast<size_t>(dc1.site)].name == "Hub");
  CHECK(dc1.os == "2008R2");  // Samba's msDS-Behavior-Version 4
  const scenario::DcSpec& dc2 = s.dcs[static_cast<size_t>(s.dcIndex("DC2"))];
  CHECK(s.sites[static_cast<size_t>(dc2.site)].name == "Branch1");
  CHECK(dc2.os == "2022");  // its computer's operatingSystemVersion 10.0 (20348)
  CHECK(s.dcs[static_cast<size_t>(s.dcIndex("RODC3"))].rodc);

  const scenario::SiteLink& hub = link(s, "Hub-Branch1");
  CHECK(hub.cost == 50);
  CHECK(hub.interval == 60LL * 60 * 1000000);
  CHECK(hub.notify);
  CHECK(scenario::describeSchedule(hub.schedule) == "Mon-Fri 20:00-24:00");
  const scenario::SiteLink& branches = link(s, "Branch1-Branch2");
  CHECK(branches.cost == 200);
  CHECK(branches.interval == 360LL * 60 * 1000000);
  CHECK(branches.schedule.isAlways());
  // "Bridge all site links" is off (CN=IP options 2), so the bridge counts.
  REQUIRE(s.bridges.size() == 1);
  CHECK(s.bridges[0].name == "Hub-Branch2-Bridge");

  CHECK(s.ous == std::vector<std::string>{"OU=Servers", "OU=ServiceAccounts", "OU=Web,OU=Servers"});
  REQUIRE(s.acls.size() == 1);
  CHECK(s.acls[0].ou == "OU=Servers");
  CHECK(s.acls[0].principal == "helpdesk1");
  CHECK(s.acls[0].rights == std::vector<std::string>{"CreateChild"});
  CHECK(s.acls[0].appliesTo == "all");
  bool svcSql = false;
  for (const auto& account : s.serviceAccounts)
    if (account.name == "svc_sql")
      svcSql = account.spns == std::vector<std::string>{"MSSQLSvc/srv2025.lab.example.test:1433"};
  CHECK(svcSql);
  REQUIRE(s.hostGroups.size() == 2);
  CHECK(s.hostGroups[0].name == "SRV2022");
  CHECK_FALSE(s.hostGroups[0].dmsaCapable);
  CHECK(s.hostGroups[1].name == "SRV2025");
  CHECK(s.hostGroups[1].dmsaCapable);
  CHECK(s.hostGroups[1].services == std::vector<std::string>{"svc_sql"});

  // What was not written is listed, with why.
  std::string text = dcemu::testing::readFile((dir / "lab.toml").string());
  CHECK_THAT(text, Contains("1 subnet(s): the file places hosts by site, not by address"));
  CHECK_THAT(text, Contains("# CN=Hub-Branch1,CN=IP,CN=Inter-Site Transports,CN=Sites,CN=Configuration,DC=lab"));
  // The lab's grant is found by the audit, reaching the OU below it.
  CommandOutput audit = auditCommand((dir / "lab.toml").string(), {});
  CHECK_THAT(audit.out, Contains("OU=Web,OU=Servers,DC=lab,DC=example,DC=test  helpdesk1  CreateChild (all objects)"));
  CommandOutput topology = topologyCommand((dir / "lab.toml").string(), false);
  CHECK(topology.exitCode == 0);

  // The same domain read from the running DC over LDAP (paged, SD flags
  // control; binary SIDs and descriptors where ldbsearch wrote text) gives
  // the same file.
  std::ofstream(dir / "password") << "Passw0rd.Lab1\n";
  int served = std::system(fmt::format("timeout 120 {}/samba-serve {} {} import ldap://127.0.0.1 --bind "
                                       "Administrator@LAB.EXAMPLE.TEST --password-file {} --services {} --out {} > {} "
                                       "2>&1",
                                       kImportDir, dir.string(), DCEMU_BINARY, (dir / "password").string(),
                                       (dir / "services.csv").string(), (dir / "ldap.toml").string(),
                                       (dir / "serve.log").string())
                               .c_str());
  INFO(dcemu::testing::readFile((dir / "serve.log").string()));
  REQUIRE(served == 0);
  auto body = [](const std::string& file) { return file.substr(file.find('\n')); };  // all but "Written by ... from"
  CHECK(body(dcemu::testing::readFile((dir / "ldap.toml").string())) == body(text));
  // A wrong password: one line with the DC's answer.
  std::ofstream(dir / "wrong") << "nope\n";
  std::system(fmt::format("timeout 120 {}/samba-serve {} {} import ldap://127.0.0.1 --bind "
                          "Administrator@LAB.EXAMPLE.TEST --password-file {} --out {} > {} 2>&1",
                          kImportDir, dir.string(), DCEMU_BINARY, (dir / "wrong").string(), (dir / "x.toml").string(),
                          (dir / "wrong.log").string())
                  .c_str());
  CHECK_THAT(dcemu::testing::readFile((dir / "wrong.log").string()),
             Contains("ldap://127.0.0.1: bind as Administrator@LAB.EXAMPLE.TEST refused: Invalid credentials (49)"));
  CHECK_FALSE(fs::exists(dir / "x.toml"));
  fs::remove_all(dir);
}

TEST_CASE("ldifde's LDIF with a started dMSA migration imports and runs: binary SIDs and security descriptors, CRLF",
          "[import]") {
  fs::path dir = scratch("ldifde");
  CommandOutput imported = importCommand({.ldifFiles = {kImportDir + "/ldifde-dmsa.ldf"},
                                          .servicesFile = kImportDir + "/ldifde-dmsa-services.csv",
                                          .out = (dir / "dmsa.toml").string()});
  INFO(imported.out << imported.err);
  REQUIRE(imported.exitCode == 0);
  scenario::Scenario s = load(dir / "dmsa.toml");
  REQUIRE(s.dmsas.size() == 1);
  CHECK(s.dmsas[0].name == "dmsa_app");
  CHECK(s.dmsas[0].state == 1);
  CHECK(s.dmsas[0].supersedes == "svc_app");
  CHECK(s.dmsas[0].ou == "OU=Apps");
  CHECK(s.dmsas[0].principals == std::vector<std::string>{"HOST01"});  // from the binary msDS-GroupMSAMembership
  CHECK(s.dcs[0].os == "2025");
  REQUIRE(s.userBatches.size() == 1);
  CHECK(s.userBatches[0].count == 3);
  CHECK(s.userBatches[0].ou == "OU=Apps");
  CommandOutput run = runCommand((dir / "dmsa.toml").string(), {.until = "1d", .noWhatIf = true});
  INFO(run.out << run.err);
  CHECK_THAT(run.out, Contains("NO-GO  dmsa_app  1 host cannot run a dMSA (HOST02)"));
  fs::remove_all(dir);
}

// repadmin /showrepl * /csv (the Checkmk-sampled header, a banner line
// before it, quoted naming contexts): a connection failing now is a
// connection-broken fault from the start, and the run's repadmin shows it.
TEST_CASE("Connections repadmin shows failing become faults, and the imported run fails those pulls the same way",
          "[import]") {
  fs::path dir = scratch("repadmin");
  CommandOutput imported = importCommand({.ldifFiles = {kImportDir + "/ldifde-dmsa.ldf"},
                                          .servicesFile = kImportDir + "/ldifde-dmsa-services.csv",
                                          .repadminCsv = kImportDir + "/repadmin-showrepl.csv",
                                          .out = (dir / "r.toml").string()});
  INFO(imported.out << imported.err);
  REQUIRE(imported.exitCode == 0);
  scenario::Scenario s = load(dir / "r.toml");
  REQUIRE(s.faults.size() == 1);  // one per connection, not one per naming context
  CHECK(s.faults[0].kind == "connection-broken");
  CHECK(s.faults[0].dc == "DC2");
  CHECK(s.faults[0].source == "DC1");
  CHECK(s.faults[0].error == 1722);
  CommandOutput showrepl = repadminCommand((dir / "r.toml").string(), {.view = "showrepl", .at = "2h", .dc = "DC2"});
  INFO(showrepl.out << showrepl.err);
  CHECK_THAT(showrepl.out, Contains("HQ\\DC1 via RPC"));
  CHECK_THAT(showrepl.out, Contains("failed, result 1722 (0x6ba)"));
  std::ofstream(dir / "not-repadmin.csv") << "a,b,c\n";
  CommandOutput bad = importCommand({.ldifFiles = {kImportDir + "/ldifde-dmsa.ldf"},
                                     .repadminCsv = (dir / "not-repadmin.csv").string(),
                                     .out = (dir / "x.toml").string()});
  CHECK_THAT(bad.err, Contains("not-repadmin.csv: no showrepl_COLUMNS header line"));
  fs::remove_all(dir);
}

TEST_CASE("An anonymized import keeps the domain's structure and leaves none of its names in the file", "[import]") {
  fs::path dir = scratch("anonymize");
  CommandOutput imported = importCommand({.ldifFiles = {kImportDir + "/ldifde-dmsa.ldf"},
                                          .servicesFile = kImportDir + "/ldifde-dmsa-services.csv",
                                          .repadminCsv = kImportDir + "/repadmin-showrepl.csv",
                                          .out = (dir / "a.toml").string(),
                                          .anonymize = true});
  INFO(imported.out << imported.err);
  REQUIRE(imported.exitCode == 0);
  std::string text = dcemu::testing::readFile((dir / "a.toml").string());
  for (const char* name : {"corp", "example.com", "svc_app", "dmsa_app", "HOST01", "HOST02", "Apps", "HQ", "Branch",
                           "DC1", "DC2", "user0", "ldifde-dmsa"})
    CHECK_THAT(text, !Contains(name));
  scenario::Scenario s = load(dir / "a.toml");
  REQUIRE(s.dmsas.size() == 1);
  CHECK(s.dmsas[0].supersedes == s.serviceAccounts[0].name);
  CHECK(s.dmsas[0].state == 1);
  CHECK(s.dmsas[0].principals.size() == 1);
  CHECK(s.dcs.size() == 2);
  CHECK(s.faults.size() == 1);
  CHECK(s.userBatches[0].count == 3);
  CHECK(s.serviceAccounts[0].spns == std::vector<std::string>{"HTTP/host-0003.example.test"});
  // The same export gives the same pseudonyms.
  importCommand({.ldifFiles = {kImportDir + "/ldifde-dmsa.ldf"},
                 .servicesFile = kImportDir + "/ldifde-dmsa-services.csv",
                 .repadminCsv = kImportDir + "/repadmin-showrepl.csv",
                 .out = (dir / "b.toml").string(),
                 .anonymize = true});
  CHECK(dcemu::testing::readFile((dir / "b.toml").string()) == text);
  CommandOutput run = runCommand((dir / "a.toml").string(), {.until = "1d", .noWhatIf = true});
  CHECK_THAT(run.out, Contains("1 host cannot run a dMSA"));
  fs::remove_all(dir);
}

TEST_CASE("Bad import input is one line naming the file and line, and nothing is written", "[import]") {
  fs::path dir = scratch("bad");
  std::ofstream(dir / "broken.ldif") << "dn: CN=x,DC=corp,DC=example,DC=com\nobjectClass:: ***notbase64\n";
  CommandOutput broken =
      importCommand({.ldifFiles = {(dir / "broken.ldif").string()}, .out = (dir / "x.toml").string()});
  CHECK(broken.exitCode != 0);
  CHECK_THAT(broken.err, Contains((dir / "broken.ldif").string() + ":1:"));
  CHECK(std::count(broken.err.begin(), broken.err.end(), '\n') == 1);
  std::ofstream(dir / "services.csv") << "host,account\nHOST01\n";
  CommandOutput services = importCommand({.ldifFiles = {kImportDir + "/ldifde-dmsa.ldf"},
                                          .servicesFile = (dir / "services.csv").string(),
                                          .out = (dir / "x.toml").string()});
  CHECK_THAT(services.err, Contains("services.csv:2: expected host,account or host,account,site"));
  // A schedule no window list can hold: refused naming the link's DN.
  std::string ldf = dcemu::testing::readFile(kImportDir + "/ldifde-dmsa.ldf");
  ldf.replace(ldf.find("replInterval: 180"), 17, "replInterval: 20");
  std::ofstream(dir / "interval.ldf", std::ios::binary) << ldf;
  CommandOutput interval =
      importCommand({.ldifFiles = {(dir / "interval.ldf").string()}, .out = (dir / "x.toml").string()});
  CHECK_THAT(interval.err, Contains("CN=HQ-Branch,CN=IP,CN=Inter-Site Transports"));
  CHECK_THAT(interval.err, Contains("replInterval 20 is not a multiple of 15 minutes"));
  CHECK_FALSE(fs::exists(dir / "x.toml"));
  fs::remove_all(dir);
}

// Mutated exports (bytes flipped, inserted, dropped, lines cut) never crash
// or hang the import: each ends in a written file or one-line errors.
TEST_CASE("Three thousand mutated LDIF, services and repadmin files never crash the import", "[import][fuzz]") {
  fs::path dir = scratch("fuzz");
  const std::vector<std::pair<std::string, std::string>> inputs = {
      {"ldif", dcemu::testing::readFile(kImportDir + "/ldifde-dmsa.ldf")},
      {"services", dcemu::testing::readFile(kImportDir + "/ldifde-dmsa-services.csv")},
      {"repadmin", dcemu::testing::readFile(kImportDir + "/repadmin-showrepl.csv")}};
  uint64_t state = 0x9e3779b97f4a7c15ULL;
  auto next = [&] {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
  };
  const std::string alphabet = std::string("\n\r :=,\"#-;") + '\0' + '\xff' + "0123456789ABCDEFabcdef";
  for (int round = 0; round < 3000; ++round) {
    size_t which = round % inputs.size();
    std::string text = inputs[which].second;
    for (int edits = 1 + static_cast<int>(next() % 4); edits > 0 && !text.empty(); --edits) {
      size_t at = next() % text.size();
      switch (next() % 4) {
        case 0: text[at] = alphabet[next() % alphabet.size()]; break;
        case 1: text.insert(at, 1, alphabet[next() % alphabet.size()]); break;
        case 2: text.erase(at, 1 + next() % 16); break;
        default: text.erase(at, text.find('\n', at) == std::string::npos ? 0 : text.find('\n', at) - at); break;
      }
    }
    fs::path mutated = dir / fmt::format("mutated.{}", inputs[which].first);
    std::ofstream(mutated, std::ios::binary | std::ios::trunc) << text;
    ImportOptions options{.ldifFiles = {kImportDir + "/ldifde-dmsa.ldf"}, .out = (dir / "out.toml").string()};
    if (which == 0) options.ldifFiles = {mutated.string()};
    if (which == 1) options.servicesFile = mutated.string();
    if (which == 2) options.repadminCsv = mutated.string();
    CommandOutput result = importCommand(options);
    INFO("round " << round << ": " << result.err);
    CHECK((result.exitCode == 0 || result.exitCode == 1 || result.exitCode == 2));
    if (result.exitCode != 0) CHECK(std::count(result.err.begin(), result.err.end(), '\n') == 1);
  }
  fs::remove_all(dir);
}

}  // namespace dcemu::cli
