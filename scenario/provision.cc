#include "scenario/provision.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "dc/provision.h"
#include "dc/random_stream.h"
#include "replication/schedule_blob.h"
#include "scenario/loader_internal.h"

namespace dcemu::scenario {
namespace {

using dc::AttributeInput;
using dc::Status;

// The ACE a principal of msDS-GroupMSAMembership holds: what
// Set-ADServiceAccount -PrincipalsAllowedToRetrieveManagedPassword writes.
constexpr const char* kRetrieveRights = "CCDCLCSWRPWPDTLOCRSDRCWDWO";
// userAccountControl values AD gives these accounts.
constexpr int64_t kWorkstation = dc::uac::kWorkstationTrustAccount;
constexpr int64_t kDomainController = dc::uac::kServerTrustAccount | dc::uac::kTrustedForDelegation;
constexpr int64_t kReadOnlyDomainController = dc::uac::kWorkstationTrustAccount | dc::uac::kPartialSecretsAccount;
constexpr const char* kGlobalSecurityGroup = "-2147483646";

std::string accountName(const std::string& name) {
  return name.ends_with('$') ? name : name + "$";
}

std::string membershipSddl(const std::vector<std::string>& machines) {
  std::string sddl = "O:BAD:";
  for (const std::string& machine : machines)
    sddl += fmt::format("(A;;{};;;{})", kRetrieveRights, accountName(machine));
  return sddl;
}

class Provisioner {
 public:
  Provisioner(dc::Directory& dir, const Scenario& scenario)
      : dir_(dir),
        scenario_(scenario),
        domainDn_(dir.namingContextDn(dc::NamingContext::Domain).toString()),
        configDn_(dir.namingContextDn(dc::NamingContext::Configuration).toString()) {}

  Status add(const std::string& dn, std::vector<AttributeInput> attrs) {
    auto added = dir_.add(dn, attrs);
    return added.status();
  }
  std::string inDomain(const std::string& relative) const { return relative + "," + domainDn_; }
  std::string inConfig(const std::string& relative) const { return relative + "," + configDn_; }
  std::string sitesDn() const { return inConfig("CN=Sites"); }
  std::string ipTransportDn() const { return inConfig("CN=IP,CN=Inter-Site Transports,CN=Sites"); }
  std::string serverDn(const DcSpec& dc) const {
    return fmt::format("CN={},CN=Servers,CN={},{}", dc.name, scenario_.sites[dc.site].name, sitesDn());
  }

  // Records an account or group for member lists and ACL trustees.
  void name(const std::string& name, const std::string& dn, const std::string& samAccountName) {
    members_[loader::lower(name)] = dn;
    if (!name.ends_with('$')) members_[loader::lower(name) + "$"] = dn;
    samAccountNames_[loader::lower(name)] = samAccountName;
  }
  dc::Result<std::string> memberDn(const std::string& name, const std::string& where) const {
    auto it = members_.find(loader::lower(name));
    if (it == members_.end())
      return Status(dc::LdapResult::noSuchObject, fmt::format("{}: no account or group named {}", where, name));
    return it->second;
  }

  Status domainObjects(ProvisionedNames& out);
  Status memberships();
  Status rodcPolicies();
  Status acls();
  Status configuration(const std::vector<dc::Guid>& invocationIds, ProvisionedNames& out);

 private:
  Status authnObjects();
  std::map<std::string, std::vector<std::string>> groupMembers() const;

  dc::Directory& dir_;
  const Scenario& scenario_;
  std::string domainDn_, configDn_;
  std::map<std::string, std::string> members_;          // lowercased account or group name → DN
  std::map<std::string, std::string> samAccountNames_;  // lowercased topology name → sAMAccountName
  std::map<std::string, std::string> policies_, silos_;
};

Status Provisioner::domainObjects(ProvisionedNames& out) {
  for (const char* builtin : {"Administrator", "krbtgt", "Domain Admins", "Domain Users", "Domain Computers",
                              "Domain Controllers", "Enterprise Admins", "Read-only Domain Controllers",
                              "Allowed RODC Password Replication Group", "Denied RODC Password Replication Group"})
    name(builtin, inDomain(fmt::format("CN={},CN=Users", builtin)), builtin);
  name("Administrators", inDomain("CN=Administrators,CN=Builtin"), "Administrators");

  // Parents before children: fewer RDNs first.
  std::vector<std::string> ous = scenario_.ous;
  std::stable_sort(ous.begin(), ous.end(), [](const std::string& a, const std::string& b) {
    return std::count(a.begin(), a.end(), ',') < std::count(b.begin(), b.end(), ',');
  });
  for (const std::string& ou : ous) DCEMU_RETURN_IF_ERROR(add(inDomain(ou), {{"objectClass", {"organizationalUnit"}}}));

  for (const GroupSpec& group : scenario_.groups) {
    std::string dn = inDomain(fmt::format("CN={},CN=Users", group.name));
    DCEMU_RETURN_IF_ERROR(
        add(dn, {{"objectClass", {"group"}}, {"sAMAccountName", {group.name}}, {"groupType", {kGlobalSecurityGroup}}}));
    name(group.name, dn, group.name);
    out.objects[loader::lower(group.name)] = dn;
  }
  for (const UserSpec& user : scenario_.users) {
    std::string dn = inDomain(fmt::format("CN={},CN=Users", user.name));
    DCEMU_RETURN_IF_ERROR(add(dn, {{"objectClass", {"user"}},
                                   {"sAMAccountName", {user.name}},
                                   {"userAccountControl", {std::to_string(dc::uac::kNormalAccount)}}}));
    name(user.name, dn, user.name);
    out.objects[loader::lower(user.name)] = dn;
  }
  // Of a [[user_group]]'s users, only those a step names are remembered.
  std::set<std::string> namedInSteps;
  for (const Step& step : scenario_.steps)
    if (!step.object.empty()) namedInSteps.insert(loader::lower(step.object));
  for (const UserBatch& batch : scenario_.userBatches) {
    for (const std::string& user : batch.userNames()) {
      std::string dn = inDomain(fmt::format("CN={},{}", user, batch.ou));
      DCEMU_RETURN_IF_ERROR(add(dn, {{"objectClass", {"user"}},
                                     {"sAMAccountName", {user}},
                                     {"userAccountControl", {std::to_string(dc::uac::kNormalAccount)}}}));
      if (namedInSteps.count(loader::lower(user))) out.objects[loader::lower(user)] = dn;
    }
  }
  DCEMU_RETURN_IF_ERROR(authnObjects());
  for (const ServiceAccountSpec& sa : scenario_.serviceAccounts) {
    bool managed = sa.kind != "user";
    std::string dn = inDomain(fmt::format("CN={},CN={}", sa.name, managed ? "Managed Service Accounts" : "Users"));
    std::vector<AttributeInput> attrs;
    if (managed) {
      attrs = {{"objectClass", {sa.kind == "gmsa" ? "msDS-GroupManagedServiceAccount" : "msDS-ManagedServiceAccount"}},
               {"sAMAccountName", {accountName(sa.name)}},
               {"userAccountControl", {std::to_string(kWorkstation)}}};
      if (sa.kind == "gmsa") {
        std::vector<std::string> hosts;
        for (const HostGroup& group : scenario_.hostGroups)
          if (std::find(group.services.begin(), group.services.end(), sa.name) != group.services.end())
            for (const std::string& host : group.hostNames()) hosts.push_back(host);
        attrs.push_back({"msDS-ManagedPasswordInterval", {"30"}});
        if (!hosts.empty()) attrs.push_back({"msDS-GroupMSAMembership", {membershipSddl(hosts)}});
      }
    } else {
      int64_t control = dc::uac::kNormalAccount | dc::uac::kDontExpirePassword;
      if (sa.trustedToAuthForDelegation) control |= dc::uac::kTrustedToAuthForDelegation;
      attrs = {
          {"objectClass", {"user"}}, {"sAMAccountName", {sa.name}}, {"userAccountControl", {std::to_string(control)}}};
    }
    if (!sa.spns.empty()) attrs.push_back({"servicePrincipalName", sa.spns});
    if (!sa.allowedToDelegateTo.empty()) attrs.push_back({"msDS-AllowedToDelegateTo", sa.allowedToDelegateTo});
    if (!sa.authnPolicy.empty()) attrs.push_back({"msDS-AssignedAuthNPolicy", {policies_.at(sa.authnPolicy)}});
    if (!sa.silos.empty()) attrs.push_back({"msDS-AssignedAuthNPolicySilo", {silos_.at(sa.silos.front())}});
    DCEMU_RETURN_IF_ERROR(add(dn, std::move(attrs)));
    name(sa.name, dn, managed ? accountName(sa.name) : sa.name);
    out.objects[loader::lower(sa.name)] = dn;
  }
  for (const HostGroup& group : scenario_.hostGroups) {
    for (const std::string& host : group.hostNames()) {
      std::string dn = inDomain(fmt::format("CN={},CN=Computers", host));
      DCEMU_RETURN_IF_ERROR(
          add(dn, {{"objectClass", {"computer"}},
                   {"sAMAccountName", {accountName(host)}},
                   {"userAccountControl", {std::to_string(kWorkstation)}},
                   {"dNSHostName", {fmt::format("{}.{}", loader::lower(host), loader::lower(scenario_.domain))}},
                   {"operatingSystem",
                    {group.dmsaCapable ? "Windows Server 2025 Datacenter" : "Windows Server 2022 Datacenter"}},
                   {"operatingSystemVersion", {group.dmsaCapable ? "10.0 (26100)" : "10.0 (20348)"}},
                   {"servicePrincipalName", {"HOST/" + host, fmt::format("HOST/{}.{}", host, scenario_.domain)}}}));
      name(host, dn, accountName(host));
      out.objects[loader::lower(host)] = dn;
    }
  }
  for (const DcSpec& dc : scenario_.dcs) {
    std::string dn = inDomain(fmt::format("CN={},OU=Domain Controllers", dc.name));
    DCEMU_RETURN_IF_ERROR(
        add(dn, {{"objectClass", {"computer"}},
                 {"sAMAccountName", {accountName(dc.name)}},
                 {"userAccountControl", {std::to_string(dc.rodc ? kReadOnlyDomainController : kDomainController)}},
                 {"primaryGroupID",
                  {std::to_string(dc.rodc ? dc::rid::kReadOnlyDomainControllers : dc::rid::kDomainControllers)}},
                 {"dNSHostName", {fmt::format("{}.{}", loader::lower(dc.name), loader::lower(scenario_.domain))}},
                 {"operatingSystem", {fmt::format("Windows Server {} Datacenter", dc.os)}}}));
    name(dc.name, dn, accountName(dc.name));
    out.objects[loader::lower(dc.name)] = dn;
  }
  std::set<std::string> createdLater;
  for (const Step& step : scenario_.steps)
    if (step.action == "new-dmsa") createdLater.insert(loader::lower(step.dmsa));
  for (const DmsaSpec& dmsa : scenario_.dmsas) {
    std::string dn = dmsaDn(scenario_, dmsa);
    out.objects[loader::lower(dmsa.name)] = dn;
    if (createdLater.count(loader::lower(dmsa.name))) continue;
    DCEMU_RETURN_IF_ERROR(add(dn, dmsaAttributes(dmsa)));
    name(dmsa.name, dn, accountName(dmsa.name));
  }
  return Status::ok();
}

Status Provisioner::authnObjects() {
  std::set<std::string> policies, silos;
  for (const ServiceAccountSpec& sa : scenario_.serviceAccounts) {
    if (!sa.authnPolicy.empty()) policies.insert(sa.authnPolicy);
    silos.insert(sa.silos.begin(), sa.silos.end());
  }
  if (policies.empty() && silos.empty()) return Status::ok();
  const std::string base = "CN=AuthN Policy Configuration,CN=Services";
  for (const std::string& container :
       {std::string("CN=Services"), base, "CN=AuthN Policies," + base, "CN=AuthN Silos," + base})
    DCEMU_RETURN_IF_ERROR(add(inConfig(container), {{"objectClass", {"container"}}}));
  for (const std::string& policy : policies) {
    policies_[policy] = inConfig(fmt::format("CN={},CN=AuthN Policies,{}", policy, base));
    DCEMU_RETURN_IF_ERROR(add(policies_[policy], {{"objectClass", {"msDS-AuthNPolicy"}}}));
  }
  for (const std::string& silo : silos) {
    silos_[silo] = inConfig(fmt::format("CN={},CN=AuthN Silos,{}", silo, base));
    DCEMU_RETURN_IF_ERROR(add(silos_[silo], {{"objectClass", {"msDS-AuthNPolicySilo"}}}));
  }
  return Status::ok();
}

std::map<std::string, std::vector<std::string>> Provisioner::groupMembers() const {
  std::map<std::string, std::vector<std::string>> members;  // group name as written → member names
  for (const GroupSpec& group : scenario_.groups)
    for (const std::string& member : group.members) members[group.name].push_back(member);
  auto memberOf = [&](const std::string& account, const std::vector<std::string>& groups) {
    for (const std::string& group : groups) members[group].push_back(account);
  };
  for (const UserSpec& user : scenario_.users) memberOf(user.name, user.memberOf);
  for (const ServiceAccountSpec& sa : scenario_.serviceAccounts) memberOf(sa.name, sa.memberOf);
  for (const HostGroup& group : scenario_.hostGroups)
    for (const std::string& host : group.hostNames()) memberOf(host, group.memberOf);
  return members;
}

Status Provisioner::memberships() {
  for (const auto& [group, names] : groupMembers()) {
    auto groupDn = memberDn(group, "member_of");
    if (!groupDn) return groupDn.status();
    std::vector<std::string> dns;
    for (const std::string& member : names) {
      auto dn = memberDn(member, fmt::format("group {}", group));
      if (!dn) return dn.status();
      if (std::find(dns.begin(), dns.end(), *dn) == dns.end()) dns.push_back(*dn);
    }
    DCEMU_RETURN_IF_ERROR(dir_.modify(*groupDn, {{dc::Change::Op::Add, "member", dns}}));
  }
  return Status::ok();
}

// Each RODC's password replication policy as dcpromo sets it: the Allowed
// RODC Password Replication Group (plus the file's allow_password_caching)
// may be cached; the Denied group and BUILTIN\Administrators never.
Status Provisioner::rodcPolicies() {
  for (const DcSpec& dc : scenario_.dcs) {
    if (!dc.rodc) continue;
    std::vector<std::string> allowed{inDomain("CN=Allowed RODC Password Replication Group,CN=Users")};
    for (const std::string& name : dc.allowPasswordCaching) {
      auto dn = memberDn(name, fmt::format("{} allow_password_caching", dc.name));
      if (!dn) return dn.status();
      allowed.push_back(*dn);
    }
    DCEMU_RETURN_IF_ERROR(dir_.modify(inDomain(fmt::format("CN={},OU=Domain Controllers", dc.name)),
                                      {{dc::Change::Op::Replace, "msDS-RevealOnDemandGroup", allowed},
                                       {dc::Change::Op::Replace,
                                        "msDS-NeverRevealGroup",
                                        {inDomain("CN=Denied RODC Password Replication Group,CN=Users"),
                                         inDomain("CN=Administrators,CN=Builtin")}}}));
  }
  return Status::ok();
}

Status Provisioner::acls() {
  for (const AclSpec& acl : scenario_.acls) {
    std::string dn = acl.ou.empty() ? domainDn_ : inDomain(acl.ou);
    auto obj = dir_.read(dn);
    if (!obj) return obj.status();
    auto current = dir_.values(*obj, "nTSecurityDescriptor");
    if (!current) return current.status();
    std::string sddl = current->empty() ? "O:DAG:DAD:" : current->front();
    auto sam = samAccountNames_.find(loader::lower(acl.principal));
    if (sam == samAccountNames_.end())
      return Status(dc::LdapResult::noSuchObject,
                    fmt::format("acl on {}: no account or group named {}", dn, acl.principal));
    const std::string& trustee = sam->second;
    std::string flags = acl.appliesTo == "all" ? "CI" : acl.appliesTo == "descendants" ? "CIIO" : "";
    for (const std::string& right : acl.rights) {
      std::string ace =
          right == "CreateDMSA"
              ? fmt::format("(OA;{};CC;{};;{})", flags, dc::schemaIdGuid("1.2.840.113556.1.5.302").toString(), trustee)
              : fmt::format("(A;{};{};;;{})", flags, aclRightSddl(right).value_or(""), trustee);
      // Explicit ACEs go before the inherited ones and any SACL.
      size_t dacl = sddl.find("D:");
      size_t insertAt = dacl == std::string::npos ? sddl.size() : sddl.find('(', dacl);
      if (insertAt == std::string::npos)
        insertAt = sddl.find("S:", dacl) == std::string::npos ? sddl.size() : sddl.find("S:", dacl);
      sddl.insert(insertAt, ace);
    }
    DCEMU_RETURN_IF_ERROR(dir_.modify(dn, {{dc::Change::Op::Replace, "nTSecurityDescriptor", {sddl}}}));
  }
  return Status::ok();
}

Status Provisioner::configuration(const std::vector<dc::Guid>& invocationIds, ProvisionedNames& out) {
  if (scenario_.tombstoneLifetimeDays != dc::kDefaultTombstoneLifetimeDays) {
    DCEMU_RETURN_IF_ERROR(dir_.modify(
        fmt::format("{},{}", dc::kDirectoryServiceObject, configDn_),
        {{dc::Change::Op::Replace, "tombstoneLifetime", {std::to_string(scenario_.tombstoneLifetimeDays)}}}));
  }
  if (scenario_.garbageCollPeriodHours) {
    DCEMU_RETURN_IF_ERROR(dir_.modify(
        fmt::format("{},{}", dc::kDirectoryServiceObject, configDn_),
        {{dc::Change::Op::Replace, "garbageCollPeriod", {std::to_string(*scenario_.garbageCollPeriodHours)}}}));
  }
  for (const Site& site : scenario_.sites) {
    std::string dn = fmt::format("CN={},{}", site.name, sitesDn());
    DCEMU_RETURN_IF_ERROR(add(dn, {{"objectClass", {"site"}}}));
    DCEMU_RETURN_IF_ERROR(add("CN=Servers," + dn, {{"objectClass", {"serversContainer"}}}));
  }
  const std::string ncs[] = {domainDn_, configDn_, dir_.namingContextDn(dc::NamingContext::Schema).toString()};
  for (size_t i = 0; i < scenario_.dcs.size(); ++i) {
    const DcSpec& dc = scenario_.dcs[i];
    std::string server = serverDn(dc);
    DCEMU_RETURN_IF_ERROR(
        add(server, {{"objectClass", {"server"}},
                     {"dNSHostName", {fmt::format("{}.{}", loader::lower(dc.name), loader::lower(scenario_.domain))}},
                     {"serverReference", {inDomain(fmt::format("CN={},OU=Domain Controllers", dc.name))}}}));
    std::vector<AttributeInput> settings = {{"objectClass", {dc.rodc ? "nTDSDSARO" : "nTDSDSA"}},
                                            {"invocationId", {invocationIds[i].toString()}},
                                            {"options", {dc.rodc ? "0" : "1"}}};  // 1: NTDSDSA_OPT_IS_GC
    if (!dc.rodc) settings.push_back({"hasMasterNCs", {ncs[0], ncs[1], ncs[2]}});
    out.ntdsSettings.push_back("CN=NTDS Settings," + server);
    DCEMU_RETURN_IF_ERROR(add(out.ntdsSettings.back(), std::move(settings)));
  }
  for (const SiteLink& link : scenario_.siteLinks) {
    std::vector<std::string> sites;
    for (int site : link.sites) sites.push_back(fmt::format("CN={},{}", scenario_.sites[site].name, sitesDn()));
    std::vector<AttributeInput> attrs = {{"objectClass", {"siteLink"}},
                                         {"siteList", sites},
                                         {"cost", {std::to_string(link.cost)}},
                                         {"replInterval", {std::to_string(link.interval / 60'000'000)}},
                                         {"options", {link.notify ? "1" : "0"}}};  // 1: USE_NOTIFY
    if (!link.schedule.isAlways()) {
      std::string hex;
      for (unsigned char c : replication::encodeScheduleBlob(link.schedule)) hex += fmt::format("{:02x}", c);
      attrs.push_back({"schedule", {hex}});
    }
    DCEMU_RETURN_IF_ERROR(add(fmt::format("CN={},{}", link.name, ipTransportDn()), std::move(attrs)));
  }
  for (const SiteLinkBridge& bridge : scenario_.bridges) {
    std::vector<std::string> links;
    for (int link : bridge.links)
      links.push_back(fmt::format("CN={},{}", scenario_.siteLinks[link].name, ipTransportDn()));
    DCEMU_RETURN_IF_ERROR(add(fmt::format("CN={},{}", bridge.name, ipTransportDn()),
                              {{"objectClass", {"siteLinkBridge"}}, {"siteLinkList", links}}));
  }
  return Status::ok();
}

}  // namespace

std::string domainDnOf(const std::string& dnsName) {
  std::string dn;
  size_t start = 0;
  while (start <= dnsName.size()) {
    size_t dot = dnsName.find('.', start);
    if (dot == std::string::npos) dot = dnsName.size();
    if (!dn.empty()) dn += ",";
    dn += "DC=" + dnsName.substr(start, dot - start);
    start = dot + 1;
  }
  return dn;
}

std::string dmsaDn(const Scenario& scenario, const DmsaSpec& dmsa) {
  std::string parent = dmsa.ou.empty() ? "CN=Managed Service Accounts" : dmsa.ou;
  return fmt::format("CN={},{},{}", dmsa.name, parent, domainDnOf(scenario.domain));
}

std::vector<AttributeInput> dmsaAttributes(const DmsaSpec& dmsa) {
  std::vector<AttributeInput> attrs = {{"objectClass", {"msDS-DelegatedManagedServiceAccount"}},
                                       {"sAMAccountName", {accountName(dmsa.name)}},
                                       {"userAccountControl", {std::to_string(kWorkstation)}},
                                       {"msDS-ManagedPasswordInterval", {"30"}},
                                       {"msDS-DelegatedMSAState", {std::to_string(dmsa.state)}}};
  if (!dmsa.principals.empty()) attrs.push_back({"msDS-GroupMSAMembership", {membershipSddl(dmsa.principals)}});
  return attrs;
}

dc::Result<ProvisionedNames> provisionScenario(dc::Directory& dir, const Scenario& scenario,
                                               const std::vector<dc::Guid>& invocationIds, dc::Xoshiro256& rng,
                                               uint64_t seed) {
  DCEMU_RETURN_IF_ERROR(dc::provisionForest(dir, rng));
  Provisioner p(dir, scenario);
  ProvisionedNames names;
  DCEMU_RETURN_IF_ERROR(p.domainObjects(names));
  DCEMU_RETURN_IF_ERROR(p.memberships());
  DCEMU_RETURN_IF_ERROR(p.rodcPolicies());
  DCEMU_RETURN_IF_ERROR(p.acls());
  rng = dc::randomStream(seed, "configuration");
  DCEMU_RETURN_IF_ERROR(p.configuration(invocationIds, names));
  return names;
}

dc::Status provisionConnections(dc::Directory& dir, const Scenario& scenario, const ProvisionedNames& names,
                                const replication::KccResult& topology, dc::Rng& rng) {
  Provisioner p(dir, scenario);
  for (const replication::KccConnection& c : topology.connections) {
    std::vector<AttributeInput> attrs = {{"objectClass", {"nTDSConnection"}},
                                         {"fromServer", {names.ntdsSettings[c.source]}},
                                         {"enabledConnection", {"TRUE"}},
                                         {"options", {"1"}}};  // 1: NTDSCONN_OPT_IS_GENERATED
    if (c.interSite) attrs.push_back({"transportType", {p.ipTransportDn()}});
    std::string dn = fmt::format("CN={},{}", dc::Guid::random(rng).toString(), names.ntdsSettings[c.destination]);
    DCEMU_RETURN_IF_ERROR(p.add(dn, std::move(attrs)));
  }
  return Status::ok();
}

dc::Principal administratorOf(const dc::Directory& dir) {
  std::string dn = "CN=Administrator,CN=Users," + dir.namingContextDn(dc::NamingContext::Domain).toString();
  auto admin = dir.read(dn);
  if (!admin) return dc::Principal::systemPrincipal();
  auto sids = dir.tokenSids(admin->guid);
  return sids ? dc::Principal{*sids, false} : dc::Principal::systemPrincipal();
}

}  // namespace dcemu::scenario
