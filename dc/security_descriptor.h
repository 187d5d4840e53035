// Windows security descriptors (MS-DTYP 2.4.6): the model, the self-relative
// binary form AD stores and replicates, and SDDL for what AD uses (owner,
// group, DACL and SACL flags, allow/deny/audit ACEs, object ACEs with GUIDs,
// rights strings, SID aliases). Trustees may be given as names; a resolver
// supplied by the caller turns them into SIDs and back.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dc/ids.h"
#include "dc/status.h"

namespace dcemu::dc {

namespace rights {
inline constexpr uint32_t kCreateChild = 0x1;      // CC
inline constexpr uint32_t kDeleteChild = 0x2;      // DC
inline constexpr uint32_t kListChildren = 0x4;     // LC
inline constexpr uint32_t kSelfWrite = 0x8;        // SW
inline constexpr uint32_t kReadProperty = 0x10;    // RP
inline constexpr uint32_t kWriteProperty = 0x20;   // WP
inline constexpr uint32_t kDeleteTree = 0x40;      // DT
inline constexpr uint32_t kListObject = 0x80;      // LO
inline constexpr uint32_t kControlAccess = 0x100;  // CR
inline constexpr uint32_t kDelete = 0x10000;       // SD
inline constexpr uint32_t kReadControl = 0x20000;  // RC
inline constexpr uint32_t kWriteDac = 0x40000;     // WD
inline constexpr uint32_t kWriteOwner = 0x80000;   // WO
inline constexpr uint32_t kGenericAll = 0x10000000;
inline constexpr uint32_t kGenericExecute = 0x20000000;
inline constexpr uint32_t kGenericWrite = 0x40000000;
inline constexpr uint32_t kGenericRead = 0x80000000;
// What the generic rights mean on directory objects (MS-ADTS 5.1.3.2).
inline constexpr uint32_t kAdsAll = 0xF01FF;
inline constexpr uint32_t kAdsRead = kReadControl | kListChildren | kReadProperty | kListObject;
inline constexpr uint32_t kAdsWrite = kReadControl | kSelfWrite | kWriteProperty;
inline constexpr uint32_t kAdsExecute = kReadControl | kListChildren;
uint32_t mapGeneric(uint32_t mask);
}  // namespace rights

enum class AceType : uint8_t {
  AccessAllowed = 0x0,
  AccessDenied = 0x1,
  SystemAudit = 0x2,
  AccessAllowedObject = 0x5,
  AccessDeniedObject = 0x6,
  SystemAuditObject = 0x7,
};

namespace ace_flags {
inline constexpr uint8_t kObjectInherit = 0x1;      // OI
inline constexpr uint8_t kContainerInherit = 0x2;   // CI
inline constexpr uint8_t kNoPropagate = 0x4;        // NP
inline constexpr uint8_t kInheritOnly = 0x8;        // IO
inline constexpr uint8_t kInherited = 0x10;         // ID
inline constexpr uint8_t kSuccessfulAccess = 0x40;  // SA
inline constexpr uint8_t kFailedAccess = 0x80;      // FA
}  // namespace ace_flags

struct Ace {
  AceType type = AceType::AccessAllowed;
  uint8_t flags = 0;
  uint32_t mask = 0;
  std::optional<Guid> objectType;           // object ACEs only
  std::optional<Guid> inheritedObjectType;  // object ACEs only
  Sid trustee;

  bool isAllow() const { return type == AceType::AccessAllowed || type == AceType::AccessAllowedObject; }
  bool isDeny() const { return type == AceType::AccessDenied || type == AceType::AccessDeniedObject; }
  bool isObjectAce() const { return static_cast<uint8_t>(type) >= 0x5; }
  bool operator==(const Ace&) const = default;
};

struct Acl {
  std::vector<Ace> aces;
  bool operator==(const Acl&) const = default;
};

struct SecurityDescriptor {
  // SE_* control bits besides SELF_RELATIVE and the *_PRESENT bits, which
  // follow from the optional members.
  uint16_t control = 0;
  std::optional<Sid> owner;
  std::optional<Sid> group;
  std::optional<Acl> dacl;
  std::optional<Acl> sacl;

  static constexpr uint16_t kDaclAutoInherited = 0x0400;
  static constexpr uint16_t kSaclAutoInherited = 0x0800;
  static constexpr uint16_t kDaclProtected = 0x1000;
  static constexpr uint16_t kSaclProtected = 0x2000;

  std::string toBinary() const;
  static Result<SecurityDescriptor> fromBinary(std::string_view bytes);
  bool operator==(const SecurityDescriptor&) const = default;
};

// Turns trustee names into SIDs and SIDs into names. Any member may be empty.
struct TrusteeResolver {
  std::optional<Sid> domainSid;  // for domain-relative aliases (DA, DU, DC, ...)
  std::function<std::optional<Sid>(std::string_view name)> sidOfName;
  std::function<std::optional<std::string>(const Sid& sid)> nameOfSid;
};

// Parses SDDL; errors are invalidAttributeSyntax with the offending token.
Result<SecurityDescriptor> parseSddl(std::string_view sddl, const TrusteeResolver& resolver);
// Formats as Windows' ConvertSecurityDescriptorToStringSecurityDescriptor
// would (aliases for well-known SIDs, SIDs for the rest).
std::string formatSddl(const SecurityDescriptor& sd, const TrusteeResolver& resolver);
// Whether a token (its SIDs) is granted `rightsNeeded` by the DACL, read as
// MS-DTYP's access check does: ACEs in order, the first to decide a right
// decides it; the owner holds READ_CONTROL and WRITE_DAC. An object ACE
// applies only to `objectType`.
struct DaclDecision {
  bool granted = false;
  std::optional<Sid> deniedBy;  // the trustee of the deny ACE that refused
};
DaclDecision evaluateDacl(const SecurityDescriptor& sd, const std::vector<Sid>& token, uint32_t rightsNeeded,
                          const std::optional<Guid>& objectType = std::nullopt);

// The security descriptor an object holds under AD's inheritance (MS-ADTS
// 6.1.3; MS-DTYP 2.5.3.4.1): its explicit ACEs (inherited ones it carries
// are dropped and computed afresh), then each inheritable (CI) ACE of the
// parent's. An ACE limited to a class (InheritedObjectType) takes effect on
// objects of one of `objectClasses` (schemaIDGUIDs) and passes on to the
// rest as inherit-only; NO_PROPAGATE stops it after one level. A protected
// ACL, and a naming context's head (no `parent`), inherit nothing.
SecurityDescriptor withInheritedAces(SecurityDescriptor own, const SecurityDescriptor* parent,
                                     const std::vector<Guid>& objectClasses);

// A trustee as a person reads it: the resolver's name, else alias, else SID.
std::string trusteeDisplayName(const Sid& sid, const TrusteeResolver& resolver);

}  // namespace dcemu::dc
