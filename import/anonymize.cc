#include "import/anonymize.h"

#include <fmt/format.h>

#include <map>

#include "dc/dn.h"
#include "dc/text.h"

namespace dcemu::import {

namespace {

// Pseudonyms by kind, numbered in the order names are first met.
class Pseudonyms {
 public:
  std::string of(const std::string& kind, const std::string& name) {
    if (name.empty()) return name;
    auto& names = byKind_[kind];
    auto [it, fresh] = names.emplace(dc::toLower(name), "");
    if (fresh) it->second = fmt::format("{}-{:0{}}", kind, names.size(), kind == "host" || kind == "user" ? 4 : 2);
    return it->second;
  }
  std::vector<std::string> of(const std::string& kind, const std::vector<std::string>& names) {
    std::vector<std::string> out;
    for (const std::string& name : names) out.push_back(of(kind, name));
    return out;
  }
  // OU=Web,OU=Servers: each OU's name on its own, so nesting is kept.
  std::string ou(const std::string& relativeDn) {
    auto dn = dc::Dn::parse(relativeDn);
    if (!dn) return of("ou", relativeDn);
    std::vector<dc::Rdn> rdns;
    for (const dc::Rdn& rdn : dn->rdns())
      rdns.push_back({rdn.type, dc::iequals(rdn.type, "OU") ? of("ou", rdn.value) : rdn.value});
    return dc::Dn(rdns).toString();
  }

 private:
  std::map<std::string, std::map<std::string, std::string>> byKind_;
};

}  // namespace

void anonymize(ImportedDomain& domain) {
  scenario::Scenario& s = domain.scenario;
  Pseudonyms names;
  // Principals share one namespace: a grant or a group names any of them.
  std::map<std::string, std::string> principal;
  auto principalOf = [&](const std::string& name) {
    auto found = principal.find(dc::toLower(name));
    return found == principal.end() ? names.of("user", name) : found->second;
  };
  s.domain = "example.test";
  for (scenario::Site& site : s.sites) site.name = names.of("site", site.name);
  for (scenario::DcSpec& dc : s.dcs) dc.name = names.of("dc", dc.name);
  for (scenario::SiteLink& link : s.siteLinks) link.name = names.of("link", link.name);
  for (scenario::SiteLinkBridge& bridge : s.bridges) bridge.name = names.of("bridge", bridge.name);
  for (std::string& ou : s.ous) ou = names.ou(ou);
  for (const auto& account : s.serviceAccounts) principal[dc::toLower(account.name)] = names.of("svc", account.name);
  for (const auto& host : s.hostGroups) principal[dc::toLower(host.name)] = names.of("host", host.name);
  for (const auto& group : s.groups) principal[dc::toLower(group.name)] = names.of("group", group.name);
  for (const auto& user : s.users) principal[dc::toLower(user.name)] = names.of("user", user.name);
  for (const auto& dmsa : s.dmsas) principal[dc::toLower(dmsa.name)] = names.of("dmsa", dmsa.name);
  auto each = [&](std::vector<std::string>& list) {
    for (std::string& name : list) name = principalOf(name);
  };
  for (scenario::DcSpec& dc : s.dcs) each(dc.allowPasswordCaching);
  for (scenario::UserSpec& user : s.users) {
    user.name = principalOf(user.name);
    each(user.memberOf);
  }
  for (scenario::GroupSpec& group : s.groups) {
    group.name = principalOf(group.name);
    each(group.members);
  }
  for (scenario::ServiceAccountSpec& account : s.serviceAccounts) {
    account.name = principalOf(account.name);
    each(account.memberOf);
    // MSSQLSvc/sql01.corp.example.com:1433 → MSSQLSvc/host-0001.example.test:1433
    for (std::string& spn : account.spns) {
      size_t slash = spn.find('/');
      if (slash == std::string::npos) continue;
      size_t end = spn.find_first_of(":/", slash + 1);
      std::string host = spn.substr(slash + 1, end == std::string::npos ? std::string::npos : end - slash - 1);
      std::string shortName = host.substr(0, host.find('.'));
      spn = spn.substr(0, slash + 1) + names.of("host", shortName) + ".example.test" +
            (end == std::string::npos ? "" : spn.substr(end));
    }
    account.allowedToDelegateTo.clear();
  }
  for (scenario::DmsaSpec& dmsa : s.dmsas) {
    dmsa.name = principalOf(dmsa.name);
    if (!dmsa.ou.empty()) dmsa.ou = names.ou(dmsa.ou);
    if (!dmsa.supersedes.empty()) dmsa.supersedes = principalOf(dmsa.supersedes);
    each(dmsa.principals);
  }
  for (scenario::HostGroup& host : s.hostGroups) {
    host.name = principalOf(host.name);
    each(host.services);
    each(host.memberOf);
  }
  for (scenario::UserBatch& batch : s.userBatches) {
    batch.prefix = names.of("users", batch.prefix);
    if (batch.ou != "CN=Users") batch.ou = names.ou(batch.ou);
  }
  for (scenario::AclSpec& acl : s.acls) {
    if (!acl.ou.empty()) acl.ou = names.ou(acl.ou);
    acl.principal = principalOf(acl.principal);
  }
  for (scenario::Fault& fault : s.faults) {
    if (!fault.dc.empty()) fault.dc = names.of("dc", fault.dc);
    if (!fault.source.empty()) fault.source = names.of("dc", fault.source);
  }
  // What names the real domain goes: DN comments, and the notes' text.
  domain.sourceDn.clear();
  domain.notes = {fmt::format("{} choice(s) made; run without --anonymize to read them", domain.notes.size())};
  domain.skipped = {fmt::format("{} item(s) not written; run without --anonymize to read them", domain.skipped.size())};
}

}  // namespace dcemu::import
