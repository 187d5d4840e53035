#include "kdc/rodc_policy.h"

#include <fmt/format.h>

#include <algorithm>

namespace dcemu::kdc {

namespace {

std::optional<dc::Object> rodcObject(const dc::Directory& dir, const std::string& rodcAccount) {
  auto guid = dir.store().guidByAccountName(rodcAccount);
  if (!guid) return std::nullopt;
  auto obj = dir.readByGuid(*guid);
  return obj ? std::optional<dc::Object>(std::move(*obj)) : std::nullopt;
}

// The active linked values of `attribute` on `obj`: the GUIDs they name.
std::vector<dc::Guid> linked(const dc::Directory& dir, const dc::Object& obj, std::string_view attribute) {
  std::vector<dc::Guid> out;
  const dc::AttributeDef* def = dir.schema().attribute(attribute);
  if (!def) return out;
  for (const dc::LinkEntry* link : dir.visibleLinks(obj, *def)) out.push_back(link->target);
  return out;
}

}  // namespace

bool rodcHoldsSecret(const dc::Directory& dir, const std::string& rodcAccount, const dc::Guid& account) {
  auto rodc = rodcObject(dir, rodcAccount);
  if (!rodc) return false;
  auto revealed = linked(dir, *rodc, "msDS-RevealedUsers");
  return std::find(revealed.begin(), revealed.end(), account) != revealed.end();
}

bool rodcMayCache(const dc::Directory& dir, const std::string& rodcAccount, const dc::Guid& account, std::string* why) {
  auto refuse = [&](std::string reason) {
    if (why) *why = std::move(reason);
    return false;
  };
  auto rodc = rodcObject(dir, rodcAccount);
  if (!rodc) return refuse(fmt::format("no RODC account {}", rodcAccount));
  auto token = dir.tokenSids(account);
  if (!token) return refuse(token.status().message());
  auto inToken = [&](const dc::Guid& principal) {
    if (principal == account) return true;
    auto obj = dir.readByGuid(principal);
    auto sid = obj ? dir.objectSid(*obj) : std::nullopt;
    return sid && std::find(token->begin(), token->end(), *sid) != token->end();
  };
  for (const dc::Guid& denied : linked(dir, *rodc, "msDS-NeverRevealGroup"))
    if (inToken(denied))
      return refuse(fmt::format("{} is denied by {}'s msDS-NeverRevealGroup ({})", dir.dnOf(account).valueOr("?"),
                                rodcAccount, dir.dnOf(denied).valueOr("?")));
  for (const dc::Guid& allowed : linked(dir, *rodc, "msDS-RevealOnDemandGroup"))
    if (inToken(allowed)) return true;
  return refuse(fmt::format("{} is not in {}'s msDS-RevealOnDemandGroup", dir.dnOf(account).valueOr("?"), rodcAccount));
}

std::optional<RodcPolicyLists> rodcPolicyLists(const dc::Directory& dir, const std::string& rodcAccount) {
  auto rodc = rodcObject(dir, rodcAccount);
  if (!rodc) return std::nullopt;
  auto dns = [&](std::string_view attribute) {
    std::vector<std::string> out;
    for (const dc::Guid& guid : linked(dir, *rodc, attribute))
      if (auto dn = dir.dnOf(guid)) out.push_back(*dn);
    return out;
  };
  return RodcPolicyLists{dns("msDS-RevealOnDemandGroup"), dns("msDS-NeverRevealGroup"), dns("msDS-RevealedUsers")};
}

dc::Result<std::string> revealToRodc(dc::Directory& dir, const std::string& rodcAccount, const dc::Guid& account) {
  std::string why;
  if (!rodcMayCache(dir, rodcAccount, account, &why))
    return dc::Status(dc::LdapResult::unwillingToPerform, "the password replication policy refuses: " + why);
  auto rodc = rodcObject(dir, rodcAccount);
  auto rodcDn = dir.dnOf(rodc->guid);
  auto accountDn = dir.dnOf(account);
  if (!rodcDn || !accountDn) return dc::Status(dc::LdapResult::noSuchObject, "the RODC or the account is gone");
  if (rodcHoldsSecret(dir, rodcAccount, account)) return *rodcDn;
  DCEMU_RETURN_IF_ERROR(dir.modify(*rodcDn, {{dc::Change::Op::Add, "msDS-RevealedUsers", {*accountDn}}}));
  return *rodcDn;
}

}  // namespace dcemu::kdc
