// The destination side of IDL_DRSGetNCChanges: applying one reply chunk by
// the conflict rules of MS-DRSR, in one batch with the advanced high-water
// mark (and, on the last chunk, the merged UTD), so that a crash mid-pull
// resumes without loss or double application.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "dc/directory.h"
#include "replication/reps_from.h"

namespace dcemu::replication {

struct ApplyCounts {
  uint64_t objectsReceived = 0;
  uint64_t objectsCreated = 0;
  uint64_t objectsUpdated = 0;
  uint64_t attributesApplied = 0;  // incoming stamp won
  uint64_t attributesLost = 0;     // incoming stamp lost: the value is dropped
  uint64_t linksApplied = 0;
  uint64_t linksLost = 0;
  uint64_t nameConflicts = 0;      // an object renamed "<rdn>\nCNF:<guid>"
  uint64_t orphansMoved = 0;       // a live child of a tombstone moved to LostAndFound
  uint64_t tombstoneStrips = 0;    // a tombstone's won value stripped by an originating update
  uint64_t singleValueLosers = 0;  // a single-valued link's second active value made inactive
  uint64_t bytesReceived = 0;

  ApplyCounts& operator+=(const ApplyCounts& other);
};

struct ApplyOutcome {
  uint32_t win32 = 0;  // 0, or kMissingParent (retry with GET_ANC), or why the chunk was refused
  std::string error;
  std::optional<dc::Guid> missingObject;  // with 8606: an update arrived for an object not here
  ApplyCounts counts;
  uint64_t highWaterMark = 0;
  bool moreData = false;
};

// Applies one encoded GetNcChangesReply from `state`'s source for its naming
// context. On success `state.highWaterMark` has advanced (and is stored with
// the chunk); on failure nothing is written.
ApplyOutcome applyReply(dc::Directory& dir, RepsFrom& state, std::string_view reply);

}  // namespace dcemu::replication
