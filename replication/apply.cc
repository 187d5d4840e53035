#include "replication/apply.h"

#include <fmt/format.h>

#include <map>
#include <vector>

#include "dc/object_wire.h"
#include "dc/replica_batch.h"
#include "dc/tombstone.h"
#include "replication/message.h"
#include "replication/protocol.capnp.h"
#include "replication/utd.h"
#include "replication/win32.h"

namespace dcemu::replication {

ApplyCounts& ApplyCounts::operator+=(const ApplyCounts& o) {
  objectsReceived += o.objectsReceived;
  objectsCreated += o.objectsCreated;
  objectsUpdated += o.objectsUpdated;
  attributesApplied += o.attributesApplied;
  attributesLost += o.attributesLost;
  linksApplied += o.linksApplied;
  linksLost += o.linksLost;
  nameConflicts += o.nameConflicts;
  orphansMoved += o.orphansMoved;
  tombstoneStrips += o.tombstoneStrips;
  singleValueLosers += o.singleValueLosers;
  bytesReceived += o.bytesReceived;
  return *this;
}

namespace {

using dc::Guid;
using dc::LinkEntry;
using dc::NamingContext;
using dc::Object;
using dc::Stamp;

struct Ids {
  uint32_t name, objectClass;
  explicit Ids(const dc::Schema& schema)
      : name(schema.attribute("name")->id), objectClass(schema.attribute("objectClass")->id) {}
};

// A refusal that stops the chunk: its Win32 code and why.
struct Refusal {
  uint32_t win32;
  std::string error;
  std::optional<Guid> object;  // the object refused, when one is
};

// Windows' rule for two live objects with one name: the object whose name
// changed most recently keeps it, whatever the versions (Samba compares the
// version first; its selftest/knownfail records Windows' outcome, bug 13039).
// Equal times fall back to the stamp order, so every DC picks the same one.
int compareNameRecency(const Stamp& a, const Stamp& b) {
  if (a.originatingTime != b.originatingTime) return a.originatingTime < b.originatingTime ? -1 : 1;
  return dc::compareStamps(a, b);
}

class Applier {
 public:
  Applier(dc::Directory& dir, NamingContext nc)
      : dir_(dir), schema_(dir.schema()), ids_(schema_), batch_(dir), nc_(nc), writable_(!dir.readOnly()) {}

  std::optional<Refusal> applyObject(const Object& in);
  std::optional<Refusal> applyLinks(const std::vector<std::pair<Guid, LinkEntry>>& values);
  std::optional<Refusal> cleanUpAfterDeletes();
  dc::ReplicaBatch& batch() { return batch_; }
  ApplyCounts& counts() { return counts_; }

 private:
  std::optional<Refusal> create(const Object& in);
  std::optional<Refusal> place(Object& obj, bool wasTombstone, uint64_t usn);
  void renameAsConflict(Object& obj, uint64_t usn);
  void keepOneActiveValue(Object& obj, uint64_t usn);
  void originate(Stamp& stamp, uint64_t usn) const;
  const dc::AttributeDef* rdnAttribute(const Object& obj) const;
  static Refusal databaseError(const dc::Status& s) { return {win32::kDatabaseError, s.message()}; }
  void put(const Object& after, const Object* before) {
    parentIsTombstone_.erase(after.guid);
    batch_.put(nc_, after, before);
  }

  dc::Directory& dir_;
  const dc::Schema& schema_;
  Ids ids_;
  dc::ReplicaBatch batch_;
  NamingContext nc_;
  bool writable_;  // an RODC never originates, not even a conflict rename
  ApplyCounts counts_;
  std::vector<Guid> newTombstones_;
  // Whether each parent place() read is a tombstone, until the chunk
  // writes it: a full sync places thousands of objects under a few
  // containers, and read and decoded the container for each.
  std::map<Guid, bool> parentIsTombstone_;
};

void Applier::originate(Stamp& stamp, uint64_t usn) const {
  if (!writable_) return;
  stamp.version += 1;
  stamp.originatingTime = dc::floorSeconds(batch_.nowMicros());
  stamp.originatingInvocationId = dir_.invocationId();
  stamp.originatingUsn = usn;
}

const dc::AttributeDef* Applier::rdnAttribute(const Object& obj) const {
  const dc::ClassDef* cls = dir_.structuralClass(obj);
  return cls ? schema_.attribute(cls->rdnAttribute) : nullptr;
}

std::optional<Refusal> Applier::applyObject(const Object& in) {
  ++counts_.objectsReceived;
  auto local = batch_.get(nc_, in.guid);
  if (!local) return databaseError(local.status());
  if (!local->has_value()) return create(in);

  const Object& before = **local;
  Object merged = before;
  bool wasTombstone = dc::isTombstone(merged);
  uint64_t usn = 0;
  bool nameWon = false;
  for (const dc::AttributeEntry& incoming : in.attributes) {
    dc::AttributeEntry* current = merged.find(incoming.id);
    int order = current ? dc::compareStamps(incoming.stamp, current->stamp) : 1;
    if (order <= 0) {
      if (order < 0) ++counts_.attributesLost;
      continue;
    }
    if (usn == 0) usn = batch_.takeUsn();
    dc::AttributeEntry& entry = current ? *current : merged.entry(incoming.id);
    entry.values = incoming.values;
    entry.stamp = incoming.stamp;
    entry.localUsn = usn;
    ++counts_.attributesApplied;
    // The name's stamp covers the object's place: its RDN and its parent.
    if (incoming.id == ids_.name) nameWon = true;
  }
  if (usn == 0) return std::nullopt;
  if (nameWon) merged.parent = in.parent;
  ++counts_.objectsUpdated;
  // A live object that stays live keeps its place unless its name (RDN and
  // parent) changed: it was placed when it arrived or last moved, and a
  // parent's later delete moves it in cleanUpAfterDeletes. Tombstones always
  // go through place, which keeps their shape.
  if (nameWon || wasTombstone || dc::isTombstone(merged)) {
    if (auto refused = place(merged, wasTombstone, usn)) return refused;
  }
  merged.usnChanged = usn;
  merged.whenChanged = batch_.nowMicros();
  put(merged, &before);
  return std::nullopt;
}

std::optional<Refusal> Applier::create(const Object& in) {
  if (!in.find(ids_.name) || !in.find(ids_.objectClass)) {
    return Refusal{win32::kInsufficientAttributes,
                   fmt::format("object {} arrived without its name or class and is not here", in.guid.toString()),
                   in.guid};
  }
  Object obj = in;
  uint64_t usn = batch_.takeUsn();
  for (auto& a : obj.attributes) a.localUsn = usn;
  for (auto& l : obj.links) l.localUsn = usn;
  obj.usnCreated = obj.usnChanged = usn;
  obj.whenChanged = batch_.nowMicros();
  ++counts_.objectsCreated;
  counts_.attributesApplied += obj.attributes.size();
  if (!obj.parent) {
    auto head = batch_.namingContextHead(nc_);
    if (head && *head != obj.guid) {
      return Refusal{win32::kInvalidParameter, fmt::format("object {} claims to head {}, which has a head",
                                                           obj.guid.toString(), dc::namingContextName(nc_))};
    }
    batch_.setNamingContextHead(nc_, obj);
    put(obj, nullptr);
    return std::nullopt;
  }
  if (auto refused = place(obj, false, usn)) return refused;
  put(obj, nullptr);
  return std::nullopt;
}

// Puts `obj` where the rules say: tombstones in Deleted Objects, orphans of
// a tombstone in LostAndFound, and the loser of a name conflict renamed.
std::optional<Refusal> Applier::place(Object& obj, bool wasTombstone, uint64_t usn) {
  if (dc::isTombstone(obj)) {
    // What does not conform is changed as an originating update (RecycleObj).
    dc::enforceTombstoneShape(schema_, obj, batch_.wellKnownContainer(nc_, dc::Directory::deletedObjectsName()),
                              [&](dc::AttributeEntry& e) {
                                originate(e.stamp, usn);
                                e.localUsn = usn;
                                ++counts_.tombstoneStrips;
                              });
    if (!wasTombstone) newTombstones_.push_back(obj.guid);
    return std::nullopt;
  }
  if (!obj.parent) return std::nullopt;
  auto known = parentIsTombstone_.find(*obj.parent);
  if (known == parentIsTombstone_.end()) {
    auto parent = batch_.get(nc_, *obj.parent);
    if (!parent) return databaseError(parent.status());
    if (!parent->has_value()) {
      return Refusal{win32::kMissingParent,
                     fmt::format("parent {} of {} is not here", obj.parent->toString(), obj.guid.toString())};
    }
    known = parentIsTombstone_.emplace(*obj.parent, dc::isTombstone(**parent)).first;
  }
  if (known->second) {
    // A child created under a parent deleted concurrently elsewhere.
    auto lostAndFound = batch_.wellKnownContainer(nc_, dc::Directory::lostAndFoundName(nc_));
    if (lostAndFound) {
      obj.parent = *lostAndFound;
      if (dc::AttributeEntry* name = obj.find(ids_.name)) {
        originate(name->stamp, usn);
        name->localUsn = usn;
      }
      ++counts_.orphansMoved;
    }
  }
  const std::string* name = obj.firstValue(ids_.name);
  if (!name) return std::nullopt;
  auto holder = batch_.childByName(nc_, *obj.parent, *name);
  if (!holder || *holder == obj.guid) return std::nullopt;
  auto other = batch_.get(nc_, *holder);
  if (!other) return databaseError(other.status());
  if (!other->has_value()) return std::nullopt;
  ++counts_.nameConflicts;
  const dc::AttributeEntry* otherName = (*other)->find(ids_.name);
  const dc::AttributeEntry* ourName = obj.find(ids_.name);
  if (otherName && compareNameRecency(ourName->stamp, otherName->stamp) > 0) {
    uint64_t otherUsn = batch_.takeUsn();
    Object renamed = **other;
    renameAsConflict(renamed, otherUsn);
    renamed.usnChanged = otherUsn;
    renamed.whenChanged = batch_.nowMicros();
    // Written first, so that its old name's index entry goes before ours is set.
    put(renamed, &**other);
    return std::nullopt;
  }
  renameAsConflict(obj, usn);
  return std::nullopt;
}

void Applier::renameAsConflict(Object& obj, uint64_t usn) {
  dc::AttributeEntry* name = obj.find(ids_.name);
  std::string current = name->values.empty() ? std::string() : name->values[0];
  std::string renamed = fmt::format("{}\nCNF:{}", current.substr(0, current.find('\n')), obj.guid.toString());
  const dc::AttributeDef* rdn = rdnAttribute(obj);
  for (dc::AttributeEntry* e : {name, rdn ? obj.find(rdn->id) : nullptr}) {
    if (!e) continue;
    e->values = {renamed};
    originate(e->stamp, usn);
    e->localUsn = usn;
  }
}

std::optional<Refusal> Applier::applyLinks(const std::vector<std::pair<Guid, LinkEntry>>& values) {
  size_t i = 0;
  while (i < values.size()) {
    const Guid& sourceGuid = values[i].first;
    auto loaded = batch_.get(nc_, sourceGuid);
    if (!loaded) return databaseError(loaded.status());
    if (!loaded->has_value()) {
      return Refusal{win32::kMissingParent,
                     fmt::format("object {} holding a linked value is not here", sourceGuid.toString())};
    }
    const Object& before = **loaded;
    Object obj = before;
    uint64_t usn = 0;
    bool singleValuedApplied = false;
    for (; i < values.size() && values[i].first == sourceGuid; ++i) {
      const LinkEntry& incoming = values[i].second;
      const LinkEntry* current = obj.findLink(incoming.attributeId, incoming.target);
      int order = current ? dc::compareLinkStamps(incoming, *current) : 1;
      if (order <= 0) {
        if (order < 0) ++counts_.linksLost;
        continue;
      }
      if (usn == 0) usn = batch_.takeUsn();
      LinkEntry& link = obj.link(incoming.attributeId, incoming.target);
      link = incoming;
      link.localUsn = usn;
      ++counts_.linksApplied;
      const dc::AttributeDef* def = schema_.attributeById(incoming.attributeId);
      singleValuedApplied = singleValuedApplied || (def && def->singleValued && incoming.active);
    }
    if (usn == 0) continue;
    // Only an active value of a single-valued attribute can make a second one.
    if (singleValuedApplied) keepOneActiveValue(obj, usn);
    obj.usnChanged = usn;
    obj.whenChanged = batch_.nowMicros();
    put(obj, &before);
  }
  return std::nullopt;
}

// A single-valued linked attribute that replication left with two active
// values keeps the one with the greater link value stamp; the others are
// made inactive by an originating change, which replicates, so removing
// the winner later never brings a loser back (Samba bug 13055, whose fix
// follows Windows; link_conflicts.py test_conflict_single_valued_link).
// An RODC cannot originate: it keeps both until a writable DC's change
// arrives, and reads show the winner meanwhile.
void Applier::keepOneActiveValue(Object& obj, uint64_t usn) {
  if (!writable_) return;
  for (size_t begin = 0; begin < obj.links.size();) {
    size_t end = begin;
    const LinkEntry* winner = nullptr;
    int active = 0;
    for (; end < obj.links.size() && obj.links[end].attributeId == obj.links[begin].attributeId; ++end) {
      const LinkEntry& l = obj.links[end];
      if (!l.active) continue;
      ++active;
      if (!winner || dc::compareLinkStamps(l, *winner) > 0) winner = &l;
    }
    const dc::AttributeDef* def = schema_.attributeById(obj.links[begin].attributeId);
    if (active > 1 && def && def->singleValued) {
      for (size_t i = begin; i < end; ++i) {
        LinkEntry& l = obj.links[i];
        if (!l.active || &l == winner) continue;
        l.active = false;
        originate(l.stamp, usn);
        l.localUsn = usn;
        ++counts_.singleValueLosers;
      }
    }
    begin = end;
  }
}

// What a DC does on learning of a delete: live children (created
// concurrently elsewhere) go to LostAndFound. Links that target the
// tombstone stay as they are and reads stop showing them.
std::optional<Refusal> Applier::cleanUpAfterDeletes() {
  for (const Guid& tombstone : newTombstones_) {
    std::vector<Guid> children;
    batch_.forEachChild(nc_, tombstone, [&](const Guid& child) { children.push_back(child); });
    for (const Guid& childGuid : children) {
      auto child = batch_.get(nc_, childGuid);
      if (!child) return databaseError(child.status());
      if (!child->has_value() || dc::isTombstone(**child)) continue;
      uint64_t usn = batch_.takeUsn();
      Object moved = **child;
      if (auto refused = place(moved, false, usn)) return refused;
      moved.usnChanged = usn;
      moved.whenChanged = batch_.nowMicros();
      put(moved, &**child);
    }
  }
  return std::nullopt;
}

struct Reply {
  std::optional<Guid> sourceInvocationId;
  NamingContext nc = NamingContext::Domain;
  std::vector<Object> objects;
  std::vector<std::pair<Guid, LinkEntry>> links;
  uint64_t highWaterMark = 0;
  bool moreData = false;
  UpToDateVector sourceUtd;
};

dc::Status readReply(ReceivedMessage& message, Reply& out) {
  return readSafely(message.what(), [&]() -> dc::Status {
    auto bad = [&](std::string_view why) {
      return dc::Status(dc::LdapResult::protocolError, fmt::format("{}: {}", message.what(), why));
    };
    auto root = message.root<wire::GetNcChangesReply>();
    out.sourceInvocationId = readGuid(root.getSourceInvocationId());
    if (!out.sourceInvocationId) return bad("the source invocationID is not 16 bytes");
    out.nc = static_cast<NamingContext>(root.getNamingContext());
    for (auto o : root.getObjects()) {
      auto obj = dc::readObject(o);
      if (!obj) return bad(obj.status().message());
      out.objects.push_back(std::move(*obj));
    }
    for (auto l : root.getLinkedValues()) {
      auto source = readGuid(l.getSource());
      auto value = dc::readLinkedValue(l.getValue());
      if (!source || !value) return bad("a linked value has a malformed GUID");
      out.links.emplace_back(*source, std::move(*value));
    }
    out.highWaterMark = root.getHighWaterMark();
    out.moreData = root.getMoreData();
    auto utd = UpToDateVector::readFrom(root.getSourceUtd());
    if (!utd) return bad(utd.status().message());
    out.sourceUtd = std::move(*utd);
    return dc::Status::ok();
  });
}

}  // namespace

ApplyOutcome applyReply(dc::Directory& dir, RepsFrom& state, std::string_view replyBytes) {
  ApplyOutcome outcome;
  auto refuse = [&](uint32_t code, std::string error) {
    outcome.win32 = code;
    outcome.error = std::move(error);
    return outcome;
  };
  auto message = ReceivedMessage::parse(replyBytes, "GetNCChanges reply");
  if (!message) return refuse(win32::kInvalidParameter, message.status().message());
  Reply reply;
  if (dc::Status s = readReply(**message, reply); !s.isOk()) return refuse(win32::kInvalidParameter, s.message());
  if (reply.nc != state.namingContext) return refuse(win32::kInvalidParameter, "reply is for another naming context");

  Applier applier(dir, state.namingContext);
  applier.counts().bytesReceived = replyBytes.size();
  for (const Object& obj : reply.objects) {
    if (auto refused = applier.applyObject(obj)) {
      outcome.missingObject = refused->object;
      return refuse(refused->win32, refused->error);
    }
  }
  if (auto refused = applier.applyLinks(reply.links)) return refuse(refused->win32, refused->error);
  if (auto refused = applier.cleanUpAfterDeletes()) return refuse(refused->win32, refused->error);

  RepsFrom advanced = state;
  advanced.highWaterMark = reply.highWaterMark;
  advanced.sourceInvocationId = reply.sourceInvocationId;
  dc::ReplicaBatch& batch = applier.batch();
  putRepsFrom(batch, advanced);
  if (!reply.moreData) {
    auto utd = storedUtd(batch, state.namingContext);
    if (!utd) return refuse(win32::kDatabaseError, utd.status().message());
    // Its own writes a DC counts by its USN counter, not by hearsay.
    utd->mergeAll(reply.sourceUtd, dir.invocationId());
    storeUtd(batch, state.namingContext, *utd);
  }
  if (dc::Status s = batch.commit(); !s.isOk()) return refuse(win32::kDatabaseError, s.message());
  state = advanced;
  outcome.counts = applier.counts();
  outcome.highWaterMark = reply.highWaterMark;
  outcome.moreData = reply.moreData;
  return outcome;
}

}  // namespace dcemu::replication
