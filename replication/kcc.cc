#include "replication/kcc.h"

#include <algorithm>
#include <map>
#include <numeric>
#include <queue>
#include <set>

namespace dcemu::replication {

Schedule Schedule::always() {
  Schedule s;
  s.open.fill(true);
  return s;
}

bool Schedule::isAlways() const {
  return std::all_of(open.begin(), open.end(), [](bool slot) { return slot; });
}

Schedule Schedule::intersect(const Schedule& other) const {
  Schedule s;
  for (int i = 0; i < kSlots; ++i) s.open[i] = open[i] && other.open[i];
  return s;
}

namespace {

constexpr int kMaxHops = 3;

// Hops from `from` to every DC of `members` along connections (data flows
// source → destination); -1 when unreachable.
std::map<int, int> hopsFrom(int from, const std::vector<int>& members, const std::set<std::pair<int, int>>& edges) {
  std::map<int, int> hops;
  for (int m : members) hops[m] = -1;
  hops[from] = 0;
  std::queue<int> frontier;
  frontier.push(from);
  while (!frontier.empty()) {
    int at = frontier.front();
    frontier.pop();
    for (int next : members) {
      if (hops[next] < 0 && edges.count({at, next})) {
        hops[next] = hops[at] + 1;
        frontier.push(next);
      }
    }
  }
  return hops;
}

// The ring and its shortcuts over `members` (writable DCs in GUID order),
// as (source, destination) pairs.
std::set<std::pair<int, int>> intraSiteRing(const std::vector<int>& members) {
  std::set<std::pair<int, int>> edges;
  size_t n = members.size();
  if (n < 2) return edges;
  for (size_t i = 0; i < n; ++i) {
    int a = members[i], b = members[(i + 1) % n];
    edges.insert({a, b});
    edges.insert({b, a});
  }
  // Shortcuts: from each DC in turn, connect the farthest DC beyond three
  // hops directly, until none is.
  bool added = true;
  while (added) {
    added = false;
    for (int from : members) {
      auto hops = hopsFrom(from, members, edges);
      int farthest = -1;
      for (int m : members)
        if (hops[m] > kMaxHops && (farthest < 0 || hops[m] > hops[farthest])) farthest = m;
      if (farthest >= 0) {
        edges.insert({from, farthest});
        added = true;
      }
    }
  }
  return edges;
}

bool chainable(const KccInput& input, int first, int second) {
  if (input.bridges.empty() || first == second) return true;
  for (const auto& bridge : input.bridges) {
    bool hasFirst = std::find(bridge.begin(), bridge.end(), first) != bridge.end();
    bool hasSecond = std::find(bridge.begin(), bridge.end(), second) != bridge.end();
    if (hasFirst && hasSecond) return true;
  }
  return false;
}

}  // namespace

std::optional<SitePath> leastCostPath(const KccInput& input, int from, int to) {
  if (from == to) return SitePath{0, 0, Schedule::always(), {}};
  // Dijkstra over (site, link arrived by): a bridge limits which link may follow which.
  using State = std::pair<int, int>;
  std::map<State, int> best;
  std::map<State, SitePath> paths;
  using Entry = std::tuple<int, std::vector<int>, State>;  // cost, links (ties by link order), state
  std::priority_queue<Entry, std::vector<Entry>, std::greater<>> queue;
  queue.push({0, {}, {from, -1}});
  while (!queue.empty()) {
    auto [cost, links, state] = queue.top();
    queue.pop();
    auto [site, arrivedBy] = state;
    if (site == to) {
      SitePath path{cost, 0, Schedule::always(), links};
      for (int l : links) {
        path.interval = std::max(path.interval, input.links[l].interval);
        path.schedule = path.schedule.intersect(input.links[l].schedule);
      }
      return path;
    }
    if (best.count(state) && best[state] < cost) continue;
    for (int l = 0; l < static_cast<int>(input.links.size()); ++l) {
      const KccSiteLink& link = input.links[l];
      if (std::find(link.sites.begin(), link.sites.end(), site) == link.sites.end()) continue;
      if (arrivedBy >= 0 && !chainable(input, arrivedBy, l)) continue;
      for (int next : link.sites) {
        if (next == site) continue;
        State nextState{next, l};
        int nextCost = cost + link.cost;
        if (best.count(nextState) && best[nextState] <= nextCost) continue;
        best[nextState] = nextCost;
        auto nextLinks = links;
        nextLinks.push_back(l);
        queue.push({nextCost, nextLinks, nextState});
      }
    }
  }
  return std::nullopt;
}

KccResult computeTopology(const KccInput& input) {
  KccResult result;
  std::set<std::pair<int, int>> edges;  // (source, destination)
  std::vector<std::vector<int>> writable(input.siteCount), readOnly(input.siteCount);
  for (int i = 0; i < static_cast<int>(input.dcs.size()); ++i)
    (input.dcs[i].readOnly ? readOnly : writable)[input.dcs[i].site].push_back(i);
  auto byGuid = [&](int a, int b) { return input.dcs[a].dsa < input.dcs[b].dsa; };
  result.bridgeheads.assign(input.siteCount, -1);
  for (int site = 0; site < input.siteCount; ++site) {
    std::sort(writable[site].begin(), writable[site].end(), byGuid);
    std::sort(readOnly[site].begin(), readOnly[site].end(), byGuid);
    auto ring = intraSiteRing(writable[site]);
    edges.insert(ring.begin(), ring.end());
    if (!writable[site].empty()) {
      result.bridgeheads[site] = writable[site].front();
      for (int rodc : readOnly[site]) edges.insert({writable[site].front(), rodc});
    } else if (!readOnly[site].empty()) {
      result.bridgeheads[site] = readOnly[site].front();  // pulls only
    }
  }

  // Kruskal over the site links, cheapest first, ties in file order.
  std::vector<std::tuple<int, int, int, int>> siteEdges;  // cost, link, site a, site b
  for (int l = 0; l < static_cast<int>(input.links.size()); ++l) {
    const auto& sites = input.links[l].sites;
    for (size_t i = 0; i < sites.size(); ++i)
      for (size_t j = i + 1; j < sites.size(); ++j) siteEdges.emplace_back(input.links[l].cost, l, sites[i], sites[j]);
  }
  std::sort(siteEdges.begin(), siteEdges.end());
  std::vector<int> component(input.siteCount);
  std::iota(component.begin(), component.end(), 0);
  auto root = [&](int s) {
    while (component[s] != s) s = component[s] = component[component[s]];
    return s;
  };
  std::map<std::pair<int, int>, int> interSiteLink;  // (source, destination) → link
  for (auto [cost, link, a, b] : siteEdges) {
    if (root(a) == root(b)) continue;
    component[root(a)] = root(b);
    result.spanningTreeLinks.push_back(link);
    int headA = result.bridgeheads[a], headB = result.bridgeheads[b];
    if (headA < 0 || headB < 0) continue;
    // Each bridgehead pulls from the other; an RODC is no one's source.
    if (!input.dcs[headA].readOnly) interSiteLink[{headA, headB}] = link;
    if (!input.dcs[headB].readOnly) interSiteLink[{headB, headA}] = link;
  }
  std::sort(result.spanningTreeLinks.begin(), result.spanningTreeLinks.end());
  for (auto [source, destination] : edges) result.connections.push_back({destination, source, false, -1});
  for (auto [pair, link] : interSiteLink) result.connections.push_back({pair.second, pair.first, true, link});
  std::sort(result.connections.begin(), result.connections.end(), [](const auto& x, const auto& y) {
    return std::pair(x.destination, x.source) < std::pair(y.destination, y.source);
  });
  return result;
}

}  // namespace dcemu::replication
