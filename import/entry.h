// One directory object as an export or a server gives it: its DN and its
// attributes' values as the wire carries them (binary values as bytes, or
// as text where a tool writes text: ldbsearch's SIDs, GUIDs and SDDL).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace dcemu::import {

struct Entry {
  std::string dn;
  std::string changeType = "add";  // LDIF: "add" for an entry; "modify", "delete", "modrdn"
  std::string source;              // "file:line", or the server's URL, for messages
  std::vector<std::pair<std::string, std::vector<std::string>>> attributes;  // in the order given

  // The values of `name` (compared ignoring case and any ";options"), or none.
  const std::vector<std::string>* values(std::string_view name) const;
  const std::string* first(std::string_view name) const;
  // Whether objectClass holds `cls` (ignoring case).
  bool isA(std::string_view cls) const;
};

}  // namespace dcemu::import
