// dcemu audit against Akamai's BadSuccessor research and its detection
// script (Get-BadSuccessorOUPermissions.ps1): who may create a dMSA in an
// OU, and, after CVE-2025-53779's fix (the KDC requires the superseded
// account's msDS-SupersededManagedAccountLink to point back), who can
// still take an account over.
#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <regex>

#include "cli/commands.h"
#include "tests/support/test_support.h"

namespace dcemu::cli {
namespace {

using namespace dcemu::testing;

using Catch::Matchers::Contains;

TEST_CASE("Before the fix, CreateChild on an OU lets a dMSA there take over every account", "[sim][audit]") {
  cli::CommandOutput audit = cli::auditCommand(topology("badsuccessor-lab.toml"), {});
  INFO(audit.out << audit.err);
  CHECK(audit.exitCode == 1);
  CHECK_THAT(audit.out, Contains("the KDC is not patched"));
  CHECK(std::regex_search(audit.out, std::regex("OU=Apps,DC=corp,DC=example,DC=com +helpdesk +CreateChild \\(all "
                                                "objects\\) +this object")));
  CHECK_THAT(audit.out, Contains("helpdesk: 5 accounts (Administrator, DC1$, attacker-ws$, helpdesk, krbtgt)"));
}

TEST_CASE("After the fix, the same grant takes over nothing it cannot write the back link of", "[sim][audit]") {
  cli::CommandOutput audit = cli::auditCommand(topology("badsuccessor-patched.toml"), {});
  INFO(audit.out);
  CHECK(audit.exitCode == 1);
  CHECK_THAT(audit.out, Contains("helpdesk: no account: the patched KDC requires"));
}

TEST_CASE("Each exposing right is found once, and GenericAll reaching accounts still takes them over", "[sim][audit]") {
  cli::CommandOutput audit =
      cli::auditCommand(std::string(DCEMU_SCENARIOS_DIR) + "/audit-every-right.toml", {.at = "1h", .dc = "DC1"});
  INFO(audit.out << audit.err);
  CHECK(audit.exitCode == 1);
  CHECK_THAT(audit.out, Contains("exposure    8 grants"));
  for (const char* line :
       {"u_cc +CreateChild \\(all objects\\) +this object", "u_dmsa +CreateChild \\(dMSA objects\\) +this object",
        "u_ga +GenericAll +it and its objects", "u_gw +GenericWrite +it and its objects",
        "u_wp +WriteProperty +its objects", "u_wd +WriteDACL +this object", "u_wo +WriteOwner +this object",
        "u_owner +owner +this object"}) {
    INFO(line);
    CHECK(std::regex_search(audit.out, std::regex(line)));
  }
  // OU=Full's GenericAll reaches its two accounts through inheritance.
  CHECK_THAT(audit.out, Contains("u_ga: 2 accounts (full-00001, full-00002)"));
  CHECK_THAT(audit.out, Contains("u_cc: no account"));
  // Before the owner step the OU is the administrators' own.
  cli::CommandOutput before = cli::auditCommand(std::string(DCEMU_SCENARIOS_DIR) + "/audit-every-right.toml", {});
  CHECK_THAT(before.out, Contains("exposure    7 grants"));
}

// MS-ADTS 3.1.1.6.3 and MS-DTYP 2.5.3.4.1: an OU's inheritable ACEs reach
// the OUs already below it once the SD propagator has run, and Akamai's
// script reads each OU's ACEs with the inherited ones. Before the audit
// read effective ACEs it listed only u_all on OU=Regions (a false negative).
TEST_CASE("The audit finds CreateChild an OU passes to the OUs below it, inherit-only or not", "[sim][audit]") {
  const std::string file = std::string(DCEMU_SCENARIOS_DIR) + "/audit-inherited.toml";
  cli::CommandOutput audit = cli::auditCommand(file, {});
  INFO(audit.out << audit.err);
  CHECK(audit.exitCode == 1);
  CHECK_THAT(audit.out, Contains("exposure    5 grants"));
  for (const char* ou : {"North", "South"})
    for (const char* user : {"u_desc", "u_all"}) {
      INFO(ou << " " << user);
      CHECK(std::regex_search(audit.out, std::regex(fmt::format("OU={},OU=Regions,DC=corp,DC=example,DC=com +{} +"
                                                                "CreateChild \\(all objects\\) +it and its "
                                                                "objects, inherited",
                                                                ou, user))));
    }
  // The inherit-only grant does not let u_desc create in OU=Regions itself.
  CHECK_FALSE(std::regex_search(audit.out, std::regex("\\n  OU=Regions,DC=corp,DC=example,DC=com +u_desc")));
  // Before the grants: nothing is exposed.
  std::string text = readFile(file);
  auto path = std::filesystem::temp_directory_path() / "dcemu-audit-before.toml";
  std::ofstream(path) << text.substr(0, text.find("[[acl]]"));
  cli::CommandOutput before = cli::auditCommand(path.string(), {});
  INFO(before.out << before.err);
  CHECK(before.exitCode == 0);
}

TEST_CASE("The audit finds CreateChild granted with inheritance on the domain head on every OU", "[sim][audit]") {
  const std::string file = std::string(DCEMU_SCENARIOS_DIR) + "/audit-inherited-domain.toml";
  cli::CommandOutput audit = cli::auditCommand(file, {});
  INFO(audit.out << audit.err);
  CHECK(audit.exitCode == 1);
  for (const char* ou : {"OU=Apps", "OU=Web,OU=Apps"}) {
    INFO(ou);
    CHECK(std::regex_search(audit.out, std::regex(fmt::format("{},DC=corp,DC=example,DC=com +u_top +CreateChild "
                                                              "\\(all objects\\) +it and its objects, inherited",
                                                              ou))));
  }
  cli::CommandOutput script = cli::auditCommand(file, {.likeScript = true});
  // The domain's own OU=Domain Controllers inherits it too; the protected
  // Deleted Objects container does not.
  CHECK_THAT(script.out,
             Contains("\nu_top\tOU=Apps,DC=corp,DC=example,DC=com; OU=Domain Controllers,DC=corp,DC=example,"
                      "DC=com; OU=Web,OU=Apps,DC=corp,DC=example,DC=com\n"));
  CHECK_THAT(audit.out, !Contains("CN=Deleted Objects"));
  // Before the grant: nothing is exposed.
  std::string text = readFile(file);
  auto path = std::filesystem::temp_directory_path() / "dcemu-audit-domain-before.toml";
  std::ofstream(path) << text.substr(0, text.find("[[acl]]"));
  cli::CommandOutput before = cli::auditCommand(path.string(), {});
  INFO(before.out << before.err);
  CHECK(before.exitCode == 0);
}

// --like-script lists what Get-BadSuccessorOUPermissions.ps1 lists: per
// identity, the OUs where an allow ACE gives CreateChild, GenericAll,
// WriteDACL or WriteOwner on all objects or dMSAs (inherit-only ones too),
// or which it owns; GenericWrite and WriteProperty are not among them.
TEST_CASE("The audit's --like-script output lists exactly the script's identities and OUs", "[sim][audit]") {
  cli::CommandOutput inherited =
      cli::auditCommand(std::string(DCEMU_SCENARIOS_DIR) + "/audit-inherited.toml", {.likeScript = true});
  INFO(inherited.out << inherited.err);
  CHECK(inherited.exitCode == 1);
  const std::string regions =
      "OU=North,OU=Regions,DC=corp,DC=example,DC=com; OU=Regions,DC=corp,DC=example,DC=com; "
      "OU=South,OU=Regions,DC=corp,DC=example,DC=com";
  CHECK_THAT(inherited.out, Contains("\nu_all\t" + regions + "\n"));
  CHECK_THAT(inherited.out, Contains("\nu_desc\t" + regions + "\n"));
  cli::CommandOutput every = cli::auditCommand(std::string(DCEMU_SCENARIOS_DIR) + "/audit-every-right.toml",
                                               {.at = "1h", .dc = "DC1", .likeScript = true});
  INFO(every.out);
  for (const char* line : {"u_cc\tOU=Create,", "u_dmsa\tOU=CreateDmsa,", "u_ga\tOU=Full,", "u_owner\tOU=Owned,",
                           "u_wd\tOU=Dacl,", "u_wo\tOU=Own,"})
    CHECK_THAT(every.out, Contains(line));
  CHECK_THAT(every.out, !Contains("u_gw"));
  CHECK_THAT(every.out, !Contains("u_wp"));
}

TEST_CASE("A domain where only administrators can create dMSAs is not exposed", "[sim][audit]") {
  cli::CommandOutput audit = cli::auditCommand(topology("hq-branch.toml"), {});
  CHECK(audit.exitCode == 0);
  CHECK_THAT(audit.out, Contains("exposure    none"));
  cli::CommandOutput badDc = cli::auditCommand(topology("hq-branch.toml"), {.dc = "NOPE"});
  CHECK(badDc.exitCode == 2);
}

}  // namespace
}  // namespace dcemu::cli
