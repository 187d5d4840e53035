// The domain a file and a seed lay out at time zero, computed alike by the
// simulator's world and by every live node, so that a cluster's replicas
// agree with the simulator's on every GUID, stamp, USN and connection: the
// first writable DC (the origin) provisions everything the file describes
// (provision.h); each DC's DSA and invocationID; the KCC's connections with
// their site paths; the first scheduled poll of each connection; and what
// turns a copy of the origin's store into another DC's replica.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dc/directory.h"
#include "dc/store.h"
#include "replication/connections.h"
#include "replication/kcc.h"
#include "replication/repadmin.h"
#include "scenario/provision.h"
#include "scenario/scenario.h"

namespace dcemu::scenario {

// What the file's [replication] section tells each DC.
replication::ReplicationSettings replicationSettings(const Scenario& scenario);

// A connection's first scheduled pull after `start`: a phase within the
// intra-site poll, or within the inter-site interval's first quarter hour
// and then the schedule's next open window (INT64_MAX: never open), drawn
// from the connection's own seeded stream, so that a live cluster polls in
// the simulator's phases.
int64_t seededFirstPoll(const Scenario& scenario, uint64_t seed, const replication::Connection& c, int64_t start);

// The DC that provisions the forest: the first writable one, or -1.
int originDc(const Scenario& scenario);
// A DC's seeded stream: what its directory draws GUIDs and SIDs from.
dc::Xoshiro256 dcRandomStream(const Scenario& scenario, uint64_t seed, int dc);

struct DomainLayout {
  int origin = 0;
  ProvisionedNames names;
  std::vector<dc::Guid> invocationIds;  // per DC, at time zero
  replication::KccResult topology;
  std::vector<replication::Connection> connections;
  std::vector<replication::DsaInfo> dsaInfos;  // per DC
  std::map<std::string, dc::Guid> objects;     // lowercased step object labels → objectGUID
  std::vector<std::string> workloadUsers;      // the DNs of the users the file describes
  uint64_t provisionedUsn = 0;                 // the origin's highest USN once provisioned

  replication::DsaNames dsaNames() const;
  int dcOfDsa(const dc::Guid& dsa) const;  // -1 when no DC has it
};

// Provisions everything the file describes into `origin`, the new replica
// of originDc(scenario) opened over `store` with `originRng` (its seeded
// stream, dcRandomStream), and lays out the rest. The store is compacted
// afterwards, ready to be copied.
dc::Result<DomainLayout> provisionDomain(const Scenario& scenario, uint64_t seed, dc::Store& store,
                                         dc::Directory& origin, dc::Xoshiro256& originRng);

// Turns `replica`, a copy of the origin's store, into DC `dc`'s at time
// zero (as a DC installed from media would be): its own invocationID, and
// repsFrom in sync with each inbound partner at the provisioned USN.
dc::Status adoptReplica(const Scenario& scenario, const DomainLayout& layout, int dc, dc::Directory& replica);

// The origin provisioned in memory with its layout: what `dcemu topology`
// reads and what every live node computes at its start.
struct ProvisionedOrigin {
  std::unique_ptr<dc::StoreEnv> env;
  std::unique_ptr<dc::ManualClock> clock;
  std::unique_ptr<dc::Xoshiro256> rng;
  std::unique_ptr<dc::Store> store;
  std::unique_ptr<dc::Directory> directory;
  DomainLayout layout;
  ~ProvisionedOrigin();  // the directory before its store, the store before its Env
};
dc::Result<std::unique_ptr<ProvisionedOrigin>> provisionOrigin(const Scenario& scenario, uint64_t seed);

// DC `dc`'s replica at time zero, on disk at `path` (absent): what `dcemu
// node` starts from. The store appears whole or not at all.
dc::Status createReplicaStore(const Scenario& scenario, uint64_t seed, int dc, const std::string& path);

// How DC `dc`'s directory opens: the domain, whether it is an RODC, and
// its RID pools (the writable DCs take pools in turn, in file order).
dc::DirectoryOptions directoryOptions(const Scenario& scenario, int dc);

}  // namespace dcemu::scenario
