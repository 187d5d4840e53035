// Identifiers AD puts on the wire: GUIDs (objectGUID, invocationID, schema
// GUIDs) and SIDs, kept in their binary Windows layouts so that what the
// store persists and replicates is what Windows would.
#pragma once

#include <array>
#include <bit>
#include <compare>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dcemu::dc {

class Rng;

// A GUID in its 16-byte Windows layout (first three fields little-endian).
struct Guid {
  std::array<uint8_t, 16> bytes{};

  static Guid fromBytes(std::string_view raw);              // raw.size() must be 16
  static std::optional<Guid> parse(std::string_view text);  // with or without braces
  static Guid random(Rng& rng);                             // version-4 layout

  bool isNull() const;
  std::string toString() const;  // lowercase, no braces, as repadmin prints
  std::string_view asBytes() const { return {reinterpret_cast<const char*>(bytes.data()), bytes.size()}; }
  // Windows compares GUIDs as 16 raw bytes when a replication tie needs a
  // winner; so do we. Compared as two big-endian words, which order them as
  // their bytes do, rather than by a call to memcmp: GUIDs are compared in
  // every ordered map of objects and DCs and for every up-to-dateness
  // cursor, and those calls were most of the simulator's memcmp samples.
  std::strong_ordering operator<=>(const Guid& other) const {
    uint64_t high = word(0), otherHigh = other.word(0);
    if (high != otherHigh) return high <=> otherHigh;
    return word(1) <=> other.word(1);
  }
  bool operator==(const Guid& other) const { return word(0) == other.word(0) && word(1) == other.word(1); }

 private:
  // Bytes 8i to 8i+7 as a big-endian number.
  uint64_t word(int i) const {
    uint64_t raw;
    std::memcpy(&raw, bytes.data() + 8 * i, sizeof raw);
    if constexpr (std::endian::native == std::endian::little) raw = __builtin_bswap64(raw);
    return raw;
  }
};

// For hashed containers of GUIDs whose order never reaches output. A
// GUID's bytes are random (or a name's hash), so eight of them hash it.
struct GuidHash {
  size_t operator()(const Guid& guid) const {
    uint64_t first;
    std::memcpy(&first, guid.bytes.data(), sizeof first);
    return first;
  }
};

// A security identifier: S-1-<authority>-<sub>-<sub>...
struct Sid {
  uint64_t authority = 0;  // 48 bits
  std::vector<uint32_t> subAuthorities;

  static std::optional<Sid> parse(std::string_view text);     // "S-1-5-21-..."
  static std::optional<Sid> fromBytes(std::string_view raw);  // MS-DTYP binary
  std::string toString() const;
  std::string toBytes() const;
  size_t binarySize() const { return 8 + 4 * subAuthorities.size(); }

  uint32_t rid() const { return subAuthorities.empty() ? 0 : subAuthorities.back(); }
  Sid withRid(uint32_t rid) const;  // this SID (a domain SID) with one more sub-authority

  auto operator<=>(const Sid&) const = default;
};

}  // namespace dcemu::dc
