// When each KCC connection replicates: the site path's interval, schedule
// and change notification, and the replication settings every DC applies
// (notification delays, the intra-site poll, a pull's limits). Computed
// alike by the simulator and a live cluster from the same topology.
#pragma once

#include <cstdint>
#include <vector>

#include "replication/kcc.h"
#include "replication/pull.h"

namespace dcemu::replication {

// A KCC connection with what its site path says about when it replicates.
struct Connection {
  KccConnection kcc;
  int64_t interval = 0;  // inter-site: the path's replication interval
  Schedule schedule = Schedule::always();
  bool notify = false;  // intra-site, or a path whose every site link has USE_NOTIFY
};

// The connections of `topology` with their site paths; `siteOfDc` gives each
// KCC DC's site and `linkNotifies` each site link's USE_NOTIFY option.
std::vector<Connection> planConnections(const KccInput& input, const KccResult& topology,
                                        const std::vector<bool>& linkNotifies);

// The first instant at or after `unixMicros` when `schedule` is open, or
// INT64_MAX when it never is.
int64_t nextOpenInstant(const Schedule& schedule, int64_t unixMicros);

struct ReplicationSettings {
  int64_t notifyFirst = 15'000'000;      // after an originating change, before the first partner hears
  int64_t notifySubsequent = 3'000'000;  // between partners
  int64_t intraSitePoll = 3'600'000'000;
  PullOptions pull;  // fullSync is set per pull
};

}  // namespace dcemu::replication
