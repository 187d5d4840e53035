// The simulated network between DCs: inside a site a fixed LAN latency;
// between sites the least-cost path over site links (the KCC's view), each
// link adding its one-way latency, a seeded jitter draw and its bandwidth's
// transfer time for the message's encoded size. Partitions, isolated sites
// and slow links are faults that come and go; they stack, so overlapping
// faults end independently.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "dc/rng.h"
#include "scenario/scenario.h"

namespace dcemu::scenario {

// One-way latency between two DCs of one site (a LAN round trip of 1 ms).
inline constexpr int64_t kIntraSiteLatencyMicros = 500;

class Network {
 public:
  Network(const Scenario& scenario, uint64_t seed);

  // How long a message of `bytes` takes from a DC in site `from` to one in
  // site `to` now; none when no path is open.
  std::optional<int64_t> transferTime(int from, int to, uint64_t bytes);
  bool reachable(int from, int to) const;
  void partitionLink(int link, bool on) { linkPartitions_[link] += on ? 1 : -1; }
  void isolateSite(int site, bool on) { siteIsolations_[site] += on ? 1 : -1; }
  // slow-link: while any is active, the most recent one's latency applies.
  void slowLink(int link, int faultId, std::optional<int64_t> latency);
  // Ends every fault (the convergence checker's healed network).
  void healAll();

 private:
  // The least-cost path's links from one site to another, found when first
  // asked for: a topology of thousands of sites uses few of its pairs.
  const std::vector<int>& path(int from, int to) const;

  const Scenario& scenario_;
  replication::KccInput graph_;
  mutable std::map<std::pair<int, int>, std::vector<int>> paths_;  // (from site, to site) → link indexes
  // The last few sources' searches, most recent first: a pull's request
  // and reply cross a path both ways, so a hub's search and each
  // spoke's are wanted in turn.
  struct Search {
    int from;
    std::vector<std::optional<replication::SitePath>> paths;
  };
  mutable std::vector<Search> searches_;
  mutable std::map<int, int> pathsAskedFrom_;  // per source site: paths looked up from it
  std::vector<int> linkPartitions_;
  std::vector<int> siteIsolations_;
  std::vector<std::vector<std::pair<int, int64_t>>> slowLinks_;  // per link: (fault, latency), oldest first
  std::vector<dc::Xoshiro256> jitter_;                           // per link
};

}  // namespace dcemu::scenario
