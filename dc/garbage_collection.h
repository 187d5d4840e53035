// Each DC's garbage collection: it removes tombstones and inactive linked
// values whose deletion is older than the forest's tombstone lifetime
// (tombstoneLifetime on CN=Directory Service, in days). The removal is
// local: it takes no USN and does not replicate. Windows runs it every
// garbageCollPeriod hours (12 when unset) on every DC, the first time 15
// minutes after the DC starts.
#pragma once

#include <cstdint>

#include "dc/directory.h"

namespace dcemu::dc {

inline constexpr int64_t kFirstCollectionMicros = 15LL * 60 * 1000000;

// How long this replica waits between collections: garbageCollPeriod on
// CN=Directory Service (MS-ADA1 2.268, in hours), 12 hours when it is
// absent, at least 1 hour. A change takes effect on each DC once it has
// replicated there, from the collection after it.
int64_t garbageCollectionPeriodMicros(const Directory& dir);
inline constexpr int64_t kDefaultGarbageCollectionPeriodHours = 12;

// The tombstone lifetime this replica holds: its tombstoneLifetime, or 60
// days when the attribute is absent (as Windows falls back when no value is
// set), never under 2 days.
int64_t tombstoneLifetimeMicros(const Directory& dir);
inline constexpr int64_t kMinimumTombstoneLifetimeMicros = 2LL * 24 * 3600 * 1000000;

struct GarbageCollected {
  uint64_t tombstones = 0;
  uint64_t linkValues = 0;
};

// Removes what expired by `nowMicros`: tombstones whose delete (the
// isDeleted stamp's time) is older than the lifetime, and inactive linked
// values whose last change is, or whose target was collected.
Result<GarbageCollected> collectGarbage(Directory& dir, int64_t nowMicros);

}  // namespace dcemu::dc
