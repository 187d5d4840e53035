// The Security Descriptor Propagator Update task (MS-ADTS, "Security
// Descriptor Propagator Update task"; 6.1.3.3 "Processing Specifics"):
// inheritable ACEs reach objects that exist when they are granted, on every
// DC, each DC computing them itself.
#include <catch2/catch.hpp>

#include "replication_world.h"

namespace dcemu::replication::testing {
namespace {

std::vector<dc::Ace> daclOf(dc::Directory& dir, const std::string& dn) {
  auto obj = dir.read(dn);
  INFO(dn << ": " << obj.status().toString());
  REQUIRE(obj.isOk());
  const std::string* bytes = obj->firstValue(dir.schema().attribute("nTSecurityDescriptor")->id);
  REQUIRE(bytes);
  auto sd = dc::SecurityDescriptor::fromBinary(*bytes);
  REQUIRE(sd.isOk());
  return sd->dacl ? sd->dacl->aces : std::vector<dc::Ace>{};
}

// The ACEs of `dn` naming `trustee`.
std::vector<dc::Ace> acesFor(dc::Directory& dir, const std::string& dn, const dc::Sid& trustee) {
  std::vector<dc::Ace> out;
  for (const dc::Ace& ace : daclOf(dir, dn))
    if (ace.trustee == trustee) out.push_back(ace);
  return out;
}

dc::Sid sidOf(dc::Directory& dir, const char* account) {
  auto sid = dir.trusteeResolver().sidOfName(account);
  REQUIRE(sid);
  return *sid;
}

// Adds `ace` (SDDL) to the explicit ACEs of `dn` on `dir`, as an
// administrator's tool does: read, insert, write back.
void grant(dc::Directory& dir, const std::string& dn, const std::string& ace) {
  auto current = dir.read(dn);
  require(current.status());
  auto sddl = dir.values(*current, "nTSecurityDescriptor");
  require(sddl.status());
  std::string text = sddl->front();
  size_t dacl = text.find("D:");
  size_t at = text.find('(', dacl);
  text.insert(at == std::string::npos ? text.size() : at, ace);
  require(dir.modify(dn, {{dc::Change::Op::Replace, "nTSecurityDescriptor", {text}}}));
}

// OU=Tier1 > OU=Servers > CN=svc_web, and a group that will get rights.
struct Tree {
  std::string tier1, servers, account;
};

Tree existingTree(ReplicationWorld& world) {
  Tree t{world.dn("OU=Tier1"), world.dn("OU=Servers,OU=Tier1"), world.dn("CN=svc_web,OU=Servers,OU=Tier1")};
  dc::Directory& dc0 = world.dc(0);
  require(dc0.add(t.tier1, {{"objectClass", {"organizationalUnit"}}}));
  require(dc0.add(t.servers, {{"objectClass", {"organizationalUnit"}}}));
  require(dc0.add(t.account, {{"objectClass", {"user"}}, {"sAMAccountName", {"svc_web"}}}));
  require(dc0.add(world.dn("CN=Helpdesk,CN=Users"),
                  {{"objectClass", {"group"}}, {"groupType", {"-2147483646"}}, {"sAMAccountName", {"Helpdesk"}}}));
  world.syncUntilQuiet();
  return t;
}

}  // namespace

TEST_CASE("CreateChild granted on a parent OU for its objects reaches an OU that already exists, marked inherited",
          "[sd-propagation]") {
  ReplicationWorld world(1);
  Tree t = existingTree(world);
  dc::Directory& dir = world.dc(0);
  dc::Sid helpdesk = sidOf(dir, "Helpdesk");
  REQUIRE(acesFor(dir, t.servers, helpdesk).empty());

  grant(dir, t.tier1, "(A;CIIO;CC;;;" + helpdesk.toString() + ")");

  auto onTier1 = acesFor(dir, t.tier1, helpdesk);
  REQUIRE(onTier1.size() == 1);
  CHECK_FALSE(onTier1[0].flags & dc::ace_flags::kInherited);
  auto onServers = acesFor(dir, t.servers, helpdesk);
  REQUIRE(onServers.size() == 1);
  CHECK(onServers[0].flags == (dc::ace_flags::kContainerInherit | dc::ace_flags::kInherited));
  CHECK(onServers[0].mask == dc::rights::kCreateChild);
  // Inherited ACEs follow the explicit ones (MS-DTYP 2.5.3.4.1).
  auto dacl = daclOf(dir, t.servers);
  CHECK((dacl.back().flags & dc::ace_flags::kInherited));
  // And on down to the account in it.
  CHECK(acesFor(dir, t.account, helpdesk).size() == 1);
}

TEST_CASE("A grant with container inheritance on the domain head reaches every existing OU and account",
          "[sd-propagation]") {
  ReplicationWorld world(1);
  Tree t = existingTree(world);
  dc::Directory& dir = world.dc(0);
  dc::Sid helpdesk = sidOf(dir, "Helpdesk");
  grant(dir, "DC=corp,DC=example,DC=com", "(A;CI;CC;;;" + helpdesk.toString() + ")");
  for (const std::string& dn : {t.tier1, t.servers, t.account}) {
    INFO(dn);
    auto aces = acesFor(dir, dn, helpdesk);
    REQUIRE(aces.size() == 1);
    CHECK((aces[0].flags & dc::ace_flags::kInherited));
  }
}

TEST_CASE("Removing an inheritable ACE removes its inherited copies below", "[sd-propagation]") {
  ReplicationWorld world(1);
  Tree t = existingTree(world);
  dc::Directory& dir = world.dc(0);
  dc::Sid helpdesk = sidOf(dir, "Helpdesk");
  auto before = dir.values(*dir.read(t.tier1), "nTSecurityDescriptor");
  require(before.status());
  grant(dir, t.tier1, "(A;CI;CC;;;" + helpdesk.toString() + ")");
  REQUIRE(acesFor(dir, t.account, helpdesk).size() == 1);
  require(dir.modify(t.tier1, {{dc::Change::Op::Replace, "nTSecurityDescriptor", {before->front()}}}));
  CHECK(acesFor(dir, t.servers, helpdesk).empty());
  CHECK(acesFor(dir, t.account, helpdesk).empty());
}

TEST_CASE("An ACE for one class passes through other objects as inherit-only and NO_PROPAGATE stops after one level",
          "[sd-propagation]") {
  ReplicationWorld world(1);
  Tree t = existingTree(world);
  dc::Directory& dir = world.dc(0);
  dc::Sid helpdesk = sidOf(dir, "Helpdesk");
  std::string userClass = dc::schemaIdGuid(dir.schema().objectClass("user")->oid).toString();
  grant(dir, t.tier1, "(OA;CIIO;WP;;" + userClass + ";" + helpdesk.toString() + ")");
  auto onServers = acesFor(dir, t.servers, helpdesk);
  REQUIRE(onServers.size() == 1);
  CHECK((onServers[0].flags & dc::ace_flags::kInheritOnly));  // an OU is not a user
  auto onAccount = acesFor(dir, t.account, helpdesk);
  REQUIRE(onAccount.size() == 1);
  CHECK_FALSE(onAccount[0].flags & dc::ace_flags::kInheritOnly);

  grant(dir, t.tier1, "(A;CINP;RP;;;" + helpdesk.toString() + ")");
  CHECK(acesFor(dir, t.servers, helpdesk).size() == 2);
  CHECK(acesFor(dir, t.account, helpdesk).size() == 1);
}

TEST_CASE("A protected DACL keeps inherited ACEs out", "[sd-propagation]") {
  ReplicationWorld world(1);
  Tree t = existingTree(world);
  dc::Directory& dir = world.dc(0);
  dc::Sid helpdesk = sidOf(dir, "Helpdesk");
  auto servers = dir.values(*dir.read(t.servers), "nTSecurityDescriptor");
  require(servers.status());
  std::string protectedSddl = servers->front();
  protectedSddl.replace(protectedSddl.find("D:"), 2, "D:P");
  require(dir.modify(t.servers, {{dc::Change::Op::Replace, "nTSecurityDescriptor", {protectedSddl}}}));
  grant(dir, t.tier1, "(A;CI;CC;;;" + helpdesk.toString() + ")");
  CHECK(acesFor(dir, t.servers, helpdesk).empty());
  CHECK(acesFor(dir, t.account, helpdesk).empty());
}

TEST_CASE("An object moved under another OU takes that OU's inheritable ACEs and loses the old ones",
          "[sd-propagation]") {
  ReplicationWorld world(1);
  Tree t = existingTree(world);
  dc::Directory& dir = world.dc(0);
  dc::Sid helpdesk = sidOf(dir, "Helpdesk");
  grant(dir, t.servers, "(A;CI;WP;;;" + helpdesk.toString() + ")");
  REQUIRE(acesFor(dir, t.account, helpdesk).size() == 1);
  require(dir.rename(t.account, world.dn("CN=svc_web,OU=Tier1")));
  CHECK(acesFor(dir, world.dn("CN=svc_web,OU=Tier1"), helpdesk).empty());
}

TEST_CASE("Each DC propagates a replicated grant itself: inherited ACEs match, and the children's stamps do not move",
          "[sd-propagation][replication]") {
  ReplicationWorld world(2);
  Tree t = existingTree(world);
  dc::Sid helpdesk = sidOf(world.dc(0), "Helpdesk");
  auto stampOf = [&](int i, const std::string& dn) {
    auto rows = world.dc(i).attributeMetadata(dn);
    require(rows.status());
    for (const auto& row : *rows)
      if (row.attribute == "nTSecurityDescriptor") return row.stamp;
    FAIL("no nTSecurityDescriptor metadata on " << dn);
    return dc::Stamp{};
  };
  dc::Stamp accountBefore = stampOf(1, t.account);
  uint64_t usnBefore = world.dc(1).highestCommittedUsn();

  grant(world.dc(0), t.tier1, "(A;CIIO;CC;;;" + helpdesk.toString() + ")");
  world.pull(1, 0);

  CHECK(acesFor(world.dc(1), t.servers, helpdesk).size() == 1);
  CHECK(acesFor(world.dc(1), t.account, helpdesk).size() == 1);
  CHECK(stampOf(1, t.account) == accountBefore);
  // The one replicated change took one USN; the propagator's rewrites none.
  CHECK(world.dc(1).highestCommittedUsn() == usnBefore + 1);
  CHECK(world.firstDifference(0, 1).empty());
}

TEST_CASE("An object replicated in after its parent's grant takes the inherited ACEs from its own DC's parent",
          "[sd-propagation][replication]") {
  ReplicationWorld world(2);
  Tree t = existingTree(world);
  dc::Sid helpdesk = sidOf(world.dc(0), "Helpdesk");
  // DC1 learns the grant; DC0 creates an account before it hears of it.
  grant(world.dc(1), t.tier1, "(A;CI;CC;;;" + helpdesk.toString() + ")");
  require(world.dc(0).add(world.dn("CN=svc_new,OU=Servers,OU=Tier1"),
                          {{"objectClass", {"user"}}, {"sAMAccountName", {"svc_new"}}}));
  REQUIRE(acesFor(world.dc(0), world.dn("CN=svc_new,OU=Servers,OU=Tier1"), helpdesk).empty());
  world.pull(1, 0);
  CHECK(acesFor(world.dc(1), world.dn("CN=svc_new,OU=Servers,OU=Tier1"), helpdesk).size() == 1);
  world.syncUntilQuiet();
  CHECK(acesFor(world.dc(0), world.dn("CN=svc_new,OU=Servers,OU=Tier1"), helpdesk).size() == 1);
  CHECK(world.firstDifference(0, 1).empty());
}

}  // namespace dcemu::replication::testing
