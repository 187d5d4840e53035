// A node's KDC as the hosts process reaches it over RPC (rpc.capnp's Kdc),
// and its watch over the dMSAs a migration tracks: every write to one, made
// here or replicated in, is journalled with the tracked machines the KDC
// would let retrieve the password, for `dcemu cluster report`.
#include "live/node_kdc.h"

#include <fmt/format.h>

#include "dc/text.h"
#include "report/membership.h"
#include "scenario/host_plan.h"
#include "scenario/scenario.h"

namespace dcemu::live {

KdcService& LiveNode::kdcService() {
  if (!kdc_) kdc_ = std::make_unique<LocalKdc>(*this);
  return *kdc_;
}

dc::Status LiveNode::watchTrackedDmsas(const std::string& journalPath) {
  journalPath_ = journalPath;
  DCEMU_RETURN_IF_ERROR(journal_.open(journalPath));
  auto tracked = report::trackedHostsByService(scenario_, scenario::planHostClients(scenario_, seed_),
                                               report::machineSidsOf(*node_->directory()));
  for (const auto& [service, hosts] : tracked)
    for (const report::TrackedHost& host : hosts) journal_.write({"machine", host.host, host.machineSid.toString()});
  for (const scenario::DmsaSpec& dmsa : scenario_.dmsas) {
    if (dmsa.supersedes.empty()) continue;
    WatchedDmsa watched{dmsa.name, {}};
    for (const report::TrackedHost& host : tracked[dc::toLower(dmsa.supersedes)])
      watched.machines.push_back(host.machineSid);
    unresolved_.push_back(std::move(watched));
  }
  // While a tracked dMSA is not in the replica yet, any write may be the
  // one that creates it.
  node_->setWriteObserver({[this](const dc::Guid& object) { return watched_.count(object) || !unresolved_.empty(); },
                           [this](const dc::Object& object, bool replicated) { observeDmsa(object, replicated); }});
  resolveWatchedDmsas();
  for (const auto& [guid, watched] : watched_) {
    if (auto dmsa = node_->directory()->viewByGuid(guid); dmsa && *dmsa) observeDmsa(**dmsa, false);
  }
  return dc::Status::ok();
}

void LiveNode::resolveWatchedDmsas() {
  for (auto it = unresolved_.begin(); it != unresolved_.end();) {
    if (auto guid = node_->directory()->store().guidByAccountName(it->name + "$")) {
      watched_[*guid] = std::move(*it);
      it = unresolved_.erase(it);
    } else {
      ++it;
    }
  }
}

void LiveNode::observeDmsa(const dc::Object& dmsa, bool replicated) {
  auto found = watched_.find(dmsa.guid);
  if (found == watched_.end() && !unresolved_.empty()) {
    resolveWatchedDmsas();  // a dMSA a new-dmsa step created, here or elsewhere
    found = watched_.find(dmsa.guid);
  }
  if (found == watched_.end()) return;
  std::string members;
  for (const dc::Sid& sid : report::authorisedMachines(*node_->directory(), dmsa, found->second.machines))
    members += (members.empty() ? "" : ",") + sid.toString();
  journal_.write({"observe", std::to_string(now()), found->second.name, dmsa.guid.toString(),
                  std::to_string(node_->directory()->integer(dmsa, "msDS-DelegatedMSAState").value_or(0)),
                  replicated ? "1" : "0", members});
}

void LiveNode::journalMigrationStep(const std::string& dmsa, const std::string& op) {
  journal_.write({"step", std::to_string(now()), dmsa, op});
}

}  // namespace dcemu::live
