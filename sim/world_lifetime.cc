// Tombstone lifetime in the simulated world: every DC's garbage collection,
// the Directory Service events of a partner past the lifetime (2042) and of
// a lingering object (1988), and the remove-lingering-objects step.
#include <fmt/format.h>

#include "dc/garbage_collection.h"
#include "replication/lingering.h"
#include "replication/repadmin.h"
#include "replication/reps_from.h"
#include "replication/win32.h"
#include "scenario/units.h"
#include "sim/world.h"

namespace dcemu::sim {

void World::scheduleGarbageCollection(int index, int64_t at) {
  uint64_t generation = dcs_[index].node->replication().generation();
  queue_.at(at, [this, index, generation] {
    SimDc& d = dcs_[index];
    if (dcs_[index].node->replication().generation() != generation || !dcs_[index].node->replication().up()) return;
    int64_t now = d.clock->nowMicros();
    // Nothing can have expired before a lifetime has passed since the start.
    if (now - dc::tombstoneLifetimeMicros(*d.node->directory()) > scenario_.start) {
      auto collected = dc::collectGarbage(*d.node->directory(), now);
      if (!collected) {
        findings_.push_back({elapsed(), fmt::format("{}: garbage collection failed: {}", d.node->name(),
                                                    collected.status().toString())});
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
    scheduleGarbageCollection(index, queue_.now() + dc::garbageCollectionPeriodMicros(*d.node->directory()));
  });
}

void World::pullRefused(int destination, int source, dc::NamingContext nc, const replication::PullResult& r) {
  SimDc& d = dcs_[destination];
  const SimDc& s = dcs_[source];
  std::string sourceName = fmt::format("{}\\{}", scenario_.sites[s.site].name, s.node->name());
  std::string ncDn = d.node->directory()->namingContextDn(nc).toString();
  if (r.win32 == replication::win32::kLifetimeExceeded) {
    auto state = replication::loadRepsFrom(d.node->directory()->store(), s.node->settings().dsa, nc);
    int64_t lastSuccess = state ? state->lastSuccess : 0;
    logEvent({queue_.now(),
              2042,
              d.node->name(),
              {{"Message",
                "It has been too long since this machine last replicated with the named source machine. "
                "The time between replications with this source has exceeded the tombstone lifetime. "
                "Replication has been stopped with this source."},
               {"Time of last successful replication", replication::repadminTime(lastSuccess)},
               {"Invocation ID of source directory server",
                s.node->directory() ? s.node->directory()->invocationId().toString() : ""},
               {"Name of source directory server", sourceName},
               {"Tombstone lifetime (days)",
                std::to_string(dc::tombstoneLifetimeMicros(*d.node->directory()) / scenario::kMicrosPerDay)},
               {"Naming Context", ncDn}}});
  } else if (r.win32 == replication::win32::kInsufficientAttributes && r.lingeringObject) {
    logEvent({queue_.now(),
              1988,
              d.node->name(),
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
dc::Status World::removeLingeringObjects(const scenario::Step& step, int index) {
  int reference = scenario_.dcIndex(step.source);
  if (!dcs_[reference].node->replication().up())
    return dc::Status(dc::LdapResult::unavailable, fmt::format("{} is down", dcs_[reference].node->name()));
  for (dc::NamingContext nc : node::kNamingContexts) {
    auto found = replication::removeLingeringObjects(*dcs_[index].node->directory(), *dcs_[reference].node->directory(),
                                                     nc, step.advisory);
    if (!found) return found.status();
    for (const dc::Guid& guid : *found) {
      logEvent({queue_.now(),
                step.advisory ? 1946 : 1945,
                dcs_[index].node->name(),
                {{"Message", step.advisory ? "Lingering object found (advisory mode)." : "Lingering object removed."},
                 {"Object GUID", guid.toString()},
                 {"Reference domain controller", dcs_[reference].node->name()},
                 {"Partition", dcs_[index].node->directory()->namingContextDn(nc).toString()}}});
      if (!step.advisory) ++counts_.lingeringRemoved;
    }
  }
  return dc::Status::ok();
}

}  // namespace dcemu::sim
