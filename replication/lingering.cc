#include "replication/lingering.h"

#include "replication/utd.h"

namespace dcemu::replication {

dc::Result<std::vector<dc::Guid>> removeLingeringObjects(dc::Directory& dir, const dc::Directory& reference,
                                                         dc::NamingContext nc, bool advisory) {
  const UpToDateVector seen = replicaUtd(reference, nc);
  const uint32_t objectGuid = dir.schema().attribute("objectGUID")->id;
  std::vector<dc::Object> lingering;
  DCEMU_RETURN_IF_ERROR(dir.changesSince(nc, 0, [&](const dc::Object& obj) {
    // The objectGUID's stamp is the object's creation.
    const dc::AttributeEntry* created = obj.find(objectGuid);
    if (!created || !seen.covers(created->stamp)) return true;
    auto there = reference.store().getObject(nc, obj.guid);
    if (there && !there->has_value()) lingering.push_back(obj);
    return true;
  }));
  std::vector<dc::Guid> found;
  for (const dc::Object& obj : lingering) found.push_back(obj.guid);
  if (advisory || lingering.empty()) return found;
  dc::WriteBatch batch = dir.store().newBatch();
  for (const dc::Object& obj : lingering) batch.removeObject(nc, obj);
  DCEMU_RETURN_IF_ERROR(dir.store().write(batch));
  return found;
}

}  // namespace dcemu::replication
