#include "dc/object.h"

#include <capnp/message.h>
#include <capnp/serialize.h>
#include <fmt/format.h>
#include <kj/exception.h>

#include <algorithm>
#include <cstring>

#include "dc/object_wire.h"

namespace dcemu::dc {

int compareStamps(const Stamp& a, const Stamp& b) {
  if (a.version != b.version) return static_cast<int32_t>(a.version - b.version) > 0 ? 1 : -1;
  if (a.originatingTime != b.originatingTime) return a.originatingTime > b.originatingTime ? 1 : -1;
  if (a.originatingInvocationId != b.originatingInvocationId)
    return a.originatingInvocationId > b.originatingInvocationId ? 1 : -1;
  return 0;
}

int compareLinkStamps(const LinkEntry& a, const LinkEntry& b) {
  if (a.timeCreated != b.timeCreated) return a.timeCreated > b.timeCreated ? 1 : -1;
  return compareStamps(a.stamp, b.stamp);
}

const AttributeEntry* Object::find(uint32_t id) const {
  auto it = std::lower_bound(attributes.begin(), attributes.end(), id,
                             [](const AttributeEntry& e, uint32_t key) { return e.id < key; });
  return it != attributes.end() && it->id == id ? &*it : nullptr;
}

AttributeEntry* Object::find(uint32_t id) {
  return const_cast<AttributeEntry*>(std::as_const(*this).find(id));
}

AttributeEntry& Object::entry(uint32_t id) {
  auto it = std::lower_bound(attributes.begin(), attributes.end(), id,
                             [](const AttributeEntry& e, uint32_t key) { return e.id < key; });
  if (it != attributes.end() && it->id == id) return *it;
  AttributeEntry fresh;
  fresh.id = id;
  return *attributes.insert(it, std::move(fresh));
}

const std::vector<std::string>* Object::values(uint32_t id) const {
  const AttributeEntry* e = find(id);
  return e && !e->values.empty() ? &e->values : nullptr;
}

const std::string* Object::firstValue(uint32_t id) const {
  const auto* v = values(id);
  return v ? &v->front() : nullptr;
}

namespace {
bool linkLess(const LinkEntry& e, const std::pair<uint32_t, const Guid*>& key) {
  return e.attributeId != key.first ? e.attributeId < key.first : e.target < *key.second;
}
}  // namespace

const LinkEntry* Object::findLink(uint32_t attributeId, const Guid& target) const {
  auto key = std::pair{attributeId, &target};
  auto it = std::lower_bound(links.begin(), links.end(), key, linkLess);
  return it != links.end() && it->attributeId == attributeId && it->target == target ? &*it : nullptr;
}

LinkEntry* Object::findLink(uint32_t attributeId, const Guid& target) {
  return const_cast<LinkEntry*>(std::as_const(*this).findLink(attributeId, target));
}

LinkEntry& Object::link(uint32_t attributeId, const Guid& target) {
  auto key = std::pair{attributeId, &target};
  auto it = std::lower_bound(links.begin(), links.end(), key, linkLess);
  if (it != links.end() && it->attributeId == attributeId && it->target == target) return *it;
  LinkEntry fresh;
  fresh.attributeId = attributeId;
  fresh.target = target;
  return *links.insert(it, std::move(fresh));
}

bool Object::sameReplicaAs(const Object& other) const {
  if (guid != other.guid || parent != other.parent) return false;
  if (attributes.size() != other.attributes.size() || links.size() != other.links.size()) return false;
  for (size_t i = 0; i < attributes.size(); ++i) {
    const auto &a = attributes[i], &b = other.attributes[i];
    if (a.id != b.id || a.values != b.values || a.stamp != b.stamp) return false;
  }
  for (size_t i = 0; i < links.size(); ++i) {
    const auto &a = links[i], &b = other.links[i];
    if (a.attributeId != b.attributeId || a.target != b.target || a.active != b.active ||
        a.timeCreated != b.timeCreated || a.stamp != b.stamp)
      return false;
  }
  return true;
}

capnp::Data::Reader asData(std::string_view bytes) {
  return capnp::Data::Reader(reinterpret_cast<const kj::byte*>(bytes.data()), bytes.size());
}

std::string_view asView(capnp::Data::Reader data) {
  return {reinterpret_cast<const char*>(data.begin()), data.size()};
}

std::optional<Guid> readGuid(capnp::Data::Reader data) {
  if (data.size() != 16) return std::nullopt;
  return Guid::fromBytes(asView(data));
}

namespace {

void writeStamp(wire::Stamp::Builder out, const Stamp& stamp) {
  out.setVersion(stamp.version);
  out.setOriginatingTime(stamp.originatingTime);
  out.setOriginatingInvocationId(asData(stamp.originatingInvocationId.asBytes()));
  out.setOriginatingUsn(stamp.originatingUsn);
}

std::optional<Stamp> readStamp(wire::Stamp::Reader in) {
  auto invocation = readGuid(in.getOriginatingInvocationId());
  if (!invocation) return std::nullopt;
  return Stamp{in.getVersion(), in.getOriginatingTime(), *invocation, in.getOriginatingUsn()};
}

Status corrupt(std::string_view why) {
  return Status(LdapResult::other, fmt::format("stored object: {}", why));
}

}  // namespace

void writeLinkedValue(wire::LinkedValue::Builder out, const LinkEntry& l, WireFields fields) {
  out.setAttributeId(l.attributeId);
  out.setTarget(asData(l.target.asBytes()));
  out.setActive(l.active);
  out.setTimeCreated(l.timeCreated);
  writeStamp(out.initStamp(), l.stamp);
  if (fields == WireFields::withLocalUsns) out.setLocalUsn(l.localUsn);
}

std::optional<LinkEntry> readLinkedValue(wire::LinkedValue::Reader in) {
  auto target = readGuid(in.getTarget());
  auto stamp = readStamp(in.getStamp());
  if (!target || !stamp) return std::nullopt;
  LinkEntry e;
  e.attributeId = in.getAttributeId();
  e.target = *target;
  e.active = in.getActive();
  e.timeCreated = in.getTimeCreated();
  e.stamp = *stamp;
  e.localUsn = in.getLocalUsn();
  return e;
}

void writeObject(wire::Object::Builder root, const Object& obj, WireFields fields) {
  bool local = fields == WireFields::withLocalUsns;
  root.setGuid(asData(obj.guid.asBytes()));
  if (obj.parent) root.setParentGuid(asData(obj.parent->asBytes()));
  auto attrs = root.initAttributes(static_cast<unsigned>(obj.attributes.size()));
  for (unsigned i = 0; i < obj.attributes.size(); ++i) {
    const AttributeEntry& a = obj.attributes[i];
    auto out = attrs[i];
    out.setAttributeId(a.id);
    auto values = out.initValues(static_cast<unsigned>(a.values.size()));
    for (unsigned v = 0; v < a.values.size(); ++v) values.set(v, asData(a.values[v]));
    writeStamp(out.initStamp(), a.stamp);
    if (local) out.setLocalUsn(a.localUsn);
  }
  auto linkList = root.initLinks(static_cast<unsigned>(obj.links.size()));
  for (unsigned i = 0; i < obj.links.size(); ++i) writeLinkedValue(linkList[i], obj.links[i], fields);
  if (local) {
    root.setUsnCreated(obj.usnCreated);
    root.setUsnChanged(obj.usnChanged);
    root.setWhenChanged(obj.whenChanged);
  }
}

Result<Object> readObject(wire::Object::Reader root) {
  Object obj;
  kj::Maybe<kj::Exception> failure = kj::runCatchingExceptions([&]() {
    auto guid = readGuid(root.getGuid());
    if (!guid) KJ_FAIL_REQUIRE("objectGUID is not 16 bytes");
    obj.guid = *guid;
    if (root.hasParentGuid()) {
      obj.parent = readGuid(root.getParentGuid());
      if (!obj.parent) KJ_FAIL_REQUIRE("parent GUID is not 16 bytes");
    }
    for (auto a : root.getAttributes()) {
      AttributeEntry e;
      e.id = a.getAttributeId();
      for (auto v : a.getValues()) e.values.emplace_back(asView(v));
      auto stamp = readStamp(a.getStamp());
      if (!stamp) KJ_FAIL_REQUIRE("attribute stamp has a bad invocationID");
      e.stamp = *stamp;
      e.localUsn = a.getLocalUsn();
      obj.attributes.push_back(std::move(e));
    }
    for (auto l : root.getLinks()) {
      auto link = readLinkedValue(l);
      if (!link) KJ_FAIL_REQUIRE("linked value has a bad GUID");
      obj.links.push_back(std::move(*link));
    }
    obj.usnCreated = root.getUsnCreated();
    obj.usnChanged = root.getUsnChanged();
    obj.whenChanged = root.getWhenChanged();
  });
  KJ_IF_MAYBE (e, failure) {
    return Status(LdapResult::other, fmt::format("object: {}", e->getDescription().cStr()));
  }
  // Lookups rely on these orders: a pair out of strict order is refused.
  auto attributeOutOfOrder = [](const AttributeEntry& x, const AttributeEntry& y) { return x.id >= y.id; };
  auto linkOutOfOrder = [](const LinkEntry& x, const LinkEntry& y) {
    return x.attributeId != y.attributeId ? x.attributeId > y.attributeId : !(x.target < y.target);
  };
  if (std::adjacent_find(obj.attributes.begin(), obj.attributes.end(), attributeOutOfOrder) != obj.attributes.end())
    return Status(LdapResult::other, "object: attributes are not in strictly increasing ID order");
  if (std::adjacent_find(obj.links.begin(), obj.links.end(), linkOutOfOrder) != obj.links.end())
    return Status(LdapResult::other, "object: linked values are not in strictly increasing order");
  return obj;
}

std::string Object::encode() const {
  capnp::MallocMessageBuilder message(256);
  writeObject(message.initRoot<wire::Object>(), *this, WireFields::withLocalUsns);
  // Unpacked: every read of an object decodes it, and unpacking was a
  // twentieth of a soak. RocksDB's block compression takes out the zero
  // bytes unpacking leaves (the table files stay the same size); the
  // memtables hold them.
  auto words = capnp::messageToFlatArray(message);
  auto bytes = words.asBytes();
  return std::string(reinterpret_cast<const char*>(bytes.begin()), bytes.size());
}

Result<Object> Object::decode(std::string_view bytes) {
  if (bytes.size() % sizeof(capnp::word) != 0) return corrupt("not a whole number of words");
  kj::Array<capnp::word> words = kj::heapArray<capnp::word>(bytes.size() / sizeof(capnp::word));
  memcpy(words.begin(), bytes.data(), bytes.size());
  Result<Object> obj = Status(LdapResult::other, "stored object: unreadable");
  kj::Maybe<kj::Exception> failure = kj::runCatchingExceptions([&]() {
    capnp::FlatArrayMessageReader reader(words);
    obj = readObject(reader.getRoot<wire::Object>());
  });
  KJ_IF_MAYBE (e, failure) {
    return corrupt(e->getDescription().cStr());
  }
  if (!obj) return corrupt(obj.status().message());
  return obj;
}

}  // namespace dcemu::dc
