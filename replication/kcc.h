// The Knowledge Consistency Checker: which DC pulls from which. Within a
// site, a bidirectional ring over the writable DCs in GUID order plus
// shortcuts until no DC is more than three hops from any other; between
// sites, one bridgehead per site and a least-cost spanning tree over the
// site links. An RODC gets one inbound connection and is no one's source.
// The simulator stores the result as nTDSConnection objects, as AD does.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "dc/ids.h"

namespace dcemu::replication {

// When a site link is open: 168 hours × four quarter hours, Monday 00:00 UTC first.
struct Schedule {
  static constexpr int kSlots = 7 * 24 * 4;
  std::array<bool, kSlots> open{};
  static Schedule always();
  bool isAlways() const;
  Schedule intersect(const Schedule& other) const;
  bool operator==(const Schedule&) const = default;
};

struct KccDc {
  std::string name;
  dc::Guid dsa;
  int site;
  bool readOnly = false;
};

struct KccSiteLink {
  std::string name;
  std::vector<int> sites;
  int cost = 100;
  int64_t interval = 0;  // microseconds
  Schedule schedule = Schedule::always();
};

struct KccInput {
  int siteCount = 0;
  std::vector<KccDc> dcs;
  std::vector<KccSiteLink> links;
  // Each bridge lists link indexes; with none, every link is transitive.
  std::vector<std::vector<int>> bridges;
};

// `destination` pulls from `source` (indexes into KccInput::dcs).
struct KccConnection {
  int destination;
  int source;
  bool interSite = false;
  int link = -1;  // the site link an inter-site connection uses
  bool operator==(const KccConnection&) const = default;
};

// The replication path between two sites over one or more links.
struct SitePath {
  int cost = 0;
  int64_t interval = 0;  // the largest interval along the path
  Schedule schedule;     // open when every link on the path is
  std::vector<int> links;
};

struct KccResult {
  std::vector<KccConnection> connections;  // by destination, then source
  std::vector<int> bridgeheads;            // per site: a DC index, or -1 when the site has none
  std::vector<int> spanningTreeLinks;      // site link indexes the tree uses
};

KccResult computeTopology(const KccInput& input);

// The least-cost path from site `from` to site `to`: links chain when all
// are transitive, or only within one bridge when bridges are given. None
// when the sites are not connected.
std::optional<SitePath> leastCostPath(const KccInput& input, int from, int to);
// The same from one site to every site (its own: the empty path), in one
// search: what callers needing many destinations use.
std::vector<std::optional<SitePath>> leastCostPathsFrom(const KccInput& input, int from);

}  // namespace dcemu::replication
