// Which tracked machines each DC's KDC would let retrieve a dMSA's
// password: the hosts a migration follows, per service, and the KDC's own
// access check over a replica's msDS-GroupMSAMembership, shared among the
// DCs holding the same bytes. The simulator's world and a live node's
// journal ask it alike.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "dc/directory.h"
#include "report/risk.h"
#include "scenario/host_plan.h"
#include "scenario/scenario.h"

namespace dcemu::report {

// A machine account's objectSid (by sAMAccountName), or none.
using MachineSidLookup = std::function<std::optional<dc::Sid>(const std::string& machineAccount)>;
MachineSidLookup machineSidsOf(const dc::Directory& dir);

// The hosts running each service (lowercased name) whose machine account
// has a SID, as the risk tracker follows them: each with every DC of its
// own site and of its first fallback.
std::map<std::string, std::vector<TrackedHost>> trackedHostsByService(
    const scenario::Scenario& scenario, const std::vector<scenario::PlannedClient>& clients,
    const MachineSidLookup& machineSid);

// The tracked machines the KDC of `dir` would let retrieve the dMSA's
// password now: the KDC's own access check (kdc::membershipAllows).
// `*fromDaclAlone` tells whether the answer follows from the dMSA's
// msDS-GroupMSAMembership alone (every ACE allows a tracked machine by
// name), not from any machine's token.
std::set<dc::Sid> authorisedMachines(const dc::Directory& dir, const dc::Object& dmsa,
                                     const std::vector<dc::Sid>& machines, bool* fromDaclAlone = nullptr);

// authorisedMachines over every DC's copy of the watched dMSAs. A dMSA is
// written far more often than its membership changes (each replicated
// write, each state change), and its DACL was parsed again at each, on
// each DC; an answer that followed from the DACL alone is kept per DC and
// shared among the DCs holding the same bytes, which the next write's
// bytes are compared with.
class MembershipAnswers {
 public:
  struct Answer {
    std::string membership;        // the msDS-GroupMSAMembership it was read from
    std::vector<bool> authorised;  // for each tracked machine, in the order `machines` gives them
  };
  // The authorised machines of `dmsa` as DC `dc`'s `dir` holds it;
  // `machines` gives the tracked ones when they are needed.
  std::shared_ptr<const Answer> find(int dc, const dc::Directory& dir, const dc::Object& dmsa,
                                     const std::function<std::vector<dc::Sid>()>& machines);

 private:
  static constexpr size_t kFirstSweep = 1024;
  std::map<std::pair<int, dc::Guid>, std::shared_ptr<const Answer>> byDc_;
  // Each distinct membership once, while some DC holds it.
  std::map<std::pair<dc::Guid, std::string>, std::weak_ptr<const Answer>> byValue_;
  size_t sweepAt_ = kFirstSweep;
};

}  // namespace dcemu::report
