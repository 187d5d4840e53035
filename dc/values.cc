#include "dc/values.h"

#include <fmt/format.h>

#include <charconv>
#include <chrono>
#include <cstring>

#include "dc/text.h"

namespace dcemu::dc {
namespace {

Status syntaxError(const AttributeDef& attr, std::string_view objectDn, std::string_view why) {
  return Status(LdapResult::invalidAttributeSyntax, fmt::format("{}: {}: {}", objectDn, attr.name, why));
}

Status rangeError(const AttributeDef& attr, std::string_view objectDn, std::string_view why) {
  return Status(LdapResult::constraintViolation, fmt::format("{}: {}: {}", objectDn, attr.name, why));
}

std::optional<int64_t> parseInteger(std::string_view text) {
  int64_t value = 0;
  text = trim(text);
  if (text.empty()) return std::nullopt;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// Code points in well-formed UTF-8, or none when malformed.
std::optional<size_t> utf8Length(std::string_view text) {
  size_t count = 0;
  for (size_t i = 0; i < text.size(); ++count) {
    auto c = static_cast<unsigned char>(text[i]);
    size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
    if (len == 0 || i + len > text.size()) return std::nullopt;
    for (size_t k = 1; k < len; ++k)
      if ((static_cast<unsigned char>(text[i + k]) >> 6) != 0x2) return std::nullopt;
    i += len;
  }
  return count;
}

std::string hex(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() * 2);
  for (char b : bytes) out += fmt::format("{:02x}", static_cast<unsigned char>(b));
  return out;
}

std::optional<std::string> unhex(std::string_view text) {
  if (text.size() % 2 != 0) return std::nullopt;
  std::string out;
  for (size_t i = 0; i < text.size(); i += 2) {
    unsigned value = 0;
    auto [end, ec] = std::from_chars(text.data() + i, text.data() + i + 2, value, 16);
    if (ec != std::errc() || end != text.data() + i + 2) return std::nullopt;
    out += static_cast<char>(value);
  }
  return out;
}

}  // namespace

std::string encodeInt32(int64_t value) {
  auto v = static_cast<uint32_t>(value);
  return std::string(reinterpret_cast<const char*>(&v), 4);
}

std::string encodeInt64(int64_t value) {
  return std::string(reinterpret_cast<const char*>(&value), 8);
}

std::string encodeBool(bool value) {
  return std::string(1, value ? '\1' : '\0');
}

int64_t decodeInteger(std::string_view bytes) {
  if (bytes.size() == 4) {
    int32_t v;
    std::memcpy(&v, bytes.data(), 4);
    return v;
  }
  int64_t v = 0;
  std::memcpy(&v, bytes.data(), std::min<size_t>(bytes.size(), 8));
  return v;
}

std::string formatGeneralizedTime(int64_t seconds) {
  using namespace std::chrono;
  sys_seconds tp{std::chrono::seconds(seconds)};
  auto day = floor<days>(tp);
  year_month_day ymd{day};
  hh_mm_ss hms{tp - day};
  return fmt::format("{:04}{:02}{:02}{:02}{:02}{:02}.0Z", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()), hms.hours().count(),
                     hms.minutes().count(), hms.seconds().count());
}

std::optional<int64_t> parseGeneralizedTime(std::string_view text) {
  // YYYYMMDDHHMMSS[.f]Z
  if (text.size() < 15 || text.back() != 'Z') return std::nullopt;
  auto field = [&](size_t at, size_t len) -> std::optional<int> {
    int v = 0;
    auto [end, ec] = std::from_chars(text.data() + at, text.data() + at + len, v);
    if (ec != std::errc() || end != text.data() + at + len) return std::nullopt;
    return v;
  };
  auto y = field(0, 4), mo = field(4, 2), d = field(6, 2), h = field(8, 2), mi = field(10, 2), s = field(12, 2);
  if (!y || !mo || !d || !h || !mi || !s || *h > 23 || *mi > 59 || *s > 59) return std::nullopt;
  using namespace std::chrono;
  year_month_day ymd{year(*y), month(static_cast<unsigned>(*mo)), day(static_cast<unsigned>(*d))};
  if (!ymd.ok()) return std::nullopt;
  return sys_days(ymd).time_since_epoch().count() * 86400LL + *h * 3600LL + *mi * 60LL + *s;
}

Result<std::string> encodeValue(const AttributeDef& attr, std::string_view text, const ValueContext& context,
                                std::string_view objectDn) {
  std::string bytes;
  switch (attr.syntax) {
    case Syntax::Boolean:
      if (iequals(trim(text), "TRUE")) return encodeBool(true);
      if (iequals(trim(text), "FALSE")) return encodeBool(false);
      return syntaxError(attr, objectDn, fmt::format("\"{}\" is not TRUE or FALSE", text));
    case Syntax::Integer: {
      auto v = parseInteger(text);
      // AD takes 32-bit values written signed or unsigned.
      if (!v || *v < INT32_MIN || *v > UINT32_MAX)
        return syntaxError(attr, objectDn, fmt::format("\"{}\" is not a 32-bit integer", text));
      if (attr.rangeUpper && *v > *attr.rangeUpper)
        return rangeError(attr, objectDn, fmt::format("{} is above rangeUpper {}", *v, *attr.rangeUpper));
      return encodeInt32(*v);
    }
    case Syntax::LargeInteger: {
      auto v = parseInteger(text);
      if (!v) return syntaxError(attr, objectDn, fmt::format("\"{}\" is not a 64-bit integer", text));
      return encodeInt64(*v);
    }
    case Syntax::UnicodeString:
    case Syntax::String: {
      auto length = utf8Length(text);
      if (!length) return syntaxError(attr, objectDn, "the value is not well-formed UTF-8");
      if (*length == 0) return syntaxError(attr, objectDn, "empty string values are not allowed");
      if (attr.rangeUpper && static_cast<int64_t>(*length) > *attr.rangeUpper)
        return rangeError(attr, objectDn,
                          fmt::format("{} characters is above rangeUpper {}", *length, *attr.rangeUpper));
      return std::string(text);
    }
    case Syntax::OctetString: {
      if (auto guid = Guid::parse(text); guid && attr.guidValued) return std::string(guid->asBytes());
      std::string_view digits = text;
      if (digits.starts_with("0x") || digits.starts_with("0X")) digits.remove_prefix(2);
      auto raw = unhex(digits);
      if (!raw) return syntaxError(attr, objectDn, fmt::format("\"{}\" is not hex bytes", text));
      bytes = std::move(*raw);
      break;
    }
    case Syntax::Sid: {
      auto sid = Sid::parse(text);
      if (!sid) return syntaxError(attr, objectDn, fmt::format("\"{}\" is not a SID", text));
      bytes = sid->toBytes();
      break;
    }
    case Syntax::GeneralizedTime: {
      auto seconds = parseGeneralizedTime(text);
      if (!seconds) return syntaxError(attr, objectDn, fmt::format("\"{}\" is not a generalized time", text));
      return encodeInt64(*seconds);
    }
    case Syntax::Dn: {
      auto dn = Dn::parse(text);
      if (!dn) return syntaxError(attr, objectDn, dn.status().message());
      auto guid = context.guidOfDn(*dn);
      if (!guid) {
        return Status(guid.status().code(), fmt::format("{}: {}: {}", objectDn, attr.name, guid.status().message()));
      }
      return std::string(guid->asBytes());
    }
    case Syntax::ObjectIdentifier: {
      const Schema& schema = Schema::builtin();
      const ClassDef* cls = schema.objectClass(trim(text));
      if (!cls) {
        for (const ClassDef& c : schema.classes())
          if (c.oid == trim(text)) cls = &c;
      }
      if (!cls) return syntaxError(attr, objectDn, fmt::format("\"{}\" is not a class in the schema", text));
      return encodeInt32(cls->id);
    }
    case Syntax::ObjectCategory: {
      // A classSchema object's DN (CN=Person,CN=Schema,...) or, as AD's
      // LDAP filters accept, a class's lDAPDisplayName.
      const Schema& schema = Schema::builtin();
      const ClassDef* cls = schema.objectClass(trim(text));
      if (auto dn = Dn::parse(text); !cls && dn && !dn->rdns().empty()) cls = schema.classByCommonName(dn->rdn().value);
      if (!cls) return syntaxError(attr, objectDn, fmt::format("\"{}\" names no class of the schema", text));
      return encodeInt32(cls->id);
    }
    case Syntax::SecurityDescriptor: {
      auto sd = parseSddl(text, context.trustees);
      if (!sd) return syntaxError(attr, objectDn, sd.status().message());
      bytes = sd->toBinary();
      break;
    }
  }
  if (attr.rangeUpper && static_cast<int64_t>(bytes.size()) > *attr.rangeUpper)
    return rangeError(attr, objectDn, fmt::format("{} bytes is above rangeUpper {}", bytes.size(), *attr.rangeUpper));
  return bytes;
}

std::string formatValue(const AttributeDef& attr, std::string_view bytes, const ValueContext& context) {
  switch (attr.syntax) {
    case Syntax::Boolean: return !bytes.empty() && bytes[0] ? "TRUE" : "FALSE";
    case Syntax::Integer:
    case Syntax::LargeInteger: return std::to_string(decodeInteger(bytes));
    case Syntax::UnicodeString:
    case Syntax::String: return std::string(bytes);
    case Syntax::OctetString:
      if (bytes.size() == 16 && attr.guidValued) return Guid::fromBytes(bytes).toString();
      return hex(bytes);
    case Syntax::Sid: {
      auto sid = Sid::fromBytes(bytes);
      return sid ? sid->toString() : hex(bytes);
    }
    case Syntax::GeneralizedTime: return formatGeneralizedTime(decodeInteger(bytes));
    case Syntax::Dn: {
      if (bytes.size() != 16) return hex(bytes);
      Guid guid = Guid::fromBytes(bytes);
      auto dn = context.dnOfGuid ? context.dnOfGuid(guid) : std::nullopt;
      return dn ? *dn : "<GUID=" + guid.toString() + ">";
    }
    case Syntax::ObjectIdentifier: {
      const ClassDef* cls = Schema::builtin().classById(static_cast<uint32_t>(decodeInteger(bytes)));
      return cls ? cls->name : hex(bytes);
    }
    case Syntax::ObjectCategory: {
      const ClassDef* cls = Schema::builtin().classById(static_cast<uint32_t>(decodeInteger(bytes)));
      return cls ? fmt::format("CN={},{}", cls->commonName, context.schemaDn) : hex(bytes);
    }
    case Syntax::SecurityDescriptor: {
      auto sd = SecurityDescriptor::fromBinary(bytes);
      return sd ? formatSddl(*sd, context.trustees) : hex(bytes);
    }
  }
  return hex(bytes);
}

}  // namespace dcemu::dc
