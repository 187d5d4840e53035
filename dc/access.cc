// Directory: access checks against an object's DACL and the security
// descriptor a new object gets (class default plus what its parent passes
// down), simplified from MS-ADTS 5.1.3 as described at each step.
#include <fmt/format.h>

#include <algorithm>

#include "dc/directory.h"
#include "dc/directory_internal.h"

namespace dcemu::dc {

namespace {

// schemaIDGUIDs as Windows' schema has them (MS-ADA1/2/3, MS-ADSC), so that
// object ACEs copied from a real domain mean the same here. Not yet every
// attribute and class: the others get a stable GUID derived from the OID.
struct KnownSchemaGuid {
  const char* oid;
  const char* guid;
};
constexpr KnownSchemaGuid kKnownSchemaGuids[] = {
    {"1.2.840.113556.1.4.2", "bf9679e7-0de6-11d0-a285-00aa003049e2"},     // objectGUID
    {"1.2.840.113556.1.2.48", "bf96798f-0de6-11d0-a285-00aa003049e2"},    // isDeleted
    {"1.2.840.113556.1.4.302", "6e7b626c-64f2-11d0-afd2-00c04fd930c9"},   // sAMAccountType
    {"1.2.840.113556.1.2.54", "16c3a860-1273-11d0-a060-00aa006c33ed"},    // tombstoneLifetime
    {"1.2.840.113556.1.4.1928", "303d9f4a-1dd6-4b38-8fc5-33afe8c988ad"},  // msDS-RevealOnDemandGroup
    {"1.2.840.113556.1.4.1926", "15585999-fd49-4d66-b25d-eeb96aba8174"},  // msDS-NeverRevealGroup
    {"1.2.840.113556.1.4.2200", "888eedd6-ce04-df40-b462-b8a50e41ba38"},  // msDS-GroupMSAMembership
    {"1.2.840.113556.1.4.2373", "3752e002-43be-48c8-b3ca-2cb2fffbc8a1"},  // msDS-SupersededManagedAccountLink
    {"1.2.840.113556.1.4.2374", "fa05730a-9efd-4bba-a4a6-1c9e54ef57d5"},  // msDS-SupersededManagedAccountLinkBL
    {"1.2.840.113556.1.3.30", "bf967a86-0de6-11d0-a285-00aa003049e2"},    // computer
    {"1.2.840.113556.1.5.264", "ce206244-5827-4a86-ba1c-1c0c386c1b64"},   // msDS-ManagedServiceAccount
    {"1.2.840.113556.1.5.282", "7b8b558a-93a5-4af7-adca-c017e67f1057"},   // msDS-GroupManagedServiceAccount
};

}  // namespace

Guid schemaIdGuid(std::string_view oid) {
  for (const KnownSchemaGuid& known : kKnownSchemaGuids)
    if (oid == known.oid) return *Guid::parse(known.guid);
  // Two FNV-1a passes with different offsets, mixed: stable across builds.
  auto fnv = [&](uint64_t basis) {
    uint64_t h = basis;
    for (char c : oid) h = (h ^ static_cast<uint8_t>(c)) * 0x100000001b3ULL;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    return h;
  };
  uint64_t a = fnv(0xcbf29ce484222325ULL), b = fnv(0x84222325cbf29ce4ULL);
  Guid g;
  for (int i = 0; i < 8; ++i) {
    g.bytes[i] = static_cast<uint8_t>(a >> (8 * i));
    g.bytes[8 + i] = static_cast<uint8_t>(b >> (8 * i));
  }
  return g;
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

std::string Directory::defaultSecurityDescriptor(const Object& parent, const ClassDef& cls) const {
  SecurityDescriptor sd;
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
  // Inheritable ACEs of the parent, marked inherited. An ACE limited to a
  // class applies to objects of that class and passes on to containers as
  // inherit-only; NP stops it after one level.
  if (const std::string* bytes = parent.firstValue(attributeIds().nTSecurityDescriptor)) {
    auto parentSd = SecurityDescriptor::fromBinary(*bytes);
    if (parentSd && parentSd->dacl) {
      for (const Ace& ace : parentSd->dacl->aces) {
        if (!(ace.flags & ace_flags::kContainerInherit)) continue;
        bool applies = !ace.inheritedObjectType;
        for (const ClassDef* c : schema_.classChain(cls))
          if (ace.inheritedObjectType && *ace.inheritedObjectType == schemaIdGuid(c->oid)) applies = true;
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
        dacl.aces.push_back(inherited);
      }
    }
  }
  sd.dacl = std::move(dacl);
  return sd.toBinary();
}

}  // namespace dcemu::dc
