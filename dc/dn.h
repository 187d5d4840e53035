// Distinguished names (RFC 4514, as AD writes them): parsing with escapes,
// case-insensitive comparison and formatting. AD writes the line feed of a
// mangled RDN (CNF:, DEL:) as "\0A"; so does this.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "dc/status.h"

namespace dcemu::dc {

struct Rdn {
  std::string type;   // as written, e.g. "CN"
  std::string value;  // unescaped

  bool operator==(const Rdn& other) const;  // case-insensitive
  std::string toString() const;             // "CN=a\,b"
};

class Dn {
 public:
  Dn() = default;
  explicit Dn(std::vector<Rdn> rdns) : rdns_(std::move(rdns)) {}

  static Result<Dn> parse(std::string_view text);

  bool isEmpty() const { return rdns_.empty(); }
  size_t depth() const { return rdns_.size(); }
  const Rdn& rdn() const { return rdns_.front(); }  // most specific
  const std::vector<Rdn>& rdns() const { return rdns_; }
  Dn parent() const;
  Dn child(Rdn rdn) const;
  // True when `ancestor` is this DN or a suffix of it.
  bool isWithin(const Dn& ancestor) const;
  // This DN's RDNs above `ancestor`, most specific first (requires isWithin).
  std::vector<Rdn> relativeTo(const Dn& ancestor) const;

  std::string toString() const;
  bool operator==(const Dn& other) const { return rdns_ == other.rdns_; }

 private:
  std::vector<Rdn> rdns_;  // most specific first
};

// Escapes an RDN value for a DN string.
std::string escapeRdnValue(std::string_view value);

}  // namespace dcemu::dc
