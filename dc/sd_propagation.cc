// Directory: the Security Descriptor Propagator Update task. Inherited ACEs
// are not replicated: each DC recomputes them itself (MS-ADTS 3.1.1.5.x,
// "Security Descriptor Propagator Update task"; 6.1.3.3). A change of an
// object's nTSecurityDescriptor, originating or replicated, or a move to a
// new parent (other than to Deleted Objects) is a propagation event; the
// task then brings the object and every descendant whose inherited ACEs
// change into line with its parent. dcemu runs the task as soon as the
// write that caused the event commits, outside its transaction as Windows
// does; the queue is kept in the store with the write, so a DC that stops
// in between finishes the task when it opens again. The task's rewrites
// take no USN and no stamp: every DC makes the same ones.
#include <fmt/format.h>

#include "dc/directory.h"
#include "dc/directory_internal.h"

namespace dcemu::dc {

namespace {

constexpr std::string_view kQueuePrefix = "sdPropagation/";

const std::string* descriptorBytes(const Object& obj) {
  return obj.firstValue(attributeIds().nTSecurityDescriptor);
}

}  // namespace

bool Directory::causesPropagation(const Object& after, const Object* before) const {
  if (!before || isDeleted(after)) return false;
  if (after.parent != before->parent) return true;
  const std::string* now = descriptorBytes(after);
  const std::string* was = descriptorBytes(*before);
  return (now == nullptr) != (was == nullptr) || (now && *now != *was);
}

void Directory::queuePropagation(WriteBatch& batch, const Guid& object) {
  batch.putState(std::string(kQueuePrefix) + std::string(object.asBytes()), "");
}

std::optional<SecurityDescriptor> Directory::securityDescriptorOf(NamingContext nc, const Guid& guid,
                                                                  const WriteBatch* batch) const {
  auto obj = store_.getObject(nc, guid, batch);
  if (!obj || !obj->has_value()) return std::nullopt;
  const std::string* bytes = descriptorBytes(**obj);
  if (!bytes) return std::nullopt;
  auto decoded = SecurityDescriptor::fromBinary(*bytes);
  return decoded ? std::optional(std::move(*decoded)) : std::nullopt;
}

bool Directory::reinherit(NamingContext nc, Object& obj, const WriteBatch* batch) const {
  std::optional<SecurityDescriptor> parentSd;
  if (obj.parent) parentSd = securityDescriptorOf(nc, *obj.parent, batch);
  return reinheritFrom(obj, parentSd ? &*parentSd : nullptr);
}

std::optional<std::string> Directory::inheritedDescriptor(const Object& obj, const SecurityDescriptor* parentSd) const {
  const std::string* bytes = descriptorBytes(obj);
  const ClassDef* cls = structuralClass(obj);
  if (!bytes || !cls) return std::nullopt;
  auto own = SecurityDescriptor::fromBinary(*bytes);
  if (!own) return std::nullopt;
  std::string recomputed =
      withInheritedAces(std::move(*own), obj.parent ? parentSd : nullptr, classGuids(*cls)).toBinary();
  if (recomputed == *bytes) return std::nullopt;
  return recomputed;
}

bool Directory::reinheritFrom(Object& obj, const SecurityDescriptor* parentSd) const {
  std::optional<std::string> changed = inheritedDescriptor(obj, parentSd);
  if (!changed) return false;
  obj.find(attributeIds().nTSecurityDescriptor)->values = {std::move(*changed)};
  return true;
}

Status Directory::propagateSecurityDescriptors() {
  std::vector<std::string> queued;
  store_.forEachState(kQueuePrefix, [&](std::string_view key, std::string_view) { queued.emplace_back(key); });
  for (const std::string& key : queued) {
    WriteBatch batch = store_.newReadableBatch();
    Guid root = Guid::fromBytes(std::string_view(key).substr(kQueuePrefix.size()));
    if (std::optional<NamingContext> nc = namingContextOf(root)) {
      // The object, then each child of an object whose ACEs changed.
      std::vector<Guid> pending{root};
      while (!pending.empty()) {
        Guid current = pending.back();
        pending.pop_back();
        auto obj = store_.getObject(*nc, current, &batch);
        if (!obj) return obj.status();
        if (!obj->has_value() || isDeleted(**obj)) continue;
        Object after = **obj;
        bool changed = reinherit(*nc, after, &batch);
        if (changed) batch.putObject(*nc, after, &**obj);
        if (changed || current == root)
          store_.forEachChild(
              *nc, current, [&](const Guid& child) { pending.push_back(child); }, &batch);
      }
    }
    batch.eraseState(key);
    DCEMU_RETURN_IF_ERROR(store_.write(batch));
  }
  return Status::ok();
}

}  // namespace dcemu::dc
