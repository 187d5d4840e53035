#include "report/membership.h"

#include <algorithm>

#include "dc/security_descriptor.h"
#include "dc/text.h"

namespace dcemu::report {

MachineSidLookup machineSidsOf(const dc::Directory& dir) {
  return [&dir](const std::string& account) -> std::optional<dc::Sid> {
    auto machine = dir.store().guidByAccountName(account);
    auto machineObject = machine ? dir.readByGuid(*machine) : dc::Result<dc::Object>(dc::Status());
    return machine && machineObject ? dir.objectSid(*machineObject) : std::nullopt;
  };
}

std::map<std::string, std::vector<TrackedHost>> trackedHostsByService(
    const scenario::Scenario& scenario, const std::vector<scenario::PlannedClient>& clients,
    const MachineSidLookup& machineSidOf) {
  std::map<std::string, std::vector<TrackedHost>> tracked;
  for (const scenario::PlannedClient& client : clients) {
    std::optional<dc::Sid> machineSid = machineSidOf(client.spec.machineAccount);
    if (!machineSid) continue;
    std::vector<int> locatorDcs;  // the own site and the first fallback
    for (size_t t = 0; t < client.spec.locatorTiers.size() && t < 2; ++t)
      locatorDcs.insert(locatorDcs.end(), client.spec.locatorTiers[t].begin(), client.spec.locatorTiers[t].end());
    tracked[dc::toLower(client.service)].push_back({client.spec.host, client.service, scenario.sites[client.site].name,
                                                    client.spec.dmsaCapable, *machineSid, std::move(locatorDcs)});
  }
  return tracked;
}

// When every allow ACE names a tracked machine directly and none denies,
// the authorised machines are the ones named; otherwise each machine's
// token is read from `dir`.
std::set<dc::Sid> authorisedMachines(const dc::Directory& dir, const dc::Object& dmsa,
                                     const std::vector<dc::Sid>& machines, bool* fromDaclAlone) {
  std::set<dc::Sid> authorised;
  if (fromDaclAlone) *fromDaclAlone = true;
  const std::string* bytes = dmsa.firstValue(dir.schema().attribute("msDS-GroupMSAMembership")->id);
  if (!bytes) return authorised;
  auto sd = dc::SecurityDescriptor::fromBinary(*bytes);
  if (!sd || !sd->dacl) return authorised;
  std::set<dc::Sid> named;
  const std::set<dc::Sid> tracked(machines.begin(), machines.end());
  bool direct = true;
  for (const dc::Ace& ace : sd->dacl->aces) {
    if (!tracked.count(ace.trustee)) direct = false;  // a group, a well-known SID: tokens decide
    bool readsAll = ace.mask & (dc::rights::kReadProperty | dc::rights::kGenericAll | dc::rights::kGenericRead);
    if (!ace.isAllow() || !readsAll || ace.objectType || (ace.flags & dc::ace_flags::kInheritOnly)) direct = false;
    named.insert(ace.trustee);
  }
  if (fromDaclAlone) *fromDaclAlone = direct;
  for (const dc::Sid& machine : machines) {
    if (direct) {
      if (named.count(machine)) authorised.insert(machine);
      continue;
    }
    std::vector<dc::Sid> token{machine};
    if (auto guid = dir.store().guidBySid(machine)) {
      if (auto sids = dir.tokenSids(*guid)) token = std::move(*sids);
    }
    if (kdc::membershipAllows(bytes, token)) authorised.insert(machine);
  }
  return authorised;
}

std::shared_ptr<const MembershipAnswers::Answer> MembershipAnswers::find(
    int dc, const dc::Directory& dir, const dc::Object& dmsa, const std::function<std::vector<dc::Sid>()>& machines) {
  const std::string* bytes = dmsa.firstValue(dir.schema().attribute("msDS-GroupMSAMembership")->id);
  std::shared_ptr<const Answer>& seen = byDc_[{dc, dmsa.guid}];
  if (seen && bytes && seen->membership == *bytes) return seen;
  seen.reset();
  if (bytes) {
    auto known = byValue_.find({dmsa.guid, *bytes});
    if (known != byValue_.end()) {
      if (auto answer = known->second.lock()) return seen = answer;
    }
  }
  bool fromDaclAlone = false;
  std::vector<dc::Sid> tracked = machines();
  auto answer = std::make_shared<const Answer>(
      Answer{bytes ? *bytes : std::string(),
             RiskTracker::byHost(tracked, authorisedMachines(dir, dmsa, tracked, &fromDaclAlone))});
  if (!bytes || !fromDaclAlone) return answer;
  byValue_[{dmsa.guid, *bytes}] = answer;
  if (byValue_.size() >= sweepAt_) {
    std::erase_if(byValue_, [](const auto& entry) { return entry.second.expired(); });
    sweepAt_ = std::max<size_t>(kFirstSweep, 2 * byValue_.size());
  }
  return seen = answer;
}

}  // namespace dcemu::report
