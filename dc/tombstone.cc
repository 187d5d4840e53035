#include "dc/tombstone.h"

#include "dc/directory_internal.h"

namespace dcemu::dc {

bool isTombstone(const Object& obj) {
  const std::string* v = obj.firstValue(attributeIds().isDeleted);
  return v && !v->empty() && (*v)[0] != 0;
}

bool enforceTombstoneShape(const Schema& schema, Object& obj, const std::optional<Guid>& deletedObjects) {
  const IdsOf& ids = attributeIds();
  bool changed = false;
  for (AttributeEntry& e : obj.attributes) {
    const AttributeDef* def = schema.attributeById(e.id);
    if (e.values.empty() || (def && def->preserveOnDelete)) continue;
    e.values.clear();
    changed = true;
  }
  for (LinkEntry& link : obj.links) {
    if (!link.active) continue;
    link.active = false;
    changed = true;
  }
  // The name and the RDN attribute carry the mangled name; a won rename
  // brings a live name, which every DC mangles the same way.
  if (AttributeEntry* name = obj.find(ids.name);
      name && name->values.size() == 1 && name->values[0].find("\nDEL:") == std::string::npos) {
    std::string mangled = deletedName(name->values[0], obj.guid);
    name->values[0] = mangled;
    const AttributeDef* rdn = rdnAttributeOf(schema, obj);
    if (AttributeEntry* e = rdn ? obj.find(rdn->id) : nullptr; e && e->values.size() == 1) e->values[0] = mangled;
    changed = true;
  }
  if (deletedObjects && obj.parent != deletedObjects && obj.guid != *deletedObjects) {
    obj.parent = *deletedObjects;
    changed = true;
  }
  return changed;
}

}  // namespace dcemu::dc
