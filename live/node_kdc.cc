// A node's KDC as the hosts process reaches it over RPC (rpc.capnp's Kdc),
// and its watch over the dMSAs a migration tracks: every write to one, made
// here or replicated in, is journalled with the tracked machines the KDC
// would let retrieve the password, for `dcemu cluster report`.
#include "live/node_kdc.h"

#include <fmt/format.h>

#include "sim/host_population.h"
#include "sim/loader_internal.h"

namespace dcemu::live {
using sim::loader::lower;

KdcService& LiveNode::kdcService() {
  if (!kdc_) kdc_ = std::make_unique<LocalKdc>(*this);
  return *kdc_;
}

dc::Status LiveNode::watchTrackedDmsas(const std::string& journalPath) {
  journalPath_ = journalPath;
  DCEMU_RETURN_IF_ERROR(journal_.open(journalPath));
  auto tracked =
      sim::trackedHostsByService(scenario_, sim::planHostClients(scenario_, seed_), sim::machineSidsOf(*dir_));
  for (const auto& [service, hosts] : tracked)
    for (const sim::TrackedHost& host : hosts) journal_.write({"machine", host.host, host.machineSid.toString()});
  for (const sim::DmsaSpec& dmsa : scenario_.dmsas) {
    if (dmsa.supersedes.empty()) continue;
    WatchedDmsa watched{dmsa.name, {}};
    for (const sim::TrackedHost& host : tracked[lower(dmsa.supersedes)]) watched.machines.push_back(host.machineSid);
    unresolved_.push_back(std::move(watched));
  }
  // While a tracked dMSA is not in the replica yet, any write may be the
  // one that creates it.
  dir_->setWriteObserver({[this](const dc::Guid& object) { return watched_.count(object) || !unresolved_.empty(); },
                          [this](const dc::Object& object, bool replicated) { observeDmsa(object, replicated); }});
  resolveWatchedDmsas();
  for (const auto& [guid, watched] : watched_) {
    if (auto dmsa = dir_->viewByGuid(guid); dmsa && *dmsa) observeDmsa(**dmsa, false);
  }
  return dc::Status::ok();
}

void LiveNode::resolveWatchedDmsas() {
  for (auto it = unresolved_.begin(); it != unresolved_.end();) {
    if (auto guid = dir_->store().guidByAccountName(it->name + "$")) {
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
  for (const dc::Sid& sid : sim::authorisedMachines(*dir_, dmsa, found->second.machines))
    members += (members.empty() ? "" : ",") + sid.toString();
  journal_.write({"observe", std::to_string(now()), found->second.name, dmsa.guid.toString(),
                  std::to_string(dir_->integer(dmsa, "msDS-DelegatedMSAState").value_or(0)), replicated ? "1" : "0",
                  members});
}

void LiveNode::journalMigrationStep(const std::string& dmsa, const std::string& op) {
  journal_.write({"step", std::to_string(now()), dmsa, op});
}

}  // namespace dcemu::live
