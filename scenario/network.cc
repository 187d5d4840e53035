#include "scenario/network.h"

#include <algorithm>

#include "dc/random_stream.h"

namespace dcemu::scenario {

Network::Network(const Scenario& scenario, uint64_t seed)
    : scenario_(scenario),
      graph_(scenario.siteGraph()),
      linkPartitions_(scenario.siteLinks.size()),
      siteIsolations_(scenario.sites.size()),
      slowLinks_(scenario.siteLinks.size()) {
  for (const SiteLink& link : scenario.siteLinks) jitter_.push_back(dc::randomStream(seed, "jitter/" + link.name));
}

const std::vector<int>& Network::path(int from, int to) const {
  auto known = paths_.find({from, to});
  if (known != paths_.end()) return known->second;
  // A source's first path is searched for alone, stopping at `to` (a spoke
  // of a hub asks for one). From its second, one search gives every path
  // from `from`; the last few sources' are kept, as a hub sends to many
  // sites in a row, each answering it.
  constexpr size_t kSearchesKept = 4;
  auto search = std::find_if(searches_.begin(), searches_.end(), [&](const Search& s) { return s.from == from; });
  if (search == searches_.end() && pathsAskedFrom_[from]++ == 0) {
    auto found = replication::leastCostPath(graph_, from, to);
    return paths_.emplace(std::pair(from, to), found ? found->links : std::vector<int>()).first->second;
  }
  if (search == searches_.end()) {
    if (searches_.size() == kSearchesKept) searches_.pop_back();
    searches_.insert(searches_.begin(), {from, replication::leastCostPathsFrom(graph_, from)});
  } else if (search != searches_.begin()) {
    std::rotate(searches_.begin(), search, search + 1);
  }
  const auto& found = searches_.front().paths[to];
  return paths_.emplace(std::pair(from, to), found ? found->links : std::vector<int>()).first->second;
}

bool Network::reachable(int from, int to) const {
  if (from == to) return true;
  if (siteIsolations_[from] > 0 || siteIsolations_[to] > 0) return false;
  const auto& links = path(from, to);
  if (links.empty()) return false;
  return std::none_of(links.begin(), links.end(), [&](int link) { return linkPartitions_[link] > 0; });
}

std::optional<int64_t> Network::transferTime(int from, int to, uint64_t bytes) {
  if (!reachable(from, to)) return std::nullopt;
  if (from == to) return kIntraSiteLatencyMicros;
  int64_t total = 0;
  uint64_t slowest = 0;  // bits per second; 0 = unlimited
  for (int index : path(from, to)) {
    const SiteLink& link = scenario_.siteLinks[index];
    total += slowLinks_[index].empty() ? link.latency : slowLinks_[index].back().second;
    if (link.jitter > 0) total += static_cast<int64_t>(dc::uniformBelow(jitter_[index], link.jitter + 1));
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

}  // namespace dcemu::scenario
