// The objects a topology file describes, written on one DC at time zero
// (scenario-format.md, "All objects the file describes exist ... at time
// zero"): in the configuration NC the sites, servers, NTDS Settings, site
// links, bridges and the KCC's connections; in the domain NC the OUs, users,
// groups, service accounts, dMSAs, hosts and a computer per DC. The other
// DCs start as copies of this one (see World), so every replica holds the
// same objects with the same stamps.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "dc/directory.h"
#include "replication/kcc.h"
#include "scenario/scenario.h"

namespace dcemu::scenario {

// DNs of what provisioning creates, for the world and the reports.
struct ProvisionedNames {
  // Topology names a step's `object` may use (service accounts, dMSAs,
  // hosts, DCs' computers), lowercased, to DNs.
  std::map<std::string, std::string> objects;
  std::vector<std::string> ntdsSettings;  // per DC: its NTDS Settings DN
};

// The first part: everything but the connections, which need each DC's
// DSA GUID (the objectGUID of its NTDS Settings, known once it exists).
// `invocationIds` holds each DC's invocationID, in the scenario's DC order;
// `rng` is the stream `dir` draws from: it draws the domain SID and the
// domain's objects, and is then set to the stream "configuration" under
// `seed` for the configuration's objects, so that the DSAs (and with them
// the KCC's connections and every poll) do not depend on how many users,
// hosts or groups the domain holds. `dir` must be an empty, writable replica.
dc::Result<ProvisionedNames> provisionScenario(dc::Directory& dir, const Scenario& scenario,
                                               const std::vector<dc::Guid>& invocationIds, dc::Xoshiro256& rng,
                                               uint64_t seed);

// The second part: one nTDSConnection per KCC connection, under the
// destination's NTDS Settings, named as AD names generated ones (a GUID).
dc::Status provisionConnections(dc::Directory& dir, const Scenario& scenario, const ProvisionedNames& names,
                                const replication::KccResult& topology, dc::Rng& rng);

// Where a [[dmsa]] lives, and the attributes it is created with (also used
// by the new-dmsa step).
std::string dmsaDn(const Scenario& scenario, const DmsaSpec& dmsa);
std::vector<dc::AttributeInput> dmsaAttributes(const DmsaSpec& dmsa);

// "DC=corp,DC=example,DC=com" for "corp.example.com".
std::string domainDnOf(const std::string& dnsName);
// The Administrator's token on `dir`: the requester of every step and of
// every `dcemu ctl` operation.
dc::Principal administratorOf(const dc::Directory& dir);

}  // namespace dcemu::scenario
