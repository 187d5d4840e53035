#include "replication/convergence.h"

#include <fmt/format.h>

#include <map>

#include "dc/parallel.h"

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
  return ReplicaComparison(a).firstDifference(b);
}

void ReplicaComparison::readReference() {
  if (objects_) return;
  objects_.emplace();
  for (int nc = 0; nc < dc::kNamingContextCount; ++nc) {
    reference_.store().forEachEncodedObject(static_cast<dc::NamingContext>(nc),
                                            [&](const dc::Guid& guid, std::string_view bytes) {
                                              (*objects_)[nc].emplace_back(guid, std::string(bytes));
                                              return true;
                                            });
  }
}

dc::Result<std::optional<ReplicaComparison::Mismatch>> ReplicaComparison::firstMismatch(const dc::Store& b) const {
  for (auto nc : {dc::NamingContext::Schema, dc::NamingContext::Configuration, dc::NamingContext::Domain}) {
    // Both stores list objects in GUID order: walk b's against a's. Equal
    // bytes are equal replicas (local USNs too), so most objects of replicas
    // that started as copies are never decoded.
    const Encoded& first = (*objects_)[static_cast<int>(nc)];
    size_t next = 0;
    std::optional<Mismatch> found;
    dc::Status failure;
    b.forEachEncodedObject(nc, [&](const dc::Guid& guid, std::string_view bytes) {
      if (next < first.size() && first[next].first < guid) {
        found = Mismatch{nc, first[next].first, false, "on the first only"};
        return false;
      }
      if (next == first.size() || guid < first[next].first) {
        found = Mismatch{nc, guid, true, "on the second only"};
        return false;
      }
      const std::string& mine = first[next++].second;
      if (mine == bytes) return true;
      auto x = dc::Object::decode(mine);
      auto y = dc::Object::decode(bytes);
      if (!x || !y) {
        failure = !x ? x.status() : y.status();
        return false;
      }
      if (!x->sameReplicaAs(*y)) {
        found = Mismatch{nc, guid, false, describeDifference(*x, *y)};
        return false;
      }
      return true;
    });
    DCEMU_RETURN_IF_ERROR(failure);
    if (!found && next < first.size()) found = Mismatch{nc, first[next].first, false, "on the first only"};
    if (found) return found;
  }
  return std::optional<Mismatch>();
}

// DNs cost a walk up the tree and read the directories' caches: only a
// difference gets one, on the calling thread.
std::optional<ReplicaDifference> ReplicaComparison::named(const std::optional<Mismatch>& mismatch,
                                                          const dc::Directory& replica) const {
  if (!mismatch) return std::nullopt;
  const dc::Directory& holder = mismatch->onReplica ? replica : reference_;
  return ReplicaDifference{mismatch->namingContext, holder.dnOf(mismatch->object).valueOr(mismatch->object.toString()),
                           mismatch->what};
}

dc::Result<std::optional<ReplicaDifference>> ReplicaComparison::firstDifference(const dc::Directory& replica) {
  readReference();
  auto mismatch = firstMismatch(replica.store());
  if (!mismatch) return mismatch.status();
  return named(*mismatch, replica);
}

std::vector<dc::Result<std::optional<ReplicaDifference>>> ReplicaComparison::firstDifferences(
    const std::vector<const dc::Directory*>& replicas, unsigned jobs) {
  readReference();
  std::vector<std::optional<dc::Result<std::optional<Mismatch>>>> mismatches(replicas.size());
  dc::forEachIndexInParallel(replicas.size(), jobs,
                             [&](size_t i) { mismatches[i] = firstMismatch(replicas[i]->store()); });
  std::vector<dc::Result<std::optional<ReplicaDifference>>> differences;
  for (size_t i = 0; i < replicas.size(); ++i) {
    if (!*mismatches[i])
      differences.push_back(mismatches[i]->status());
    else
      differences.push_back(named(**mismatches[i], *replicas[i]));
  }
  return differences;
}

}  // namespace dcemu::replication
