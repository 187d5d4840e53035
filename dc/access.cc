// Directory: access checks against an object's DACL and the security
// descriptor a new object gets (class default plus what its parent passes
// down), simplified from MS-ADTS 5.1.3 as described at each step.
#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

#include "dc/directory.h"
#include "dc/directory_internal.h"
#include "dc/schema_guids.h"

namespace dcemu::dc {

Guid schemaIdGuid(std::string_view oid) {
  // Every attribute and class of the compiled-in schema has Windows' GUID
  // (checked by schema_test), so a miss is a schema table without its GUID.
  if (auto known = windowsSchemaIdGuid(oid)) return *known;
  throw std::logic_error(fmt::format("schema OID {} has no schemaIDGUID in dc/schema_guids.cc", oid));
}

DaclDecision evaluateDacl(const SecurityDescriptor& sd, const std::vector<Sid>& token, uint32_t rightsNeeded,
                          const std::optional<Guid>& objectType) {
  if (!sd.dacl) return {true, std::nullopt};  // a NULL DACL grants everything
  auto holds = [&](const Sid& sid) { return std::find(token.begin(), token.end(), sid) != token.end(); };
  uint32_t granted = 0;
  if (sd.owner && holds(*sd.owner)) granted |= rights::kReadControl | rights::kWriteDac;
  // ACEs in order: the first that decides a right decides it.
  for (const Ace& ace : sd.dacl->aces) {
    if ((granted & rightsNeeded) == rightsNeeded) break;
    if (ace.flags & ace_flags::kInheritOnly) continue;
    if (!ace.isAllow() && !ace.isDeny()) continue;
    if (!holds(ace.trustee)) continue;
    if (ace.objectType && (!objectType || *ace.objectType != *objectType)) continue;
    uint32_t mask = rights::mapGeneric(ace.mask) & rightsNeeded & ~granted;
    if (mask == 0) continue;
    if (ace.isDeny()) return {false, ace.trustee};
    granted |= mask;
  }
  return {(granted & rightsNeeded) == rightsNeeded, std::nullopt};
}

Status Directory::checkAccess(const Object& obj, uint32_t rightsNeeded, const std::optional<Guid>& objectType,
                              const Principal& requester, std::string_view dn, std::string_view what) const {
  if (requester.system) return Status::ok();
  const std::string* bytes = obj.firstValue(attributeIds().nTSecurityDescriptor);
  if (!bytes) return Status::ok();  // no security descriptor: nothing restricts
  auto sd = SecurityDescriptor::fromBinary(*bytes);
  if (!sd) return Status::ok();
  DaclDecision decision = evaluateDacl(*sd, requester.sids, rightsNeeded, objectType);
  if (decision.granted) return Status::ok();
  if (decision.deniedBy)
    return Status(LdapResult::insufficientAccessRights, fmt::format("{}: access denied to {} (denied by an ACE for {})",
                                                                    dn, what, decision.deniedBy->toString()));
  return Status(LdapResult::insufficientAccessRights, fmt::format("{}: access denied to {}", dn, what));
}

namespace {

// The inherited ACEs `parentAcl` passes to a child of `objectClasses`.
void inheritInto(Acl& acl, const Acl& parentAcl, const std::vector<Guid>& objectClasses) {
  for (const Ace& ace : parentAcl.aces) {
    if (!(ace.flags & ace_flags::kContainerInherit)) continue;
    bool applies = !ace.inheritedObjectType || std::find(objectClasses.begin(), objectClasses.end(),
                                                         *ace.inheritedObjectType) != objectClasses.end();
    Ace inherited = ace;
    inherited.flags |= ace_flags::kInherited;
    if (ace.flags & ace_flags::kNoPropagate) {
      if (!applies) continue;
      inherited.flags &= static_cast<uint8_t>(~(ace_flags::kObjectInherit | ace_flags::kContainerInherit |
                                                ace_flags::kNoPropagate | ace_flags::kInheritOnly));
    } else if (applies) {
      inherited.flags &= static_cast<uint8_t>(~ace_flags::kInheritOnly);
    } else {
      inherited.flags |= ace_flags::kInheritOnly;
    }
    acl.aces.push_back(inherited);
  }
}

void reinherit(std::optional<Acl>& acl, const std::optional<Acl>& parentAcl, bool isProtected,
               const std::vector<Guid>& objectClasses) {
  if (acl) std::erase_if(acl->aces, [](const Ace& ace) { return ace.flags & ace_flags::kInherited; });
  if (isProtected || !parentAcl) return;
  if (!acl) acl = Acl{};
  inheritInto(*acl, *parentAcl, objectClasses);
}

}  // namespace

SecurityDescriptor withInheritedAces(SecurityDescriptor own, const SecurityDescriptor* parent,
                                     const std::vector<Guid>& objectClasses) {
  std::optional<Acl> none;
  reinherit(own.dacl, parent ? parent->dacl : none, own.control & SecurityDescriptor::kDaclProtected, objectClasses);
  reinherit(own.sacl, parent ? parent->sacl : none, own.control & SecurityDescriptor::kSaclProtected, objectClasses);
  return own;
}

std::vector<Guid> Directory::classGuids(const ClassDef& cls) const {
  std::vector<Guid> guids;
  for (const ClassDef* c : schema_.classChain(cls)) guids.push_back(schemaIdGuid(c->oid));
  return guids;
}

std::string Directory::newObjectSecurityDescriptor(const Object* parent, const ClassDef& cls,
                                                   const std::string* given) const {
  SecurityDescriptor sd;
  std::optional<Result<SecurityDescriptor>> decoded;
  if (given) decoded = SecurityDescriptor::fromBinary(*given);
  if (decoded && *decoded) {
    sd = std::move(**decoded);
  } else {
    sd.control = SecurityDescriptor::kDaclAutoInherited;
    Sid system = *Sid::parse("S-1-5-18");
    Sid owner = domainSid_ ? domainSid_->withRid(512) : system;
    sd.owner = owner;
    sd.group = owner;
    Acl dacl;
    // The explicit part of AD's defaultSecurityDescriptor for most classes.
    dacl.aces.push_back(Ace{AceType::AccessAllowed, 0, rights::kAdsAll, {}, {}, owner});
    dacl.aces.push_back(Ace{AceType::AccessAllowed, 0, rights::kAdsAll, {}, {}, system});
    dacl.aces.push_back(Ace{AceType::AccessAllowed, 0, rights::kAdsRead, {}, {}, *Sid::parse("S-1-5-11")});
    sd.dacl = std::move(dacl);
  }
  std::optional<SecurityDescriptor> parentSd;
  if (const std::string* bytes = parent ? parent->firstValue(attributeIds().nTSecurityDescriptor) : nullptr) {
    if (auto parentDecoded = SecurityDescriptor::fromBinary(*bytes)) parentSd = std::move(*parentDecoded);
  }
  return withInheritedAces(std::move(sd), parentSd ? &*parentSd : nullptr, classGuids(cls)).toBinary();
}

}  // namespace dcemu::dc
