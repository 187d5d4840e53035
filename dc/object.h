// One directory object as the DC's code works on it, and its encoding into
// dc/directory.capnp (the bytes the store keeps and replication sends).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dc/ids.h"
#include "dc/status.h"

namespace dcemu::dc {

struct Stamp {
  uint32_t version = 0;
  int64_t originatingTime = 0;  // seconds since the Unix epoch
  Guid originatingInvocationId;
  uint64_t originatingUsn = 0;

  bool operator==(const Stamp&) const = default;
};

// Stamps carry whole seconds, as AD's do: microseconds rounded down.
inline int64_t floorSeconds(int64_t micros) {
  return micros >= 0 ? micros / 1000000 : -((-micros + 999999) / 1000000);
}

// MS-DRSR's attribute conflict order: version (compared wrap-aware, as a
// 32-bit sequence number), then originating time, then invocationID.
// Returns <0, 0 or >0 as `a` loses to, ties with or beats `b`.
int compareStamps(const Stamp& a, const Stamp& b);

struct AttributeEntry {
  uint32_t id = 0;                  // ATTRTYP
  std::vector<std::string> values;  // encoded per syntax; empty = removed
  Stamp stamp;
  uint64_t localUsn = 0;

  bool operator==(const AttributeEntry&) const = default;
};

struct LinkEntry {
  uint32_t attributeId = 0;
  Guid target;
  bool active = true;
  int64_t timeCreated = 0;
  Stamp stamp;  // originatingTime is the value's timeChanged
  uint64_t localUsn = 0;

  bool operator==(const LinkEntry&) const = default;
};

// MS-DRSR's linked value conflict order: timeCreated, version, timeChanged,
// invocationID. Returns <0, 0 or >0 as `a` loses to, ties with or beats `b`.
int compareLinkStamps(const LinkEntry& a, const LinkEntry& b);

struct Object {
  Guid guid;
  std::optional<Guid> parent;              // none for a naming-context head
  std::vector<AttributeEntry> attributes;  // sorted by id
  std::vector<LinkEntry> links;            // sorted by (attributeId, target)
  uint64_t usnCreated = 0;                 // local
  uint64_t usnChanged = 0;                 // local
  int64_t whenChanged = 0;                 // local, microseconds

  const AttributeEntry* find(uint32_t id) const;
  AttributeEntry* find(uint32_t id);
  // The entry for `id`, inserted in order when missing.
  AttributeEntry& entry(uint32_t id);
  // The present values of `id`, or none.
  const std::vector<std::string>* values(uint32_t id) const;
  const std::string* firstValue(uint32_t id) const;

  LinkEntry* findLink(uint32_t attributeId, const Guid& target);
  const LinkEntry* findLink(uint32_t attributeId, const Guid& target) const;
  LinkEntry& link(uint32_t attributeId, const Guid& target);  // inserted in order when missing

  // Replica contents: everything that replication must make equal on every
  // DC (local USNs and whenChanged excluded).
  bool sameReplicaAs(const Object& other) const;

  std::string encode() const;
  static Result<Object> decode(std::string_view bytes);

  bool operator==(const Object&) const = default;
};

}  // namespace dcemu::dc
