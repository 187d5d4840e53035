// Pieces the Directory's implementation files share; not part of its API.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "dc/directory.h"

namespace dcemu::dc {

struct Directory::Pending {
  uint64_t usn;  // the USN of the object being staged; a further object in the write takes the next
  int64_t nowMicros;
  int64_t nowSeconds;  // stamps carry whole seconds, as AD's do
  WriteBatch batch;
  std::vector<Object> watched;      // the last staged copy of each object the write observer watches
  std::optional<uint32_t> nextRid;  // the RID counter once the write commits, when it gave a RID
  bool propagates = false;          // it queued a security descriptor propagation event
};

// Keeps `obj` as the last staged copy of a watched object: what the store
// holds once the write commits.
inline void keepWatched(std::vector<Object>& watched, const Object& obj) {
  for (Object& kept : watched) {
    if (kept.guid == obj.guid) {
      kept = obj;
      return;
    }
  }
  watched.push_back(obj);
}

namespace state_keys {
inline constexpr std::string_view kInvocationId = "invocationId";
inline constexpr std::string_view kNextUsn = "nextUsn";
inline constexpr std::string_view kDomainSid = "domainSid";
// This DC's RID counter: its pool index and next RID, 4 bytes each (a
// store copied from another DC holds that DC's and starts its own pools).
inline constexpr std::string_view kNextRid = "nextRid";
inline std::string ncHead(NamingContext nc) {
  return "ncHead/" + std::string(namingContextName(nc));
}
}  // namespace state_keys

std::string encodeUsn(uint64_t usn);
uint64_t decodeUsn(std::string_view bytes);

// ATTRTYPs the operations touch by name, looked up once.
struct IdsOf {
  uint32_t objectClass, objectGuid, objectSid, name, cn, whenCreated, instanceType, nTSecurityDescriptor,
      sAMAccountName, sAMAccountType, userAccountControl, primaryGroupID, groupType, isDeleted, lastKnownParent,
      objectCategory;
};
const IdsOf& attributeIds();

// objectCategory of a new object of `cls` that names none: the class its
// defaultObjectCategory names (MS-ADTS 3.1.1.5.2, Add).
std::string defaultObjectCategory(const Schema& schema, const ClassDef& cls);

// Attributes a client may not give at add: some never, some only when the
// requester is the system.
bool directorySetsItself(const AttributeDef& attr, bool requesterIsSystem);

// userAccountControl, sAMAccountType and primaryGroupID for a new account,
// as AD sets them when the client gives none.
Status setAccountDefaults(const Object& obj, const ClassDef& cls,
                          const std::function<void(uint32_t id, std::string value)>& set);

// The most specific class in an object's objectClass values, and the
// attribute that class names its objects by (cn, ou, dc).
const ClassDef* structuralClassOf(const Schema& schema, const Object& obj);
const AttributeDef* rdnAttributeOf(const Schema& schema, const Object& obj);

// Whether two encoded values are the same value: Unicode strings compare
// case-insensitively in AD.
bool valuesEqual(const AttributeDef& attr, std::string_view a, std::string_view b);

// Users (computers included) and groups: objects with a SID and SAM's
// attributes.
bool isSecurityPrincipal(const Schema& schema, const ClassDef& cls);

// The tombstone's RDN: "<name>\nDEL:<guid>" (shown "\0ADEL:" in DNs).
std::string deletedName(std::string_view name, const Guid& guid);

}  // namespace dcemu::dc
