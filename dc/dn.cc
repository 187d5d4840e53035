#include "dc/dn.h"

#include <fmt/format.h>

#include "dc/text.h"

namespace dcemu::dc {
namespace {

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Status dnError(std::string_view text, std::string_view reason) {
  return Status(LdapResult::invalidDnSyntax, fmt::format("DN \"{}\": {}", text, reason));
}

bool isAttributeTypeChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
}

}  // namespace

bool Rdn::operator==(const Rdn& other) const {
  return iequals(type, other.type) && iequals(value, other.value);
}

std::string Rdn::toString() const {
  return type + "=" + escapeRdnValue(value);
}

std::string escapeRdnValue(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (size_t i = 0; i < value.size(); ++i) {
    char c = value[i];
    bool edgeSpace = c == ' ' && (i == 0 || i + 1 == value.size());
    if (c == ',' || c == '+' || c == '"' || c == '\\' || c == '<' || c == '>' || c == ';' || c == '=' || edgeSpace ||
        (c == '#' && i == 0)) {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out += fmt::format("\\{:02X}", static_cast<unsigned char>(c));
    } else {
      out += c;
    }
  }
  return out;
}

Result<Dn> Dn::parse(std::string_view text) {
  std::vector<Rdn> rdns;
  if (trim(text).empty()) return Dn();
  size_t i = 0;
  while (true) {
    while (i < text.size() && text[i] == ' ') ++i;
    size_t typeStart = i;
    while (i < text.size() && isAttributeTypeChar(text[i])) ++i;
    Rdn rdn;
    rdn.type = std::string(text.substr(typeStart, i - typeStart));
    while (i < text.size() && text[i] == ' ') ++i;
    if (rdn.type.empty()) return dnError(text, fmt::format("missing attribute type at offset {}", typeStart));
    if (i >= text.size() || text[i] != '=') return dnError(text, fmt::format("expected '=' after \"{}\"", rdn.type));
    ++i;
    while (i < text.size() && text[i] == ' ') ++i;
    // The value runs to the next unescaped ',' (or ';', an old separator).
    size_t trailingSpaces = 0;
    for (; i < text.size() && text[i] != ',' && text[i] != ';'; ++i) {
      char c = text[i];
      if (c == '+') return dnError(text, "multi-valued RDNs are not used in AD");
      if (c == '\\') {
        if (i + 1 >= text.size()) return dnError(text, "a trailing backslash escapes nothing");
        int hi = hexValue(text[i + 1]);
        int lo = i + 2 < text.size() ? hexValue(text[i + 2]) : -1;
        if (hi >= 0 && lo >= 0) {
          rdn.value += static_cast<char>(hi << 4 | lo);
          i += 2;
        } else {
          rdn.value += text[i + 1];
          i += 1;
        }
        trailingSpaces = 0;
      } else {
        trailingSpaces = c == ' ' ? trailingSpaces + 1 : 0;
        rdn.value += c;
      }
    }
    rdn.value.resize(rdn.value.size() - trailingSpaces);
    if (rdn.value.empty()) return dnError(text, fmt::format("empty value for {}", rdn.type));
    rdns.push_back(std::move(rdn));
    if (i >= text.size()) break;
    ++i;  // the separator
  }
  return Dn(std::move(rdns));
}

Dn Dn::parent() const {
  if (rdns_.empty()) return Dn();
  return Dn(std::vector<Rdn>(rdns_.begin() + 1, rdns_.end()));
}

Dn Dn::child(Rdn rdn) const {
  std::vector<Rdn> rdns;
  rdns.reserve(rdns_.size() + 1);
  rdns.push_back(std::move(rdn));
  rdns.insert(rdns.end(), rdns_.begin(), rdns_.end());
  return Dn(std::move(rdns));
}

bool Dn::isWithin(const Dn& ancestor) const {
  if (ancestor.rdns_.size() > rdns_.size()) return false;
  size_t offset = rdns_.size() - ancestor.rdns_.size();
  for (size_t i = 0; i < ancestor.rdns_.size(); ++i)
    if (!(rdns_[offset + i] == ancestor.rdns_[i])) return false;
  return true;
}

std::vector<Rdn> Dn::relativeTo(const Dn& ancestor) const {
  return std::vector<Rdn>(rdns_.begin(), rdns_.end() - static_cast<long>(ancestor.rdns_.size()));
}

std::string Dn::toString() const {
  std::string out;
  for (const Rdn& rdn : rdns_) {
    if (!out.empty()) out += ',';
    out += rdn.toString();
  }
  return out;
}

}  // namespace dcemu::dc
