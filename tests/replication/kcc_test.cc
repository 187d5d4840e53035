// The KCC: intra-site rings with the three-hop bound, the inter-site
// spanning tree, bridged paths and RODCs.
#include "replication/kcc.h"

#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <map>
#include <numeric>
#include <queue>
#include <set>

#include "dc/rng.h"

namespace dcemu::replication {
namespace {

KccInput sites(int count, const std::vector<int>& dcsPerSite, const std::vector<int>& readOnly = {}) {
  KccInput input;
  input.siteCount = count;
  dc::Xoshiro256 rng(7);
  int index = 0;
  for (int site = 0; site < count; ++site) {
    for (int i = 0; i < dcsPerSite[site]; ++i, ++index) {
      bool rodc = std::find(readOnly.begin(), readOnly.end(), index) != readOnly.end();
      input.dcs.push_back({fmt::format("S{}-DC{}", site, i), dc::Guid::random(rng), site, rodc});
    }
  }
  return input;
}

// The most hops data takes from any DC to any other along the connections.
int diameter(const KccInput& input, const KccResult& result) {
  int n = static_cast<int>(input.dcs.size()), worst = 0;
  for (int from = 0; from < n; ++from) {
    std::vector<int> hops(n, -1);
    hops[from] = 0;
    std::queue<int> frontier;
    frontier.push(from);
    while (!frontier.empty()) {
      int at = frontier.front();
      frontier.pop();
      for (const auto& c : result.connections)
        if (c.source == at && hops[c.destination] < 0) {
          hops[c.destination] = hops[at] + 1;
          frontier.push(c.destination);
        }
    }
    for (int h : hops) worst = std::max(worst, h < 0 ? 1000 : h);
  }
  return worst;
}

// The shortcut rule read literally, as the KCC first implemented it: after
// the ring, from each DC in GUID order, a breadth-first search visiting
// DCs in GUID order, and a shortcut to the farthest DC beyond three hops,
// round after round until none is added. Cubic; the reference only.
std::set<std::pair<int, int>> referenceRing(const std::vector<int>& members) {
  std::set<std::pair<int, int>> edges;
  size_t n = members.size();
  if (n < 2) return edges;
  for (size_t i = 0; i < n; ++i) {
    edges.insert({members[i], members[(i + 1) % n]});
    edges.insert({members[(i + 1) % n], members[i]});
  }
  bool added = true;
  while (added) {
    added = false;
    for (int from : members) {
      std::map<int, int> hops;
      for (int m : members) hops[m] = -1;
      hops[from] = 0;
      std::queue<int> frontier;
      frontier.push(from);
      while (!frontier.empty()) {
        int at = frontier.front();
        frontier.pop();
        for (int next : members)
          if (hops[next] < 0 && edges.count({at, next})) hops[next] = hops[at] + 1, frontier.push(next);
      }
      int farthest = -1;
      for (int m : members)
        if (hops[m] > 3 && (farthest < 0 || hops[m] > hops[farthest])) farthest = m;
      if (farthest >= 0) edges.insert({from, farthest}), added = true;
    }
  }
  return edges;
}

}  // namespace

// The KCC's breadth-first searches over adjacency lists (a site of 1,000
// DCs in well under a second) must add exactly the shortcuts of the
// literal reading of the rule, for every size.
TEST_CASE("The fast intra-site ring makes exactly the reference's connections", "[replication][kcc]") {
  for (int n = 1; n <= 70; ++n) {
    KccInput input = sites(1, {n});
    KccResult result = computeTopology(input);
    std::vector<int> members(n);
    std::iota(members.begin(), members.end(), 0);
    std::sort(members.begin(), members.end(), [&](int a, int b) { return input.dcs[a].dsa < input.dcs[b].dsa; });
    std::set<std::pair<int, int>> made;
    for (const auto& c : result.connections) made.insert({c.source, c.destination});
    INFO(n << " DCs");
    CHECK(made == referenceRing(members));
  }
  KccInput large = sites(1, {300});
  CHECK(diameter(large, computeTopology(large)) <= 3);
}

TEST_CASE("A site's ring keeps every DC within three hops and gives each at least two inbound partners",
          "[replication][kcc]") {
  for (int n = 1; n <= 12; ++n) {
    KccInput input = sites(1, {n});
    KccResult result = computeTopology(input);
    INFO(n << " DCs, " << result.connections.size() << " connections");
    CHECK(diameter(input, result) <= 3);
    std::map<int, int> inbound;
    for (const auto& c : result.connections) ++inbound[c.destination];
    for (int dc = 0; dc < n; ++dc) CHECK(inbound[dc] >= (n >= 3 ? 2 : n - 1));
    if (n == 2) CHECK(result.connections.size() == 2);
    if (n <= 7) CHECK(result.connections.size() == (n >= 3 ? 2u * n : n == 2 ? 2u : 0u));  // a ring needs no shortcut
    if (n >= 8) CHECK(result.connections.size() > 2u * n);
  }
}

TEST_CASE("Sites are joined by a least-cost spanning tree between bridgeheads", "[replication][kcc]") {
  // A square of sites with a diagonal: 0-1 (10), 1-2 (10), 2-3 (10), 3-0 (50), 0-2 (15).
  KccInput input = sites(4, {2, 2, 2, 2});
  input.links = {{"A", {0, 1}, 10}, {"B", {1, 2}, 10}, {"C", {2, 3}, 10}, {"D", {3, 0}, 50}, {"E", {0, 2}, 15}};
  KccResult result = computeTopology(input);
  CHECK(result.spanningTreeLinks == std::vector<int>{0, 1, 2});
  int interSite = 0;
  for (const auto& c : result.connections) {
    if (!c.interSite) continue;
    ++interSite;
    CHECK(c.source == result.bridgeheads[input.dcs[c.source].site]);
    CHECK(c.destination == result.bridgeheads[input.dcs[c.destination].site]);
  }
  CHECK(interSite == 6);  // three tree edges, pulled both ways
  CHECK(diameter(input, result) < 1000);
}

TEST_CASE("A bridged path sums costs, takes the largest interval and intersects schedules, bridges limit chaining",
          "[replication][kcc]") {
  KccInput input = sites(3, {1, 1, 1});
  Schedule nights;
  for (int slot = 0; slot < Schedule::kSlots; ++slot) nights.open[slot] = slot % 96 < 24;  // 00:00-06:00 daily
  input.links = {{"AB", {0, 1}, 100, 60, Schedule::always()}, {"BC", {1, 2}, 50, 180, nights}};
  auto path = leastCostPath(input, 0, 2);
  REQUIRE(path.has_value());
  CHECK(path->cost == 150);
  CHECK(path->interval == 180);
  CHECK(path->schedule == nights);
  CHECK(path->links == std::vector<int>{0, 1});

  input.bridges = {{0}, {1}};  // bridges given, none joining AB and BC: not transitive
  CHECK_FALSE(leastCostPath(input, 0, 2).has_value());
  input.bridges = {{0, 1}};
  CHECK(leastCostPath(input, 0, 2).has_value());
}

TEST_CASE("An RODC has inbound connections only", "[replication][kcc]") {
  // Site 0: two writable DCs and an RODC; site 1: one RODC alone.
  KccInput input = sites(2, {3, 1}, {2, 3});
  input.links = {{"L", {0, 1}, 100}};
  KccResult result = computeTopology(input);
  for (const auto& c : result.connections) {
    CHECK_FALSE(input.dcs[c.source].readOnly);
  }
  int rodcInbound[2] = {0, 0};
  for (const auto& c : result.connections)
    if (c.destination >= 2) ++rodcInbound[c.destination - 2];
  CHECK(rodcInbound[0] == 1);
  CHECK(rodcInbound[1] == 1);  // from site 0's bridgehead, across the link
}

}  // namespace dcemu::replication
