// Replication's way into a replica: one batch of replicated changes whose
// reads see its own writes, taking as many local USNs as it needs and
// committed atomically together with the DC's USN counter and whatever state
// replication keeps beside it (high-water marks, the UTD vector). Nothing is
// visible to the Directory's other readers until commit.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dc/directory.h"

namespace dcemu::dc {

class ReplicaBatch {
 public:
  explicit ReplicaBatch(Directory& dir);

  Directory& directory() { return dir_; }
  const Directory& directory() const { return dir_; }
  // A new local USN: each object the batch changes takes one.
  uint64_t takeUsn() { return nextUsn_++; }
  // The moment the batch began: whenChanged of what it writes, and the
  // originating time of the few writes replication makes itself.
  int64_t nowMicros() const { return nowMicros_; }

  Result<std::optional<Object>> get(NamingContext nc, const Guid& guid) const;
  std::optional<Guid> childByName(NamingContext nc, const Guid& parent, std::string_view rdnValue) const;
  void forEachChild(NamingContext nc, const Guid& parent, const std::function<void(const Guid&)>& fn) const;
  void forEachBackLink(const Guid& target, const std::function<void(int linkId, const Guid& source)>& fn) const;
  std::optional<Guid> namingContextHead(NamingContext nc) const;
  // A container directly under the naming context's head, by name.
  std::optional<Guid> wellKnownContainer(NamingContext nc, std::string_view name) const;
  std::optional<std::string> getState(std::string_view key) const;

  // Writes `after` over `before`, its current version in the batch or the
  // store as the caller just read it (none for a new object).
  void put(NamingContext nc, const Object& after, const Object* before);
  // Records `head` as the naming context's head (the first object a new
  // replica receives for it).
  void setNamingContextHead(NamingContext nc, const Object& head);
  void putState(std::string_view key, std::string_view value);
  // Gives the replica a new invocationID, as a restore from backup or an
  // install from media does: its writes from the commit on carry `id`.
  void setInvocationId(const Guid& id);

  // Writes everything, or nothing when the store refuses.
  Status commit();

 private:
  Directory& dir_;
  WriteBatch batch_;
  uint64_t nextUsn_;
  int64_t nowMicros_;
  std::optional<Guid> newHeads_[kNamingContextCount];
  std::optional<Sid> newDomainSid_;
  std::optional<Guid> newInvocationId_;
  std::vector<Guid> written_;    // for the directory's write observer
  std::vector<Object> watched_;  // the last put copy of each object it watches
  bool propagates_ = false;      // it queued a security descriptor propagation event
  // Parents' security descriptors, read once for the new objects below
  // them (a full sync brings thousands under one container).
  std::map<Guid, std::optional<SecurityDescriptor>> parentSds_;
};

}  // namespace dcemu::dc
