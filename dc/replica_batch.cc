#include "dc/replica_batch.h"

#include "dc/directory_internal.h"

namespace dcemu::dc {

ReplicaBatch::ReplicaBatch(Directory& dir)
    : dir_(dir), batch_(dir.store_.newReadableBatch()), nextUsn_(dir.nextUsn_), nowMicros_(dir.clock_.nowMicros()) {}

Result<std::optional<Object>> ReplicaBatch::get(NamingContext nc, const Guid& guid) const {
  return dir_.store_.getObject(nc, guid, &batch_);
}

std::optional<Guid> ReplicaBatch::childByName(NamingContext nc, const Guid& parent, std::string_view rdnValue) const {
  return dir_.store_.childByName(nc, parent, rdnValue, &batch_);
}

void ReplicaBatch::forEachChild(NamingContext nc, const Guid& parent,
                                const std::function<void(const Guid&)>& fn) const {
  dir_.store_.forEachChild(nc, parent, fn, &batch_);
}

void ReplicaBatch::forEachBackLink(const Guid& target, const std::function<void(int, const Guid&)>& fn) const {
  dir_.store_.forEachBackLink(target, fn, &batch_);
}

std::optional<Guid> ReplicaBatch::namingContextHead(NamingContext nc) const {
  const auto& fresh = newHeads_[static_cast<int>(nc)];
  return fresh ? fresh : dir_.ncHeads_[static_cast<int>(nc)];
}

std::optional<Guid> ReplicaBatch::wellKnownContainer(NamingContext nc, std::string_view name) const {
  auto head = namingContextHead(nc);
  if (!head) return std::nullopt;
  return childByName(nc, *head, name);
}

std::optional<std::string> ReplicaBatch::getState(std::string_view key) const {
  return dir_.store_.getState(key, &batch_);
}

void ReplicaBatch::put(NamingContext nc, const Object& after, const Object* before) {
  parentSds_.erase(after.guid);  // its descriptor may be changing
  if (!before) {
    // A new replica of an object takes its inherited ACEs from its parent
    // here, not from the source's (MS-ADTS 6.1.3.3).
    const SecurityDescriptor* parentSd = nullptr;
    if (after.parent) {
      auto cached = parentSds_.find(*after.parent);
      if (cached == parentSds_.end())
        cached = parentSds_.emplace(*after.parent, dir_.securityDescriptorOf(nc, *after.parent, &batch_)).first;
      if (cached->second) parentSd = &*cached->second;
    }
    if (std::optional<std::string> inherited = dir_.inheritedDescriptor(after, parentSd)) {
      Object inheriting = after;
      inheriting.find(attributeIds().nTSecurityDescriptor)->values = {std::move(*inherited)};
      return put(nc, inheriting, before);
    }
  } else if (dir_.causesPropagation(after, before)) {
    Directory::queuePropagation(batch_, after.guid);
    propagates_ = true;
  }
  batch_.putObject(nc, after, before);
  written_.push_back(after.guid);
  if (dir_.observes(after.guid)) keepWatched(watched_, after);
}

void ReplicaBatch::setNamingContextHead(NamingContext nc, const Object& head) {
  newHeads_[static_cast<int>(nc)] = head.guid;
  batch_.putState(state_keys::ncHead(nc), head.guid.asBytes());
  if (nc != NamingContext::Domain) return;
  if (const std::string* sid = head.firstValue(attributeIds().objectSid)) {
    newDomainSid_ = Sid::fromBytes(*sid);
    batch_.putState(state_keys::kDomainSid, *sid);
  }
}

void ReplicaBatch::putState(std::string_view key, std::string_view value) {
  batch_.putState(key, value);
}

void ReplicaBatch::setInvocationId(const Guid& id) {
  newInvocationId_ = id;
  batch_.putState(state_keys::kInvocationId, id.asBytes());
}

Status ReplicaBatch::commit() {
  if (nextUsn_ != dir_.nextUsn_) batch_.putState(state_keys::kNextUsn, encodeUsn(nextUsn_));
  DCEMU_RETURN_IF_ERROR(dir_.store_.write(batch_));
  dir_.nextUsn_ = nextUsn_;
  for (int i = 0; i < kNamingContextCount; ++i) {
    if (newHeads_[i]) dir_.ncHeads_[i] = newHeads_[i];
  }
  if (newDomainSid_) dir_.domainSid_ = newDomainSid_;
  if (newInvocationId_) dir_.invocationId_ = *newInvocationId_;
  dir_.tellObserver(written_, watched_, true);
  if (propagates_) return dir_.propagateSecurityDescriptors();
  return Status::ok();
}

}  // namespace dcemu::dc
