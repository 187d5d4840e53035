// Per inbound partner and naming context, what the destination keeps about
// pulling from it (MS-DRSR's repsFrom): where to resume, and the outcome of
// recent attempts that repadmin /showrepl reports.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "dc/directory.h"
#include "dc/replica_batch.h"

namespace dcemu::replication {

struct RepsFrom {
  dc::Guid sourceDsa;
  dc::NamingContext namingContext = dc::NamingContext::Domain;
  std::optional<dc::Guid> sourceInvocationId;  // learned from the first reply
  uint64_t highWaterMark = 0;
  int64_t lastAttempt = 0;  // microseconds; 0 = never
  int64_t lastSuccess = 0;
  uint32_t lastResult = 0;  // Win32 error code
  uint32_t consecutiveFailures = 0;

  bool operator==(const RepsFrom&) const = default;
};

// The stored state for (source, naming context), or a fresh one.
dc::Result<RepsFrom> loadRepsFrom(const dc::Store& store, const dc::Guid& sourceDsa, dc::NamingContext nc);
// Every partner this DC has pulled `nc` from, in source-GUID order.
dc::Result<std::vector<RepsFrom>> listRepsFrom(const dc::Store& store, dc::NamingContext nc);
void putRepsFrom(dc::ReplicaBatch& batch, const RepsFrom& state);
dc::Status saveRepsFrom(dc::Directory& dir, const RepsFrom& state);

}  // namespace dcemu::replication
