// readDomain, accounts half: the domain naming context's OUs, service
// accounts (users with SPNs, MSAs, gMSAs, and any account a dMSA or the
// services file names), dMSAs, the hosts that run them, RODC password
// replication policies, OU grants that matter for BadSuccessor, the groups
// those name, and a count of the other users per OU (import-and-ldap.md,
// "Reading accounts, dMSAs and policies").
#include <fmt/format.h>

#include <algorithm>

#include "dc/directory.h"
#include "dc/schema.h"
#include "dc/text.h"
#include "import/domain_reader_internal.h"

namespace dcemu::import {

namespace {

constexpr int kDmsaCapableBuild = 26100;  // Windows Server 2025, Windows 11 24H2

std::string withoutDollar(std::string name) {
  if (!name.empty() && name.back() == '$') name.pop_back();
  return name;
}

std::string samName(const Entry& e) {
  const std::string* sam = e.first("sAMAccountName");
  return sam ? *sam : std::string();
}

std::vector<std::string> valuesOf(const Entry& e, std::string_view attribute) {
  const std::vector<std::string>* values = e.values(attribute);
  return values ? *values : std::vector<std::string>();
}

bool isComputer(const Entry& e) {
  return e.isA("computer");
}

// The file's right names for the mask of an allow ACE that matters for
// BadSuccessor (what `dcemu audit` counts), or none.
std::vector<std::string> rightsOf(const dc::Ace& ace, const dc::Guid& dmsaClass) {
  namespace r = dc::rights;
  if (ace.objectType) {
    if (*ace.objectType == dmsaClass && (ace.mask & r::kCreateChild)) return {"CreateDMSA"};
    return {};
  }
  if ((ace.mask & r::kGenericAll) || (ace.mask & r::kAdsAll) == r::kAdsAll) return {"GenericAll"};
  std::vector<std::string> out;
  if (ace.mask & r::kCreateChild) out.push_back("CreateChild");
  if (ace.mask & r::kGenericWrite) out.push_back("GenericWrite");
  if (ace.mask & r::kWriteProperty) out.push_back("WriteProperty");
  if (ace.mask & r::kWriteDac) out.push_back("WriteDACL");
  if (ace.mask & r::kWriteOwner) out.push_back("WriteOwner");
  return out;
}

}  // namespace

bool DomainReader::isBuiltin(const Entry& e) const {
  auto sid = sidOf(e);
  return sid && sid->rid() < kFirstAccountRid;
}

void DomainReader::wantGroupsOf(const Entry& account) {
  for (const std::string& group : valuesOf(account, "memberOf"))
    if (const Entry* g = byDn(group); g && sidOf(*g) && !isBuiltin(*g)) wantedGroups_.insert(key(g->dn));
}

void DomainReader::classifyAccounts() {
  std::set<std::string> named;  // sAMAccountNames the services file names
  for (const HostService& s : options_.services) named.insert(dc::toLower(withoutDollar(s.account)));
  for (const Entry& e : entries_) {
    if (!relativeDn(e.dn) || e.changeType != "add") continue;
    std::string sam = withoutDollar(samName(e));
    if (e.isA("msDS-DelegatedManagedServiceAccount")) {
      dmsas_[key(e.dn)] = sam;
      if (const std::string* link = e.first("msDS-ManagedAccountPrecededByLink"))
        if (const Entry* account = byDn(*link)) serviceAccounts_[key(account->dn)] = withoutDollar(samName(*account));
    } else if (e.isA("msDS-GroupManagedServiceAccount") || e.isA("msDS-ManagedServiceAccount")) {
      serviceAccounts_[key(e.dn)] = sam;
    } else if (e.isA("user") && !isComputer(e) && !isBuiltin(e) &&
               (e.first("servicePrincipalName") || named.count(dc::toLower(sam)))) {
      serviceAccounts_[key(e.dn)] = sam;
    }
  }
}

void DomainReader::readOus() {
  std::vector<std::string> ous;
  for (const Entry& e : entries_) {
    if (!e.isA("organizationalUnit")) continue;
    auto relative = relativeDn(e.dn);
    // Every domain has OU=Domain Controllers; the file's OUs are the rest.
    if (!relative || relative->empty() || dc::iequals(*relative, "OU=Domain Controllers")) continue;
    auto parsed = dc::Dn::parse(*relative);
    bool onlyOus = parsed && std::all_of(parsed->rdns().begin(), parsed->rdns().end(),
                                         [](const dc::Rdn& r) { return dc::iequals(r.type, "OU"); });
    if (!onlyOus) {
      out_.skipped.push_back(
          fmt::format("OU {}: it is inside a container, and the file's OUs are under the domain "
                      "or other OUs",
                      e.dn));
      continue;
    }
    ous.push_back(*relative);
    remember("ou", *relative, e.dn);
  }
  // Parents first, then by name.
  std::sort(ous.begin(), ous.end(), [](const std::string& a, const std::string& b) {
    auto depth = [](const std::string& dn) {
      return dc::Dn::parse(dn).valueOr(dc::Dn(std::vector<dc::Rdn>{})).rdns().size();
    };
    return depth(a) != depth(b) ? depth(a) < depth(b) : dc::toLower(a) < dc::toLower(b);
  });
  out_.scenario.ous = std::move(ous);
}

void DomainReader::readServiceAccounts() {
  std::vector<std::pair<std::string, const Entry*>> accounts;
  for (const auto& [dnKey, name] : serviceAccounts_) accounts.emplace_back(name, byDn(dnKey));
  std::sort(accounts.begin(), accounts.end(),
            [](const auto& a, const auto& b) { return dc::toLower(a.first) < dc::toLower(b.first); });
  for (const auto& [name, e] : accounts) {
    scenario::ServiceAccountSpec account;
    account.name = name;
    account.kind = e->isA("msDS-GroupManagedServiceAccount") ? "gmsa"
                   : e->isA("msDS-ManagedServiceAccount")    ? "msa"
                                                             : "user";
    account.spns = valuesOf(*e, "servicePrincipalName");
    account.trustedToAuthForDelegation =
        integer(*e, "userAccountControl").value_or(0) & dc::uac::kTrustedToAuthForDelegation;
    account.allowedToDelegateTo = valuesOf(*e, "msDS-AllowedToDelegateTo");
    wantGroupsOf(*e);
    remember("service_account", name, e->dn);
    out_.scenario.serviceAccounts.push_back(std::move(account));
  }
}

void DomainReader::readDmsas() {
  std::vector<std::pair<std::string, const Entry*>> dmsas;
  for (const auto& [dnKey, name] : dmsas_) dmsas.emplace_back(name, byDn(dnKey));
  std::sort(dmsas.begin(), dmsas.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (const auto& [name, e] : dmsas) {
    scenario::DmsaSpec dmsa;
    dmsa.name = name;
    std::optional<int64_t> state = integer(*e, "msDS-DelegatedMSAState");
    if (state && (*state < 0 || *state > 3)) {
      out_.skipped.push_back(fmt::format("dMSA {}: msDS-DelegatedMSAState {} is none of 0-3", name, *state));
      continue;
    }
    dmsa.state = static_cast<int>(state.value_or(0));
    auto parent = relativeDn(parentDn(e->dn));
    if (parent && std::find(out_.scenario.ous.begin(), out_.scenario.ous.end(), *parent) != out_.scenario.ous.end())
      dmsa.ou = *parent;
    else if (parent && !dc::iequals(*parent, "CN=Managed Service Accounts"))
      out_.notes.push_back(
          fmt::format("dMSA {}: its container {} is not an OU; written under CN=Managed Service "
                      "Accounts",
                      name, *parent));
    if (const std::string* link = e->first("msDS-ManagedAccountPrecededByLink")) {
      auto account = serviceAccounts_.find(key(*link));
      if (account != serviceAccounts_.end())
        dmsa.supersedes = account->second;
      else
        out_.skipped.push_back(fmt::format("dMSA {}: the account it supersedes, {}, was not given", name, *link));
    }
    if (const std::string* membership = e->first("msDS-GroupMSAMembership")) {
      if (auto sd = securityDescriptor(*membership); sd && sd->dacl) {
        for (const dc::Ace& ace : sd->dacl->aces) {
          if (!ace.isAllow()) continue;
          const Entry* principal = bySid(ace.trustee);
          if (principal && isComputer(*principal)) {
            wantedHosts_.insert(key(principal->dn));
            dmsa.principals.push_back(withoutDollar(samName(*principal)));
          } else {
            out_.skipped.push_back(fmt::format("dMSA {}: msDS-GroupMSAMembership allows {}, not a computer given", name,
                                               ace.trustee.toString()));
          }
        }
      }
    }
    remember("dmsa", name, e->dn);
    out_.scenario.dmsas.push_back(std::move(dmsa));
  }
  // A forest holding dMSAs has Windows Server 2025's schema.
  if (!out_.scenario.dmsas.empty() && out_.scenario.schemaVersion != "2025") {
    out_.scenario.schemaVersion = "2025";
    out_.scenario.schemaGivenAt = scenario::Location{};
    out_.notes.push_back("the forest holds dMSAs, so its schema is Windows Server 2025's ([domain] schema)");
  }
}

std::optional<std::string> DomainReader::principalName(const dc::Sid& sid) {
  const Entry* e = bySid(sid);
  if (!e || !domainSid_ || sid.subAuthorities.size() != domainSid_->subAuthorities.size() + 1 ||
      sid.rid() < kFirstAccountRid)
    return std::nullopt;  // built-in and well-known principals: every dcemu domain has its own
  std::string dnKey = key(e->dn);
  for (const auto* names : {&serviceAccounts_, &dmsas_, &hosts_, &users_, &groups_})
    if (auto found = names->find(dnKey); found != names->end()) return found->second;
  std::string name = withoutDollar(samName(*e));
  if (e->isA("group")) {
    wantedGroups_.insert(dnKey);
    groups_[dnKey] = name;
  } else if (isComputer(*e)) {
    wantedHosts_.insert(dnKey);
    hosts_[dnKey] = name;
  } else if (e->isA("user")) {
    users_[dnKey] = name;
    out_.scenario.users.push_back({name, {}});
    remember("user", name, e->dn);
  } else {
    return std::nullopt;
  }
  return name;
}

void DomainReader::readGrants() {
  const dc::Guid dmsaClass =
      dc::schemaIdGuid(dc::Schema::builtin().objectClass("msDS-DelegatedManagedServiceAccount")->oid);
  int skippedAces = 0;
  auto grantsOn = [&](const Entry& e, const std::string& ou) {
    const std::string* value = e.first("nTSecurityDescriptor");
    if (!value) return;
    auto sd = securityDescriptor(*value);
    if (!sd || !sd->dacl) {
      out_.skipped.push_back(fmt::format("{}: its nTSecurityDescriptor could not be read", e.dn));
      return;
    }
    for (const dc::Ace& ace : sd->dacl->aces) {
      if (!ace.isAllow() || (ace.flags & dc::ace_flags::kInherited)) continue;
      std::vector<std::string> rights = rightsOf(ace, dmsaClass);
      if (rights.empty()) continue;
      auto principal = principalName(ace.trustee);
      if (!principal) continue;  // the domain's administrators and well-known principals
      if (ace.inheritedObjectType) {
        ++skippedAces;
        continue;
      }
      bool inherits = ace.flags & dc::ace_flags::kContainerInherit;
      bool onlyBelow = ace.flags & dc::ace_flags::kInheritOnly;
      out_.scenario.acls.push_back({ou, *principal, rights, onlyBelow ? "descendants" : inherits ? "all" : "this"});
      remember("acl", ou, e.dn);
    }
  };
  if (const Entry* head = byDn(domainDn_)) grantsOn(*head, "");
  for (const std::string& ou : out_.scenario.ous)
    if (const Entry* e = byDn(ou + "," + domainDn_)) grantsOn(*e, ou);
  if (skippedAces > 0)
    out_.skipped.push_back(
        fmt::format("{} grant(s) limited to one class of object (InheritedObjectType): the file's "
                    "[[acl]] applies to every object below",
                    skippedAces));
}

void DomainReader::readRodcPolicies() {
  const std::string allowedGroup = "CN=Allowed RODC Password Replication Group,CN=Users," + domainDn_;
  for (scenario::DcSpec& dc : out_.scenario.dcs) {
    if (!dc.rodc) continue;
    const Entry* server = byDn(out_.sourceDn[fmt::format("dc/{}", dc.name)]);
    const std::string* reference = server ? server->first("serverReference") : nullptr;
    const Entry* computer = reference ? byDn(*reference) : nullptr;
    if (!computer) continue;
    for (const std::string& allowed : valuesOf(*computer, "msDS-RevealOnDemandGroup")) {
      if (key(allowed) == key(allowedGroup)) continue;
      const Entry* principal = byDn(allowed);
      auto sid = principal ? sidOf(*principal) : std::nullopt;
      auto name = sid ? principalName(*sid) : std::nullopt;
      if (name)
        dc.allowPasswordCaching.push_back(*name);
      else
        out_.skipped.push_back(
            fmt::format("RODC {}: allowed principal {} is built in or was not given", dc.name, allowed));
    }
  }
}

void DomainReader::readHosts() {
  // Which services each computer runs: msDS-HostServiceAccount, then the
  // services file.
  std::map<std::string, std::vector<std::string>> services;  // computer DN key → account names
  std::map<std::string, std::string> sites;                  // computer DN key → site name
  std::map<std::string, const Entry*> computerBySam;
  for (const Entry& e : entries_)
    if (isComputer(e) && relativeDn(e.dn)) computerBySam[dc::toLower(withoutDollar(samName(e)))] = &e;
  for (const auto& [sam, e] : computerBySam) {
    for (const std::string& account : valuesOf(*e, "msDS-HostServiceAccount")) {
      auto found = serviceAccounts_.find(key(account));
      if (found == serviceAccounts_.end()) continue;
      services[key(e->dn)].push_back(found->second);
      wantedHosts_.insert(key(e->dn));
    }
  }
  for (const HostService& line : options_.services) {
    auto computer = computerBySam.find(dc::toLower(withoutDollar(line.host)));
    if (computer == computerBySam.end()) {
      out_.skipped.push_back(fmt::format("{}: host {} is not a computer given", line.source, line.host));
      continue;
    }
    std::string account;
    for (const auto& [dnKey, name] : serviceAccounts_)
      if (dc::iequals(name, withoutDollar(line.account))) account = name;
    if (account.empty()) {
      out_.skipped.push_back(fmt::format("{}: account {} was not given", line.source, line.account));
      continue;
    }
    std::string dnKey = key(computer->second->dn);
    auto& list = services[dnKey];
    if (std::find(list.begin(), list.end(), account) == list.end()) list.push_back(account);
    if (!line.site.empty()) sites[dnKey] = line.site;
    wantedHosts_.insert(dnKey);
  }
  // The default site: the one with the most DCs.
  std::string defaultSite = options_.defaultSite;
  if (defaultSite.empty()) {
    std::vector<int> count(out_.scenario.sites.size(), 0);
    for (const scenario::DcSpec& dc : out_.scenario.dcs) ++count[static_cast<size_t>(dc.site)];
    size_t best = static_cast<size_t>(std::max_element(count.begin(), count.end()) - count.begin());
    defaultSite = out_.scenario.sites[best].name;
  }
  int placed = 0, leftOut = 0;
  std::vector<std::pair<std::string, std::string>> hosts;  // name, DN key
  for (const auto& [sam, e] : computerBySam) {
    std::string dnKey = key(e->dn);
    if (dcComputers_.count(dnKey) || e->isA("msDS-GroupManagedServiceAccount") ||
        e->isA("msDS-ManagedServiceAccount") || e->isA("msDS-DelegatedManagedServiceAccount"))
      continue;
    if (!wantedHosts_.count(dnKey)) {
      ++leftOut;
      continue;
    }
    hosts.emplace_back(withoutDollar(samName(*e)), dnKey);
  }
  std::sort(hosts.begin(), hosts.end());
  for (const auto& [name, dnKey] : hosts) {
    const Entry* e = byDn_.at(dnKey);
    scenario::HostGroup host;
    host.name = name;
    host.single = true;
    auto site = sites.find(dnKey);
    std::string siteName = site != sites.end() ? site->second : defaultSite;
    host.site = out_.scenario.siteIndex(siteName);
    if (host.site < 0) {
      out_.notes.push_back(fmt::format("host {}: site {} has no DC; placed in {}", name, siteName, defaultSite));
      host.site = out_.scenario.siteIndex(defaultSite);
    }
    if (site == sites.end()) ++placed;
    host.services = services[dnKey];
    host.dmsaCapable = buildNumberOf(*e) >= kDmsaCapableBuild;
    wantGroupsOf(*e);
    hosts_[dnKey] = name;
    remember("host_group", name, e->dn);
    out_.scenario.hostGroups.push_back(std::move(host));
  }
  if (placed > 0)
    out_.notes.push_back(
        fmt::format("{} host(s) no services line places are in site {} (give a site as the services "
                    "file's third column)",
                    placed, defaultSite));
  if (leftOut > 0)
    out_.skipped.push_back(
        fmt::format("{} computer(s) that run no service account, are in no dMSA's membership and "
                    "have no grant",
                    leftOut));
}

void DomainReader::readGroups() {
  // Memberships: each written account's groups among the written groups.
  std::vector<std::pair<std::string, const Entry*>> groups;
  for (const std::string& dnKey : wantedGroups_) {
    const Entry* e = byDn_.at(dnKey);
    groups_[dnKey] = withoutDollar(samName(*e));
    groups.emplace_back(groups_[dnKey], e);
  }
  std::sort(groups.begin(), groups.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (const auto& [name, e] : groups) {
    scenario::GroupSpec group;
    group.name = name;
    int others = 0;
    for (const std::string& member : valuesOf(*e, "member")) {
      std::string memberKey = key(member);
      std::optional<std::string> memberName;
      for (const auto* names : {&serviceAccounts_, &hosts_, &users_, &groups_})
        if (auto found = names->find(memberKey); found != names->end()) memberName = found->second;
      if (memberName)
        group.members.push_back(*memberName);
      else
        ++others;
    }
    if (others > 0)
      out_.notes.push_back(
          fmt::format("group {}: {} member(s) not written (not service accounts, hosts or users the "
                      "file names)",
                      name, others));
    remember("group", name, e->dn);
    out_.scenario.groups.push_back(std::move(group));
  }
}

void DomainReader::countOtherUsers() {
  std::map<std::string, int> perContainer;  // relative DN → users
  for (const Entry& e : entries_) {
    if (!e.isA("user") || isComputer(e) || !relativeDn(e.dn)) continue;
    if (!sidOf(e) || isBuiltin(e)) continue;
    std::string dnKey = key(e.dn);
    if (serviceAccounts_.count(dnKey) || users_.count(dnKey) || dmsas_.count(dnKey)) continue;
    std::string parent = relativeDn(parentDn(e.dn)).value_or("CN=Users");
    bool known = dc::iequals(parent, "CN=Users") ||
                 std::find(out_.scenario.ous.begin(), out_.scenario.ous.end(), parent) != out_.scenario.ous.end();
    ++perContainer[known ? parent : "CN=Users"];
  }
  for (const auto& [container, count] : perContainer) {
    scenario::UserBatch batch;
    batch.ou = container;
    batch.count = count;
    std::string label = dc::toLower(rdnValue(container));
    std::replace(label.begin(), label.end(), ' ', '-');
    batch.prefix = "user-" + label;
    for (int n = 2; std::any_of(out_.scenario.userBatches.begin(), out_.scenario.userBatches.end(),
                                [&](const scenario::UserBatch& b) { return b.prefix == batch.prefix; });
         ++n)
      batch.prefix = fmt::format("user-{}{}", label, n);
    remember("user_group", batch.prefix, container.empty() ? domainDn_ : container + "," + domainDn_);
    out_.scenario.userBatches.push_back(std::move(batch));
  }
}

}  // namespace dcemu::import
