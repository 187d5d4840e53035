// The file's hosts as Kerberos clients: one per service on each host of a
// [[host_group]], with its DC locator's tiers, its seeded locator stream and
// first logon. The simulator's world and the live hosts process plan them
// alike, so the same file and seed give the same clients in both.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "kdc/host_client.h"
#include "scenario/scenario.h"

namespace dcemu::scenario {

// A failed logon is tried again after this.
inline constexpr int64_t kRetryAfterFailure = 3600LL * 1000000;

struct PlannedClient {
  kdc::HostService spec;
  uint64_t locatorSeed = 0;
  int site = 0;
  std::string service;     // the service's name as the file gives it
  int64_t firstLogon = 0;  // simulated time
  // The host group's reboots (none when `rebootEvery` is 0).
  int64_t rebootEvery = 0, rebootFirst = 0, rebootWindow = 0;
};

// When the host of `client` reboots for the `cycle`th time (from 0), as
// simulated time: a seeded moment in that cycle's window, the same for
// every service of the host. None when its group does not reboot.
std::optional<int64_t> rebootAt(const Scenario& scenario, const PlannedClient& client, uint64_t seed, int cycle);

// The DCs a host in `site` may use, best first: its own site's, then each
// other site's by the cost of the cheapest site-link path (ties by file
// order). Sites without DCs give no tier.
std::vector<std::vector<int>> locatorTiers(const Scenario& scenario, int site);

std::vector<PlannedClient> planHostClients(const Scenario& scenario, uint64_t seed);

// The domain's Kerberos policy as the KDC of DC `dc` applies it: the
// file's [kerberos] settings, and whether its Windows version knows dMSAs.
kdc::KerberosPolicy kerberosPolicy(const Scenario& scenario, int dc);

}  // namespace dcemu::scenario
