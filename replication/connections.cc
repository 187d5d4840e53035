#include "replication/connections.h"

#include <algorithm>
#include <map>
#include <set>

namespace dcemu::replication {

namespace {

constexpr int64_t kMinute = int64_t{60} * 1'000'000;
constexpr int64_t kQuarterHour = 15 * kMinute;
constexpr int64_t kDay = 24 * 60 * kMinute;
constexpr int64_t kWeek = 7 * kDay;

}  // namespace

int64_t nextOpenInstant(const Schedule& schedule, int64_t unixMicros) {
  if (schedule.isAlways()) return unixMicros;
  // 1970-01-01 was a Thursday: three days after a Monday.
  int64_t sinceMonday = (unixMicros + 3 * kDay) % kWeek;
  int64_t slotStart = unixMicros - sinceMonday % kQuarterHour;
  int slot = static_cast<int>(sinceMonday / kQuarterHour);
  for (int i = 0; i <= Schedule::kSlots; ++i) {
    if (schedule.open[(slot + i) % Schedule::kSlots]) return i == 0 ? unixMicros : slotStart + i * kQuarterHour;
  }
  return INT64_MAX;
}

std::vector<Connection> planConnections(const KccInput& input, const KccResult& topology,
                                        const std::vector<bool>& linkNotifies) {
  auto siteOf = [&](int dc) { return input.dcs[dc].site; };
  // The site paths the connections need: one search from a source site
  // with many destinations (a hub), a search stopping at its destination
  // otherwise (a spoke). Both find the same path.
  std::map<int, std::set<int>> wanted;  // source site → destination sites
  for (const KccConnection& kcc : topology.connections)
    if (siteOf(kcc.source) != siteOf(kcc.destination)) wanted[siteOf(kcc.source)].insert(siteOf(kcc.destination));
  std::map<std::pair<int, int>, SitePath> paths;
  for (const auto& [from, destinations] : wanted) {
    if (destinations.size() == 1) {
      int to = *destinations.begin();
      if (auto path = leastCostPath(input, from, to)) paths.emplace(std::pair(from, to), std::move(*path));
      continue;
    }
    auto all = leastCostPathsFrom(input, from);
    for (int to : destinations)
      if (all[to]) paths.emplace(std::pair(from, to), std::move(*all[to]));
  }
  std::vector<Connection> connections;
  for (const KccConnection& kcc : topology.connections) {
    Connection c;
    c.kcc = kcc;
    int from = siteOf(kcc.source), to = siteOf(kcc.destination);
    auto found = paths.find({from, to});
    if (from == to) {
      c.notify = true;
    } else if (found != paths.end()) {
      const SitePath& path = found->second;
      c.interval = path.interval;
      c.schedule = path.schedule;
      c.notify = std::all_of(path.links.begin(), path.links.end(), [&](int link) { return linkNotifies[link]; });
    }
    connections.push_back(c);
  }
  return connections;
}

}  // namespace dcemu::replication
