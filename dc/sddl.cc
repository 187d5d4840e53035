// SDDL (MS-DTYP 2.5.1) for the parts AD uses.
#include <fmt/format.h>

#include <array>

#include "dc/security_descriptor.h"
#include "dc/text.h"

namespace dcemu::dc {
namespace {

struct RightCode {
  std::string_view code;
  uint32_t mask;
};

// Windows' output order for directory rights.
constexpr std::array<RightCode, 17> kRightCodes = {{
    {"CC", rights::kCreateChild},
    {"DC", rights::kDeleteChild},
    {"LC", rights::kListChildren},
    {"SW", rights::kSelfWrite},
    {"RP", rights::kReadProperty},
    {"WP", rights::kWriteProperty},
    {"DT", rights::kDeleteTree},
    {"LO", rights::kListObject},
    {"CR", rights::kControlAccess},
    {"SD", rights::kDelete},
    {"RC", rights::kReadControl},
    {"WD", rights::kWriteDac},
    {"WO", rights::kWriteOwner},
    {"GA", rights::kGenericAll},
    {"GX", rights::kGenericExecute},
    {"GW", rights::kGenericWrite},
    {"GR", rights::kGenericRead},
}};

// File and registry composites Windows accepts on input.
constexpr std::array<RightCode, 8> kInputOnlyRights = {{
    {"FA", 0x1F01FF},
    {"FR", 0x120089},
    {"FW", 0x120116},
    {"FX", 0x1200A0},
    {"KA", 0xF003F},
    {"KR", 0x20019},
    {"KW", 0x20006},
    {"KX", 0x20019},
}};

struct SidAlias {
  std::string_view alias;
  std::string_view sid;  // whole SID, or "-RID" relative to the domain
};

constexpr std::array<SidAlias, 45> kSidAliases = {{
    {"WD", "S-1-1-0"},      {"CO", "S-1-3-0"},      {"CG", "S-1-3-1"},      {"OW", "S-1-3-4"},
    {"NU", "S-1-5-2"},      {"IU", "S-1-5-4"},      {"SU", "S-1-5-6"},      {"AN", "S-1-5-7"},
    {"ED", "S-1-5-9"},      {"PS", "S-1-5-10"},     {"AU", "S-1-5-11"},     {"RC", "S-1-5-12"},
    {"SY", "S-1-5-18"},     {"LS", "S-1-5-19"},     {"NS", "S-1-5-20"},     {"BA", "S-1-5-32-544"},
    {"BU", "S-1-5-32-545"}, {"BG", "S-1-5-32-546"}, {"PU", "S-1-5-32-547"}, {"AO", "S-1-5-32-548"},
    {"SO", "S-1-5-32-549"}, {"PO", "S-1-5-32-550"}, {"BO", "S-1-5-32-551"}, {"RE", "S-1-5-32-552"},
    {"RU", "S-1-5-32-554"}, {"RD", "S-1-5-32-555"}, {"NO", "S-1-5-32-556"}, {"LA", "-500"},
    {"LG", "-501"},         {"DA", "-512"},         {"DU", "-513"},         {"DG", "-514"},
    {"DC", "-515"},         {"DD", "-516"},         {"CA", "-517"},         {"SA", "-518"},
    {"EA", "-519"},         {"PA", "-520"},         {"RO", "-498"},         {"CN", "-522"},
    {"AP", "-525"},         {"KA", "-526"},         {"EK", "-527"},         {"RS", "-553"},
    {"ER", "S-1-5-32-573"},
}};

std::optional<Sid> aliasSid(std::string_view alias, const TrusteeResolver& resolver) {
  for (const SidAlias& a : kSidAliases) {
    if (!iequals(a.alias, alias)) continue;
    if (a.sid.front() != '-') return Sid::parse(a.sid);
    if (!resolver.domainSid) return std::nullopt;
    return resolver.domainSid->withRid(static_cast<uint32_t>(std::stoul(std::string(a.sid.substr(1)))));
  }
  return std::nullopt;
}

std::optional<std::string_view> aliasOf(const Sid& sid, const TrusteeResolver& resolver) {
  for (const SidAlias& a : kSidAliases) {
    if (a.sid.front() != '-') {
      if (Sid::parse(a.sid) == sid) return a.alias;
    } else if (resolver.domainSid && sid.subAuthorities.size() == resolver.domainSid->subAuthorities.size() + 1 &&
               sid.authority == resolver.domainSid->authority && resolver.domainSid->withRid(sid.rid()) == sid &&
               std::to_string(sid.rid()) == a.sid.substr(1)) {
      return a.alias;
    }
  }
  return std::nullopt;
}

Status sddlError(std::string_view sddl, std::string_view why) {
  return Status(LdapResult::invalidAttributeSyntax, fmt::format("SDDL \"{}\": {}", sddl, why));
}

Result<Sid> parseTrustee(std::string_view sddl, std::string_view token, const TrusteeResolver& resolver) {
  token = trim(token);
  if (token.size() > 2 && (token[0] == 'S' || token[0] == 's') && token[1] == '-') {
    if (auto sid = Sid::parse(token)) return *sid;
    return sddlError(sddl, fmt::format("\"{}\" is not a valid SID", token));
  }
  if (token.size() == 2) {
    if (auto sid = aliasSid(token, resolver)) return *sid;
  }
  if (resolver.sidOfName) {
    if (auto sid = resolver.sidOfName(token)) return *sid;
  }
  return sddlError(sddl, fmt::format("trustee \"{}\" is not a SID, an alias or a known account", token));
}

Result<uint32_t> parseRights(std::string_view sddl, std::string_view token) {
  token = trim(token);
  if (token.size() > 2 && token[0] == '0' && (token[1] == 'x' || token[1] == 'X')) {
    uint32_t mask = 0;
    for (char c : token.substr(2)) {
      int v = (c >= '0' && c <= '9')   ? c - '0'
              : (c >= 'a' && c <= 'f') ? c - 'a' + 10
              : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                       : -1;
      if (v < 0 || mask > 0x0fffffff) return sddlError(sddl, fmt::format("bad rights mask \"{}\"", token));
      mask = mask << 4 | static_cast<uint32_t>(v);
    }
    return mask;
  }
  if (token.size() % 2 != 0) return sddlError(sddl, fmt::format("bad rights string \"{}\"", token));
  uint32_t mask = 0;
  for (size_t i = 0; i < token.size(); i += 2) {
    std::string_view code = token.substr(i, 2);
    auto lookup = [&](const auto& table) {
      for (const RightCode& rc : table) {
        if (iequals(rc.code, code)) {
          mask |= rc.mask;
          return true;
        }
      }
      return false;
    };
    bool found = lookup(kRightCodes) || lookup(kInputOnlyRights);
    if (!found) return sddlError(sddl, fmt::format("unknown right \"{}\"", code));
  }
  return mask;
}

Result<Ace> parseAce(std::string_view sddl, std::string_view body, const TrusteeResolver& resolver) {
  std::array<std::string_view, 6> fields;
  size_t n = 0;
  size_t start = 0;
  for (size_t i = 0; i <= body.size(); ++i) {
    if (i == body.size() || body[i] == ';') {
      if (n == fields.size()) return sddlError(sddl, fmt::format("ACE \"({})\" has more than 6 fields", body));
      fields[n++] = body.substr(start, i - start);
      start = i + 1;
    }
  }
  if (n != 6) return sddlError(sddl, fmt::format("ACE \"({})\" has {} fields, not 6", body, n));
  Ace ace;
  std::string_view type = trim(fields[0]);
  if (iequals(type, "A"))
    ace.type = AceType::AccessAllowed;
  else if (iequals(type, "D"))
    ace.type = AceType::AccessDenied;
  else if (iequals(type, "AU"))
    ace.type = AceType::SystemAudit;
  else if (iequals(type, "OA"))
    ace.type = AceType::AccessAllowedObject;
  else if (iequals(type, "OD"))
    ace.type = AceType::AccessDeniedObject;
  else if (iequals(type, "OU"))
    ace.type = AceType::SystemAuditObject;
  else
    return sddlError(sddl, fmt::format("unknown ACE type \"{}\"", type));

  std::string_view flags = trim(fields[1]);
  if (flags.size() % 2 != 0) return sddlError(sddl, fmt::format("bad ACE flags \"{}\"", flags));
  for (size_t i = 0; i < flags.size(); i += 2) {
    std::string_view f = flags.substr(i, 2);
    if (iequals(f, "OI"))
      ace.flags |= ace_flags::kObjectInherit;
    else if (iequals(f, "CI"))
      ace.flags |= ace_flags::kContainerInherit;
    else if (iequals(f, "NP"))
      ace.flags |= ace_flags::kNoPropagate;
    else if (iequals(f, "IO"))
      ace.flags |= ace_flags::kInheritOnly;
    else if (iequals(f, "ID"))
      ace.flags |= ace_flags::kInherited;
    else if (iequals(f, "SA"))
      ace.flags |= ace_flags::kSuccessfulAccess;
    else if (iequals(f, "FA"))
      ace.flags |= ace_flags::kFailedAccess;
    else
      return sddlError(sddl, fmt::format("unknown ACE flag \"{}\"", f));
  }
  auto mask = parseRights(sddl, fields[2]);
  if (!mask) return mask.status();
  ace.mask = *mask;
  for (auto [field, slot] : {std::pair{fields[3], &ace.objectType}, std::pair{fields[4], &ace.inheritedObjectType}}) {
    std::string_view text = trim(field);
    if (text.empty()) continue;
    if (!ace.isObjectAce())
      return sddlError(sddl, fmt::format("GUID \"{}\" on an ACE that is not an object ACE", text));
    auto guid = Guid::parse(text);
    if (!guid) return sddlError(sddl, fmt::format("\"{}\" is not a GUID", text));
    *slot = *guid;
  }
  auto trustee = parseTrustee(sddl, fields[5], resolver);
  if (!trustee) return trustee.status();
  ace.trustee = std::move(*trustee);
  return ace;
}

// Parses "<flags>(ace)(ace)..." for D: or S:.
Result<Acl> parseAcl(std::string_view sddl, std::string_view text, uint16_t& control, bool isDacl,
                     const TrusteeResolver& resolver) {
  Acl acl;
  size_t i = 0;
  while (i < text.size() && text[i] != '(') {
    if (text.substr(i, 2) == "AI") {
      control |= isDacl ? SecurityDescriptor::kDaclAutoInherited : SecurityDescriptor::kSaclAutoInherited;
      i += 2;
    } else if (text.substr(i, 2) == "AR") {
      i += 2;  // auto-inherit-required is a request flag, not kept
    } else if (text[i] == 'P') {
      control |= isDacl ? SecurityDescriptor::kDaclProtected : SecurityDescriptor::kSaclProtected;
      i += 1;
    } else if (text[i] == ' ') {
      ++i;
    } else {
      return sddlError(sddl, fmt::format("unknown ACL flag at \"{}\"", text.substr(i)));
    }
  }
  while (i < text.size()) {
    if (text[i] == ' ') {
      ++i;
      continue;
    }
    if (text[i] != '(') return sddlError(sddl, fmt::format("expected '(' at \"{}\"", text.substr(i)));
    size_t close = text.find(')', i);
    if (close == std::string_view::npos) return sddlError(sddl, "an ACE is missing its ')'");
    auto ace = parseAce(sddl, text.substr(i + 1, close - i - 1), resolver);
    if (!ace) return ace.status();
    acl.aces.push_back(std::move(*ace));
    i = close + 1;
  }
  return acl;
}

std::string formatRights(uint32_t mask) {
  std::string out;
  uint32_t rest = mask;
  for (const RightCode& rc : kRightCodes) {
    if ((rest & rc.mask) == rc.mask) {
      out += rc.code;
      rest &= ~rc.mask;
    }
  }
  if (rest != 0 || out.empty()) return fmt::format("0x{:x}", mask);
  return out;
}

std::string formatSid(const Sid& sid, const TrusteeResolver& resolver) {
  if (auto alias = aliasOf(sid, resolver)) return std::string(*alias);
  return sid.toString();
}

void formatAcl(std::string& out, const Acl& acl, bool isProtected, bool autoInherited, const TrusteeResolver& r) {
  if (isProtected) out += 'P';
  if (autoInherited) out += "AI";
  for (const Ace& ace : acl.aces) {
    static constexpr std::string_view kTypes[] = {"A", "D", "AU", "", "", "OA", "OD", "OU"};
    out += '(';
    out += kTypes[static_cast<uint8_t>(ace.type)];
    out += ';';
    static constexpr std::pair<uint8_t, std::string_view> kFlags[] = {
        {ace_flags::kObjectInherit, "OI"}, {ace_flags::kContainerInherit, "CI"}, {ace_flags::kNoPropagate, "NP"},
        {ace_flags::kInheritOnly, "IO"},   {ace_flags::kInherited, "ID"},        {ace_flags::kSuccessfulAccess, "SA"},
        {ace_flags::kFailedAccess, "FA"}};
    for (auto [bit, code] : kFlags)
      if (ace.flags & bit) out += code;
    out += ';';
    out += formatRights(ace.mask);
    out += ';';
    if (ace.objectType) out += ace.objectType->toString();
    out += ';';
    if (ace.inheritedObjectType) out += ace.inheritedObjectType->toString();
    out += ';';
    out += formatSid(ace.trustee, r);
    out += ')';
  }
}

}  // namespace

Result<SecurityDescriptor> parseSddl(std::string_view sddl, const TrusteeResolver& resolver) {
  SecurityDescriptor sd;
  std::string_view text = trim(sddl);
  if (text.empty()) return sddlError(sddl, "empty");
  // Sections start with O:, G:, D: or S:.
  size_t i = 0;
  while (i < text.size()) {
    if (i + 1 >= text.size() || text[i + 1] != ':')
      return sddlError(sddl, fmt::format("expected O:, G:, D: or S: at \"{}\"", text.substr(i)));
    char kind = text[i];
    // A section runs to the next marker outside parentheses.
    size_t end = i + 2;
    for (int depth = 0; end < text.size(); ++end) {
      char c = text[end];
      if (c == '(') ++depth;
      if (c == ')') --depth;
      if (depth == 0 && end + 1 < text.size() && text[end + 1] == ':' &&
          std::string_view("OGDS").find(c) != std::string_view::npos)
        break;
    }
    std::string_view body = text.substr(i + 2, end - i - 2);
    switch (kind) {
      case 'O':
      case 'G': {
        auto sid = parseTrustee(sddl, body, resolver);
        if (!sid) return sid.status();
        (kind == 'O' ? sd.owner : sd.group) = std::move(*sid);
        break;
      }
      case 'D':
      case 'S': {
        auto acl = parseAcl(sddl, body, sd.control, kind == 'D', resolver);
        if (!acl) return acl.status();
        (kind == 'D' ? sd.dacl : sd.sacl) = std::move(*acl);
        break;
      }
      default: return sddlError(sddl, fmt::format("unknown section \"{}:\"", kind));
    }
    i = end;
  }
  return sd;
}

std::string formatSddl(const SecurityDescriptor& sd, const TrusteeResolver& resolver) {
  std::string out;
  if (sd.owner) out += "O:" + formatSid(*sd.owner, resolver);
  if (sd.group) out += "G:" + formatSid(*sd.group, resolver);
  if (sd.dacl) {
    out += "D:";
    formatAcl(out, *sd.dacl, sd.control & SecurityDescriptor::kDaclProtected,
              sd.control & SecurityDescriptor::kDaclAutoInherited, resolver);
  }
  if (sd.sacl) {
    out += "S:";
    formatAcl(out, *sd.sacl, sd.control & SecurityDescriptor::kSaclProtected,
              sd.control & SecurityDescriptor::kSaclAutoInherited, resolver);
  }
  return out;
}

std::string trusteeDisplayName(const Sid& sid, const TrusteeResolver& resolver) {
  if (resolver.nameOfSid) {
    if (auto name = resolver.nameOfSid(sid)) return *name;
  }
  return formatSid(sid, resolver);
}

}  // namespace dcemu::dc
