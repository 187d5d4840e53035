// One inbound replication of a naming context from one partner: requests
// chunks from the high-water mark until the source has no more data,
// applies each, retries with GET_ANC when a parent is missing, and records
// the outcome in repsFrom (last attempt, last success, result, failures).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "dc/directory.h"
#include "replication/apply.h"
#include "replication/transport.h"

namespace dcemu::replication {

struct PullOptions {
  uint32_t maxObjects = 0;  // 0: the source's default
  uint64_t maxBytes = 0;
  bool fullSync = false;  // ignore the destination's UTD and high-water mark
  // A source not replicated from successfully for longer than the forest's
  // tombstone lifetime is refused with 8614 (event 2042), unless the DC
  // allows divergent partners ("Allow Replication With Divergent and
  // Corrupt Partner").
  bool allowDivergentPartner = false;
  // Strict replication consistency (the default since Windows Server 2003):
  // an update to an object this DC does not hold (a lingering object on the
  // source) stops the pull with 8606 (event 1988). Loose: the object is
  // asked for whole and re-created.
  bool strictConsistency = true;
};

struct PullResult {
  uint32_t win32 = 0;
  std::string error;
  std::optional<dc::Guid> lingeringObject;  // with 8606: the object the source holds and this DC does not
  ApplyCounts counts;
  uint32_t chunks = 0;
  uint64_t bytesSent = 0;  // requests
  bool usedGetAncestors = false;
};

// Starts the pull; `done` is called once, when it ends either way. `dir` and
// `transport` must outlive it.
void pullNamingContext(dc::Directory& dir, const dc::Guid& destinationDsa, const dc::Guid& sourceDsa,
                       dc::NamingContext nc, PullTransport& transport, const PullOptions& options,
                       std::function<void(PullResult)> done);

// The encoded request a destination sends for `state` (exposed for tests
// and for the RPC transport's refusal tests).
std::string encodeGetNcChangesRequest(const dc::Directory& dir, const dc::Guid& destinationDsa, const RepsFrom& state,
                                      uint32_t flags, const PullOptions& options);

}  // namespace dcemu::replication
