#include "dc/tombstone.h"

#include "dc/directory_internal.h"

namespace dcemu::dc {

bool isTombstone(const Object& obj) {
  const std::string* v = obj.firstValue(attributeIds().isDeleted);
  return v && !v->empty() && (*v)[0] != 0;
}

bool keptOnTombstone(const Schema& schema, const Object& obj, const AttributeDef& def) {
  if (def.preserveOnDelete) return true;
  const AttributeDef* rdn = rdnAttributeOf(schema, obj);
  return rdn && rdn->id == def.id;
}

bool enforceTombstoneShape(const Schema& schema, Object& obj, const std::optional<Guid>& deletedObjects,
                           const std::function<void(AttributeEntry&)>& restamp) {
  const IdsOf& ids = attributeIds();
  bool changed = false;
  for (AttributeEntry& e : obj.attributes) {
    const AttributeDef* def = schema.attributeById(e.id);
    if (e.values.empty() || !def || keptOnTombstone(schema, obj, *def)) continue;
    e.values.clear();
    restamp(e);
    changed = true;
  }
  // The name and the RDN attribute carry the mangled name, and the name's
  // stamp covers the place in Deleted Objects: a won rename or move brings
  // a live name or place, which this DC mangles and moves back.
  AttributeEntry* name = obj.find(ids.name);
  bool nameLive = name && name->values.size() == 1 && name->values[0].find("\nDEL:") == std::string::npos;
  bool misplaced = deletedObjects && obj.parent != deletedObjects && obj.guid != *deletedObjects;
  if (name && name->values.size() == 1 && (nameLive || misplaced)) {
    std::string live = name->values[0].substr(0, name->values[0].find("\nDEL:"));
    std::string mangled = deletedName(live, obj.guid);
    name->values[0] = mangled;
    restamp(*name);
    const AttributeDef* rdn = rdnAttributeOf(schema, obj);
    if (AttributeEntry* e = rdn ? obj.find(rdn->id) : nullptr; e && e->values.size() == 1 && e->values[0] != mangled) {
      e->values[0] = mangled;
      restamp(*e);
    }
    changed = true;
  }
  if (misplaced) {
    obj.parent = *deletedObjects;
    changed = true;
  }
  return changed;
}

}  // namespace dcemu::dc
