// Small helpers the Directory's implementation files share.
#include <fmt/format.h>

#include "dc/directory_internal.h"
#include "dc/text.h"

namespace dcemu::dc {

std::string encodeUsn(uint64_t usn) {
  return std::string(reinterpret_cast<const char*>(&usn), 8);
}

uint64_t decodeUsn(std::string_view bytes) {
  uint64_t usn = 0;
  std::memcpy(&usn, bytes.data(), std::min<size_t>(bytes.size(), 8));
  return usn;
}

const IdsOf& attributeIds() {
  static const IdsOf ids = [] {
    const Schema& s = Schema::builtin();
    auto id = [&](std::string_view name) { return s.attribute(name)->id; };
    return IdsOf{id("objectClass"),
                 id("objectGUID"),
                 id("objectSid"),
                 id("name"),
                 id("cn"),
                 id("whenCreated"),
                 id("instanceType"),
                 id("nTSecurityDescriptor"),
                 id("sAMAccountName"),
                 id("sAMAccountType"),
                 id("userAccountControl"),
                 id("primaryGroupID"),
                 id("groupType"),
                 id("isDeleted"),
                 id("lastKnownParent"),
                 id("objectCategory")};
  }();
  return ids;
}

std::string defaultObjectCategory(const Schema& schema, const ClassDef& cls) {
  const ClassDef* category = schema.objectClass(cls.defaultObjectCategory);
  return encodeInt32((category ? category : &cls)->id);
}

bool directorySetsItself(const AttributeDef& attr, bool requesterIsSystem) {
  static constexpr std::string_view kAlways[] = {"objectGUID",      "name",          "whenCreated", "isDeleted",
                                                 "lastKnownParent", "sAMAccountType"};
  // Provisioning gives well-known SIDs and configuration objects' values.
  static constexpr std::string_view kUnlessSystem[] = {"objectSid",    "instanceType", "systemFlags",
                                                       "invocationId", "hasMasterNCs", "nCName"};
  for (std::string_view name : kAlways)
    if (iequals(name, attr.name)) return true;
  if (requesterIsSystem) return false;
  for (std::string_view name : kUnlessSystem)
    if (iequals(name, attr.name)) return true;
  return false;
}

Status setAccountDefaults(const Object& obj, const ClassDef& cls,
                          const std::function<void(uint32_t id, std::string value)>& set) {
  const Schema& schema = Schema::builtin();
  const IdsOf& ids = attributeIds();
  if (schema.isA(cls, "group")) {
    // Global security group unless told otherwise.
    int64_t groupType = obj.firstValue(ids.groupType) ? decodeInteger(*obj.firstValue(ids.groupType))
                                                      : static_cast<int32_t>(0x80000002u);
    if (!obj.firstValue(ids.groupType)) set(ids.groupType, encodeInt32(groupType));
    bool security = groupType & 0x80000000LL;
    bool domainLocal = groupType & 0x4;
    int64_t type = (domainLocal ? 0x20000000 : 0x10000000) + (security ? 0 : 1);
    set(ids.sAMAccountType, encodeInt32(type));
    return Status::ok();
  }
  bool isComputer = schema.isA(cls, "computer");
  if (!obj.firstValue(ids.userAccountControl)) {
    // AD creates a user without a password disabled; a computer enabled.
    int64_t uacValue = isComputer ? uac::kWorkstationTrustAccount : uac::kNormalAccount | uac::kAccountDisable | 0x20;
    set(ids.userAccountControl, encodeInt32(uacValue));
  }
  set(ids.sAMAccountType, encodeInt32(isComputer ? 0x30000001 : 0x30000000));
  if (!obj.firstValue(ids.primaryGroupID)) set(ids.primaryGroupID, encodeInt32(isComputer ? 515 : 513));
  return Status::ok();
}

bool valuesEqual(const AttributeDef& attr, std::string_view a, std::string_view b) {
  bool text = attr.syntax == Syntax::UnicodeString || attr.syntax == Syntax::String;
  return text ? iequals(a, b) : a == b;
}

std::string deletedName(std::string_view name, const Guid& guid) {
  // A name already mangled (a deleted object's name) keeps its first part.
  std::string_view base = name.substr(0, name.find('\n'));
  return fmt::format("{}\nDEL:{}", base, guid.toString());
}

}  // namespace dcemu::dc
