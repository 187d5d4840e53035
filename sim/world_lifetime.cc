// Tombstone lifetime in the simulated world: every DC's garbage collection,
// the Directory Service events of a partner past the lifetime (2042) and of
// a lingering object (1988), and the remove-lingering-objects step.
#include <fmt/format.h>

#include "dc/garbage_collection.h"
#include "replication/lingering.h"
#include "replication/repadmin.h"
#include "replication/reps_from.h"
#include "replication/win32.h"
#include "sim/units.h"
#include "sim/world.h"

namespace dcemu::sim {

void World::scheduleGarbageCollection(int index, int64_t at) {
  uint64_t generation = nodes_[index]->generation();
  queue_.at(at, [this, index, generation] {
    SimDc& d = dcs_[index];
    if (nodes_[index]->generation() != generation || !nodes_[index]->up()) return;
    int64_t now = d.clock->nowMicros();
    // Nothing can have expired before a lifetime has passed since the start.
    if (now - dc::tombstoneLifetimeMicros(*d.dir) > scenario_.start) {
      auto collected = dc::collectGarbage(*d.dir, now);
      if (!collected) {
        findings_.push_back(
            {elapsed(), fmt::format("{}: garbage collection failed: {}", d.name, collected.status().toString())});
      } else {
        counts_.tombstonesCollected += collected->tombstones;
        counts_.linkValuesCollected += collected->linkValues;
        if (collected->tombstones + collected->linkValues > 0)
          trace_.record({elapsed(),
                         0,
                         index,
                         "gc",
                         "garbage collection",
                         {{"tombstones", std::to_string(collected->tombstones)},
                          {"linkValues", std::to_string(collected->linkValues)}}});
      }
    }
    scheduleGarbageCollection(index, queue_.now() + dc::kGarbageCollectionPeriodMicros);
  });
}

void World::pullRefused(int destination, int source, dc::NamingContext nc, const replication::PullResult& r) {
  SimDc& d = dcs_[destination];
  const SimDc& s = dcs_[source];
  std::string sourceName = fmt::format("{}\\{}", scenario_.sites[s.site].name, s.name);
  std::string ncDn = d.dir->namingContextDn(nc).toString();
  if (r.win32 == replication::win32::kLifetimeExceeded) {
    auto state = replication::loadRepsFrom(d.dir->store(), s.dsa, nc);
    int64_t lastSuccess = state ? state->lastSuccess : 0;
    logEvent({queue_.now(),
              2042,
              d.name,
              {{"Message",
                "It has been too long since this machine last replicated with the named source machine. "
                "The time between replications with this source has exceeded the tombstone lifetime. "
                "Replication has been stopped with this source."},
               {"Time of last successful replication", replication::repadminTime(lastSuccess)},
               {"Invocation ID of source directory server", s.dir ? s.dir->invocationId().toString() : ""},
               {"Name of source directory server", sourceName},
               {"Tombstone lifetime (days)", std::to_string(dc::tombstoneLifetimeMicros(*d.dir) / kMicrosPerDay)},
               {"Naming Context", ncDn}}});
  } else if (r.win32 == replication::win32::kInsufficientAttributes && r.lingeringObject) {
    logEvent({queue_.now(),
              1988,
              d.name,
              {{"Message",
                "Active Directory Domain Services Replication encountered the existence of objects in the "
                "following partition that have been deleted from the local domain controllers (DCs) "
                "Active Directory Domain Services database."},
               {"Source domain controller", sourceName},
               {"Object GUID", r.lingeringObject->toString()},
               {"Partition", ncDn}}});
  }
}

// repadmin /removelingeringobjects DC ReferenceDC NC [/advisory_mode], for
// every naming context.
dc::Status World::removeLingeringObjects(const Step& step, int index) {
  int reference = scenario_.dcIndex(step.source);
  if (!nodes_[reference]->up())
    return dc::Status(dc::LdapResult::unavailable, fmt::format("{} is down", dcs_[reference].name));
  for (dc::NamingContext nc : node::kNamingContexts) {
    auto found = replication::removeLingeringObjects(*dcs_[index].dir, *dcs_[reference].dir, nc, step.advisory);
    if (!found) return found.status();
    for (const dc::Guid& guid : *found) {
      logEvent({queue_.now(),
                step.advisory ? 1946 : 1945,
                dcs_[index].name,
                {{"Message", step.advisory ? "Lingering object found (advisory mode)." : "Lingering object removed."},
                 {"Object GUID", guid.toString()},
                 {"Reference domain controller", dcs_[reference].name},
                 {"Partition", dcs_[index].dir->namingContextDn(nc).toString()}}});
      if (!step.advisory) ++counts_.lingeringRemoved;
    }
  }
  return dc::Status::ok();
}

}  // namespace dcemu::sim
