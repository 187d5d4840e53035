// The file's hosts as Kerberos clients: one per service on each host of a
// [[host_group]], with its DC locator's tiers, its seeded locator stream and
// first logon, and which of them a dMSA migration tracks. The simulator's
// world and the live hosts process plan them alike, so the same file and
// seed give the same clients in both.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "dc/directory.h"
#include "kdc/host_client.h"
#include "sim/risk.h"
#include "sim/scenario.h"

namespace dcemu::sim {

// Hosts log on at a seeded moment in this first span, as services start
// after a host boots.
inline constexpr int64_t kFirstLogonSpan = 2LL * 3600 * 1000000;
// A failed logon is tried again after this.
inline constexpr int64_t kRetryAfterFailure = 3600LL * 1000000;

struct PlannedClient {
  kdc::HostService spec;
  uint64_t locatorSeed = 0;
  int site = 0;
  std::string service;     // the service's name as the file gives it
  int64_t firstLogon = 0;  // simulated time
};

// The DCs a host in `site` may use, best first: its own site's, then each
// other site's by the cost of the cheapest site-link path (ties by file
// order). Sites without DCs give no tier.
std::vector<std::vector<int>> locatorTiers(const Scenario& scenario, int site);

std::vector<PlannedClient> planHostClients(const Scenario& scenario, uint64_t seed);

// The domain's Kerberos policy as the KDC of DC `dc` applies it: the
// file's [kerberos] settings, and whether its Windows version knows dMSAs.
kdc::KerberosPolicy kerberosPolicy(const Scenario& scenario, int dc);

// A machine account's objectSid (by sAMAccountName), or none.
using MachineSidLookup = std::function<std::optional<dc::Sid>(const std::string& machineAccount)>;
MachineSidLookup machineSidsOf(const dc::Directory& dir);

// The hosts running each service (lowercased name) whose machine account
// has a SID, as the risk tracker follows them: each with every DC of its
// own site and of its first fallback.
std::map<std::string, std::vector<TrackedHost>> trackedHostsByService(const Scenario& scenario,
                                                                      const std::vector<PlannedClient>& clients,
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

}  // namespace dcemu::sim
