// One DC's store as the simulator provisions it, on disk: what a live node
// starts from. Every node of a cluster provisions the same file with the
// same seed, so each holds the replica the simulator's DC would at time
// zero, and the replicas agree on every GUID, stamp and USN.
#include <filesystem>

#include "replication/utd.h"
#include "sim/world.h"

namespace dcemu::sim {

dc::Status World::createReplicaStore(const Scenario& scenario, uint64_t seed, int index, const std::string& path) {
  namespace fs = std::filesystem;
  const std::string scratch = path + ".provisioning", fresh = path + ".new";
  std::error_code ignored;
  fs::remove_all(scratch, ignored);
  fs::remove_all(fresh, ignored);
  {
    World world(scenario, seed, false, scratch);
    DCEMU_RETURN_IF_ERROR(world.provision(false));
    int first = 0;
    while (scenario.dcs[first].rodc) ++first;
    DCEMU_RETURN_IF_ERROR(world.dcs_[first].store->checkpoint(fresh));
    SimDc& d = world.dcs_[index];
    auto store = dc::Store::open(*world.env_, fresh);
    if (!store) return store.status();
    auto dir = dc::Directory::open(**store, dc::DirectoryOptions{scenario.domain, d.readOnly}, *d.clock, *d.rng);
    if (!dir) return dir.status();
    std::vector<dc::Guid> invocationIds;
    for (const replication::DsaInfo& info : world.dsaInfos_) invocationIds.push_back(info.invocationIds.front());
    if (index != first) DCEMU_RETURN_IF_ERROR(replication::adoptInvocationId(**dir, invocationIds[index]));
    DCEMU_RETURN_IF_ERROR(
        world.seedRepsFrom(**dir, index, invocationIds, world.dcs_[first].dir->highestCommittedUsn()));
  }
  // The store appears whole or not at all: a node killed while
  // provisioning starts over.
  fs::rename(fresh, path);
  fs::remove_all(scratch, ignored);
  return dc::Status::ok();
}

}  // namespace dcemu::sim
