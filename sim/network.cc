#include "sim/network.h"

#include <algorithm>

#include "sim/event_queue.h"

namespace dcemu::sim {

Network::Network(const Scenario& scenario, uint64_t seed)
    : scenario_(scenario),
      linkPartitions_(scenario.siteLinks.size()),
      siteIsolations_(scenario.sites.size()),
      slowLinks_(scenario.siteLinks.size()) {
  replication::KccInput graph = scenario.siteGraph();
  size_t sites = scenario.sites.size();
  paths_.assign(sites, std::vector<std::vector<int>>(sites));
  for (size_t a = 0; a < sites; ++a)
    for (size_t b = 0; b < sites; ++b)
      if (a != b)
        if (auto path = replication::leastCostPath(graph, static_cast<int>(a), static_cast<int>(b)))
          paths_[a][b] = path->links;
  for (const SiteLink& link : scenario.siteLinks) jitter_.push_back(randomStream(seed, "jitter/" + link.name));
}

bool Network::reachable(int from, int to) const {
  if (from == to) return true;
  if (siteIsolations_[from] > 0 || siteIsolations_[to] > 0) return false;
  const auto& links = paths_[from][to];
  if (links.empty()) return false;
  return std::none_of(links.begin(), links.end(), [&](int link) { return linkPartitions_[link] > 0; });
}

std::optional<int64_t> Network::transferTime(int from, int to, uint64_t bytes) {
  if (!reachable(from, to)) return std::nullopt;
  if (from == to) return kIntraSiteLatencyMicros;
  int64_t total = 0;
  uint64_t slowest = 0;  // bits per second; 0 = unlimited
  for (int index : paths_[from][to]) {
    const SiteLink& link = scenario_.siteLinks[index];
    total += slowLinks_[index].empty() ? link.latency : slowLinks_[index].back().second;
    if (link.jitter > 0) total += static_cast<int64_t>(uniformBelow(jitter_[index], link.jitter + 1));
    if (link.bandwidthBitsPerSecond > 0 && (slowest == 0 || link.bandwidthBitsPerSecond < slowest))
      slowest = link.bandwidthBitsPerSecond;
  }
  if (slowest > 0) total += static_cast<int64_t>(bytes * 8 * 1'000'000 / slowest);
  return total;
}

void Network::slowLink(int link, int faultId, std::optional<int64_t> latency) {
  auto& active = slowLinks_[link];
  if (latency) {
    active.emplace_back(faultId, *latency);
  } else {
    active.erase(std::remove_if(active.begin(), active.end(), [&](const auto& s) { return s.first == faultId; }),
                 active.end());
  }
}

void Network::healAll() {
  std::fill(linkPartitions_.begin(), linkPartitions_.end(), 0);
  std::fill(siteIsolations_.begin(), siteIsolations_.end(), 0);
  for (auto& active : slowLinks_) active.clear();
}

}  // namespace dcemu::sim
