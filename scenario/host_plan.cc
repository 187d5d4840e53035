#include "scenario/host_plan.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "dc/random_stream.h"
#include "replication/kcc.h"
#include "scenario/loader_internal.h"

namespace dcemu::scenario {

namespace {

using loader::lower;

// The sAMAccountName a host's service logs on as.
std::string serviceAccountName(const Scenario& s, const std::string& service) {
  for (const ServiceAccountSpec& sa : s.serviceAccounts)
    if (lower(sa.name) == lower(service)) return sa.kind == "user" ? sa.name : sa.name + "$";
  return service.ends_with('$') ? service : service + "$";  // a dMSA
}

}  // namespace

std::vector<std::vector<int>> locatorTiers(const Scenario& scenario, int site) {
  std::vector<std::optional<replication::SitePath>> paths = replication::leastCostPathsFrom(scenario.siteGraph(), site);
  std::vector<std::pair<int, int>> others;  // (cost, site)
  for (int s = 0; s < static_cast<int>(scenario.sites.size()); ++s)
    if (s != site && paths[s]) others.push_back({paths[s]->cost, s});
  std::sort(others.begin(), others.end());
  std::vector<std::vector<int>> tiers;
  auto tierOf = [&](int s) {
    std::vector<int> dcs;
    for (int i = 0; i < static_cast<int>(scenario.dcs.size()); ++i)
      if (scenario.dcs[i].site == s) dcs.push_back(i);
    if (!dcs.empty()) tiers.push_back(std::move(dcs));
  };
  tierOf(site);
  for (const auto& [cost, s] : others) tierOf(s);
  return tiers;
}

kdc::KerberosPolicy kerberosPolicy(const Scenario& scenario, int dc) {
  kdc::KerberosPolicy policy{scenario.tgtLifetime, scenario.renewMax, scenario.serviceTicketLifetime,
                             scenario.clockSkew, scenario.patchedBadSuccessor};
  policy.knowsDmsa = scenario.dcs[dc].os == "2025";
  return policy;
}

std::vector<PlannedClient> planHostClients(const Scenario& scenario, uint64_t seed) {
  std::vector<PlannedClient> clients;
  std::map<int, std::vector<std::vector<int>>> tiersBySite;
  for (const HostGroup& group : scenario.hostGroups) {
    if (!tiersBySite.count(group.site)) tiersBySite[group.site] = locatorTiers(scenario, group.site);
    for (const std::string& host : group.hostNames()) {
      for (const std::string& service : group.services) {
        PlannedClient client;
        client.spec = {host, host + "$", serviceAccountName(scenario, service), group.dmsaCapable,
                       tiersBySite[group.site]};
        client.locatorSeed = dc::randomStream(seed, fmt::format("locator/{}/{}", host, service)).next();
        client.site = group.site;
        client.service = service;
        dc::Xoshiro256 start = dc::randomStream(seed, fmt::format("logon/{}/{}", host, service));
        client.firstLogon = scenario.start + static_cast<int64_t>(dc::uniformBelow(start, group.firstLogonSpread));
        client.rebootEvery = group.rebootEvery;
        client.rebootFirst = group.rebootFirst;
        client.rebootWindow = group.rebootWindow;
        clients.push_back(std::move(client));
      }
    }
  }
  return clients;
}

std::optional<int64_t> rebootAt(const Scenario& scenario, const PlannedClient& client, uint64_t seed, int cycle) {
  if (client.rebootEvery == 0) return std::nullopt;
  dc::Xoshiro256 moment = dc::randomStream(seed, fmt::format("reboot/{}/{}", client.spec.host, cycle));
  return scenario.start + client.rebootFirst + cycle * client.rebootEvery +
         static_cast<int64_t>(dc::uniformBelow(moment, client.rebootWindow));
}

}  // namespace dcemu::scenario
