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

// The ring and its shortcuts over `members` (writable DCs in GUID order),
// as (source, destination) pairs. Breadth-first searches run over
// adjacency lists, so a site of a thousand DCs takes milliseconds; hop
// counts do not depend on the order neighbours are visited in, so the
// shortcuts are those of the plain all-pairs reading of the rule.
std::set<std::pair<int, int>> intraSiteRing(const std::vector<int>& members) {
  std::set<std::pair<int, int>> edges;
  size_t n = members.size();
  if (n < 2) return edges;
  std::vector<std::vector<size_t>> next(n);  // by position in `members`: out-edges
  auto connect = [&](size_t from, size_t to) {
    if (edges.insert({members[from], members[to]}).second) next[from].push_back(to);
  };
  for (size_t i = 0; i < n; ++i) {
    connect(i, (i + 1) % n);
    connect((i + 1) % n, i);
  }
  // Shortcuts: from each DC in turn, connect the farthest DC beyond three
  // hops directly (the first in GUID order among equals), until none is.
  std::vector<int> hops(n);
  std::vector<size_t> frontier;
  bool added = true;
  while (added) {
    added = false;
    for (size_t from = 0; from < n; ++from) {
      std::fill(hops.begin(), hops.end(), -1);
      hops[from] = 0;
      frontier.assign(1, from);
      for (size_t head = 0; head < frontier.size(); ++head)
        for (size_t to : next[frontier[head]])
          if (hops[to] < 0) hops[to] = hops[frontier[head]] + 1, frontier.push_back(to);
      std::optional<size_t> farthest;
      for (size_t m = 0; m < n; ++m)
        if (hops[m] > kMaxHops && (!farthest || hops[m] > hops[*farthest])) farthest = m;
      if (farthest) {
        connect(from, *farthest);
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

namespace {

// Dijkstra over (site, link arrived by): a bridge limits which link may
// follow which. Ties go to the path whose links come first in file order;
// each site's path is the first popped that reaches it. With a `target`,
// the search stops there.
std::vector<std::optional<SitePath>> searchPaths(const KccInput& input, int from, std::optional<int> target) {
  std::vector<std::optional<SitePath>> paths(input.siteCount);
  std::vector<std::vector<int>> linksAt(input.siteCount);  // the links at each site, in file order
  for (int l = 0; l < static_cast<int>(input.links.size()); ++l)
    for (int site : input.links[l].sites) linksAt[site].push_back(l);
  using State = std::pair<int, int>;
  std::map<State, int> best;
  using Entry = std::tuple<int, std::vector<int>, State>;  // cost, links, state
  std::priority_queue<Entry, std::vector<Entry>, std::greater<>> queue;
  queue.push({0, {}, {from, -1}});
  int found = 0;
  while (!queue.empty() && found < input.siteCount) {
    auto [cost, links, state] = queue.top();
    queue.pop();
    auto [site, arrivedBy] = state;
    if (!paths[site]) {
      SitePath path{cost, 0, Schedule::always(), links};
      for (int l : links) {
        path.interval = std::max(path.interval, input.links[l].interval);
        path.schedule = path.schedule.intersect(input.links[l].schedule);
      }
      paths[site] = std::move(path);
      ++found;
      if (target == site) break;
    }
    if (best.count(state) && best[state] < cost) continue;
    for (int l : linksAt[site]) {
      if (arrivedBy >= 0 && !chainable(input, arrivedBy, l)) continue;
      const KccSiteLink& link = input.links[l];
      for (int nextSite : link.sites) {
        if (nextSite == site) continue;
        State nextState{nextSite, l};
        int nextCost = cost + link.cost;
        if (best.count(nextState) && best[nextState] <= nextCost) continue;
        best[nextState] = nextCost;
        auto nextLinks = links;
        nextLinks.push_back(l);
        queue.push({nextCost, std::move(nextLinks), nextState});
      }
    }
  }
  return paths;
}

}  // namespace

std::vector<std::optional<SitePath>> leastCostPathsFrom(const KccInput& input, int from) {
  return searchPaths(input, from, std::nullopt);
}

std::optional<SitePath> leastCostPath(const KccInput& input, int from, int to) {
  if (from == to) return SitePath{0, 0, Schedule::always(), {}};
  return std::move(searchPaths(input, from, to)[to]);
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
