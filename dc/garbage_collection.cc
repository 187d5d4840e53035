#include "dc/garbage_collection.h"

#include <fmt/format.h>

#include <set>

#include "dc/directory_internal.h"
#include "dc/provision.h"
#include "dc/tombstone.h"

namespace dcemu::dc {

namespace {

constexpr int64_t kMicrosPerDay = 24LL * 3600 * 1000000;

}  // namespace

int64_t tombstoneLifetimeMicros(const Directory& dir) {
  std::string dn =
      std::string(kDirectoryServiceObject) + "," + dir.namingContextDn(NamingContext::Configuration).toString();
  auto settings = dir.read(dn);
  std::optional<int64_t> days = settings ? dir.integer(*settings, "tombstoneLifetime") : std::nullopt;
  if (!days) return 60 * kMicrosPerDay;
  return std::max(*days * kMicrosPerDay, kMinimumTombstoneLifetimeMicros);
}

int64_t garbageCollectionPeriodMicros(const Directory& dir) {
  constexpr int64_t kHour = 3600LL * 1000000;
  std::string dn =
      std::string(kDirectoryServiceObject) + "," + dir.namingContextDn(NamingContext::Configuration).toString();
  auto settings = dir.read(dn);
  std::optional<int64_t> hours = settings ? dir.integer(*settings, "garbageCollPeriod") : std::nullopt;
  return std::max<int64_t>(hours.value_or(kDefaultGarbageCollectionPeriodHours), 1) * kHour;
}

Result<GarbageCollected> collectGarbage(Directory& dir, int64_t nowMicros) {
  GarbageCollected collected;
  const int64_t expiredBefore = floorSeconds(nowMicros - tombstoneLifetimeMicros(dir));
  const uint32_t isDeleted = attributeIds().isDeleted;
  Store& store = dir.store();
  for (NamingContext nc : {NamingContext::Schema, NamingContext::Configuration, NamingContext::Domain}) {
    // Nothing in a naming context is older than its head: until a lifetime
    // has passed since then, there is nothing to look for (and a DC's pass
    // costs a read, not a walk over every object).
    auto head = dir.read(dir.namingContextDn(nc).toString());
    if (!head) continue;
    const std::string* created = head->firstValue(attributeIds().whenCreated);
    if (created && decodeInteger(*created) >= expiredBefore) continue;
    WriteBatch batch = store.newBatch();
    std::set<Guid> removed;
    // Tombstones, found in the naming context's Deleted Objects.
    auto deletedObjects =
        dir.read(fmt::format("CN={},{}", Directory::deletedObjectsName(), dir.namingContextDn(nc).toString()));
    if (deletedObjects) {
      std::vector<Guid> children;
      store.forEachChild(nc, deletedObjects->guid, [&](const Guid& child) { children.push_back(child); });
      for (const Guid& guid : children) {
        auto obj = store.getObject(nc, guid);
        if (!obj) return obj.status();
        if (!obj->has_value() || !isTombstone(**obj)) continue;
        const AttributeEntry* deleted = (*obj)->find(isDeleted);
        if (!deleted || deleted->stamp.originatingTime >= expiredBefore) continue;
        batch.removeObject(nc, **obj);
        removed.insert(guid);
        ++collected.tombstones;
      }
    }
    // Inactive linked values that expired or point at what was collected.
    std::vector<Object> pruned;
    DCEMU_RETURN_IF_ERROR(store.forEachChangeSince(nc, 0, [&](const Object& obj) {
      if (removed.count(obj.guid)) return true;
      Object after = obj;
      std::erase_if(after.links, [&](const LinkEntry& l) {
        return (!l.active && l.stamp.originatingTime < expiredBefore) || removed.count(l.target) > 0;
      });
      if (after.links.size() != obj.links.size()) {
        collected.linkValues += obj.links.size() - after.links.size();
        pruned.push_back(std::move(after));
      }
      return true;
    }));
    for (const Object& after : pruned) {
      auto before = store.getObject(nc, after.guid);
      if (!before) return before.status();
      if (before->has_value()) batch.putObject(nc, after, &**before);
    }
    if (!removed.empty() || !pruned.empty()) DCEMU_RETURN_IF_ERROR(store.write(batch));
  }
  return collected;
}

}  // namespace dcemu::dc
