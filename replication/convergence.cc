#include "replication/convergence.h"

#include <fmt/format.h>

#include <map>

namespace dcemu::replication {
namespace {

std::string describeStamp(const dc::Stamp& s) {
  return fmt::format("v{} t{} {} usn{}", s.version, s.originatingTime,
                     s.originatingInvocationId.toString().substr(0, 8), s.originatingUsn);
}

std::string attributeName(uint32_t id) {
  const dc::AttributeDef* def = dc::Schema::builtin().attributeById(id);
  return def ? def->name : fmt::format("0x{:x}", id);
}

// What differs between two versions of one object that sameReplicaAs rejects.
std::string describeDifference(const dc::Object& x, const dc::Object& y) {
  if (x.parent != y.parent) return "parent";
  for (const auto& a : x.attributes) {
    const dc::AttributeEntry* b = y.find(a.id);
    if (!b) return attributeName(a.id) + ": on the first only";
    if (a.values != b->values || a.stamp != b->stamp)
      return fmt::format("{}: {} with {} values vs {} with {} values", attributeName(a.id), describeStamp(a.stamp),
                         a.values.size(), describeStamp(b->stamp), b->values.size());
  }
  for (const auto& b : y.attributes)
    if (!x.find(b.id)) return attributeName(b.id) + ": on the second only";
  for (const auto& l : x.links) {
    const dc::LinkEntry* m = y.findLink(l.attributeId, l.target);
    if (!m) return fmt::format("{} value {}: on the first only", attributeName(l.attributeId), l.target.toString());
    if (!(l.active == m->active && l.stamp == m->stamp && l.timeCreated == m->timeCreated))
      return fmt::format("{} value {}: active {} {} vs active {} {}", attributeName(l.attributeId), l.target.toString(),
                         l.active, describeStamp(l.stamp), m->active, describeStamp(m->stamp));
  }
  return "linked value count";
}

}  // namespace

dc::Result<std::optional<ReplicaDifference>> firstDifference(const dc::Directory& a, const dc::Directory& b) {
  for (auto nc : {dc::NamingContext::Schema, dc::NamingContext::Configuration, dc::NamingContext::Domain}) {
    std::map<dc::Guid, dc::Object> objects[2];
    const dc::Directory* sides[2] = {&a, &b};
    for (int side = 0; side < 2; ++side) {
      DCEMU_RETURN_IF_ERROR(sides[side]->store().forEachChangeSince(nc, 0, [&](const dc::Object& obj) {
        objects[side].emplace(obj.guid, obj);
        return true;
      }));
    }
    for (const auto& [guid, obj] : objects[0]) {
      std::string name = a.dnOf(guid).valueOr(guid.toString());
      auto other = objects[1].find(guid);
      if (other == objects[1].end()) return std::optional(ReplicaDifference{nc, name, "on the first only"});
      if (!obj.sameReplicaAs(other->second))
        return std::optional(ReplicaDifference{nc, name, describeDifference(obj, other->second)});
    }
    for (const auto& [guid, obj] : objects[1]) {
      if (!objects[0].count(guid))
        return std::optional(ReplicaDifference{nc, b.dnOf(guid).valueOr(guid.toString()), "on the second only"});
    }
  }
  return std::optional<ReplicaDifference>();
}

}  // namespace dcemu::replication
