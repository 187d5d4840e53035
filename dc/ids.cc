#include "dc/ids.h"

#include <fmt/format.h>

#include <cassert>
#include <charconv>
#include <cstring>

#include "dc/rng.h"

namespace dcemu::dc {
namespace {

std::optional<uint8_t> hexNibble(char c) {
  if (c >= '0' && c <= '9') return static_cast<uint8_t>(c - '0');
  if (c >= 'a' && c <= 'f') return static_cast<uint8_t>(c - 'a' + 10);
  if (c >= 'A' && c <= 'F') return static_cast<uint8_t>(c - 'A' + 10);
  return std::nullopt;
}

// Parses an unsigned decimal that must fill `text` exactly.
template <typename T>
std::optional<T> parseDecimal(std::string_view text) {
  T value{};
  if (text.empty()) return std::nullopt;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace

Guid Guid::fromBytes(std::string_view raw) {
  assert(raw.size() == 16);
  Guid g;
  std::memcpy(g.bytes.data(), raw.data(), 16);
  return g;
}

std::optional<Guid> Guid::parse(std::string_view text) {
  if (text.size() == 38 && text.front() == '{' && text.back() == '}') text = text.substr(1, 36);
  if (text.size() != 36) return std::nullopt;
  // Text order of the 16 bytes; the first three groups are little-endian in
  // the binary layout.
  static constexpr int kBinaryIndex[16] = {3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15};
  Guid g;
  int byte = 0;
  for (size_t i = 0; i < text.size();) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (text[i] != '-') return std::nullopt;
      ++i;
      continue;
    }
    auto hi = hexNibble(text[i]);
    auto lo = hexNibble(text[i + 1]);
    if (!hi || !lo) return std::nullopt;
    g.bytes[kBinaryIndex[byte++]] = static_cast<uint8_t>(*hi << 4 | *lo);
    i += 2;
  }
  return g;
}

Guid Guid::random(Rng& rng) {
  Guid g;
  uint64_t a = rng.next(), b = rng.next();
  std::memcpy(g.bytes.data(), &a, 8);
  std::memcpy(g.bytes.data() + 8, &b, 8);
  g.bytes[7] = static_cast<uint8_t>((g.bytes[7] & 0x0f) | 0x40);  // version 4
  g.bytes[8] = static_cast<uint8_t>((g.bytes[8] & 0x3f) | 0x80);  // RFC 4122 variant
  return g;
}

bool Guid::isNull() const {
  for (uint8_t b : bytes)
    if (b != 0) return false;
  return true;
}

std::string Guid::toString() const {
  const auto& b = bytes;
  return fmt::format(
      "{:02x}{:02x}{:02x}{:02x}-{:02x}{:02x}-{:02x}{:02x}-{:02x}{:02x}-"
      "{:02x}{:02x}{:02x}{:02x}{:02x}{:02x}",
      b[3], b[2], b[1], b[0], b[5], b[4], b[7], b[6], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}

std::optional<Sid> Sid::parse(std::string_view text) {
  if (text.size() < 4 || (text[0] != 'S' && text[0] != 's') || text.substr(1, 3) != "-1-") return std::nullopt;
  text.remove_prefix(4);
  Sid sid;
  size_t dash = text.find('-');
  auto authority = parseDecimal<uint64_t>(text.substr(0, dash));
  if (!authority || *authority >= (1ULL << 48)) return std::nullopt;
  sid.authority = *authority;
  while (dash != std::string_view::npos) {
    text.remove_prefix(dash + 1);
    dash = text.find('-');
    auto sub = parseDecimal<uint32_t>(text.substr(0, dash));
    if (!sub) return std::nullopt;
    sid.subAuthorities.push_back(*sub);
  }
  if (sid.subAuthorities.size() > 15) return std::nullopt;  // MS-DTYP's limit
  return sid;
}

std::optional<Sid> Sid::fromBytes(std::string_view raw) {
  if (raw.size() < 8 || static_cast<uint8_t>(raw[0]) != 1) return std::nullopt;
  size_t count = static_cast<uint8_t>(raw[1]);
  if (count > 15 || raw.size() != 8 + 4 * count) return std::nullopt;
  Sid sid;
  for (int i = 2; i < 8; ++i) sid.authority = sid.authority << 8 | static_cast<uint8_t>(raw[i]);
  for (size_t i = 0; i < count; ++i) {
    uint32_t sub = 0;
    std::memcpy(&sub, raw.data() + 8 + 4 * i, 4);  // little-endian, as the host
    sid.subAuthorities.push_back(sub);
  }
  return sid;
}

std::string Sid::toString() const {
  std::string out = fmt::format("S-1-{}", authority);
  for (uint32_t sub : subAuthorities) fmt::format_to(std::back_inserter(out), "-{}", sub);
  return out;
}

std::string Sid::toBytes() const {
  std::string out(binarySize(), '\0');
  out[0] = 1;
  out[1] = static_cast<char>(subAuthorities.size());
  for (int i = 0; i < 6; ++i) out[2 + i] = static_cast<char>(authority >> (8 * (5 - i)));
  for (size_t i = 0; i < subAuthorities.size(); ++i) std::memcpy(out.data() + 8 + 4 * i, &subAuthorities[i], 4);
  return out;
}

Sid Sid::withRid(uint32_t rid) const {
  Sid sid = *this;
  sid.subAuthorities.push_back(rid);
  return sid;
}

}  // namespace dcemu::dc
