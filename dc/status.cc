#include "dc/status.h"

#include <fmt/format.h>

namespace dcemu::dc {

std::string_view ldapResultName(LdapResult code) {
  switch (code) {
    case LdapResult::success: return "success";
    case LdapResult::operationsError: return "operationsError";
    case LdapResult::protocolError: return "protocolError";
    case LdapResult::referral: return "referral";
    case LdapResult::noSuchAttribute: return "noSuchAttribute";
    case LdapResult::undefinedAttributeType: return "undefinedAttributeType";
    case LdapResult::constraintViolation: return "constraintViolation";
    case LdapResult::attributeOrValueExists: return "attributeOrValueExists";
    case LdapResult::invalidAttributeSyntax: return "invalidAttributeSyntax";
    case LdapResult::noSuchObject: return "noSuchObject";
    case LdapResult::invalidDnSyntax: return "invalidDNSyntax";
    case LdapResult::insufficientAccessRights: return "insufficientAccessRights";
    case LdapResult::busy: return "busy";
    case LdapResult::unavailable: return "unavailable";
    case LdapResult::unwillingToPerform: return "unwillingToPerform";
    case LdapResult::namingViolation: return "namingViolation";
    case LdapResult::objectClassViolation: return "objectClassViolation";
    case LdapResult::notAllowedOnNonLeaf: return "notAllowedOnNonLeaf";
    case LdapResult::notAllowedOnRdn: return "notAllowedOnRDN";
    case LdapResult::entryAlreadyExists: return "entryAlreadyExists";
    case LdapResult::objectClassModsProhibited: return "objectClassModsProhibited";
    case LdapResult::other: return "other";
  }
  return "unknown";
}

std::string Status::toString() const {
  if (isOk()) return "success";
  return fmt::format("{} ({}): {}", ldapResultName(code_), static_cast<int>(code_), message_);
}

}  // namespace dcemu::dc
