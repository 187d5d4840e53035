// Up-to-dateness vectors: per originating DC (invocationID), the highest USN
// of its writes this DC has seen, and when it last learned so. Propagation
// dampening reads them; a completed pull merges the source's.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "dc/directory.h"
#include "dc/replica_batch.h"
#include "replication/protocol.capnp.h"

namespace dcemu::replication {

struct UtdCursor {
  dc::Guid invocationId;
  uint64_t usn = 0;
  int64_t lastSyncTime = 0;  // microseconds

  bool operator==(const UtdCursor&) const = default;
};

class UpToDateVector {
 public:
  // Whether the write named by `stamp` is one this vector has seen.
  bool covers(const dc::Stamp& stamp) const;
  bool covers(const dc::Guid& invocationId, uint64_t originatingUsn) const;
  uint64_t usnOf(const dc::Guid& invocationId) const;
  // Raises the cursor for `cursor.invocationId` to `cursor` when it is ahead.
  void merge(const UtdCursor& cursor);
  // merge for each of `other`'s cursors but the one for `except`, in one pass.
  void mergeAll(const UpToDateVector& other, const dc::Guid& except);
  const std::vector<UtdCursor>& cursors() const { return cursors_; }  // by invocationID

  void writeTo(capnp::List<wire::UtdCursor>::Builder out) const;
  static dc::Result<UpToDateVector> readFrom(capnp::List<wire::UtdCursor>::Reader in);

 private:
  std::vector<UtdCursor> cursors_;
};

// The DC's vector for a naming context as it tells partners: what it stored
// from completed pulls plus its own cursor (every write it originated).
UpToDateVector replicaUtd(const dc::Directory& dir, dc::NamingContext nc);
// Only the stored part, read through `batch`.
dc::Result<UpToDateVector> storedUtd(const dc::ReplicaBatch& batch, dc::NamingContext nc);
void storeUtd(dc::ReplicaBatch& batch, dc::NamingContext nc, const UpToDateVector& utd);

// Gives `dir` the invocationID `id`, as a restore from backup or an install
// from media does (MS-ADTS 7.1.1.1.5, "restore"): writes from now on carry
// `id`, and every naming context's UTD vector keeps the old invocationID at
// the highest USN the replica holds, so that partners do not send back what
// it already has. One atomic batch.
dc::Status adoptInvocationId(dc::Directory& dir, const dc::Guid& id);

}  // namespace dcemu::replication
