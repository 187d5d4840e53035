// The self-relative binary form of MS-DTYP 2.4.6, written in the order
// Windows' MakeSelfRelativeSD uses for AD objects: owner, group, SACL, DACL.
#include "dc/security_descriptor.h"

#include <fmt/format.h>

#include <cstring>

namespace dcemu::dc {

uint32_t rights::mapGeneric(uint32_t mask) {
  uint32_t mapped = mask & ~(kGenericAll | kGenericRead | kGenericWrite | kGenericExecute);
  if (mask & kGenericAll) mapped |= kAdsAll;
  if (mask & kGenericRead) mapped |= kAdsRead;
  if (mask & kGenericWrite) mapped |= kAdsWrite;
  if (mask & kGenericExecute) mapped |= kAdsExecute;
  return mapped;
}

namespace {

constexpr uint16_t kSelfRelative = 0x8000;
constexpr uint16_t kDaclPresent = 0x0004;
constexpr uint16_t kSaclPresent = 0x0010;
constexpr uint32_t kObjectTypePresent = 0x1;
constexpr uint32_t kInheritedObjectTypePresent = 0x2;

void put16(std::string& out, uint16_t v) {
  out.append(reinterpret_cast<const char*>(&v), 2);
}
void put32(std::string& out, uint32_t v) {
  out.append(reinterpret_cast<const char*>(&v), 4);
}
void set32(std::string& out, size_t at, uint32_t v) {
  std::memcpy(out.data() + at, &v, 4);
}

void appendAcl(std::string& out, const Acl& acl) {
  size_t start = out.size();
  bool hasObjectAces = false;
  for (const Ace& ace : acl.aces) hasObjectAces |= ace.isObjectAce();
  out += static_cast<char>(hasObjectAces ? 4 : 2);  // ACL_REVISION_DS : ACL_REVISION
  out += '\0';
  put16(out, 0);  // size, patched below
  put16(out, static_cast<uint16_t>(acl.aces.size()));
  put16(out, 0);
  for (const Ace& ace : acl.aces) {
    size_t aceStart = out.size();
    out += static_cast<char>(ace.type);
    out += static_cast<char>(ace.flags);
    put16(out, 0);
    put32(out, ace.mask);
    if (ace.isObjectAce()) {
      uint32_t flags =
          (ace.objectType ? kObjectTypePresent : 0) | (ace.inheritedObjectType ? kInheritedObjectTypePresent : 0);
      put32(out, flags);
      if (ace.objectType) out += ace.objectType->asBytes();
      if (ace.inheritedObjectType) out += ace.inheritedObjectType->asBytes();
    }
    out += ace.trustee.toBytes();
    uint16_t aceSize = static_cast<uint16_t>(out.size() - aceStart);
    std::memcpy(out.data() + aceStart + 2, &aceSize, 2);
  }
  uint16_t aclSize = static_cast<uint16_t>(out.size() - start);
  std::memcpy(out.data() + start + 2, &aclSize, 2);
}

class Reader {
 public:
  explicit Reader(std::string_view bytes) : bytes_(bytes) {}
  bool has(size_t at, size_t n) const { return at <= bytes_.size() && n <= bytes_.size() - at; }
  uint8_t u8(size_t at) const { return static_cast<uint8_t>(bytes_[at]); }
  uint16_t u16(size_t at) const {
    uint16_t v;
    std::memcpy(&v, bytes_.data() + at, 2);
    return v;
  }
  uint32_t u32(size_t at) const {
    uint32_t v;
    std::memcpy(&v, bytes_.data() + at, 4);
    return v;
  }
  std::string_view slice(size_t at, size_t n) const { return bytes_.substr(at, n); }

 private:
  std::string_view bytes_;
};

Status malformed(std::string_view why) {
  return Status(LdapResult::invalidAttributeSyntax, fmt::format("security descriptor: {}", why));
}

// A SID starting at `at` within [at, end).
std::optional<Sid> readSid(const Reader& r, size_t at, size_t end) {
  if (!r.has(at, 8) || at + 8 > end) return std::nullopt;
  size_t size = 8 + 4 * static_cast<size_t>(r.u8(at + 1));
  if (at + size > end) return std::nullopt;
  return Sid::fromBytes(r.slice(at, size));
}

Result<Acl> readAcl(const Reader& r, size_t at) {
  if (!r.has(at, 8)) return malformed("ACL header past the end");
  uint16_t aclSize = r.u16(at + 2);
  uint16_t count = r.u16(at + 4);
  if (aclSize < 8 || !r.has(at, aclSize)) return malformed("ACL size past the end");
  size_t end = at + aclSize;
  Acl acl;
  size_t pos = at + 8;
  for (uint16_t i = 0; i < count; ++i) {
    if (pos + 8 > end) return malformed(fmt::format("ACE {} past the end of its ACL", i));
    Ace ace;
    uint8_t type = r.u8(pos);
    if (type > 7 || type == 3 || type == 4) return malformed(fmt::format("ACE {} has unsupported type {}", i, type));
    ace.type = static_cast<AceType>(type);
    ace.flags = r.u8(pos + 1);
    uint16_t aceSize = r.u16(pos + 2);
    if (aceSize < 8 || pos + aceSize > end) return malformed(fmt::format("ACE {} size {} is wrong", i, aceSize));
    ace.mask = r.u32(pos + 4);
    size_t sidAt = pos + 8;
    if (ace.isObjectAce()) {
      if (sidAt + 4 > pos + aceSize) return malformed(fmt::format("object ACE {} is truncated", i));
      uint32_t flags = r.u32(sidAt);
      sidAt += 4;
      for (auto [bit, slot] : {std::pair{kObjectTypePresent, &ace.objectType},
                               std::pair{kInheritedObjectTypePresent, &ace.inheritedObjectType}}) {
        if (!(flags & bit)) continue;
        if (sidAt + 16 > pos + aceSize) return malformed(fmt::format("object ACE {} GUID is truncated", i));
        *slot = Guid::fromBytes(r.slice(sidAt, 16));
        sidAt += 16;
      }
    }
    auto sid = readSid(r, sidAt, pos + aceSize);
    if (!sid) return malformed(fmt::format("ACE {} has a malformed SID", i));
    ace.trustee = std::move(*sid);
    acl.aces.push_back(std::move(ace));
    pos += aceSize;
  }
  return acl;
}

}  // namespace

std::string SecurityDescriptor::toBinary() const {
  std::string out;
  out += '\1';
  out += '\0';
  uint16_t ctl = static_cast<uint16_t>(control | kSelfRelative | (dacl ? kDaclPresent : 0) | (sacl ? kSaclPresent : 0));
  put16(out, ctl);
  out.append(16, '\0');  // four offsets, patched below
  if (owner) {
    set32(out, 4, static_cast<uint32_t>(out.size()));
    out += owner->toBytes();
  }
  if (group) {
    set32(out, 8, static_cast<uint32_t>(out.size()));
    out += group->toBytes();
  }
  if (sacl) {
    set32(out, 12, static_cast<uint32_t>(out.size()));
    appendAcl(out, *sacl);
  }
  if (dacl) {
    set32(out, 16, static_cast<uint32_t>(out.size()));
    appendAcl(out, *dacl);
  }
  return out;
}

Result<SecurityDescriptor> SecurityDescriptor::fromBinary(std::string_view bytes) {
  Reader r(bytes);
  if (!r.has(0, 20)) return malformed(fmt::format("{} bytes is shorter than the 20-byte header", bytes.size()));
  if (r.u8(0) != 1) return malformed(fmt::format("revision {} is not 1", r.u8(0)));
  uint16_t ctl = r.u16(2);
  if (!(ctl & kSelfRelative)) return malformed("not self-relative");
  SecurityDescriptor sd;
  sd.control = static_cast<uint16_t>(ctl & ~(kSelfRelative | kDaclPresent | kSaclPresent));
  auto readOptionalSid = [&](size_t field, std::optional<Sid>& slot, std::string_view what) -> Status {
    uint32_t offset = r.u32(field);
    if (offset == 0) return Status::ok();
    slot = readSid(r, offset, bytes.size());
    if (!slot) return malformed(fmt::format("{} SID at offset {} is malformed", what, offset));
    return Status::ok();
  };
  DCEMU_RETURN_IF_ERROR(readOptionalSid(4, sd.owner, "owner"));
  DCEMU_RETURN_IF_ERROR(readOptionalSid(8, sd.group, "group"));
  for (auto [field, present, slot] :
       {std::tuple{size_t{12}, kSaclPresent, &sd.sacl}, std::tuple{size_t{16}, kDaclPresent, &sd.dacl}}) {
    uint32_t offset = r.u32(field);
    if (!(ctl & present) || offset == 0) continue;
    auto acl = readAcl(r, offset);
    if (!acl) return acl.status();
    *slot = std::move(*acl);
  }
  return sd;
}

}  // namespace dcemu::dc
