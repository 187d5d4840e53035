// LDIF files (RFC 2849) as ldifde, ldapsearch and ldbsearch write them, read
// with OpenLDAP's LDIF reader: records of a DN and its attributes, base64
// values decoded, folded lines joined, comments dropped. Change records
// other than add are kept with their change type so a caller can refuse
// them by name.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dc/status.h"

namespace dcemu::import {

struct LdifRecord {
  std::string dn;
  std::string changeType;  // "add" for an entry or an add record; "modify", "delete", "modrdn"
  unsigned long line = 0;  // where the record starts in its file
  std::vector<std::pair<std::string, std::vector<std::string>>> attributes;  // in file order

  // The values of `name` (compared ignoring case and any ";options"), or none.
  const std::vector<std::string>* values(std::string_view name) const;
  const std::string* first(std::string_view name) const;
};

// Every record of `path`. A malformed record is an error naming the file
// and line; nothing is returned then.
dc::Result<std::vector<LdifRecord>> readLdifFile(const std::string& path);

}  // namespace dcemu::import
